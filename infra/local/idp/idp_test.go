package idp_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/consentflow/consentflow/infra/local/gateway"
	"github.com/consentflow/consentflow/infra/local/idp"
	"github.com/consentflow/consentflow/shared/signin"
)

const callback = "http://127.0.0.1:9/console/callback"

func start(t *testing.T, cfg idp.Config) (*idp.Server, signin.Provider) {
	t.Helper()
	var s *idp.Server
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { s.ServeHTTP(w, r) }))
	t.Cleanup(srv.Close)
	cfg.ClientID = "console"
	cfg.RedirectURIs = []string{callback}
	var err error
	if s, err = idp.New(srv.URL, cfg); err != nil {
		t.Fatal(err)
	}
	return s, s.Provider()
}

var noRedirects = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// signInAs picks a recruiter on the authorize page and returns the code and
// state the browser brings back to the callback.
func signInAs(t *testing.T, p signin.Provider, a signin.Attempt, sub string) (code, state string) {
	t.Helper()
	authorize, _ := url.Parse(p.AuthorizeURLFor(a, callback))
	page, err := http.Get(authorize.String())
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(page.Body)
	page.Body.Close()
	if page.StatusCode != http.StatusOK || !strings.Contains(string(body), "Rita Recruiter") {
		t.Fatalf("authorize page: %d\n%s", page.StatusCode, body)
	}
	form := authorize.Query()
	form.Set("recruiter", sub)
	res, err := noRedirects.PostForm(p.AuthorizeURL, form)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	back, err := url.Parse(res.Header.Get("Location"))
	if res.StatusCode != http.StatusFound || err != nil || !strings.HasPrefix(back.String(), callback+"?") {
		t.Fatalf("after sign-in: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	return back.Query().Get("code"), back.Query().Get("state")
}

// The authorization-code flow with PKCE yields a token the verifier (and so
// the HTTP front) accepts, with the recruiter's subject.
func TestCodeFlowWithPKCE(t *testing.T) {
	_, p := start(t, idp.Config{})
	a := signin.NewAttempt()
	code, state := signInAs(t, p, a, idp.Recruiters[1].Sub)
	if state != a.State {
		t.Fatalf("state %q came back as %q", a.State, state)
	}
	sess, err := p.Exchange(context.Background(), a, code, callback, nil)
	if err != nil {
		t.Fatal(err)
	}
	claims, err := p.Verifier().Verify(context.Background(), sess.AccessToken)
	if err != nil {
		t.Fatal(err)
	}
	if claims["sub"] != idp.Recruiters[1].Sub || claims["username"] != idp.Recruiters[1].Email {
		t.Fatalf("claims %v", claims)
	}
	// A code is good for one exchange.
	if _, err := p.Exchange(context.Background(), a, code, callback, nil); !errors.Is(err, signin.ErrSignIn) {
		t.Fatalf("a second exchange of the code: %v", err)
	}
}

// A stolen code is useless without the verifier of the browser that asked.
func TestExchangeNeedsTheCodeVerifier(t *testing.T) {
	_, p := start(t, idp.Config{})
	a := signin.NewAttempt()
	code, _ := signInAs(t, p, a, idp.Recruiters[0].Sub)
	other := signin.NewAttempt()
	if _, err := p.Exchange(context.Background(), other, code, callback, nil); !errors.Is(err, signin.ErrSignIn) {
		t.Fatalf("exchange with another verifier: %v", err)
	}
}

// The authorize page refuses what Cognito refuses: an unknown redirect URI
// (never redirecting there) and a request without PKCE.
func TestAuthorizeRefuses(t *testing.T) {
	_, p := start(t, idp.Config{})
	good, _ := url.Parse(p.AuthorizeURLFor(signin.NewAttempt(), callback))
	for name, change := range map[string]func(url.Values){
		"unknown redirect": func(q url.Values) { q.Set("redirect_uri", "https://evil.example/cb") },
		"no PKCE":          func(q url.Values) { q.Del("code_challenge"); q.Del("code_challenge_method") },
		"plain PKCE":       func(q url.Values) { q.Set("code_challenge_method", "plain") },
		"unknown client":   func(q url.Values) { q.Set("client_id", "other") },
	} {
		q := good.Query()
		change(q)
		q.Set("recruiter", idp.Recruiters[0].Sub)
		res, err := noRedirects.PostForm(p.AuthorizeURL, q)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusBadRequest || res.Header.Get("Location") != "" {
			t.Errorf("%s: %d, Location %q", name, res.StatusCode, res.Header.Get("Location"))
		}
	}
}

// The HTTP front lets through what API Gateway's JWT authorizer lets
// through, and nothing else.
func TestGatewayChecksTokensAsAPIGatewayDoes(t *testing.T) {
	now := time.Now()
	s, p := start(t, idp.Config{Now: func() time.Time { return now }})
	good, err := s.Issue(idp.Recruiters[0], time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	expired, _ := s.Issue(idp.Recruiters[0], time.Nanosecond)
	now = now.Add(time.Minute) // expired has expired; good has not

	key, _ := rsa.GenerateKey(rand.Reader, 2048)
	sign := func(k any, alg jose.SignatureAlgorithm, claims map[string]any) string {
		signer, err := jose.NewSigner(jose.SigningKey{Algorithm: alg, Key: k}, nil)
		if err != nil {
			t.Fatal(err)
		}
		raw, err := jwt.Signed(signer).Claims(claims).Serialize()
		if err != nil {
			t.Fatal(err)
		}
		return raw
	}
	claims := func(iss, client string) map[string]any {
		return map[string]any{"iss": iss, "client_id": client, "sub": "x", "exp": now.Add(time.Hour).Unix()}
	}
	verifier := p.Verifier()
	verifier.Now = func() time.Time { return now }
	front := gateway.JWT{Verifier: verifier}
	for _, c := range []struct {
		name, header string
		ok           bool
	}{
		{"a token of the provider", "Bearer " + good, true},
		{"without the Bearer prefix", good, true},
		{"expired", "Bearer " + expired, false},
		{"signed by another key", "Bearer " + sign(key, jose.RS256, claims(p.Issuer, p.ClientID)), false},
		{"HMAC with the public key", "Bearer " + sign([]byte("secret-secret-secret-secret-secret"), jose.HS256, claims(p.Issuer, p.ClientID)), false},
		{"a tampered payload", "Bearer " + tamper(good), false},
		{"no token", "", false},
		{"garbage", "Bearer not.a.jwt", false},
	} {
		r := httptest.NewRequest("GET", "/api/candidates/x/consents", nil)
		if c.header != "" {
			r.Header.Set("Authorization", c.header)
		}
		claims, ok := front.Authorize(r)
		if ok != c.ok || (ok && claims["sub"] != idp.Recruiters[0].Sub) {
			t.Errorf("%s: ok %v claims %v, want ok %v", c.name, ok, claims, c.ok)
		}
	}
	// Issuer and audience: the same key, other values.
	other := &signin.Verifier{Issuer: p.Issuer, Audiences: []string{"another-client"}, Keys: verifier.Keys}
	if _, err := other.Verify(context.Background(), good); err == nil {
		t.Error("a token for another client is accepted")
	}
	other = &signin.Verifier{Issuer: "https://elsewhere.example", Audiences: []string{p.ClientID}, Keys: verifier.Keys}
	if _, err := other.Verify(context.Background(), good); err == nil {
		t.Error("a token of another issuer is accepted")
	}
}

// tamper changes the payload and keeps the signature.
func tamper(raw string) string {
	parts := strings.Split(raw, ".")
	parts[1] = strings.Replace(parts[1], parts[1][10:14], "AAAA", 1)
	return strings.Join(parts, ".")
}
