package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/consentflow/consentflow/shared/consent"
	"github.com/consentflow/consentflow/shared/httpapi"
	"github.com/consentflow/consentflow/shared/signin"
	"github.com/consentflow/consentflow/shared/store"
)

var now = time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)

type fakeStore struct {
	candidate    consent.Candidate
	consents     []consent.Consent
	events       []consent.Event
	artifacts    []consent.Artifact
	applications []consent.Application
	rights       []consent.RightsRequest
	err          error
}

func (f *fakeStore) ListCandidates(ctx context.Context, q store.ListQuery) (store.CandidatePage, error) {
	if f.err != nil {
		return store.CandidatePage{}, f.err
	}
	return store.CandidatePage{Candidates: []store.CandidateSummary{{Candidate: f.candidate, Consents: f.consents}}}, nil
}

func (f *fakeStore) Candidate(ctx context.Context, id string) (consent.Candidate, error) {
	if f.err != nil {
		return consent.Candidate{}, f.err
	}
	if id != f.candidate.ID {
		return consent.Candidate{}, &consent.NotFoundError{What: "candidate", ID: id}
	}
	return f.candidate, nil
}

func (f *fakeStore) Consents(ctx context.Context, id string) ([]consent.Consent, error) {
	return f.consents, f.err
}
func (f *fakeStore) Applications(ctx context.Context, id string) ([]consent.Application, error) {
	return f.applications, f.err
}

func (f *fakeStore) RightsRequests(ctx context.Context, id string) ([]consent.RightsRequest, error) {
	return f.rights, f.err
}

func (f *fakeStore) AuditTrail(ctx context.Context, id string) (store.Trail, error) {
	return store.Trail{CandidateID: id, Events: f.events, Verification: consent.VerifyChain(f.events, "")}, f.err
}

func (f *fakeStore) Artifacts(ctx context.Context, id string, kind consent.ArtifactKind) ([]consent.Artifact, error) {
	return f.artifacts, f.err
}

type apiCall struct {
	token, path, key string
	body             any
	method           string
}

type fakeAPI struct {
	calls  []apiCall
	result APIResult
	raw    []byte
}

func (f *fakeAPI) Post(ctx context.Context, token, path, key string, body any) (APIResult, error) {
	f.calls = append(f.calls, apiCall{token, path, key, body, http.MethodPost})
	return f.result, nil
}

func (f *fakeAPI) Send(ctx context.Context, token, method, path, key string, body any) (APIResult, []byte, error) {
	f.calls = append(f.calls, apiCall{token, path, key, body, method})
	return f.result, f.raw, nil
}

type fakeSignIn struct {
	session  signin.Session
	err      error
	attempts []signin.Attempt
	codes    []string
}

func (f *fakeSignIn) AuthorizeURLFor(a signin.Attempt, redirect string) string {
	return "https://signin.example/oauth2/authorize?" + url.Values{"state": {a.State}, "redirect_uri": {redirect}}.Encode()
}

func (f *fakeSignIn) Exchange(ctx context.Context, a signin.Attempt, code, redirect string, _ *http.Client) (signin.Session, error) {
	f.attempts, f.codes = append(f.attempts, a), append(f.codes, code)
	return f.session, f.err
}

func (f *fakeSignIn) SignOutURL(returnTo string) string {
	return "https://signin.example/logout?logout_uri=" + url.QueryEscape(returnTo)
}

// fakeVerifier accepts the tokens it knows.
type fakeVerifier map[string]map[string]string

func (f fakeVerifier) Verify(ctx context.Context, raw string) (map[string]string, error) {
	if c, ok := f[raw]; ok {
		return c, nil
	}
	return nil, signin.ErrInvalidToken
}

const token = "the-recruiters-token"

type fixture struct {
	h      *Handler
	store  *fakeStore
	api    *fakeAPI
	signIn *fakeSignIn
	logs   *bytes.Buffer
}

func newFixture(t *testing.T) fixture {
	t.Helper()
	c := consent.Candidate{ID: consent.NewID(), Name: "Ada Lovelace", Email: "ada@example.com", Locale: "en", CreatedAt: now.Add(-time.Hour)}
	f := fixture{store: &fakeStore{candidate: c}, api: &fakeAPI{}, signIn: &fakeSignIn{}, logs: &bytes.Buffer{}}
	f.h = &Handler{
		Store: f.store, API: f.api, SignIn: f.signIn,
		Verifier: fakeVerifier{token: {"sub": "r-1", "username": "rita@example.com"}},
		BaseURL:  "https://app.example", ProviderOrigin: "https://signin.example",
		ErasureWindow: 7 * 24 * time.Hour,
		Log:           slog.New(slog.NewJSONHandler(f.logs, nil)), Now: func() time.Time { return now },
	}
	return f
}

