// Package idp is the local stand-in for Amazon Cognito's managed login: a
// small OpenID Connect provider with discovery, a JSON Web Key Set, an
// authorize page where you pick a recruiter instead of typing a password,
// and a token endpoint for the authorization-code flow with PKCE (S256).
// Its tokens are RS256 JWTs shaped like Cognito's access tokens, signed with
// a key generated at start, so they are worthless once the process ends.
package idp

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/consentflow/consentflow/shared/signin"
)

// Recruiter is someone who can sign in locally.
type Recruiter struct {
	Sub   string
	Email string
	Name  string
}

// Recruiters are the people on the local sign-in page.
var Recruiters = []Recruiter{
	{Sub: "local-recruiter", Email: "recruiter@example.com", Name: "Rita Recruiter"},
	{Sub: "local-sourcer", Email: "sourcer@example.com", Name: "Sam Sourcer"},
}

// DefaultTokenLifetime is how long an access token is valid, as Cognito's
// default (one hour).
const DefaultTokenLifetime = time.Hour

// codeLifetime is how long an authorization code can be traded (Cognito: 5 min).
const codeLifetime = 5 * time.Minute

// Config configures a Server.
type Config struct {
	// ClientID is the one app client; RedirectURIs its allowed callback and
	// sign-out URLs.
	ClientID     string
	RedirectURIs []string
	// Recruiters can sign in; nil: Recruiters.
	Recruiters []Recruiter
	// TokenLifetime of access tokens; zero: DefaultTokenLifetime.
	TokenLifetime time.Duration
	// Now is the provider's clock; nil: time.Now.
	Now func() time.Time
}

// Server is the provider. It is an http.Handler.
type Server struct {
	cfg    Config
	issuer string
	key    *rsa.PrivateKey
	kid    string
	signer jose.Signer
	mux    *http.ServeMux

	mu    sync.Mutex
	codes map[string]grant
}

type grant struct {
	recruiter   Recruiter
	redirectURI string
	challenge   string
	expires     time.Time
}

// New returns a provider whose issuer is the URL it is served at.
func New(issuer string, cfg Config) (*Server, error) {
	if cfg.ClientID == "" {
		return nil, fmt.Errorf("idp: no client id")
	}
	if cfg.Recruiters == nil {
		cfg.Recruiters = Recruiters
	}
	if cfg.TokenLifetime <= 0 {
		cfg.TokenLifetime = DefaultTokenLifetime
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, fmt.Errorf("idp: signing key: %w", err)
	}
	kid := rand.Text()
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: jose.JSONWebKey{Key: key, KeyID: kid}},
		(&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		return nil, fmt.Errorf("idp: signer: %w", err)
	}
	s := &Server{cfg: cfg, issuer: strings.TrimSuffix(issuer, "/"), key: key, kid: kid, signer: signer,
		mux: http.NewServeMux(), codes: map[string]grant{}}
	s.mux.HandleFunc("GET /.well-known/openid-configuration", s.discovery)
	s.mux.HandleFunc("GET /.well-known/jwks.json", s.jwks)
	s.mux.HandleFunc("GET /oauth2/authorize", s.authorizePage)
	s.mux.HandleFunc("POST /oauth2/authorize", s.authorize)
	s.mux.HandleFunc("POST /oauth2/token", s.token)
	s.mux.HandleFunc("GET /logout", s.logout)
	return s, nil
}

// Provider describes this server to the code that signs in with it.
func (s *Server) Provider() signin.Provider {
	return signin.Provider{
		Issuer: s.issuer, ClientID: s.cfg.ClientID,
		AuthorizeURL: s.issuer + "/oauth2/authorize", TokenURL: s.issuer + "/oauth2/token",
		LogoutURL: s.issuer + "/logout", JWKSURL: s.issuer + "/.well-known/jwks.json",
	}
}

// Issue signs an access token for r, valid for lifetime (zero: the
// configured token lifetime), as the token endpoint would after a sign-in.
func (s *Server) Issue(r Recruiter, lifetime time.Duration) (string, error) {
	if lifetime <= 0 {
		lifetime = s.cfg.TokenLifetime
	}
	now := s.cfg.Now()
	claims := map[string]any{
		"iss": s.issuer, "sub": r.Sub, "client_id": s.cfg.ClientID, "token_use": "access",
		"scope": strings.Join(signin.Scopes, " "), "username": r.Email, "email": r.Email,
		"auth_time": now.Unix(), "iat": now.Unix(), "exp": now.Add(lifetime).Unix(), "jti": rand.Text(),
	}
	return jwt.Signed(s.signer).Claims(claims).Serialize()
}

