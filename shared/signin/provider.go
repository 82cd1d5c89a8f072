package signin

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"golang.org/x/oauth2"
)

// Provider is the OpenID Connect provider recruiters sign in at (Cognito's
// managed login in AWS, infra/local/idp locally) and this app's public
// client there. Its endpoints follow Cognito's: /oauth2/authorize,
// /oauth2/token and /logout with client_id and logout_uri.
type Provider struct {
	Issuer       string
	ClientID     string
	AuthorizeURL string
	TokenURL     string
	LogoutURL    string
	JWKSURL      string
}

// Environment variables that describe the Provider to a function.
const (
	EnvIssuer       = "SIGNIN_ISSUER"
	EnvClientID     = "SIGNIN_CLIENT_ID"
	EnvAuthorizeURL = "SIGNIN_AUTHORIZE_URL"
	EnvTokenURL     = "SIGNIN_TOKEN_URL"
	EnvLogoutURL    = "SIGNIN_LOGOUT_URL"
	EnvJWKSURL      = "SIGNIN_JWKS_URL"
)

// ProviderFromEnv reads the Provider from the environment, or names the
// first variable missing.
func ProviderFromEnv(getenv func(string) string) (Provider, error) {
	if getenv == nil {
		getenv = os.Getenv
	}
	p := Provider{
		Issuer: getenv(EnvIssuer), ClientID: getenv(EnvClientID), AuthorizeURL: getenv(EnvAuthorizeURL),
		TokenURL: getenv(EnvTokenURL), LogoutURL: getenv(EnvLogoutURL), JWKSURL: getenv(EnvJWKSURL),
	}
	for name, v := range map[string]string{EnvIssuer: p.Issuer, EnvClientID: p.ClientID, EnvAuthorizeURL: p.AuthorizeURL,
		EnvTokenURL: p.TokenURL, EnvLogoutURL: p.LogoutURL, EnvJWKSURL: p.JWKSURL} {
		if v == "" {
			return Provider{}, fmt.Errorf("environment variable %s is not set", name)
		}
	}
	return p, nil
}

// Scopes the console asks for.
var Scopes = []string{"openid", "email"}

// Verifier checks tokens of this provider for this client.
func (p Provider) Verifier() *Verifier {
	return &Verifier{Issuer: p.Issuer, Audiences: []string{p.ClientID}, Keys: &RemoteKeys{URL: p.JWKSURL}}
}

func (p Provider) oauth2(redirectURL string) *oauth2.Config {
	return &oauth2.Config{
		ClientID:    p.ClientID,
		RedirectURL: redirectURL,
		Scopes:      Scopes,
		Endpoint: oauth2.Endpoint{
			AuthURL: p.AuthorizeURL, TokenURL: p.TokenURL, AuthStyle: oauth2.AuthStyleInParams,
		},
	}
}

// Attempt is one sign-in in progress: the state that ties the callback to
// the browser that started it, and the PKCE code verifier.
type Attempt struct {
	State    string
	Verifier string
}

// NewAttempt starts a sign-in.
func NewAttempt() Attempt {
	return Attempt{State: oauth2.GenerateVerifier(), Verifier: oauth2.GenerateVerifier()}
}

// AuthorizeURLFor is where the browser goes to sign in: the authorization-code
// flow with a PKCE S256 challenge.
func (p Provider) AuthorizeURLFor(a Attempt, redirectURL string) string {
	return p.oauth2(redirectURL).AuthCodeURL(a.State, oauth2.S256ChallengeOption(a.Verifier))
}

// Session is what a sign-in yields: the access token and when it expires.
type Session struct {
	AccessToken string
	Expiry      time.Time
}

// ErrSignIn is returned, wrapped, when the provider refuses the code.
var ErrSignIn = errors.New("sign-in refused")

// Exchange trades the callback's code for tokens, proving the attempt's
// code verifier.
func (p Provider) Exchange(ctx context.Context, a Attempt, code, redirectURL string, client *http.Client) (Session, error) {
	if client != nil {
		ctx = context.WithValue(ctx, oauth2.HTTPClient, client)
	}
	tok, err := p.oauth2(redirectURL).Exchange(ctx, code, oauth2.VerifierOption(a.Verifier))
	if err != nil {
		var re *oauth2.RetrieveError
		if errors.As(err, &re) {
			return Session{}, fmt.Errorf("%w: %s", ErrSignIn, re.ErrorCode)
		}
		return Session{}, fmt.Errorf("token endpoint: %w", err)
	}
	return Session{AccessToken: tok.AccessToken, Expiry: tok.Expiry}, nil
}

// SignOutURL ends the provider's session and returns the browser to
// returnTo (a sign-out URL registered for the client).
func (p Provider) SignOutURL(returnTo string) string {
	q := url.Values{"client_id": {p.ClientID}, "logout_uri": {returnTo}}
	sep := "?"
	if strings.Contains(p.LogoutURL, "?") {
		sep = "&"
	}
	return p.LogoutURL + sep + q.Encode()
}