func (f fixture) do(t *testing.T, method, path, query, body string, cookies ...string) httpapi.Response {
	t.Helper()
	q, _ := url.ParseQuery(query)
	params := map[string]string{}
	for k := range q {
		params[k] = q.Get(k)
	}
	req := httpapi.Request{RawPath: path, RawQueryString: query, QueryStringParameters: params, Cookies: cookies, Body: body,
		Headers:        map[string]string{"content-type": "application/x-www-form-urlencoded"},
		RequestContext: events.APIGatewayV2HTTPRequestContext{HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: method, Path: path}}}
	res, err := f.h.Handle(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func session() string { return sessionCookie + "=" + token }

func cookieNamed(t *testing.T, res httpapi.Response, name string) *http.Cookie {
	t.Helper()
	for _, raw := range res.Cookies {
		c, err := http.ParseSetCookie(raw)
		if err == nil && c.Name == name {
			return c
		}
	}
	return nil
}

func wantSafeCookie(t *testing.T, c *http.Cookie, path string) {
	t.Helper()
	if c == nil {
		t.Fatal("no cookie set")
	}
	if !c.Secure || !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Path != path {
		t.Errorf("cookie %s: Secure %v HttpOnly %v SameSite %v Path %q, want Secure; HttpOnly; SameSite=Lax; Path=%s",
			c.Name, c.Secure, c.HttpOnly, c.SameSite, c.Path, path)
	}
}

// Without a session the console only sends the browser to sign in; the
// sign-in runs the code flow and ends with the token in a session cookie,
// never in a URL.
func TestSignIn(t *testing.T) {
	f := newFixture(t)
	if res := f.do(t, "GET", "/console", "", ""); res.StatusCode != http.StatusSeeOther || res.Headers["Location"] != "/console/sign-in" {
		t.Fatalf("without a session: %d %v", res.StatusCode, res.Headers)
	}
	if res := f.do(t, "GET", "/console", "", "", sessionCookie+"=forged"); res.Headers["Location"] != "/console/sign-in" {
		t.Fatalf("a forged session: %d %v", res.StatusCode, res.Headers)
	}
	start := f.do(t, "GET", "/console/sign-in", "", "")
	to, _ := url.Parse(start.Headers["Location"])
	if start.StatusCode != http.StatusSeeOther || to.Host != "signin.example" || to.Query().Get("redirect_uri") != "https://app.example/console/callback" {
		t.Fatalf("sign-in start: %d %s", start.StatusCode, to)
	}
	attempt := cookieNamed(t, start, attemptCookie)
	wantSafeCookie(t, attempt, "/console/callback")
	state := to.Query().Get("state")

	// A callback that this browser did not start signs nobody in.
	res := f.do(t, "GET", "/console/callback", url.Values{"code": {"c"}, "state": {"other"}}.Encode(), "", attemptCookie+"="+attempt.Value)
	if res.StatusCode != http.StatusBadRequest || cookieNamed(t, res, sessionCookie) != nil || len(f.signIn.codes) != 0 {
		t.Fatalf("a foreign state: %d, cookies %v, exchanges %v", res.StatusCode, res.Cookies, f.signIn.codes)
	}

	f.signIn.session = signin.Session{AccessToken: token, Expiry: time.Now().Add(time.Hour)}
	res = f.do(t, "GET", "/console/callback", url.Values{"code": {"the-code"}, "state": {state}}.Encode(), "", attemptCookie+"="+attempt.Value)
	if res.StatusCode != http.StatusSeeOther || res.Headers["Location"] != "/console" {
		t.Fatalf("callback: %d %v\n%s", res.StatusCode, res.Headers, res.Body)
	}
	if len(f.signIn.attempts) != 1 || f.signIn.attempts[0].State != state || f.signIn.attempts[0].Verifier == "" || f.signIn.codes[0] != "the-code" {
		t.Fatalf("exchanged %+v %v", f.signIn.attempts, f.signIn.codes)
	}
	s := cookieNamed(t, res, sessionCookie)
	wantSafeCookie(t, s, "/console")
	if s.Value != token || s.MaxAge <= 0 {
		t.Fatalf("session cookie %+v", s)
	}

	// The provider refuses the code: no session, and nothing secret logged.
	f.signIn.err = errors.Join(signin.ErrSignIn, errors.New("invalid_grant"))
	res = f.do(t, "GET", "/console/callback", url.Values{"code": {"the-code"}, "state": {state}}.Encode(), "", attemptCookie+"="+attempt.Value)
	if res.StatusCode != http.StatusUnauthorized || cookieNamed(t, res, sessionCookie) != nil {
		t.Fatalf("a refused code: %d %v", res.StatusCode, res.Cookies)
	}
	if strings.Contains(f.logs.String(), "the-code") || strings.Contains(f.logs.String(), attempt.Value) {
		t.Errorf("the logs hold the code or the verifier:\n%s", f.logs)
	}
}

// Every state-changing form needs the session's CSRF token; with it, the
// console calls the API route with the recruiter's own token.
func TestConsentRequestForm(t *testing.T) {
	f := newFixture(t)
	id := f.store.candidate.ID
	path := "/console/candidates/" + id + "/consent-requests"
	body := url.Values{"purpose": {"talent_pool", "interview_recording"}, "idempotencyKey": {"k1"}}

	res := f.do(t, "POST", path, "", body.Encode(), session())
	if res.StatusCode != http.StatusForbidden || len(f.api.calls) != 0 {
		t.Fatalf("without a CSRF token: %d, API calls %v", res.StatusCode, f.api.calls)
	}
	body.Set("csrf", csrfToken("another session"))
	if res := f.do(t, "POST", path, "", body.Encode(), session()); res.StatusCode != http.StatusForbidden || len(f.api.calls) != 0 {
		t.Fatalf("another session's CSRF token: %d", res.StatusCode)
	}

	body.Set("csrf", csrfToken(token))
	f.api.result = APIResult{Status: http.StatusAccepted, ID: "REQ"}
	res = f.do(t, "POST", path, "", body.Encode(), session())
	if res.StatusCode != http.StatusSeeOther || res.Headers["Location"] != "/console/candidates/"+id+"?done=requested" {
		t.Fatalf("request consent: %d %v", res.StatusCode, res.Headers)
	}
	call := f.api.calls[0]
	purposes := call.body.(map[string]any)["purposes"].([]string)
	if call.token != token || call.path != "/api/candidates/"+id+"/consent-requests" || call.key != "k1" || strings.Join(purposes, ",") != "talent_pool,interview_recording" {
		t.Fatalf("API call %+v", call)
	}

	// The API's refusal is shown with its own words and status.
	f.api.result = APIResult{Status: http.StatusUnprocessableEntity, Problem: httpapi.Problem{Title: "Invalid purposes", Detail: "at least one purpose is required", Status: 422}}
	body.Del("purpose")
	res = f.do(t, "POST", path, "", body.Encode(), session())
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.Body, "at least one purpose is required") {
		t.Fatalf("a refused request: %d\n%s", res.StatusCode, res.Body)
	}
}