func (s *Server) idToken(r Recruiter) (string, error) {
	now := s.cfg.Now()
	return jwt.Signed(s.signer).Claims(map[string]any{
		"iss": s.issuer, "sub": r.Sub, "aud": s.cfg.ClientID, "token_use": "id", "email": r.Email,
		"email_verified": true, "name": r.Name, "iat": now.Unix(), "exp": now.Add(s.cfg.TokenLifetime).Unix(),
	}).Serialize()
}

// ServeHTTP serves the provider's endpoints.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	s.mux.ServeHTTP(w, r)
}

func (s *Server) discovery(w http.ResponseWriter, r *http.Request) {
	p := s.Provider()
	writeJSON(w, http.StatusOK, map[string]any{
		"issuer": p.Issuer, "authorization_endpoint": p.AuthorizeURL, "token_endpoint": p.TokenURL,
		"end_session_endpoint": p.LogoutURL, "jwks_uri": p.JWKSURL,
		"response_types_supported":              []string{"code"},
		"grant_types_supported":                 []string{"authorization_code"},
		"code_challenge_methods_supported":      []string{"S256"},
		"subject_types_supported":               []string{"public"},
		"id_token_signing_alg_values_supported": []string{"RS256"},
		"scopes_supported":                      signin.Scopes,
		"token_endpoint_auth_methods_supported": []string{"none"},
	})
}

func (s *Server) jwks(w http.ResponseWriter, r *http.Request) {
	set := jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &s.key.PublicKey, KeyID: s.kid, Algorithm: "RS256", Use: "sig"}}}
	writeJSON(w, http.StatusOK, set)
}

// authParams are the authorize request's parameters, carried from the page
// to its form.
type authParams struct {
	ClientID, RedirectURI, State, Challenge, Scope string
}

func (s *Server) readAuth(v url.Values) (authParams, string) {
	p := authParams{ClientID: v.Get("client_id"), RedirectURI: v.Get("redirect_uri"), State: v.Get("state"),
		Challenge: v.Get("code_challenge"), Scope: v.Get("scope")}
	switch {
	case v.Get("response_type") != "code":
		return p, "response_type must be code"
	case p.ClientID != s.cfg.ClientID:
		return p, "unknown client_id"
	case !slices.Contains(s.cfg.RedirectURIs, p.RedirectURI):
		return p, "redirect_uri is not registered for this client"
	case v.Get("code_challenge_method") != "S256" || len(p.Challenge) != 43:
		return p, "PKCE is required: code_challenge with code_challenge_method S256"
	}
	return p, ""
}

func (s *Server) authorizePage(w http.ResponseWriter, r *http.Request) {
	p, problem := s.readAuth(r.URL.Query())
	if problem != "" {
		s.page(w, http.StatusBadRequest, pageData{Problem: problem})
		return
	}
	s.page(w, http.StatusOK, pageData{Params: p, Recruiters: s.cfg.Recruiters})
}

func (s *Server) authorize(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		s.page(w, http.StatusBadRequest, pageData{Problem: "malformed form"})
		return
	}
	p, problem := s.readAuth(r.PostForm)
	if problem != "" {
		s.page(w, http.StatusBadRequest, pageData{Problem: problem})
		return
	}
	i := slices.IndexFunc(s.cfg.Recruiters, func(x Recruiter) bool { return x.Sub == r.PostForm.Get("recruiter") })
	if i < 0 {
		s.page(w, http.StatusUnprocessableEntity, pageData{Params: p, Recruiters: s.cfg.Recruiters, Problem: "Choose who you are."})
		return
	}
	code := rand.Text()
	s.mu.Lock()
	s.codes[code] = grant{recruiter: s.cfg.Recruiters[i], redirectURI: p.RedirectURI, challenge: p.Challenge, expires: s.cfg.Now().Add(codeLifetime)}
	s.mu.Unlock()
	q := url.Values{"code": {code}}
	if p.State != "" {
		q.Set("state", p.State)
	}
	sep := "?"
	if strings.Contains(p.RedirectURI, "?") {
		sep = "&"
	}
	http.Redirect(w, r, p.RedirectURI+sep+q.Encode(), http.StatusFound)
}

