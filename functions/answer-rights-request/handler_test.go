package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"

	"github.com/consentflow/consentflow/shared/consent"
	"github.com/consentflow/consentflow/shared/httpapi"
	"github.com/consentflow/consentflow/shared/locale"
	"github.com/consentflow/consentflow/shared/mail"
	"github.com/consentflow/consentflow/shared/store"
	"github.com/consentflow/consentflow/shared/store/storetest"
)

var (
	now    = time.Date(2026, 12, 2, 15, 0, 0, 0, time.UTC)
	policy = consent.Policy{
		Controller: "ACME s.r.o.", ControllerContact: "privacy@acme.example", NoticeVersion: "2026-11-01",
		NoticeURL: "https://acme.example/privacy", PublicBaseURL: "https://consent.acme.example", LinkValidity: 30 * 24 * time.Hour,
		Retention: map[consent.Purpose]time.Duration{consent.TalentPool: 730 * 24 * time.Hour},
	}
	de = locale.For("de").Rights
)

// outbox stands in for SES: it keeps what it is handed, or fails.
type outbox struct {
	sent []*sesv2.SendEmailInput
	fail bool
}

func (o *outbox) SendEmail(_ context.Context, in *sesv2.SendEmailInput, _ ...func(*sesv2.Options)) (*sesv2.SendEmailOutput, error) {
	if o.fail {
		return nil, errors.New("ServiceUnavailable")
	}
	o.sent = append(o.sent, in)
	return &sesv2.SendEmailOutput{MessageId: aws.String(fmt.Sprintf("msg-%d", len(o.sent)))}, nil
}

// to and text are the recipient and plain text of the i-th email.
func (o *outbox) to(i int) string { return o.sent[i].Destination.ToAddresses[0] }
func (o *outbox) text(i int) string {
	return aws.ToString(o.sent[i].Content.Simple.Body.Text.Data)
}

type fixture struct {
	s    *store.Store
	box  *outbox
	h    *Handler
	id   string
	at   time.Time
	appl string
}

