package main

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/consentflow/consentflow/shared/consent"
	"github.com/consentflow/consentflow/shared/httpapi"
	"github.com/consentflow/consentflow/shared/store"
	"github.com/consentflow/consentflow/shared/store/storetest"
)

var (
	opened = time.Date(2026, 10, 1, 9, 0, 0, 0, time.UTC)
	now    = time.Date(2026, 12, 2, 15, 0, 0, 0, time.UTC)
)

// applied stores a candidate with one open application and a CV sent for
// it, on a fresh local table.
func applied(t *testing.T) (s *store.Store, candidateID, appID, cvID string) {
	t.Helper()
	ctx := context.Background()
	s, _ = storetest.New(t)
	c, err := consent.NewCandidate("Ada Lovelace", "ada@example.com", "en", opened)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.CreateCandidate(ctx, c, ""); err != nil {
		t.Fatal(err)
	}
	app := consent.Application{ID: consent.NewID(), CandidateID: c.ID, Position: "Backend engineer", Status: consent.ApplicationOpen, OpenedAt: opened}
	if err := s.OpenApplication(ctx, app, "recruiter-1"); err != nil {
		t.Fatal(err)
	}
	cv := consent.NewID()
	if _, err := s.AuthorizeCV(ctx, consent.Artifact{ID: cv, CandidateID: c.ID, Kind: consent.KindCV, Status: consent.ArtifactAuthorized,
		Bucket: "cvs", Key: store.ArtifactKey(consent.KindCV, c.ID, cv), ApplicationID: app.ID, ContentType: "application/pdf",
		DeclaredSize: 1000, AuthorizedBy: "recruiter-1", AuthorizedAt: opened, UploadExpires: opened.Add(15 * time.Minute)}); err != nil {
		t.Fatal(err)
	}
	return s, c.ID, app.ID, cv
}

func request(candidateID, appID, body string) httpapi.Request {
	return httpapi.Request{
		Body:           body,
		Headers:        map[string]string{"content-type": "application/json"},
		PathParameters: map[string]string{"id": candidateID, "applicationId": appID},
		RequestContext: events.APIGatewayV2HTTPRequestContext{Authorizer: &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{
			JWT: &events.APIGatewayV2HTTPRequestContextAuthorizerJWTDescription{Claims: map[string]string{"sub": "recruiter-1"}},
		}},
	}
}

func handler(s *store.Store, at time.Time) *Handler {
	return &Handler{Store: s, Log: slog.New(slog.DiscardHandler), Now: func() time.Time { return at }}
}

// Closing answers the closed application, writes its event, and starts the
// CV's retention after the close (it had no deadline while the
// application was open). Closing again, even with another outcome, answers
// the application as it was closed the first time and records nothing.
func TestClosingStartsTheCVsRetentionOnce(t *testing.T) {
	s, id, appID, cv := applied(t)
	ctx := context.Background()
	if a, err := s.Artifact(ctx, id, cv); err != nil || a.DeleteBy != nil {
		t.Fatalf("before the close the CV is due %v (%v), want no deadline", a.DeleteBy, err)
	}
	res, err := handler(s, now).Handle(ctx, request(id, appID, `{"outcome":"rejected"}`))
	if err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("%d %s %v", res.StatusCode, res.Body, err)
	}
	var app consent.Application
	if err := json.Unmarshal([]byte(res.Body), &app); err != nil {
		t.Fatal(err)
	}
	if app.ID != appID || app.Status != consent.ApplicationClosed || app.Outcome != "rejected" || app.ClosedAt == nil || !app.ClosedAt.Equal(now) {
		t.Fatalf("answered %+v", app)
	}
	want := consent.DefaultRetention.AfterClose.After(now)
	if a, err := s.Artifact(ctx, id, cv); err != nil || a.DeleteBy == nil || !a.DeleteBy.Equal(want) {
		t.Fatalf("after the close the CV is due %v (%v), want %v", a.DeleteBy, err, want)
	}
	if evs := storetest.EventsOf(t, s, id, consent.EventApplicationClosed); len(evs) != 1 || evs[0].ApplicationID != appID || evs[0].Reason != "rejected" || evs[0].Actor != "recruiter-1" {
		t.Fatalf("events %+v, want one application_closed", evs)
	}

	later := now.Add(24 * time.Hour)
	again, err := handler(s, later).Handle(ctx, request(id, appID, `{"outcome":"hired"}`))
	var second consent.Application
	json.Unmarshal([]byte(again.Body), &second)
	if err != nil || again.StatusCode != http.StatusOK || second.Outcome != "rejected" || second.ClosedAt == nil || !second.ClosedAt.Equal(now) {
		t.Fatalf("closed again: %d %s %v, want the first close", again.StatusCode, again.Body, err)
	}
	if evs := storetest.EventsOf(t, s, id, consent.EventApplicationClosed); len(evs) != 1 {
		t.Fatalf("%d application_closed events after a retry, want 1", len(evs))
	}
	if a, _ := s.Artifact(ctx, id, cv); a.DeleteBy == nil || !a.DeleteBy.Equal(want) {
		t.Fatalf("a second close moved the CV's deadline to %v, want %v", a.DeleteBy, want)
	}
}