// The recording gate follows the interview-recording consent, and never
// offers an upload unless recording is allowed.
func TestRecordingGate(t *testing.T) {
	sent := now.Add(-2 * time.Hour)
	for _, c := range []struct {
		state consent.State // empty: never asked
		title string
		why   string
	}{
		{consent.Given, "Recording allowed", "consented"},
		{consent.Requested, "Awaiting consent: request sent at", "2 Dec 2026, 08:00 UTC"},
		{consent.Refused, "Recording blocked", "declined"},
		{consent.Withdrawn, "Recording blocked", "withdrew"},
		{consent.Expired, "Recording blocked", "expired"},
		{"", "Recording blocked", "never asked"},
	} {
		f := newFixture(t)
		f.api.result = APIResult{Status: http.StatusNotFound, RouteMissing: true} // no gate route deployed
		if c.state != "" {
			f.store.consents = []consent.Consent{
				{Purpose: consent.TalentPool, State: consent.Given, UpdatedAt: sent, NoticeVersion: "v1"},
				{Purpose: consent.InterviewRecording, State: c.state, UpdatedAt: sent, NoticeVersion: "v1"},
			}
		}
		res := f.do(t, "POST", "/console/candidates/"+f.store.candidate.ID+"/recording", "", "reference=INT-7&csrf="+csrfToken(token), session())
		if !strings.Contains(res.Body, "no recording gate route yet") {
			t.Errorf("%q: the page does not say the answer comes from the consents", c.state)
		}
		if res.StatusCode != http.StatusOK || !strings.Contains(res.Body, c.title) || !strings.Contains(res.Body, c.why) {
			t.Errorf("%q: %d, want %q and %q\n%s", c.state, res.StatusCode, c.title, c.why, res.Body)
		}
		if strings.Contains(res.Body, `type="file"`) {
			t.Errorf("%q: the page offers an upload", c.state)
		}
		if c.state != consent.Given && !strings.Contains(res.Body, "Do not record this interview") {
			t.Errorf("%q: the page does not say not to record", c.state)
		}
	}
}