func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_request"})
		return
	}
	f := r.PostForm
	if f.Get("grant_type") != "authorization_code" {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "unsupported_grant_type"})
		return
	}
	if f.Get("client_id") != s.cfg.ClientID {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_client"})
		return
	}
	s.mu.Lock()
	g, ok := s.codes[f.Get("code")]
	delete(s.codes, f.Get("code")) // a code is good for one try
	s.mu.Unlock()
	sum := sha256.Sum256([]byte(f.Get("code_verifier")))
	challenge := base64.RawURLEncoding.EncodeToString(sum[:])
	if !ok || s.cfg.Now().After(g.expires) || g.redirectURI != f.Get("redirect_uri") ||
		subtle.ConstantTimeCompare([]byte(challenge), []byte(g.challenge)) != 1 {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_grant"})
		return
	}
	access, err := s.Issue(g.recruiter, 0)
	if err != nil {
		writeJSON(w, http.StatusInternalServerError, map[string]string{"error": "server_error"})
		return
	}
	id, err := s.idToken(g.recruiter)
	if err != nil {
		writeJSON(w, http.StatusInternalServerError, map[string]string{"error": "server_error"})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"access_token": access, "id_token": id, "token_type": "Bearer", "expires_in": int(s.cfg.TokenLifetime.Seconds()),
	})
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if q.Get("client_id") != s.cfg.ClientID || !slices.Contains(s.cfg.RedirectURIs, q.Get("logout_uri")) {
		s.page(w, http.StatusBadRequest, pageData{Problem: "unknown client_id or logout_uri"})
		return
	}
	http.Redirect(w, r, q.Get("logout_uri"), http.StatusFound)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

type pageData struct {
	Params     authParams
	Recruiters []Recruiter
	Problem    string
}

func (s *Server) page(w http.ResponseWriter, status int, d pageData) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	// The form redirects to the client's callback: form-action must allow it.
	formAction := "'self'"
	for _, u := range s.cfg.RedirectURIs {
		if p, err := url.Parse(u); err == nil {
			formAction += " " + p.Scheme + "://" + p.Host
		}
	}
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action "+formAction+"; frame-ancestors 'none'; base-uri 'none'")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_ = pageTemplate.Execute(w, d)
}

var pageTemplate = template.Must(template.New("authorize").Parse(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sign in – Consentflow (local)</title>
<style>
body{font-family:system-ui,sans-serif;margin:0;color:#1a1a1a;background:#f4f5f7}
main{max-width:28rem;margin:2rem auto;padding:1.5rem;background:#fff;border:1px solid #c8ccd2;border-radius:8px}
h1{font-size:1.4rem;margin-top:0}
fieldset{border:0;padding:0;margin:0 0 1rem}
legend{font-weight:600;margin-bottom:.5rem}
label{display:flex;gap:.6rem;align-items:center;padding:.6rem;border:1px solid #c8ccd2;border-radius:6px;margin-bottom:.5rem}
button{font:inherit;padding:.6rem 1.2rem;border:0;border-radius:6px;background:#1f4fbf;color:#fff;cursor:pointer}
.note{color:#44474d;font-size:.9rem}
.problem{color:#a4161a;font-weight:600}
</style>
</head>
<body>
<main>
<h1>Sign in to Consentflow</h1>
<p class="note">This page stands in for Amazon Cognito's sign-in page on your machine. Choose a recruiter; there is no password.</p>
{{if .Problem}}<p class="problem" role="alert">{{.Problem}}</p>{{end}}
{{if .Recruiters}}
<form method="post" action="/oauth2/authorize">
<input type="hidden" name="response_type" value="code">
<input type="hidden" name="client_id" value="{{.Params.ClientID}}">
<input type="hidden" name="redirect_uri" value="{{.Params.RedirectURI}}">
<input type="hidden" name="state" value="{{.Params.State}}">
<input type="hidden" name="scope" value="{{.Params.Scope}}">
<input type="hidden" name="code_challenge" value="{{.Params.Challenge}}">
<input type="hidden" name="code_challenge_method" value="S256">
<fieldset>
<legend>Who are you?</legend>
{{range $i, $r := .Recruiters}}<label><input type="radio" name="recruiter" value="{{$r.Sub}}"{{if eq $i 0}} checked{{end}}> {{$r.Name}} ({{$r.Email}})</label>
{{end}}</fieldset>
<button type="submit">Sign in</button>
</form>
{{end}}
</main>
</body>
</html>
`))