func TestCloseApplicationErrors(t *testing.T) {
	s, id, appID, _ := applied(t)
	ctx := context.Background()
	// Another candidate, with an application, who asked to be erased.
	c, err := consent.NewCandidate("Gone", "gone@example.com", "en", opened)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.CreateCandidate(ctx, c, ""); err != nil {
		t.Fatal(err)
	}
	other := consent.Application{ID: consent.NewID(), CandidateID: c.ID, Position: "Backend engineer", Status: consent.ApplicationOpen, OpenedAt: opened}
	if err := s.OpenApplication(ctx, other, "recruiter-1"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.RequestErasure(ctx, c.ID, "candidate_request", "recruiter-1", "email", now.Add(-time.Minute)); err != nil {
		t.Fatal(err)
	}
	noToken := request(id, appID, `{"outcome":"hired"}`)
	noToken.RequestContext = events.APIGatewayV2HTTPRequestContext{}
	for name, tc := range map[string]struct {
		req    httpapi.Request
		status int
		slug   string
	}{
		"no recruiter's token":  {noToken, http.StatusUnauthorized, "unauthorized"},
		"not a candidate id":    {request("../x", appID, `{"outcome":"hired"}`), http.StatusNotFound, "not-found"},
		"not an application id": {request(id, "../x", `{"outcome":"hired"}`), http.StatusNotFound, "not-found"},
		"unknown candidate":     {request(consent.NewID(), appID, `{"outcome":"hired"}`), http.StatusNotFound, "not-found"},
		"unknown application":   {request(id, consent.NewID(), `{"outcome":"hired"}`), http.StatusNotFound, "not-found"},
		"another candidate's":   {request(id, other.ID, `{"outcome":"hired"}`), http.StatusNotFound, "not-found"},
		"erased candidate":      {request(c.ID, other.ID, `{"outcome":"hired"}`), http.StatusGone, "erased"},
		"malformed JSON":        {request(id, appID, `{"outcome":`), http.StatusBadRequest, "malformed-json"},
		"unknown outcome":       {request(id, appID, `{"outcome":"ghosted"}`), http.StatusUnprocessableEntity, "invalid-input"},
		"no outcome":            {request(id, appID, `{}`), http.StatusUnprocessableEntity, "invalid-input"},
	} {
		res, err := handler(s, now).Handle(ctx, tc.req)
		var p httpapi.Problem
		json.Unmarshal([]byte(res.Body), &p)
		if err != nil || res.StatusCode != tc.status || p.Type != httpapi.ProblemType(tc.slug) {
			t.Errorf("%s: %d %s %v, want %d %s", name, res.StatusCode, res.Body, err, tc.status, tc.slug)
		}
	}
	if app, err := s.Application(ctx, id, appID); err != nil || app.Status != consent.ApplicationOpen {
		t.Fatalf("a refused request closed %+v (%v)", app, err)
	}
	if evs := storetest.EventsOf(t, s, id, consent.EventApplicationClosed); len(evs) != 0 {
		t.Fatalf("a refused request wrote %+v", evs)
	}
}
