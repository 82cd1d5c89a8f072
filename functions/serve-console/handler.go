package main

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/consentflow/consentflow/shared/consent"
	"github.com/consentflow/consentflow/shared/httpapi"
	"github.com/consentflow/consentflow/shared/qr"
	"github.com/consentflow/consentflow/shared/signin"
	"github.com/consentflow/consentflow/shared/store"
	"github.com/consentflow/consentflow/shared/upload"
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

// csrfToken ties a form to the session: it is derived from the session's
// token, which only the browser holds (HttpOnly) and another site cannot
// read, so it needs no server-side state.
func csrfToken(session string) string {
	sum := sha256.Sum256([]byte("consentflow console csrf\x00" + session))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

func (h *Handler) startSignIn() httpapi.Response {
	a := signin.NewAttempt()
	res := redirect(h.SignIn.AuthorizeURLFor(a, h.callbackURL()))
	res.Cookies = []string{(&http.Cookie{
		Name: attemptCookie, Value: a.State + "." + a.Verifier, Path: "/console/callback", MaxAge: 600,
		Secure: true, HttpOnly: true, SameSite: http.SameSiteLaxMode,
	}).String()}
	return res
}

func (h *Handler) finishSignIn(ctx context.Context, req httpapi.Request) httpapi.Response {
	q := req.QueryStringParameters
	state, verifier, _ := strings.Cut(cookie(req, attemptCookie), ".")
	failed := func(status int, detail string) httpapi.Response {
		res := h.render(status, messagePage{Title: "Sign-in did not work", Detail: detail, SignIn: true})
		res.Cookies = []string{expiredCookie(attemptCookie, "/console/callback")}
		return res
	}
	if q["error"] != "" {
		return failed(http.StatusUnauthorized, "The sign-in page did not sign you in. Try again.")
	}
	if state == "" || q["code"] == "" || subtle.ConstantTimeCompare([]byte(q["state"]), []byte(state)) != 1 {
		return failed(http.StatusBadRequest, "This sign-in was not started here or took too long. Try again.")
	}
	sess, err := h.SignIn.Exchange(ctx, signin.Attempt{State: state, Verifier: verifier}, q["code"], h.callbackURL(), nil)
	if err != nil {
		h.Log.WarnContext(ctx, "sign-in failed", "error", err.Error())
		if errors.Is(err, signin.ErrSignIn) {
			return failed(http.StatusUnauthorized, "The sign-in provider refused this sign-in. Try again.")
		}
		return failed(http.StatusBadGateway, "The sign-in provider could not be reached. Try again in a moment.")
	}
	if _, err := h.Verifier.Verify(ctx, sess.AccessToken); err != nil {
		h.Log.WarnContext(ctx, "sign-in token refused", "error", err.Error())
		return failed(http.StatusUnauthorized, "The sign-in provider's token was not accepted. Try again.")
	}
	maxAge := int(time.Until(sess.Expiry).Seconds())
	if sess.Expiry.IsZero() || maxAge <= 0 {
		maxAge = 3600
	}
	res := redirect("/console")
	res.Cookies = []string{
		(&http.Cookie{Name: sessionCookie, Value: sess.AccessToken, Path: "/console", MaxAge: maxAge,
			Secure: true, HttpOnly: true, SameSite: http.SameSiteLaxMode}).String(),
		expiredCookie(attemptCookie, "/console/callback"),
	}
	return res
}

func (h *Handler) list(ctx context.Context, r recruiter, req httpapi.Request) httpapi.Response {
	q := req.QueryStringParameters
	state := consent.State(q["state"])
	if state != "" && !slices.Contains(store.ListStates, state) {
		state = ""
	}
	page, err := h.Store.ListCandidates(ctx, store.ListQuery{State: state, Cursor: q["cursor"]})
	if err != nil {
		var invalid *consent.ValidationError
		if errors.As(err, &invalid) {
			return h.render(http.StatusBadRequest, messagePage{Recruiter: r, Title: "This list link is out of date", Detail: "Start again from the first page."})
		}
		return h.failed(ctx, r, err)
	}
	v := listPage{Recruiter: r, State: state, States: store.ListStates, Register: newRegisterForm()}
	now := h.Now()
	for _, c := range page.Candidates {
		arts, err := h.Store.Artifacts(ctx, c.ID, "")
		if err != nil {
			return h.failed(ctx, r, err)
		}
		apps, err := h.Store.Applications(ctx, c.ID)
		if err != nil {
			return h.failed(ctx, r, err)
		}
		row := listRow{ID: c.ID, Name: c.Name, CreatedAt: c.CreatedAt, Purposes: purposeStates(c.Consents, now)}
		_, row.EraseOn = h.pendingErasures(arts, now)
		for _, a := range arts {
			if a.Status != consent.ArtifactErased && a.DeleteBy != nil && (row.NextDeletion == nil || a.DeleteBy.Before(*row.NextDeletion)) {
				row.NextDeletion = a.DeleteBy
			}
		}
		for _, a := range apps {
			if a.Status == consent.ApplicationOpen {
				row.Open = append(row.Open, a.Position)
			}
		}
		v.Rows = append(v.Rows, row)
	}
	if page.Next != "" {
		next := url.Values{"cursor": {page.Next}}
		if state != "" {
			next.Set("state", string(state))
		}
		v.Next = "/console?" + next.Encode()
	}
	return h.render(http.StatusOK, v)
}

func (h *Handler) candidate(ctx context.Context, r recruiter, id, done string, problem *httpapi.Problem) httpapi.Response {
	if !consent.ValidID(id) {
		return h.render(http.StatusNotFound, messagePage{Recruiter: r, Title: "No such candidate"})
	}
	c, err := h.Store.Candidate(ctx, id)
	if err != nil {
		var nf *consent.NotFoundError
		if errors.As(err, &nf) {
			return h.render(http.StatusNotFound, messagePage{Recruiter: r, Title: "No such candidate", Detail: "There is no candidate at this address."})
		}
		if errors.As(err, new(*consent.GoneError)) {
			return h.render(http.StatusGone, messagePage{Recruiter: r, Title: "This candidate was erased",
				Detail: "Everything held about this candidate was erased at their request. Only the pseudonymous audit trail is kept (GET /api/candidates/" + id + "/audit)."})
		}
		return h.failed(ctx, r, err)
	}
	consents, err := h.Store.Consents(ctx, id)
	if err != nil {
		return h.failed(ctx, r, err)
	}
	trail, err := h.Store.AuditTrail(ctx, id)
	if err != nil {
		return h.failed(ctx, r, err)
	}
	apps, err := h.Store.Applications(ctx, id)
	if err != nil {
		return h.failed(ctx, r, err)
	}
	arts, err := h.Store.Artifacts(ctx, id, "")
	if err != nil {
		return h.failed(ctx, r, err)
	}
	rights, err := h.Store.RightsRequests(ctx, id)
	if err != nil {
		return h.failed(ctx, r, err)
	}
	now := h.Now()
	files, eraseOn := h.pendingErasures(arts, now)
	v := candidatePage{Recruiter: r, Candidate: c, Purposes: purposeStates(consents, now), Events: trail.Events, Chain: trail.Verification, Applications: apps,
		Files: files, EraseOn: eraseOn, Recording: recordingGate(consents, now), Done: doneMessages[done], Problem: problem,
		IdempotencyKey: consent.NewID(), Channels: []string{"email", "phone", "letter"}, Grounds: erasureGrounds,
		Rights: rights, Positions: positions(apps)}
	status := http.StatusOK
	if problem != nil {
		status = problem.Status
	}
	return h.render(status, v)
}

// fileRow is a CV or recording on the candidate's page; EraseOn is set when
// its deadline falls within the erasure window.
type fileRow struct {
	ID       string
	Kind     consent.ArtifactKind
	Status   consent.ArtifactStatus
	DeleteBy *time.Time
	EraseOn  *time.Time
}

// pendingErasures lists a candidate's files not yet erased, marking those
// whose deadline falls within the erasure window from now, and returns the
// nearest such deadline (nil when none does). Only shown, never acted on:
// what is erased, and when, is the sweep's to decide from its schedule.
func (h *Handler) pendingErasures(arts []consent.Artifact, now time.Time) (files []fileRow, nearest *time.Time) {
	for _, a := range arts {
		if a.Status == consent.ArtifactErased {
			continue
		}
		row := fileRow{ID: a.ID, Kind: a.Kind, Status: a.Status, DeleteBy: a.DeleteBy}
		if a.DeleteBy != nil && !a.DeleteBy.After(now.Add(h.ErasureWindow)) {
			row.EraseOn = a.DeleteBy
			if nearest == nil || a.DeleteBy.Before(*nearest) {
				nearest = a.DeleteBy
			}
		}
		files = append(files, row)
	}
	return files, nearest
}

var doneMessages = map[string]string{
	"requested":  "Consent requested. The candidate gets an email with a personal link.",
	"uploaded":   "CV uploaded. It is registered from the storage's own event within seconds: reload to see it below.",
	"opened":     "Application opened: it keeps the candidate's CVs while it is open.",
	"closed":     "Application closed: its CVs are kept for the retention period after today, then erased.",
	"withdrawn":  "Withdrawal recorded. What the consent alone covered is being erased; the candidate and your team get an email when it is.",
	"unchanged":  "That consent was withdrawn already; nothing changed.",
	"registered": "Candidate registered.",
	"restricted": "Processing restricted: the data is kept but not used, and nothing is erased while it holds. The candidate gets an email.",
	"lifted":     "Restriction lifted: deadlines are recomputed, and what is past its deadline is erased by the next sweep. The candidate gets an email.",
	"rectified":  "Rectification decided. The candidate gets an email with your reason.",
	"grounds":    "Compelling grounds recorded: the application stays open. The candidate gets an email with the grounds.",
}

func (h *Handler) register(ctx context.Context, r recruiter, form url.Values) httpapi.Response {
	in := map[string]string{"name": form.Get("name"), "email": form.Get("email"), "locale": form.Get("locale")}
	res, err := h.API.Post(ctx, r.token, "/api/candidates", form.Get("idempotencyKey"), in)
	if err != nil {
		return h.failed(ctx, r, err)
	}
	if res.Status == http.StatusCreated || res.Status == http.StatusOK {
		return redirect("/console/candidates/" + res.ID + "?done=registered")
	}
	if res.Status == http.StatusUnauthorized {
		return h.render(http.StatusUnauthorized, messagePage{Title: "Sign in again", Detail: "Your session has ended, so nothing was changed.", SignIn: true})
	}
	v := listPage{Recruiter: r, States: store.ListStates, Register: registerForm{
		Name: in["name"], Email: in["email"], Locale: in["locale"], IdempotencyKey: form.Get("idempotencyKey"), Problem: &res.Problem,
	}}
	return h.render(res.Status, v)
}

func (h *Handler) requestConsent(ctx context.Context, r recruiter, id string, form url.Values) httpapi.Response {
	purposes := form["purpose"]
	if len(purposes) == 0 {
		purposes = []string{}
	}
	res, err := h.API.Post(ctx, r.token, "/api/candidates/"+id+"/consent-requests", form.Get("idempotencyKey"), map[string]any{"purposes": purposes})
	if err != nil {
		return h.failed(ctx, r, err)
	}
	switch res.Status {
	case http.StatusAccepted:
		return redirect("/console/candidates/" + id + "?done=requested")
	case http.StatusUnauthorized:
		return h.render(http.StatusUnauthorized, messagePage{Title: "Sign in again", Detail: "Your session has ended, so nothing was changed.", SignIn: true})
	}
	return h.candidate(ctx, r, id, "", &res.Problem)
}

// RecordingRoute is the recording gate of the API: it authorizes an upload
// only with the candidate's consent, else asks for it.
const RecordingRoute = "/api/candidates/%s/recordings"

// startRecording asks the API's recording gate whether this interview may be
// recorded. Where the deployment has no gate route yet, it answers from the
// candidate's interview-recording consent and says so; it authorizes nothing.
func (h *Handler) startRecording(ctx context.Context, r recruiter, id string, form url.Values) httpapi.Response {
	c, err := h.Store.Candidate(ctx, id)
	if err != nil {
		var nf *consent.NotFoundError
		if errors.As(err, &nf) {
			return h.render(http.StatusNotFound, messagePage{Recruiter: r, Title: "No such candidate"})
		}
		return h.failed(ctx, r, err)
	}
	ref := strings.TrimSpace(form.Get("reference"))
	res, raw, err := h.API.Send(ctx, r.token, http.MethodPost, fmt.Sprintf(RecordingRoute, id), form.Get("idempotencyKey"),
		map[string]string{"kind": "interview", "reference": ref})
	if err != nil {
		return h.failed(ctx, r, err)
	}
	if res.Status == http.StatusUnauthorized {
		return h.render(http.StatusUnauthorized, messagePage{Title: "Sign in again", Detail: "Your session has ended, so nothing was changed.", SignIn: true})
	}
	consents, err := h.Store.Consents(ctx, id)
	if err != nil {
		return h.failed(ctx, r, err)
	}
	v := recordingPage{Recruiter: r, Candidate: c, Gate: recordingGate(consents, h.Now()), IdempotencyKey: consent.NewID(), Reference: ref}
	switch {
	case res.RouteMissing:
		v.FromConsents = true
	case res.Status == http.StatusCreated:
		v.Gate = Gate{Status: "allowed", Reason: "The recording gate authorized this recording (id " + res.ID + ")."}
	case res.Status == http.StatusConflict:
		v.Gate.Status, v.Gate.CanRequest = "awaiting", false
		v.Gate.Reason = res.Problem.Detail
		v.Join = joinOf(raw, id)
		if v.Join != nil {
			// The API's detail names its JSON fields; a recruiter needs the
			// link and code the page shows.
			v.Gate.Reason = "The candidate has been asked for consent by email. To ask them now, share the link below in the meeting chat or show the QR code."
		}
	case res.Status == http.StatusForbidden:
		v.Gate.Status = "blocked"
		v.Gate.Reason = res.Problem.Detail
	default:
		v.Problem = &res.Problem
		return h.render(res.Status, v)
	}
	return h.render(http.StatusOK, v)
}

// joinOf reads the join-time link of the gate's 409, with its QR code
// drawn here (inline SVG, so the strict CSP holds), and the address the
// page polls for the candidate's answer.
func joinOf(raw []byte, candidateID string) *joinView {
	var p struct {
		JoinURL         string `json:"joinUrl"`
		JoinExpiresAt   string `json:"joinExpiresAt"`
		AuthorizationID string `json:"authorizationId"`
	}
	if json.Unmarshal(raw, &p) != nil || p.JoinURL == "" || !consent.ValidID(p.AuthorizationID) {
		return nil
	}
	svg, err := qr.SVG(p.JoinURL, "QR code of the candidate's link")
	if err != nil {
		return nil
	}
	j := &joinView{URL: p.JoinURL, QR: template.HTML(svg), // drawn by shared/qr, which escapes its only text
		Status: statusPath(candidateID, p.AuthorizationID)}
	if until, err := time.Parse(time.RFC3339, p.JoinExpiresAt); err == nil {
		j.Until = &until
	}
	return j
}

func statusPath(candidateID, authorizationID string) string {
	return "/console/candidates/" + candidateID + "/recording?authorization=" + url.QueryEscape(authorizationID)
}

// recordingStatus shows where a recording awaiting consent stands: the
// page a refresh shows (no script needed), or, for the page's script
// (Accept: application/json), the state alone, which it polls.
func (h *Handler) recordingStatus(ctx context.Context, r recruiter, id string, req httpapi.Request) httpapi.Response {
	if !consent.ValidID(id) {
		return h.render(http.StatusNotFound, messagePage{Recruiter: r, Title: "No such candidate"})
	}
	c, err := h.Store.Candidate(ctx, id)
	if err != nil {
		var nf *consent.NotFoundError
		if errors.As(err, &nf) {
			return h.render(http.StatusNotFound, messagePage{Recruiter: r, Title: "No such candidate"})
		}
		return h.failed(ctx, r, err)
	}
	consents, err := h.Store.Consents(ctx, id)
	if err != nil {
		return h.failed(ctx, r, err)
	}
	g := recordingGate(consents, h.Now())
	if strings.Contains(httpapi.Header(req, "Accept"), "application/json") {
		res := httpapi.JSON(http.StatusOK, map[string]string{"status": g.Status, "title": g.Title(), "reason": g.Reason})
		res.Headers["Cache-Control"] = "no-store"
		return res
	}
	v := recordingPage{Recruiter: r, Candidate: c, Gate: g, IdempotencyKey: consent.NewID()}
	if aid := req.QueryStringParameters["authorization"]; consent.ValidID(aid) && g.Status == "awaiting" {
		v.Join = &joinView{Status: statusPath(id, aid)}
	}
	return h.render(http.StatusOK, v)
}

func (h *Handler) failed(ctx context.Context, r recruiter, err error) httpapi.Response {
	h.Log.ErrorContext(ctx, "console request failed", "error", err.Error())
	return h.render(http.StatusServiceUnavailable, messagePage{Recruiter: r, Title: "Something went wrong",
		Detail: "Nothing was changed that the page does not show. Try again in a moment."})
}

// purposeState is one purpose's consent as the console shows it.
type purposeState struct {
	Purpose consent.Purpose
	Name    string
	Consent *consent.Consent
	State   consent.State // empty: never asked
}

func purposeStates(cs []consent.Consent, now time.Time) []purposeState {
	out := make([]purposeState, 0, len(consent.Purposes()))
	for _, p := range consent.Purposes() {
		ps := purposeState{Purpose: p, Name: purposeName(p)}
		for i := range cs {
			if cs[i].Purpose == p {
				ps.Consent = &cs[i]
				ps.State = cs[i].StateAt(now)
			}
		}
		out = append(out, ps)
	}
	return out
}

var purposeNames = map[consent.Purpose]string{
	consent.TalentPool:         "Talent pool",
	consent.InterviewRecording: "Interview recording",
}

// purposeName names a purpose for recruiters; a purpose added to the domain
// later shows as its id in words until it gets a name here.
func purposeName(p consent.Purpose) string {
	if n, ok := purposeNames[p]; ok {
		return n
	}
	s := strings.ReplaceAll(string(p), "_", " ")
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// Gate says whether an interview may be recorded.
type Gate struct {
	// Status is "allowed", "awaiting" or "blocked".
	Status string
	Reason string
	// Since is when the consent took its state (the request was sent, for
	// "awaiting").
	Since *time.Time
	// CanRequest says a consent request is the way forward.
	CanRequest bool
}

// Title is the gate's state in a few words.
func (g Gate) Title() string {
	switch g.Status {
	case "allowed":
		return "Recording allowed"
	case "awaiting":
		return "Awaiting consent"
	}
	return "Recording blocked"
}

func recordingGate(cs []consent.Consent, now time.Time) Gate {
	for _, c := range cs {
		if c.Purpose != consent.InterviewRecording {
			continue
		}
		at := c.UpdatedAt
		switch c.StateAt(now) {
		case consent.Given:
			return Gate{Status: "allowed", Reason: "The candidate consented to the recording (notice version " + c.NoticeVersion + ").", Since: &at}
		case consent.Requested:
			return Gate{Status: "awaiting", Reason: "Consent was requested and the candidate has not answered yet.", Since: &at, CanRequest: true}
		case consent.Refused:
			return Gate{Status: "blocked", Reason: "The candidate declined the recording.", Since: &at}
		case consent.Withdrawn:
			return Gate{Status: "blocked", Reason: "The candidate withdrew their consent to the recording.", Since: &at, CanRequest: true}
		case consent.Expired:
			return Gate{Status: "blocked", Reason: "The consent request or the consent expired.", Since: &at, CanRequest: true}
		}
	}
	return Gate{Status: "blocked", Reason: "The candidate was never asked to consent to a recording.", CanRequest: true}
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

// erasureGrounds are the reasons a recruiter can give for erasing
// everything (the API's codes, GDPR Art. 17(1)).
var erasureGrounds = []string{"candidate_request", "no_longer_necessary", "consent_withdrawn", "objection", "unlawful_processing", "legal_obligation"}

// withdraw records a withdrawal that reached the recruiter another way,
// through the API route.
func (h *Handler) withdraw(ctx context.Context, r recruiter, id string, form url.Values) httpapi.Response {
	purpose := form.Get("purpose")
	if _, err := consent.ParsePurpose(purpose); err != nil {
		return h.candidate(ctx, r, id, "", &httpapi.Problem{Title: "Choose a consent to withdraw", Status: http.StatusUnprocessableEntity, Detail: "No such purpose."})
	}
	res, raw, err := h.API.Send(ctx, r.token, http.MethodPost, "/api/candidates/"+id+"/consents/"+purpose+"/withdraw", "",
		map[string]string{"channel": form.Get("channel"), "note": form.Get("note")})
	if err != nil {
		return h.failed(ctx, r, err)
	}
	switch res.Status {
	case http.StatusOK:
		var out struct {
			Recorded bool `json:"recorded"`
		}
		_ = json.Unmarshal(raw, &out)
		if !out.Recorded {
			return redirect("/console/candidates/" + id + "?done=unchanged")
		}
		return redirect("/console/candidates/" + id + "?done=withdrawn")
	case http.StatusUnauthorized:
		return h.render(http.StatusUnauthorized, messagePage{Title: "Sign in again", Detail: "Your session has ended, so nothing was changed.", SignIn: true})
	}
	return h.candidate(ctx, r, id, "", &res.Problem)
}

// erase asks the API to erase everything about the candidate, once the
// recruiter confirmed it.
func (h *Handler) erase(ctx context.Context, r recruiter, id string, form url.Values) httpapi.Response {
	if form.Get("confirm") != "yes" {
		return h.candidate(ctx, r, id, "", &httpapi.Problem{Title: "Confirm the erasure", Status: http.StatusUnprocessableEntity,
			Detail: "Tick the box to confirm that everything about this candidate is to be erased. Nothing was changed."})
	}
	res, _, err := h.API.Send(ctx, r.token, http.MethodDelete, "/api/candidates/"+id, "", map[string]string{"reason": form.Get("reason")})
	if err != nil {
		return h.failed(ctx, r, err)
	}
	switch res.Status {
	case http.StatusAccepted:
		return h.render(http.StatusAccepted, messagePage{Recruiter: r, Title: "Erasure under way",
			Detail: "Everything about this candidate is being erased: every file and version, then the profile. The candidate and your team get an email when it is done; the audit trail keeps the tombstones."})
	case http.StatusUnauthorized:
		return h.render(http.StatusUnauthorized, messagePage{Title: "Sign in again", Detail: "Your session has ended, so nothing was changed.", SignIn: true})
	}
	return h.candidate(ctx, r, id, "", &res.Problem)
}

// export downloads the candidate's export (GDPR Art. 15/20) through the
// API route, as a JSON file.
func (h *Handler) export(ctx context.Context, r recruiter, id string) httpapi.Response {
	if !consent.ValidID(id) {
		return h.render(http.StatusNotFound, messagePage{Recruiter: r, Title: "No such candidate"})
	}
	res, raw, err := h.API.Send(ctx, r.token, http.MethodGet, "/api/candidates/"+id+"/export", "", nil)
	if err != nil {
		return h.failed(ctx, r, err)
	}
	if res.Status != http.StatusOK {
		return h.render(res.Status, messagePage{Recruiter: r, Title: res.Problem.Title, Detail: res.Problem.Detail})
	}
	return httpapi.Response{StatusCode: http.StatusOK, Body: string(raw), Headers: map[string]string{
		"Content-Type":        "application/json",
		"Content-Disposition": `attachment; filename="candidate-` + id + `-export.json"`,
		"Cache-Control":       "no-store",
	}}
}

// openApplication opens an application through the API route.
func (h *Handler) openApplication(ctx context.Context, r recruiter, id string, form url.Values) httpapi.Response {
	res, err := h.API.Post(ctx, r.token, "/api/candidates/"+id+"/applications", "", map[string]string{"position": strings.TrimSpace(form.Get("position"))})
	if err != nil {
		return h.failed(ctx, r, err)
	}
	return h.afterAction(ctx, r, id, res, http.StatusCreated, "opened")
}

// closeApplication closes an application through the API route.
func (h *Handler) closeApplication(ctx context.Context, r recruiter, id string, form url.Values) httpapi.Response {
	app := form.Get("application")
	if !consent.ValidID(app) {
		return h.candidate(ctx, r, id, "", &httpapi.Problem{Title: "No such application", Status: http.StatusNotFound})
	}
	res, err := h.API.Post(ctx, r.token, "/api/candidates/"+id+"/applications/"+app+"/close", "", map[string]string{"outcome": form.Get("outcome")})
	if err != nil {
		return h.failed(ctx, r, err)
	}
	return h.afterAction(ctx, r, id, res, http.StatusOK, "closed")
}

// afterAction answers an action the API took (ok: back to the candidate
// with done's message), refused (the candidate page with the problem), or
// refused for an ended session.
func (h *Handler) afterAction(ctx context.Context, r recruiter, id string, res APIResult, ok int, done string) httpapi.Response {
	switch res.Status {
	case ok:
		return redirect("/console/candidates/" + id + "?done=" + done)
	case http.StatusUnauthorized:
		return h.render(http.StatusUnauthorized, messagePage{Title: "Sign in again", Detail: "Your session has ended, so nothing was changed.", SignIn: true})
	}
	return h.candidate(ctx, r, id, "", &res.Problem)
}

// positions names each application by its position, for the rights list.
func positions(apps []consent.Application) map[string]string {
	m := make(map[string]string, len(apps))
	for _, a := range apps {
		m[a.ID] = a.Position
	}
	return m
}

// restriction restricts processing, or lifts the restriction, through the
// API route, with the channel the candidate asked by.
func (h *Handler) restriction(ctx context.Context, r recruiter, id string, form url.Values) httpapi.Response {
	action := form.Get("action")
	res, _, err := h.API.Send(ctx, r.token, http.MethodPost, "/api/candidates/"+id+"/restriction", "",
		map[string]string{"action": action, "channel": form.Get("channel")})
	if err != nil {
		return h.failed(ctx, r, err)
	}
	done := "restricted"
	if action == "lift" {
		done = "lifted"
	}
	return h.afterAction(ctx, r, id, res, http.StatusOK, done)
}

// decideRectification confirms or declines a rectification through the API
// route, with the reason the candidate is told.
func (h *Handler) decideRectification(ctx context.Context, r recruiter, id string, form url.Values) httpapi.Response {
	req := form.Get("request")
	if !consent.ValidID(req) {
		return h.candidate(ctx, r, id, "", &httpapi.Problem{Title: "No such request", Status: http.StatusNotFound})
	}
	res, _, err := h.API.Send(ctx, r.token, http.MethodPost, "/api/candidates/"+id+"/rectifications/"+req, "",
		map[string]string{"decision": form.Get("decision"), "reason": strings.TrimSpace(form.Get("reason"))})
	if err != nil {
		return h.failed(ctx, r, err)
	}
	return h.afterAction(ctx, r, id, res, http.StatusOK, "rectified")
}

// compellingGrounds records compelling grounds against an objection
// through the API route.
func (h *Handler) compellingGrounds(ctx context.Context, r recruiter, id string, form url.Values) httpapi.Response {
	req := form.Get("request")
	if !consent.ValidID(req) {
		return h.candidate(ctx, r, id, "", &httpapi.Problem{Title: "No such request", Status: http.StatusNotFound})
	}
	res, _, err := h.API.Send(ctx, r.token, http.MethodPost, "/api/candidates/"+id+"/objections/"+req, "",
		map[string]string{"decision": "compelling_grounds", "reason": strings.TrimSpace(form.Get("reason"))})
	if err != nil {
		return h.failed(ctx, r, err)
	}
	return h.afterAction(ctx, r, id, res, http.StatusOK, "grounds")
}

// CVTypes are the CV formats the console offers, by label.
var CVTypes = []struct{ Label, ContentType string }{
	{"PDF", "application/pdf"},
	{"Word (DOCX)", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
	{"OpenDocument (ODT)", "application/vnd.oasis.opendocument.text"},
	{"Plain text", "text/plain"},
}

// prepareUpload asks the API route for a CV upload of the chosen type for
// an open application (declaring the largest size allowed: a form without
// script cannot know the file's), and shows the form that sends the file
// straight to S3, which then redirects back to the candidate's page.
func (h *Handler) prepareUpload(ctx context.Context, r recruiter, id string, form url.Values) httpapi.Response {
	c, err := h.Store.Candidate(ctx, id)
	if err != nil {
		return h.failed(ctx, r, err)
	}
	apps, err := h.Store.Applications(ctx, id)
	if err != nil {
		return h.failed(ctx, r, err)
	}
	v := uploadPage{Recruiter: r, Candidate: c}
	for _, a := range apps {
		if a.ID == form.Get("application") {
			v.Position = a.Position
		}
	}
	for _, t := range CVTypes {
		if t.ContentType == form.Get("contentType") {
			v.Type = t.Label
		}
	}
	res, raw, err := h.API.Send(ctx, r.token, http.MethodPost, "/api/candidates/"+id+"/documents", "", map[string]any{
		"kind": "cv", "contentType": form.Get("contentType"), "size": consent.MaxCVSize, "applicationId": form.Get("application"),
		"redirect": h.BaseURL + "/console/candidates/" + id + "?done=uploaded",
	})
	if err != nil {
		return h.failed(ctx, r, err)
	}
	if res.Status != http.StatusCreated {
		return h.afterAction(ctx, r, id, res, http.StatusCreated, "")
	}
	var out struct {
		Upload upload.Form `json:"upload"`
	}
	if err := json.Unmarshal(raw, &out); err != nil || out.Upload.URL == "" {
		return h.failed(ctx, r, fmt.Errorf("read the upload form: %v", err))
	}
	u, err := url.Parse(out.Upload.URL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") {
		return h.failed(ctx, r, fmt.Errorf("the upload URL is not http(s)"))
	}
	v.Upload = out.Upload
	return withFormAction(h.render(http.StatusOK, v), u.Scheme+"://"+u.Host)
}
