// Package signin signs recruiters in with OpenID Connect: it checks their
// JWTs as API Gateway's JWT authorizer does, and runs the authorization-code
// flow with PKCE for the console. The same code checks tokens of Amazon
// Cognito in AWS and of the local stand-in (infra/local/idp) on a laptop.
package signin

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

// Algorithms API Gateway's JWT authorizer accepts: RSA signatures only.
var Algorithms = []jose.SignatureAlgorithm{jose.RS256, jose.RS384, jose.RS512}

// ErrInvalidToken is returned, wrapped, for every token that must be refused.
var ErrInvalidToken = errors.New("invalid token")

// Keys returns the signing keys of the issuer.
type Keys interface {
	Keys(ctx context.Context, kid string) ([]jose.JSONWebKey, error)
}

// Verifier checks a JWT as API Gateway's JWT authorizer does: an RSA
// signature by one of the issuer's keys, the issuer, an audience ("aud", or
// "client_id" for Cognito access tokens) among Audiences, and the time
// claims (exp in the future, nbf and iat not in it).
type Verifier struct {
	Issuer    string
	Audiences []string
	Keys      Keys
	// Now is the time tokens are checked at; nil: time.Now.
	Now func() time.Time
}

// Verify checks raw and returns its claims, flattened to strings as API
// Gateway passes them to the integration.
func (v *Verifier) Verify(ctx context.Context, raw string) (map[string]string, error) {
	tok, err := jwt.ParseSigned(raw, Algorithms)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidToken, err)
	}
	if len(tok.Headers) != 1 {
		return nil, fmt.Errorf("%w: want one signature", ErrInvalidToken)
	}
	keys, err := v.Keys.Keys(ctx, tok.Headers[0].KeyID)
	if err != nil {
		return nil, fmt.Errorf("%w: signing keys: %v", ErrInvalidToken, err)
	}
	var std jwt.Claims
	var all map[string]any
	verified := false
	for _, k := range keys {
		if tok.Claims(k.Key, &std, &all) == nil {
			verified = true
			break
		}
	}
	if !verified {
		return nil, fmt.Errorf("%w: signature", ErrInvalidToken)
	}
	now := time.Now
	if v.Now != nil {
		now = v.Now
	}
	if std.Expiry == nil {
		return nil, fmt.Errorf("%w: no exp", ErrInvalidToken)
	}
	if err := std.ValidateWithLeeway(jwt.Expected{Issuer: v.Issuer, Time: now()}, 0); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidToken, err)
	}
	clientID, _ := all["client_id"].(string)
	if !slices.ContainsFunc(v.Audiences, func(a string) bool { return std.Audience.Contains(a) || a == clientID }) {
		return nil, fmt.Errorf("%w: audience", ErrInvalidToken)
	}
	claims := make(map[string]string, len(all))
	for k, val := range all {
		switch x := val.(type) {
		case string:
			claims[k] = x
		case float64:
			claims[k] = strconv.FormatFloat(x, 'f', -1, 64)
		default:
			b, _ := json.Marshal(x)
			claims[k] = string(b)
		}
	}
	return claims, nil
}

// RemoteKeys fetches an issuer's JSON Web Key Set from its URL, and again
// when a token names a key it does not know (keys rotate), at most once per
// MinRefresh.
type RemoteKeys struct {
	URL    string
	Client *http.Client // nil: a client with a 10 s timeout

	// MinRefresh is the shortest time between two fetches; zero: 30 s.
	MinRefresh time.Duration

	mu      sync.Mutex
	set     jose.JSONWebKeySet
	fetched time.Time
}

// Keys returns the keys named kid (all keys when kid is empty).
func (r *RemoteKeys) Keys(ctx context.Context, kid string) ([]jose.JSONWebKey, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	min := r.MinRefresh
	if min == 0 {
		min = 30 * time.Second
	}
	if r.fetched.IsZero() || (len(r.find(kid)) == 0 && time.Since(r.fetched) >= min) {
		if err := r.fetch(ctx); err != nil {
			return nil, err
		}
	}
	keys := r.find(kid)
	if len(keys) == 0 {
		return nil, fmt.Errorf("no key %q in %s", kid, r.URL)
	}
	return keys, nil
}

func (r *RemoteKeys) find(kid string) []jose.JSONWebKey {
	if kid == "" {
		return r.set.Keys
	}
	return r.set.Key(kid)
}

func (r *RemoteKeys) fetch(ctx context.Context) error {
	client := r.Client
	if client == nil {
		client = &http.Client{Timeout: 10 * time.Second}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, r.URL, nil)
	if err != nil {
		return fmt.Errorf("jwks request: %w", err)
	}
	res, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("fetch jwks: %w", err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("fetch jwks: status %d", res.StatusCode)
	}
	var set jose.JSONWebKeySet
	if err := json.NewDecoder(http.MaxBytesReader(nil, res.Body, 1<<20)).Decode(&set); err != nil {
		return fmt.Errorf("decode jwks: %w", err)
	}
	r.set, r.fetched = set, time.Now()
	return nil
}
