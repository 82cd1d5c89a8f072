package main

import (
	"context"
	"crypto/subtle"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/consentflow/consentflow/shared/consent"
	"github.com/consentflow/consentflow/shared/httpapi"
	"github.com/consentflow/consentflow/shared/signin"
	"github.com/consentflow/consentflow/shared/store"
)

// Store reads what the console shows; *store.Store satisfies it.
type Store interface {
	ListCandidates(ctx context.Context, q store.ListQuery) (store.CandidatePage, error)
	Candidate(ctx context.Context, id string) (consent.Candidate, error)
	Consents(ctx context.Context, candidateID string) ([]consent.Consent, error)
	AuditTrail(ctx context.Context, candidateID string) (store.Trail, error)
	Applications(ctx context.Context, candidateID string) ([]consent.Application, error)
	// Artifacts with kind "" lists every CV and recording of a candidate.
	Artifacts(ctx context.Context, candidateID string, kind consent.ArtifactKind) ([]consent.Artifact, error)
	// RightsRequests lists rectification requests and objections.
	RightsRequests(ctx context.Context, candidateID string) ([]consent.RightsRequest, error)
}

// API calls the recruiter API with the signed-in recruiter's token, so that
// every action behaves exactly as the API route does. *APIClient is one.
type API interface {
	Post(ctx context.Context, token, path, idempotencyKey string, body any) (APIResult, error)
	Send(ctx context.Context, token, method, path, idempotencyKey string, body any) (APIResult, []byte, error)
}

// Verifier checks a recruiter's token; *signin.Verifier is one.
type Verifier interface {
	Verify(ctx context.Context, raw string) (map[string]string, error)
}

// SignIn runs the authorization-code flow with the provider.
type SignIn interface {
	AuthorizeURLFor(a signin.Attempt, redirectURL string) string
	Exchange(ctx context.Context, a signin.Attempt, code, redirectURL string, client *http.Client) (signin.Session, error)
	SignOutURL(returnTo string) string
}

// Handler serves the console under /console.
type Handler struct {
	Store    Store
	API      API
	SignIn   SignIn
	Verifier Verifier
	// BaseURL is the app's URL (the HTTP API's), for the callback and
	// sign-out URLs registered with the provider.
	BaseURL string
	// ProviderOrigin is the sign-in provider's origin, which forms may
	// redirect to (sign-out).
	ProviderOrigin string
	// ErasureWindow is how far ahead pending erasures are marked (setting
	// erasureDigestDays, as the digest email looks).
	ErasureWindow time.Duration
	Log           *slog.Logger
	Now           func() time.Time
}

// Cookies. Both are Secure, HttpOnly and SameSite=Lax, and only sent to
// /console. Secure holds on http://127.0.0.1 too: browsers treat loopback
// as a secure context and keep Secure cookies there.
const (
	sessionCookie = "cf_console"
	attemptCookie = "cf_signin"
)

func (h *Handler) callbackURL() string  { return h.BaseURL + "/console/callback" }
func (h *Handler) signedOutURL() string { return h.BaseURL + "/console/signed-out" }

// recruiter is the signed-in recruiter of a request.
type recruiter struct {
	token string
	name  string
	csrf  string
}