// Pages send a strict CSP and keep personal data out of URLs and logs.
func TestPagesAreLockedDown(t *testing.T) {
	f := newFixture(t)
	for _, path := range []string{"/console", "/console/candidates/" + f.store.candidate.ID} {
		res := f.do(t, "GET", path, "", "", session())
		if res.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d\n%s", path, res.StatusCode, res.Body)
		}
		csp := res.Headers["Content-Security-Policy"]
		for _, want := range []string{"default-src 'none'", "style-src 'self'", "form-action 'self' https://signin.example", "frame-ancestors 'none'"} {
			if !strings.Contains(csp, want) {
				t.Errorf("%s: CSP %q lacks %q", path, csp, want)
			}
		}
		if strings.Contains(csp, "unsafe") || strings.Contains(res.Body, "<script") || strings.Contains(res.Body, "https://") {
			t.Errorf("%s: unsafe CSP, a script or a third-party asset", path)
		}
		if !strings.Contains(res.Body, "Ada Lovelace") || strings.Contains(res.Body, `href="/console?`+"name") {
			t.Errorf("%s: the page does not show the candidate", path)
		}
	}
	f.store.err = &store.UnavailableError{Err: errors.New("query CANDIDATE#" + f.store.candidate.ID)}
	if res := f.do(t, "GET", "/console/candidates/"+f.store.candidate.ID, "", "", session()); res.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("store down: %d", res.StatusCode)
	}
	for _, secret := range []string{"Ada", "ada@example.com", token} {
		if strings.Contains(f.logs.String(), secret) {
			t.Errorf("the logs hold %q:\n%s", secret, f.logs)
		}
	}
}

// Where the API has the recording gate, the console asks it and shows its
// answer: an upload authorized, awaiting the candidate, or refused and why.
func TestRecordingGateRoute(t *testing.T) {
	for _, c := range []struct {
		result APIResult
		want   string
	}{
		{APIResult{Status: http.StatusCreated, ID: "REC1"}, "Recording allowed"},
		{APIResult{Status: http.StatusConflict, Problem: httpapi.Problem{Title: "Awaiting consent", Detail: "The candidate has been asked for consent by email."}}, "has been asked for consent by email"},
		{APIResult{Status: http.StatusForbidden, Problem: httpapi.Problem{Title: "No consent to record", Detail: "The candidate declined recordings."}}, "The candidate declined recordings."},
		{APIResult{Status: http.StatusUnprocessableEntity, Problem: httpapi.Problem{Title: "Invalid reference", Detail: "the interview's id is required"}}, "the interview&#39;s id is required"},
	} {
		f := newFixture(t)
		f.api.result = c.result
		id := f.store.candidate.ID
		res := f.do(t, "POST", "/console/candidates/"+id+"/recording", "", "reference=INT-7&idempotencyKey=k&csrf="+csrfToken(token), session())
		if !strings.Contains(res.Body, c.want) || strings.Contains(res.Body, "no recording gate route yet") {
			t.Errorf("API %d: the page lacks %q\n%s", c.result.Status, c.want, res.Body)
		}
		if c.result.Status != http.StatusCreated && strings.Contains(res.Body, `type="file"`) {
			t.Errorf("API %d: an upload is offered", c.result.Status)
		}
		call := f.api.calls[0]
		body := call.body.(map[string]string)
		if call.path != "/api/candidates/"+id+"/recordings" || call.token != token || body["kind"] != "interview" || body["reference"] != "INT-7" {
			t.Errorf("API call %+v", call)
		}
	}
}