// setup stores a German-speaking candidate with an open application, on a
// fresh local table, and a handler that emails through a fake SES.
func setup(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	s, _ := storetest.New(t)
	c, err := consent.NewCandidate("Ada Lovelace", "ada@example.com", "de", now.Add(-72*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.CreateCandidate(ctx, c, ""); err != nil {
		t.Fatal(err)
	}
	app := consent.Application{ID: consent.NewID(), CandidateID: c.ID, Position: "Backend engineer", Status: consent.ApplicationOpen, OpenedAt: now.Add(-48 * time.Hour)}
	if err := s.OpenApplication(ctx, app, "recruiter-1"); err != nil {
		t.Fatal(err)
	}
	f := &fixture{s: s, box: &outbox{}, id: c.ID, at: now, appl: app.ID}
	f.h = &Handler{Store: s, Mail: mail.New(f.box, "consent@acme.example", policy), Log: slog.New(slog.DiscardHandler), Now: func() time.Time { return f.at }}
	return f
}

func recruiter(method, route string, path map[string]string, body string) httpapi.Request {
	return httpapi.Request{
		RouteKey:       method + " " + route,
		Body:           body,
		Headers:        map[string]string{"content-type": "application/json"},
		PathParameters: path,
		RequestContext: events.APIGatewayV2HTTPRequestContext{
			HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: method},
			Authorizer: &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{
				JWT: &events.APIGatewayV2HTTPRequestContextAuthorizerJWTDescription{Claims: map[string]string{"sub": "recruiter-1"}},
			},
		},
	}
}

func restriction(id, body string) httpapi.Request {
	return recruiter("POST", "/api/candidates/{id}/restriction", map[string]string{"id": id}, body)
}

func rectification(id, requestID, body string) httpapi.Request {
	return recruiter("POST", "/api/candidates/{id}/rectifications/{requestId}", map[string]string{"id": id, "requestId": requestID}, body)
}

func objection(id, requestID, body string) httpapi.Request {
	return recruiter("POST", "/api/candidates/{id}/objections/{requestId}", map[string]string{"id": id, "requestId": requestID}, body)
}

func rights(id string) httpapi.Request {
	return recruiter("GET", "/api/candidates/{id}/rights", map[string]string{"id": id}, "")
}

func (f *fixture) do(t *testing.T, req httpapi.Request) httpapi.Response {
	t.Helper()
	res, err := f.h.Handle(context.Background(), req)
	if err != nil {
		t.Fatalf("Handle returned %v; errors are answered as problems", err)
	}
	return res
}

func (f *fixture) events(t *testing.T, typ consent.EventType) []consent.Event {
	t.Helper()
	all, err := f.s.Events(context.Background(), f.id)
	if err != nil {
		t.Fatal(err)
	}
	var out []consent.Event
	for _, e := range all {
		if e.Type == typ {
			out = append(out, e)
		}
	}
	return out
}

type restricted struct {
	RestrictedAt *time.Time `json:"restrictedAt"`
	Recorded     bool       `json:"recorded"`
}

// A restriction is recorded once, with its event and the channel it came
// through, and the candidate is told in their language; lifting it
// likewise. Repeating either records and sends nothing.
func TestARestrictionIsRecordedOnceAndTheCandidateTold(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	res := f.do(t, restriction(f.id, `{"action":"restrict","channel":"phone"}`))
	var r restricted
	json.Unmarshal([]byte(res.Body), &r)
	if res.StatusCode != http.StatusOK || !r.Recorded || r.RestrictedAt == nil || !r.RestrictedAt.Equal(now) {
		t.Fatalf("restrict: %d %s", res.StatusCode, res.Body)
	}
	if c, err := f.s.Candidate(ctx, f.id); err != nil || c.RestrictedAt == nil {
		t.Fatalf("stored %+v %v, want restricted", c, err)
	}
	if evs := f.events(t, consent.EventRestricted); len(evs) != 1 || evs[0].CollectionMethod != "phone" || evs[0].Actor != "recruiter-1" {
		t.Fatalf("events %+v", evs)
	}
	if len(f.box.sent) != 1 || f.box.to(0) != "ada@example.com" || !strings.Contains(f.box.text(0), de.Restricted) {
		t.Fatalf("emails %d, want the candidate told in German", len(f.box.sent))
	}
	var listed Rights
	if res := f.do(t, rights(f.id)); res.StatusCode != http.StatusOK || json.Unmarshal([]byte(res.Body), &listed) != nil || listed.RestrictedAt == nil {
		t.Fatalf("rights while restricted: %d %s", res.StatusCode, res.Body)
	}

	f.at = now.Add(time.Hour)
	res = f.do(t, restriction(f.id, `{"action":"restrict","channel":"email"}`))
	json.Unmarshal([]byte(res.Body), &r)
	if res.StatusCode != http.StatusOK || r.Recorded || r.RestrictedAt == nil || !r.RestrictedAt.Equal(now) || len(f.box.sent) != 1 || len(f.events(t, consent.EventRestricted)) != 1 {
		t.Fatalf("restrict again: %d %s, %d emails", res.StatusCode, res.Body, len(f.box.sent))
	}

	res = f.do(t, restriction(f.id, `{"action":"lift","channel":"letter"}`))
	r = restricted{}
	json.Unmarshal([]byte(res.Body), &r)
	if res.StatusCode != http.StatusOK || !r.Recorded || r.RestrictedAt != nil {
		t.Fatalf("lift: %d %s", res.StatusCode, res.Body)
	}
	if len(f.box.sent) != 2 || !strings.Contains(f.box.text(1), de.RestrictionEnded) || len(f.events(t, consent.EventRestrictionLifted)) != 1 {
		t.Fatalf("lift: %d emails, events %+v", len(f.box.sent), f.events(t, consent.EventRestrictionLifted))
	}
	if c, err := f.s.Candidate(ctx, f.id); err != nil || c.RestrictedAt != nil {
		t.Fatalf("stored %+v %v, want not restricted", c, err)
	}
	res = f.do(t, restriction(f.id, `{"action":"lift","channel":"letter"}`))
	json.Unmarshal([]byte(res.Body), &r)
	if res.StatusCode != http.StatusOK || r.Recorded || len(f.box.sent) != 2 || len(f.events(t, consent.EventRestrictionLifted)) != 1 {
		t.Fatalf("lift again: %d %s, %d emails", res.StatusCode, res.Body, len(f.box.sent))
	}
}

// A confirmed rectification changes the profile and the candidate is told
// at the corrected address, with the reason; the event keeps only the hash
// of the old value. Confirming again changes and sends nothing; declining
// what was confirmed is a conflict.
func TestAConfirmedRectificationCorrectsTheProfile(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	r, err := f.s.RequestRectification(ctx, f.id, "email", "ada.lovelace@example.com", now.Add(-time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	res := f.do(t, rectification(f.id, r.ID, `{"decision":"confirm","reason":"  Verified by phone.  "}`))
	var got consent.RightsRequest
	json.Unmarshal([]byte(res.Body), &got)
	if res.StatusCode != http.StatusOK || got.ID != r.ID || got.Status != consent.RightsConfirmed || got.Reason != "Verified by phone." ||
		got.DecidedAt == nil || !got.DecidedAt.Equal(now) || got.Value != "" {
		t.Fatalf("confirm: %d %s", res.StatusCode, res.Body)
	}
	if c, err := f.s.Candidate(ctx, f.id); err != nil || c.Email != "ada.lovelace@example.com" {
		t.Fatalf("profile %+v %v, want the corrected email", c, err)
	}
	evs := f.events(t, consent.EventRectified)
	if len(evs) != 1 || evs[0].OldValueHash != consent.HashValue("ada@example.com") || evs[0].RightsRequestID != r.ID || evs[0].Actor != "recruiter-1" {
		t.Fatalf("events %+v", evs)
	}
	if raw, _ := json.Marshal(evs[0]); strings.Contains(string(raw), "ada@example.com") || strings.Contains(string(raw), "ada.lovelace@example.com") {
		t.Fatalf("the event holds an address: %s", raw)
	}
	want := fmt.Sprintf(de.Rectified, de.Field("email"), "Verified by phone.")
	if len(f.box.sent) != 1 || f.box.to(0) != "ada.lovelace@example.com" || !strings.Contains(f.box.text(0), want) {
		t.Fatalf("%d emails, want one to the corrected address saying %q", len(f.box.sent), want)
	}

	if res := f.do(t, rectification(f.id, r.ID, `{"decision":"confirm","reason":"Verified by phone."}`)); res.StatusCode != http.StatusOK || len(f.box.sent) != 1 || len(f.events(t, consent.EventRectified)) != 1 {
		t.Fatalf("confirm again: %d %s, %d emails", res.StatusCode, res.Body, len(f.box.sent))
	}
	res = f.do(t, rectification(f.id, r.ID, `{"decision":"decline","reason":"Changed my mind."}`))
	var p httpapi.Problem
	json.Unmarshal([]byte(res.Body), &p)
	if res.StatusCode != http.StatusConflict || p.Type != httpapi.ProblemType("conflict") || len(f.box.sent) != 1 {
		t.Fatalf("decline after confirm: %d %s", res.StatusCode, res.Body)
	}
}

// A declined rectification leaves the profile and tells the candidate why.
func TestADeclinedRectificationLeavesTheProfile(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	r, err := f.s.RequestRectification(ctx, f.id, "name", "Augusta Ada King", now.Add(-time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	res := f.do(t, rectification(f.id, r.ID, `{"decision":"decline","reason":"The name matches your passport."}`))
	var got consent.RightsRequest
	json.Unmarshal([]byte(res.Body), &got)
	if res.StatusCode != http.StatusOK || got.Status != consent.RightsDeclined {
		t.Fatalf("decline: %d %s", res.StatusCode, res.Body)
	}
	if c, err := f.s.Candidate(ctx, f.id); err != nil || c.Name != "Ada Lovelace" {
		t.Fatalf("profile %+v %v, want the name unchanged", c, err)
	}
	if evs := f.events(t, consent.EventRectificationDeclined); len(evs) != 1 || evs[0].OldValueHash != "" {
		t.Fatalf("events %+v", evs)
	}
	want := fmt.Sprintf(de.NotRectified, de.Field("name"), "The name matches your passport.")
	if len(f.box.sent) != 1 || f.box.to(0) != "ada@example.com" || !strings.Contains(f.box.text(0), want) {
		t.Fatalf("%d emails, want one saying %q", len(f.box.sent), want)
	}
}

// Compelling grounds keep the application open and the candidate is told
// them; once the objection was upheld (the application closed), grounds
// come too late.
func TestCompellingGroundsKeepTheApplicationOpen(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	o, err := f.s.Object(ctx, f.id, f.appl, now.Add(-time.Hour), now.Add(30*24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	res := f.do(t, objection(f.id, o.ID, `{"decision":"compelling_grounds","reason":"The position is filled by law."}`))
	var got consent.RightsRequest
	json.Unmarshal([]byte(res.Body), &got)
	if res.StatusCode != http.StatusOK || got.Status != consent.RightsOverridden || got.Reason != "The position is filled by law." {
		t.Fatalf("grounds: %d %s", res.StatusCode, res.Body)
	}
	if app, err := f.s.Application(ctx, f.id, f.appl); err != nil || app.Status != consent.ApplicationOpen {
		t.Fatalf("application %+v %v, want open", app, err)
	}
	if evs := f.events(t, consent.EventObjectionOverridden); len(evs) != 1 || evs[0].ApplicationID != f.appl {
		t.Fatalf("events %+v", evs)
	}
	want := fmt.Sprintf(de.ObjectionGrounds, "The position is filled by law.")
	if len(f.box.sent) != 1 || !strings.Contains(f.box.text(0), want) {
		t.Fatalf("%d emails, want one saying %q", len(f.box.sent), want)
	}
	if res := f.do(t, objection(f.id, o.ID, `{"decision":"compelling_grounds","reason":"The position is filled by law."}`)); res.StatusCode != http.StatusOK || len(f.box.sent) != 1 {
		t.Fatalf("again: %d %s, %d emails", res.StatusCode, res.Body, len(f.box.sent))
	}

	// Another application, objected to and upheld by the sweep.
	late := consent.Application{ID: consent.NewID(), CandidateID: f.id, Position: "Frontend engineer", Status: consent.ApplicationOpen, OpenedAt: now.Add(-48 * time.Hour)}
	if err := f.s.OpenApplication(ctx, late, "recruiter-1"); err != nil {
		t.Fatal(err)
	}
	o2, err := f.s.Object(ctx, f.id, late.ID, now.Add(-40*24*time.Hour), now.Add(-10*24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.UpholdObjection(ctx, f.id, o2.ID, now.Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}
	res = f.do(t, objection(f.id, o2.ID, `{"decision":"compelling_grounds","reason":"Too late."}`))
	if res.StatusCode != http.StatusConflict || len(f.box.sent) != 1 {
		t.Fatalf("grounds after the objection was upheld: %d %s", res.StatusCode, res.Body)
	}
}

// GET lists every rectification and objection, oldest first, with its
// one-month deadline.
func TestTheRightsListShowsEachRequestWithItsDeadline(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	asked := now.Add(-2 * time.Hour)
	r, err := f.s.RequestRectification(ctx, f.id, "locale", "en", asked)
	if err != nil {
		t.Fatal(err)
	}
	o, err := f.s.Object(ctx, f.id, f.appl, now.Add(-time.Hour), now.Add(30*24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	res := f.do(t, rights(f.id))
	var listed Rights
	if err := json.Unmarshal([]byte(res.Body), &listed); err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("%d %s %v", res.StatusCode, res.Body, err)
	}
	if listed.RestrictedAt != nil || len(listed.Requests) != 2 || listed.Requests[0].ID != r.ID || listed.Requests[1].ID != o.ID ||
		!listed.Requests[0].Deadline.Equal(consent.RightsDeadline(asked)) || listed.Requests[0].Status != consent.RightsOpen {
		t.Fatalf("listed %s", res.Body)
	}
	if len(f.box.sent) != 0 {
		t.Fatalf("reading the list sent %d emails", len(f.box.sent))
	}
}

// An answer stands even when its email cannot be sent: the console shows it.
func TestAnAnswerIsRecordedWhenTheEmailFails(t *testing.T) {
	f := setup(t)
	f.box.fail = true
	res := f.do(t, restriction(f.id, `{"action":"restrict","channel":"email"}`))
	var r restricted
	json.Unmarshal([]byte(res.Body), &r)
	if res.StatusCode != http.StatusOK || !r.Recorded {
		t.Fatalf("%d %s, want the restriction recorded", res.StatusCode, res.Body)
	}
	if c, err := f.s.Candidate(context.Background(), f.id); err != nil || c.RestrictedAt == nil {
		t.Fatalf("stored %+v %v", c, err)
	}
}

func TestAnswerRightsRequestErrors(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	rect, err := f.s.RequestRectification(ctx, f.id, "name", "Augusta Ada King", now.Add(-time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	obj, err := f.s.Object(ctx, f.id, f.appl, now.Add(-time.Hour), now.Add(30*24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	erasing, err := consent.NewCandidate("Gone", "gone@example.com", "en", now.Add(-time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.s.CreateCandidate(ctx, erasing, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.RequestErasure(ctx, erasing.ID, "candidate_request", "recruiter-1", "email", now.Add(-time.Minute)); err != nil {
		t.Fatal(err)
	}
	erased, err := consent.NewCandidate("Erased", "erased@example.com", "en", now.Add(-time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.s.CreateCandidate(ctx, erased, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.RequestErasure(ctx, erased.ID, "candidate_request", "recruiter-1", "email", now.Add(-time.Minute)); err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.EraseProfile(ctx, erased.ID, now); err != nil {
		t.Fatal(err)
	}
	other, err := consent.NewCandidate("Other", "other@example.com", "en", now.Add(-time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.s.CreateCandidate(ctx, other, ""); err != nil {
		t.Fatal(err)
	}
	noToken := restriction(f.id, `{"action":"restrict","channel":"email"}`)
	noToken.RequestContext.Authorizer = nil
	grounds := `{"decision":"compelling_grounds","reason":"x"}`
	for name, tc := range map[string]struct {
		req    httpapi.Request
		status int
		slug   string
		field  string
	}{
		"no recruiter's token":          {noToken, http.StatusUnauthorized, "unauthorized", ""},
		"not a candidate id":            {restriction("../x", `{"action":"restrict","channel":"email"}`), http.StatusNotFound, "not-found", ""},
		"unknown candidate":             {restriction(consent.NewID(), `{"action":"restrict","channel":"email"}`), http.StatusNotFound, "not-found", ""},
		"unknown candidate's rights":    {rights(consent.NewID()), http.StatusNotFound, "not-found", ""},
		"erased candidate's rights":     {rights(erased.ID), http.StatusGone, "erased", ""},
		"restricting an erasing one":    {restriction(erasing.ID, `{"action":"restrict","channel":"email"}`), http.StatusGone, "erased", ""},
		"malformed JSON":                {restriction(f.id, `{"action":`), http.StatusBadRequest, "malformed-json", ""},
		"unknown field":                 {restriction(f.id, `{"action":"restrict","channel":"email","by":"me"}`), http.StatusBadRequest, "malformed-json", ""},
		"unknown action":                {restriction(f.id, `{"action":"forget","channel":"email"}`), http.StatusUnprocessableEntity, "invalid-input", "action"},
		"unknown channel":               {restriction(f.id, `{"action":"restrict","channel":"pigeon"}`), http.StatusUnprocessableEntity, "invalid-input", "channel"},
		"reason too long":               {rectification(f.id, rect.ID, `{"decision":"decline","reason":"`+strings.Repeat("x", MaxReason+1)+`"}`), http.StatusUnprocessableEntity, "invalid-input", "reason"},
		"no reason to decline":          {rectification(f.id, rect.ID, `{"decision":"decline"}`), http.StatusUnprocessableEntity, "invalid-input", "reason"},
		"a blank reason":                {rectification(f.id, rect.ID, `{"decision":"decline","reason":"   "}`), http.StatusUnprocessableEntity, "invalid-input", "reason"},
		"unknown decision":              {rectification(f.id, rect.ID, `{"decision":"maybe","reason":"x"}`), http.StatusUnprocessableEntity, "invalid-input", "decision"},
		"not a request id":              {rectification(f.id, "../x", `{"decision":"confirm","reason":"x"}`), http.StatusNotFound, "not-found", ""},
		"unknown rectification":         {rectification(f.id, consent.NewID(), `{"decision":"confirm","reason":"x"}`), http.StatusNotFound, "not-found", ""},
		"an objection as rectification": {rectification(f.id, obj.ID, `{"decision":"confirm","reason":"x"}`), http.StatusNotFound, "not-found", ""},
		"a rectification as objection":  {objection(f.id, rect.ID, grounds), http.StatusNotFound, "not-found", ""},
		"another candidate's objection": {objection(other.ID, obj.ID, grounds), http.StatusNotFound, "not-found", ""},
		"another's rectification":       {rectification(other.ID, rect.ID, `{"decision":"confirm","reason":"x"}`), http.StatusNotFound, "not-found", ""},
		"grounds for an erasing one":    {objection(erasing.ID, obj.ID, grounds), http.StatusGone, "erased", ""},
		"objection without grounds":     {objection(f.id, obj.ID, `{"decision":"uphold","reason":"x"}`), http.StatusUnprocessableEntity, "invalid-input", "decision"},
		"grounds without a reason":      {objection(f.id, obj.ID, `{"decision":"compelling_grounds"}`), http.StatusUnprocessableEntity, "invalid-input", "reason"},
	} {
		res := f.do(t, tc.req)
		var p httpapi.Problem
		json.Unmarshal([]byte(res.Body), &p)
		if res.StatusCode != tc.status || p.Type != httpapi.ProblemType(tc.slug) || p.Field != tc.field {
			t.Errorf("%s: %d %s, want %d %s on %q", name, res.StatusCode, res.Body, tc.status, tc.slug, tc.field)
		}
	}
	if len(f.box.sent) != 0 {
		t.Fatalf("refused requests sent %d emails", len(f.box.sent))
	}
	c, err := f.s.Candidate(ctx, f.id)
	if err != nil || c.RestrictedAt != nil || c.Name != "Ada Lovelace" {
		t.Fatalf("refused requests changed the candidate: %+v %v", c, err)
	}
	rs, err := f.s.RightsRequests(ctx, f.id)
	if err != nil || len(rs) != 2 || rs[0].Status != consent.RightsOpen || rs[1].Status != consent.RightsOpen {
		t.Fatalf("refused requests decided %+v %v", rs, err)
	}
}