// Handle routes a console request.
func (h *Handler) Handle(ctx context.Context, req httpapi.Request) (httpapi.Response, error) {
	method := req.RequestContext.HTTP.Method
	path := strings.TrimSuffix(req.RawPath, "/")
	switch {
	case method == http.MethodGet && path == "/console/console.css":
		return stylesheet(), nil
	case method == http.MethodGet && path == "/console/recording.js":
		return pollScript(), nil
	case method == http.MethodGet && path == "/console/sign-in":
		return h.startSignIn(), nil
	case method == http.MethodGet && path == "/console/callback":
		return h.finishSignIn(ctx, req), nil
	case method == http.MethodGet && path == "/console/signed-out":
		return h.render(http.StatusOK, messagePage{Title: "You are signed out", Detail: "Your session on this device has ended.", SignIn: true}), nil
	}
	r, ok := h.session(ctx, req)
	if !ok {
		if method == http.MethodGet {
			return redirect("/console/sign-in"), nil
		}
		return h.render(http.StatusUnauthorized, messagePage{Title: "Sign in again", Detail: "Your session has ended, so nothing was changed. Sign in and try again.", SignIn: true}), nil
	}
	if method == http.MethodPost {
		form, err := formOf(req)
		if err != nil || subtle.ConstantTimeCompare([]byte(form.Get("csrf")), []byte(r.csrf)) != 1 {
			return h.render(http.StatusForbidden, messagePage{Recruiter: r, Title: "This form has expired",
				Detail: "Nothing was changed. Go back, reload the page and send the form again."}), nil
		}
		return h.post(ctx, r, path, form), nil
	}
	if method != http.MethodGet {
		return h.render(http.StatusMethodNotAllowed, messagePage{Recruiter: r, Title: "Not allowed"}), nil
	}
	switch {
	case path == "/console":
		return h.list(ctx, r, req), nil
	case strings.HasPrefix(path, "/console/candidates/") && strings.HasSuffix(path, "/recording"):
		return h.recordingStatus(ctx, r, strings.TrimSuffix(strings.TrimPrefix(path, "/console/candidates/"), "/recording"), req), nil
	case strings.HasPrefix(path, "/console/candidates/") && strings.HasSuffix(path, "/export"):
		return h.export(ctx, r, strings.TrimSuffix(strings.TrimPrefix(path, "/console/candidates/"), "/export")), nil
	case strings.HasPrefix(path, "/console/candidates/"):
		id := strings.TrimPrefix(path, "/console/candidates/")
		return h.candidate(ctx, r, id, req.QueryStringParameters["done"], nil), nil
	}
	return h.render(http.StatusNotFound, messagePage{Recruiter: r, Title: "Page not found", Detail: "There is no such page in the console."}), nil
}

func (h *Handler) post(ctx context.Context, r recruiter, path string, form url.Values) httpapi.Response {
	if path == "/console/sign-out" {
		res := redirect(h.SignIn.SignOutURL(h.signedOutURL()))
		res.Cookies = []string{expiredCookie(sessionCookie, "/console")}
		return res
	}
	if path == "/console/candidates" {
		return h.register(ctx, r, form)
	}
	rest, ok := strings.CutPrefix(path, "/console/candidates/")
	if !ok {
		return h.render(http.StatusNotFound, messagePage{Recruiter: r, Title: "Page not found"})
	}
	id, action, _ := strings.Cut(rest, "/")
	if !consent.ValidID(id) {
		return h.render(http.StatusNotFound, messagePage{Recruiter: r, Title: "No such candidate"})
	}
	switch action {
	case "consent-requests":
		return h.requestConsent(ctx, r, id, form)
	case "recording":
		return h.startRecording(ctx, r, id, form)
	case "withdraw":
		return h.withdraw(ctx, r, id, form)
	case "applications":
		return h.openApplication(ctx, r, id, form)
	case "close-application":
		return h.closeApplication(ctx, r, id, form)
	case "documents":
		return h.prepareUpload(ctx, r, id, form)
	case "erase":
		return h.erase(ctx, r, id, form)
	case "restriction":
		return h.restriction(ctx, r, id, form)
	case "rectification":
		return h.decideRectification(ctx, r, id, form)
	case "objection":
		return h.compellingGrounds(ctx, r, id, form)
	}
	return h.render(http.StatusNotFound, messagePage{Recruiter: r, Title: "Page not found"})
}

// session reads and checks the session cookie.
func (h *Handler) session(ctx context.Context, req httpapi.Request) (recruiter, bool) {
	token := cookie(req, sessionCookie)
	if token == "" {
		return recruiter{}, false
	}
	claims, err := h.Verifier.Verify(ctx, token)
	if err != nil {
		return recruiter{}, false
	}
	name := claims["username"]
	if name == "" {
		name = claims["email"]
	}
	return recruiter{token: token, name: name, csrf: csrfToken(token)}, true
}

func formOf(req httpapi.Request) (url.Values, error) {
	b, err := httpapi.Body(req)
	if err != nil {
		return nil, err
	}
	if len(b) > 64<<10 {
		return nil, fmt.Errorf("form too large")
	}
	return url.ParseQuery(string(b))
}

func cookie(req httpapi.Request, name string) string {
	for _, c := range req.Cookies {
		k, v, ok := strings.Cut(c, "=")
		if ok && strings.TrimSpace(k) == name {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

func expiredCookie(name, path string) string {
	return (&http.Cookie{Name: name, Value: "", Path: path, MaxAge: -1, Secure: true, HttpOnly: true, SameSite: http.SameSiteLaxMode}).String()
}

func redirect(to string) httpapi.Response {
	return httpapi.Response{StatusCode: http.StatusSeeOther, Headers: map[string]string{
		"Location": to, "Cache-Control": "no-store", "Referrer-Policy": "no-referrer",
	}}
}