// A withdrawal that came by phone is recorded through the API route, and
// the page says erasure started; an erasure needs its box ticked and goes
// through DELETE; the export downloads as a file; an erased candidate's
// page is 410.
func TestWithdrawEraseAndExport(t *testing.T) {
	f := newFixture(t)
	id := f.store.candidate.ID
	given := consent.Consent{CandidateID: id, Purpose: consent.InterviewRecording, State: consent.Given, NoticeVersion: "v1", UpdatedAt: now}
	f.store.consents = []consent.Consent{given}
	deleteBy := now.AddDate(0, 6, 0)
	f.store.artifacts = []consent.Artifact{{ID: consent.NewID(), Kind: consent.KindCV, Status: consent.ArtifactUploaded, DeleteBy: &deleteBy}}

	page := f.do(t, "GET", "/console/candidates/"+id, "", "", session())
	for _, want := range []string{"Record the withdrawal", "Erase everything", "/console/candidates/" + id + "/export", "hash chain", deleteBy.Format("2006")} {
		if !strings.Contains(page.Body, want) {
			t.Errorf("the candidate page lacks %q", want)
		}
	}

	csrf := csrfToken(token)
	f.api.result, f.api.raw = APIResult{Status: http.StatusOK}, []byte(`{"recorded":true}`)
	res := f.do(t, "POST", "/console/candidates/"+id+"/withdraw", "",
		url.Values{"csrf": {csrf}, "purpose": {"interview_recording"}, "channel": {"phone"}, "note": {"called on Monday"}}.Encode(), session())
	if res.StatusCode != http.StatusSeeOther || res.Headers["Location"] != "/console/candidates/"+id+"?done=withdrawn" {
		t.Fatalf("withdraw: %d %v", res.StatusCode, res.Headers)
	}
	call := f.api.calls[len(f.api.calls)-1]
	if call.method != http.MethodPost || call.path != "/api/candidates/"+id+"/consents/interview_recording/withdraw" ||
		call.body.(map[string]string)["channel"] != "phone" || call.token != token {
		t.Fatalf("withdraw API call %+v", call)
	}

	calls := len(f.api.calls)
	res = f.do(t, "POST", "/console/candidates/"+id+"/erase", "", url.Values{"csrf": {csrf}, "reason": {"candidate_request"}}.Encode(), session())
	if res.StatusCode != http.StatusUnprocessableEntity || len(f.api.calls) != calls {
		t.Fatalf("erase without confirming: %d, %d API calls", res.StatusCode, len(f.api.calls)-calls)
	}
	f.api.result = APIResult{Status: http.StatusAccepted}
	res = f.do(t, "POST", "/console/candidates/"+id+"/erase", "", url.Values{"csrf": {csrf}, "reason": {"candidate_request"}, "confirm": {"yes"}}.Encode(), session())
	call = f.api.calls[len(f.api.calls)-1]
	if res.StatusCode != http.StatusAccepted || call.method != http.MethodDelete || call.path != "/api/candidates/"+id {
		t.Fatalf("erase: %d, API call %+v", res.StatusCode, call)
	}

	f.api.result, f.api.raw = APIResult{Status: http.StatusOK}, []byte(`{"format":"consentflow.export/1"}`)
	res = f.do(t, "GET", "/console/candidates/"+id+"/export", "", "", session())
	if res.StatusCode != http.StatusOK || !strings.Contains(res.Headers["Content-Disposition"], "attachment") || res.Body != string(f.api.raw) {
		t.Fatalf("export: %d %v %s", res.StatusCode, res.Headers, res.Body)
	}

	f.store.err = &consent.GoneError{ID: id}
	if res := f.do(t, "GET", "/console/candidates/"+id, "", "", session()); res.StatusCode != http.StatusGone {
		t.Fatalf("an erased candidate's page: %d", res.StatusCode)
	}
}

// A file whose deadline falls within the erasure window is marked, on the
// list and on the candidate's page, with the date; one further out is not.
func TestPendingErasuresAreMarked(t *testing.T) {
	f := newFixture(t)
	soon, later := now.Add(3*24*time.Hour), now.Add(30*24*time.Hour)
	f.store.artifacts = []consent.Artifact{
		{ID: "CVSOON", Kind: consent.KindCV, Status: consent.ArtifactUploaded, DeleteBy: &soon},
		{ID: "RECLATER", Kind: consent.KindRecording, Status: consent.ArtifactUploaded, DeleteBy: &later},
	}
	marker := `to be erased on <time datetime="2026-12-05T10:00:00Z">5 Dec 2026</time>`
	for _, path := range []string{"/console", "/console/candidates/" + f.store.candidate.ID} {
		res := f.do(t, "GET", path, "", "", session())
		if res.StatusCode != http.StatusOK || !strings.Contains(res.Body, marker) {
			t.Fatalf("%s: %d, no marker %q:\n%s", path, res.StatusCode, marker, res.Body)
		}
		if strings.Contains(res.Body, "to be erased on <time datetime=\"2027") {
			t.Errorf("%s: a file due after the window is marked", path)
		}
	}
	page := f.do(t, "GET", "/console/candidates/"+f.store.candidate.ID, "", "", session()).Body
	if !strings.Contains(page, "RECLATER") || !strings.Contains(page, "CVSOON") {
		t.Errorf("the candidate's page does not list the files:\n%s", page)
	}

	f.store.artifacts = []consent.Artifact{{ID: "RECLATER", Kind: consent.KindRecording, Status: consent.ArtifactUploaded, DeleteBy: &later}}
	if res := f.do(t, "GET", "/console", "", "", session()); strings.Contains(res.Body, "to be erased on") {
		t.Errorf("a candidate with nothing due within the window is marked:\n%s", res.Body)
	}
}

