package main

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/consentflow/consentflow/shared/consent"
	"github.com/consentflow/consentflow/shared/httpapi"
	"github.com/consentflow/consentflow/shared/store"
	"github.com/consentflow/consentflow/shared/store/storetest"
)

var now = time.Date(2026, 12, 2, 15, 0, 0, 0, time.UTC)

// registered stores one candidate on a fresh local table.
func registered(t *testing.T) (*store.Store, string) {
	t.Helper()
	s, _ := storetest.New(t)
	return s, storetest.Candidate(t, s, now.Add(-time.Hour)).ID
}

func request(candidateID, body string) httpapi.Request {
	return httpapi.Request{
		Body:           body,
		Headers:        map[string]string{"content-type": "application/json"},
		PathParameters: map[string]string{"id": candidateID},
		RequestContext: events.APIGatewayV2HTTPRequestContext{Authorizer: &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{
			JWT: &events.APIGatewayV2HTTPRequestContextAuthorizerJWTDescription{Claims: map[string]string{"sub": "recruiter-1"}},
		}},
	}
}

func handler(s *store.Store) *Handler {
	return &Handler{Store: s, Log: slog.New(slog.DiscardHandler), Now: func() time.Time { return now }}
}

func problemType(t *testing.T, res httpapi.Response) string {
	t.Helper()
	var p httpapi.Problem
	if err := json.Unmarshal([]byte(res.Body), &p); err != nil {
		t.Fatalf("%d %s: not a problem: %v", res.StatusCode, res.Body, err)
	}
	return p.Type
}

// An application opens with the trimmed position, answers 201 with where
// it lives, and is stored with its application_opened event by the
// recruiter who opened it.
func TestAnApplicationIsStoredWithItsEvent(t *testing.T) {
	s, id := registered(t)
	ctx := context.Background()
	res, err := handler(s).Handle(ctx, request(id, `{"position":"  Backend engineer "}`))
	if err != nil || res.StatusCode != http.StatusCreated {
		t.Fatalf("%d %s %v", res.StatusCode, res.Body, err)
	}
	var app consent.Application
	if err := json.Unmarshal([]byte(res.Body), &app); err != nil {
		t.Fatal(err)
	}
	if app.Position != "Backend engineer" || app.Status != consent.ApplicationOpen || app.CandidateID != id || !app.OpenedAt.Equal(now) || !consent.ValidID(app.ID) {
		t.Fatalf("answered %+v", app)
	}
	if loc := res.Headers["Location"]; loc != "/api/candidates/"+id+"/applications/"+app.ID {
		t.Errorf("Location %q", loc)
	}
	stored, err := s.Application(ctx, id, app.ID)
	if err != nil || stored.Position != "Backend engineer" || stored.Status != consent.ApplicationOpen {
		t.Fatalf("stored %+v %v", stored, err)
	}
	events, err := s.Events(ctx, id)
	if err != nil || len(events) != 1 {
		t.Fatalf("events %+v %v, want one", events, err)
	}
	if e := events[0]; e.Type != consent.EventApplicationOpened || e.ApplicationID != app.ID || e.Actor != "recruiter-1" || e.LegalBasis != consent.LegalBasisApplication {
		t.Fatalf("event %+v", e)
	}
	// Each POST is a new application (there is no idempotency key on this
	// route): a second one is another application, not the first changed.
	again, _ := handler(s).Handle(ctx, request(id, `{"position":"Backend engineer"}`))
	var second consent.Application
	json.Unmarshal([]byte(again.Body), &second)
	if again.StatusCode != http.StatusCreated || second.ID == app.ID {
		t.Fatalf("second open: %d %s", again.StatusCode, again.Body)
	}
	if apps, err := s.Applications(ctx, id); err != nil || len(apps) != 2 {
		t.Fatalf("applications %+v %v, want two", apps, err)
	}
}

func TestOpenApplicationErrors(t *testing.T) {
	s, id := registered(t)
	erased, err := consent.NewCandidate("Gone", "gone@example.com", "en", now.Add(-time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, _, err := s.CreateCandidate(ctx, erased, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := s.RequestErasure(ctx, erased.ID, "candidate_request", "recruiter-1", "email", now.Add(-time.Minute)); err != nil {
		t.Fatal(err)
	}
	noToken := request(id, `{"position":"Backend engineer"}`)
	noToken.RequestContext = events.APIGatewayV2HTTPRequestContext{}
	textBody := request(id, `position=Backend`)
	textBody.Headers = map[string]string{"content-type": "application/x-www-form-urlencoded"}
	for name, tc := range map[string]struct {
		req    httpapi.Request
		status int
		slug   string
	}{
		"no recruiter's token": {noToken, http.StatusUnauthorized, "unauthorized"},
		"not a candidate id":   {request("../x", `{"position":"Backend engineer"}`), http.StatusNotFound, "not-found"},
		"unknown candidate":    {request(consent.NewID(), `{"position":"Backend engineer"}`), http.StatusNotFound, "not-found"},
		"erased candidate":     {request(erased.ID, `{"position":"Backend engineer"}`), http.StatusGone, "erased"},
		"not JSON":             {textBody, http.StatusUnsupportedMediaType, "unsupported-media-type"},
		"malformed JSON":       {request(id, `{"position":`), http.StatusBadRequest, "malformed-json"},
		"unknown field":        {request(id, `{"position":"Backend engineer","salary":1}`), http.StatusBadRequest, "malformed-json"},
		"no position":          {request(id, `{}`), http.StatusUnprocessableEntity, "invalid-input"},
		"blank position":       {request(id, `{"position":"   "}`), http.StatusUnprocessableEntity, "invalid-input"},
		"position too long":    {request(id, `{"position":"`+strings.Repeat("é", 201)+`"}`), http.StatusUnprocessableEntity, "invalid-input"},
	} {
		res, err := handler(s).Handle(ctx, tc.req)
		if err != nil || res.StatusCode != tc.status || problemType(t, res) != httpapi.ProblemType(tc.slug) {
			t.Errorf("%s: %d %s %v, want %d %s", name, res.StatusCode, res.Body, err, tc.status, tc.slug)
		}
	}
	if apps, err := s.Applications(ctx, id); err != nil || len(apps) != 0 {
		t.Fatalf("a refused request opened %+v (%v)", apps, err)
	}
	// 200 characters, counted as characters, not bytes, is allowed.
	if res, _ := handler(s).Handle(ctx, request(id, `{"position":"`+strings.Repeat("é", 200)+`"}`)); res.StatusCode != http.StatusCreated {
		t.Fatalf("200 characters: %d %s", res.StatusCode, res.Body)
	}
}