// Awaiting consent, the page shows the join-time link and its QR code
// (inline SVG), polls the candidate's answer with its one static script
// (the CSP allows only scripts and requests of its own origin), and offers
// a refresh link that shows the answer without script.
func TestAwaitingConsentShowsTheJoinLinkAndUpdatesOnItsOwn(t *testing.T) {
	f := newFixture(t)
	id, aid := f.store.candidate.ID, consent.NewID()
	f.api.result = APIResult{Status: http.StatusConflict, Problem: httpapi.Problem{Title: "Awaiting consent", Detail: "Share the link."}}
	f.api.raw = []byte(`{"type":"/problems/awaiting-consent","authorizationId":"` + aid + `","joinUrl":"https://app.example/j/TOKEN","joinExpiresAt":"2026-11-28T11:00:00Z"}`)
	res := f.do(t, "POST", "/console/candidates/"+id+"/recording", "", "reference=INT-7&idempotencyKey=k&csrf="+csrfToken(token), session())
	poll := "/console/candidates/" + id + "/recording?authorization=" + aid
	if strings.Contains(res.Body, "Share the link.") {
		t.Error("the page shows the API's detail, written for integrations, instead of pointing at the link and code")
	}
	for _, want := range []string{"https://app.example/j/TOKEN", "<svg", "share the link below", `<time datetime="2026-11-28T11:00:00Z">28 Nov 2026, 11:00 UTC</time>`, `<script src="/console/recording.js" defer></script>`, `data-poll="` + poll + `"`, `href="` + poll + `">Refresh`} {
		if !strings.Contains(res.Body, want) {
			t.Errorf("the page lacks %q\n%s", want, res.Body)
		}
	}
	csp := res.Headers["Content-Security-Policy"]
	if !strings.Contains(csp, "script-src 'self'") || !strings.Contains(csp, "connect-src 'self'") || strings.Contains(csp, "unsafe") {
		t.Errorf("CSP %q", csp)
	}
	if js := f.do(t, "GET", "/console/recording.js", "", ""); js.StatusCode != http.StatusOK || !strings.Contains(js.Headers["Content-Type"], "javascript") {
		t.Fatalf("script: %d %v", js.StatusCode, js.Headers)
	}

	f.store.consents = []consent.Consent{{CandidateID: id, Purpose: consent.InterviewRecording, State: consent.Given, NoticeVersion: "v1", UpdatedAt: now}}
	req := httpapi.Request{RawPath: "/console/candidates/" + id + "/recording", QueryStringParameters: map[string]string{"authorization": aid},
		Cookies: []string{session()}, Headers: map[string]string{"accept": "application/json"},
		RequestContext: events.APIGatewayV2HTTPRequestContext{HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: "GET"}}}
	state, err := f.h.Handle(context.Background(), req)
	if err != nil || state.StatusCode != http.StatusOK || !strings.Contains(state.Body, `"status":"allowed"`) {
		t.Fatalf("polled state: %d %s %v", state.StatusCode, state.Body, err)
	}
	page := f.do(t, "GET", "/console/candidates/"+id+"/recording", "authorization="+aid, "", session())
	if page.StatusCode != http.StatusOK || !strings.Contains(page.Body, "Recording allowed") || strings.Contains(page.Body, "<script") {
		t.Fatalf("refreshed page: %d\n%s", page.StatusCode, page.Body)
	}
}

// Applications are opened and closed from the candidate's page through the
// API routes; an open one offers its close form, a closed one its date.
func TestApplicationsOpenAndClose(t *testing.T) {
	f := newFixture(t)
	id := f.store.candidate.ID
	appID, closed := consent.NewID(), now.Add(-time.Hour)
	f.store.applications = []consent.Application{
		{ID: appID, CandidateID: id, Position: "Backend engineer", Status: consent.ApplicationOpen, OpenedAt: now.Add(-48 * time.Hour)},
		{ID: consent.NewID(), CandidateID: id, Position: "Data analyst", Status: consent.ApplicationClosed, Outcome: "rejected", OpenedAt: now.Add(-72 * time.Hour), ClosedAt: &closed},
	}
	page := f.do(t, "GET", "/console/candidates/"+id, "", "", session())
	if !strings.Contains(page.Body, "Backend engineer") || !strings.Contains(page.Body, `value="`+appID+`"`) || !strings.Contains(page.Body, "closed (rejected)") {
		t.Fatalf("the applications are not shown with their state:\n%s", page.Body)
	}
	csrf := csrfToken(token)
	f.api.result = APIResult{Status: http.StatusCreated}
	res := f.do(t, "POST", "/console/candidates/"+id+"/applications", "", url.Values{"csrf": {csrf}, "position": {" Designer "}}.Encode(), session())
	call := f.api.calls[len(f.api.calls)-1]
	if res.StatusCode != http.StatusSeeOther || call.path != "/api/candidates/"+id+"/applications" || call.body.(map[string]string)["position"] != "Designer" {
		t.Fatalf("open: %d, API call %+v", res.StatusCode, call)
	}
	f.api.result = APIResult{Status: http.StatusOK}
	res = f.do(t, "POST", "/console/candidates/"+id+"/close-application", "", url.Values{"csrf": {csrf}, "application": {appID}, "outcome": {"hired"}}.Encode(), session())
	call = f.api.calls[len(f.api.calls)-1]
	if res.StatusCode != http.StatusSeeOther || res.Headers["Location"] != "/console/candidates/"+id+"?done=closed" ||
		call.path != "/api/candidates/"+id+"/applications/"+appID+"/close" || call.body.(map[string]string)["outcome"] != "hired" {
		t.Fatalf("close: %d %v, API call %+v", res.StatusCode, res.Headers, call)
	}
	// The API refuses: the page says why, nothing else happens.
	f.api.result = APIResult{Status: http.StatusUnprocessableEntity, Problem: httpapi.Problem{Title: "Invalid input", Status: 422, Detail: "the outcome must be hired, rejected or withdrawn"}}
	res = f.do(t, "POST", "/console/candidates/"+id+"/close-application", "", url.Values{"csrf": {csrf}, "application": {appID}, "outcome": {"fired"}}.Encode(), session())
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.Body, "the outcome must be") {
		t.Fatalf("a refused close: %d", res.StatusCode)
	}
}

// The list shows each candidate's open applications and nearest deletion.
func TestTheListShowsOpenApplicationsAndTheNextDeletion(t *testing.T) {
	f := newFixture(t)
	id := f.store.candidate.ID
	next, later := now.AddDate(0, 2, 0), now.AddDate(0, 5, 0)
	f.store.applications = []consent.Application{{ID: consent.NewID(), CandidateID: id, Position: "Backend engineer", Status: consent.ApplicationOpen, OpenedAt: now}}
	f.store.artifacts = []consent.Artifact{
		{ID: "CVLATER", Kind: consent.KindCV, Status: consent.ArtifactUploaded, DeleteBy: &later},
		{ID: "RECNEXT", Kind: consent.KindRecording, Status: consent.ArtifactUploaded, DeleteBy: &next},
	}
	res := f.do(t, "GET", "/console", "", "", session())
	if !strings.Contains(res.Body, "Backend engineer") || !strings.Contains(res.Body, `datetime="`+next.UTC().Format(time.RFC3339)) {
		t.Fatalf("the list lacks the open application or the nearest deletion (%s):\n%s", next, res.Body)
	}
}

// The candidate's page lists rights requests with their one-month deadline,
// and restricts, decides rectifications and records compelling grounds
// through the API routes, each form with the CSRF token.
func TestRightsRequestsAreListedAndAnsweredThroughTheAPI(t *testing.T) {
	f := newFixture(t)
	id := f.store.candidate.ID
	appID, rectID, objID := consent.NewID(), consent.NewID(), consent.NewID()
	asked := now.Add(-48 * time.Hour)
	graceEnds := asked.AddDate(0, 0, 30)
	f.store.applications = []consent.Application{{ID: appID, CandidateID: id, Position: "Backend engineer", Status: consent.ApplicationOpen, OpenedAt: asked}}
	f.store.rights = []consent.RightsRequest{
		{ID: rectID, CandidateID: id, Kind: consent.RightRectification, Status: consent.RightsOpen, Field: "name", Value: "Ada King",
			RequestedAt: asked, Deadline: consent.RightsDeadline(asked)},
		{ID: objID, CandidateID: id, Kind: consent.RightObjection, Status: consent.RightsOpen, ApplicationID: appID, GraceEnds: &graceEnds,
			RequestedAt: asked, Deadline: consent.RightsDeadline(asked)},
	}
	csrf := csrfToken(token)
	page := f.do(t, "GET", "/console/candidates/"+id, "", "", session())
	for _, want := range []string{
		"Rectify name: Ada King", "Objection to Backend engineer", `datetime="` + consent.RightsDeadline(asked).UTC().Format(time.RFC3339) + `"`,
		`action="/console/candidates/` + id + `/rectification"`, `action="/console/candidates/` + id + `/objection"`,
		`action="/console/candidates/` + id + `/restriction"`, `name="action" value="restrict"`,
	} {
		if !strings.Contains(page.Body, want) {
			t.Errorf("the page lacks %s", want)
		}
	}
	if n := strings.Count(page.Body, `name="csrf" value="`+csrf+`"`); n < strings.Count(page.Body, `<form method="post"`) {
		t.Errorf("%d forms carry the CSRF token, of %d", n, strings.Count(page.Body, `<form method="post"`))
	}
	f.api.result = APIResult{Status: http.StatusOK}
	for _, c := range []struct {
		action string
		form   url.Values
		path   string
		body   map[string]string
		done   string
	}{
		{"restriction", url.Values{"action": {"restrict"}, "channel": {"email"}}, "/restriction", map[string]string{"action": "restrict", "channel": "email"}, "restricted"},
		{"restriction", url.Values{"action": {"lift"}, "channel": {"phone"}}, "/restriction", map[string]string{"action": "lift", "channel": "phone"}, "lifted"},
		{"rectification", url.Values{"request": {rectID}, "decision": {"confirm"}, "reason": {" checked "}}, "/rectifications/" + rectID, map[string]string{"decision": "confirm", "reason": "checked"}, "rectified"},
		{"objection", url.Values{"request": {objID}, "reason": {"legal claim"}}, "/objections/" + objID, map[string]string{"decision": "compelling_grounds", "reason": "legal claim"}, "grounds"},
	} {
		c.form.Set("csrf", csrf)
		res := f.do(t, "POST", "/console/candidates/"+id+"/"+c.action, "", c.form.Encode(), session())
		call := f.api.calls[len(f.api.calls)-1]
		if res.StatusCode != http.StatusSeeOther || res.Headers["Location"] != "/console/candidates/"+id+"?done="+c.done ||
			call.path != "/api/candidates/"+id+c.path || call.method != http.MethodPost || fmt.Sprint(call.body) != fmt.Sprint(c.body) {
			t.Errorf("%s: %d %v, API call %+v", c.action, res.StatusCode, res.Headers, call)
		}
	}
	// Without the CSRF token nothing is sent.
	calls := len(f.api.calls)
	f.do(t, "POST", "/console/candidates/"+id+"/restriction", "", url.Values{"action": {"restrict"}}.Encode(), session())
	if len(f.api.calls) != calls {
		t.Error("a post without the CSRF token reached the API")
	}
}

// A CV is uploaded from the console without script: the API route signs a
// form for one key and returns the browser to the candidate's page; the
// console shows that form, posting straight to storage, which only this
// page's CSP allows.
func TestACVUploadFormPostsStraightToStorage(t *testing.T) {
	f := newFixture(t)
	id := f.store.candidate.ID
	appID := consent.NewID()
	f.store.applications = []consent.Application{{ID: appID, CandidateID: id, Position: "Backend engineer", Status: consent.ApplicationOpen, OpenedAt: now}}
	if page := f.do(t, "GET", "/console/candidates/"+id, "", "", session()); !strings.Contains(page.Body, `action="/console/candidates/`+id+`/documents"`) {
		t.Fatal("the candidate's page offers no CV upload for an open application")
	}
	f.api.result = APIResult{Status: http.StatusCreated}
	f.api.raw = []byte(`{"documentId":"D1","upload":{"method":"POST","url":"https://storage.example/consentflow-cvs","fields":{"key":"cvs/` + id + `/D1","policy":"P","success_action_redirect":"https://app.example/console/candidates/` + id + `?done=uploaded"}}}`)
	res := f.do(t, "POST", "/console/candidates/"+id+"/documents", "",
		url.Values{"csrf": {csrfToken(token)}, "application": {appID}, "contentType": {"application/pdf"}}.Encode(), session())
	if res.StatusCode != http.StatusOK || !strings.Contains(res.Body, `action="https://storage.example/consentflow-cvs"`) ||
		!strings.Contains(res.Body, `name="policy" value="P"`) || !strings.Contains(res.Body, `type="file" accept=".pdf,application/pdf"`) ||
		!strings.Contains(res.Body, "Only a PDF file of at most 20 MB") {
		t.Fatalf("upload page: %d\n%s", res.StatusCode, res.Body)
	}
	if csp := res.Headers["Content-Security-Policy"]; !strings.Contains(csp, "form-action https://storage.example 'self'") {
		t.Fatalf("CSP %q does not let the form post to storage", csp)
	}
	call := f.api.calls[len(f.api.calls)-1]
	body := call.body.(map[string]any)
	if call.path != "/api/candidates/"+id+"/documents" || body["applicationId"] != appID || body["contentType"] != "application/pdf" ||
		body["redirect"] != "https://app.example/console/candidates/"+id+"?done=uploaded" {
		t.Fatalf("API call %+v", call)
	}
	// Other pages keep forms to the console and the sign-in provider only.
	if csp := f.do(t, "GET", "/console", "", "", session()).Headers["Content-Security-Policy"]; strings.Contains(csp, "storage.example") {
		t.Fatalf("the list's CSP allows storage: %q", csp)
	}
}
