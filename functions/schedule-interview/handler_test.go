package main

import (
	"context"
	"encoding/json"
	"fmt"
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

var now = time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)

func registered(t *testing.T) (*store.Store, consent.Candidate) {
	t.Helper()
	s, _ := storetest.New(t)
	c, _ := consent.NewCandidate("Ada Lovelace", "ada@example.com", "en", now)
	if _, _, err := s.CreateCandidate(context.Background(), c, ""); err != nil {
		t.Fatal(err)
	}
	return s, c
}

func handler(s Interviews) *Handler {
	return &Handler{Store: s, Log: slog.New(slog.DiscardHandler), Now: func() time.Time { return now }}
}

// post is POST /api/candidates/{id}/interviews; recruiter "" sends no
// verified token.
func post(recruiter, id, body string) httpapi.Request {
	req := httpapi.Request{Headers: map[string]string{"content-type": "application/json"}, PathParameters: map[string]string{"id": id}, Body: body}
	if recruiter != "" {
		req.RequestContext = events.APIGatewayV2HTTPRequestContext{Authorizer: &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{
			JWT: &events.APIGatewayV2HTTPRequestContextAuthorizerJWTDescription{Claims: map[string]string{"sub": recruiter}},
		}}
	}
	return req
}

// toAsk reads the ask index of the candidate's shard as the sweep would at
// until.
func toAsk(t *testing.T, s *store.Store, candidateID string, until time.Time) []store.Interview {
	t.Helper()
	var shard int
	for shard = 0; shard < store.AskShards; shard++ {
		if store.AskShard(candidateID) == fmt.Sprintf("ASK#%d", shard) {
			break
		}
	}
	ivs, _, err := s.InterviewsToAsk(context.Background(), shard, until, 100, nil)
	if err != nil {
		t.Fatal(err)
	}
	return ivs
}

// A scheduled interview answers 201 with when the candidate is asked, a
// day before; the sweep finds it then, not earlier, with the recruiter who
// scheduled it (who asks).
func TestAnInterviewIsAskedAboutTheDayBefore(t *testing.T) {
	s, c := registered(t)
	at := now.Add(72 * time.Hour)
	res, err := handler(s).Handle(context.Background(), post("recruiter-1", c.ID, `{"at":"`+at.In(time.FixedZone("CET", 3600)).Format(time.RFC3339)+`","reference":"meet/abc-defg-hij"}`))
	if err != nil || res.StatusCode != http.StatusCreated {
		t.Fatalf("%d %v: %s", res.StatusCode, err, res.Body)
	}
	var iv store.Interview
	if err := json.Unmarshal([]byte(res.Body), &iv); err != nil {
		t.Fatal(err)
	}
	if !consent.ValidID(iv.ID) || iv.CandidateID != c.ID || !iv.At.Equal(at) || !iv.AskAt.Equal(at.Add(-24*time.Hour)) || iv.Reference != "meet/abc-defg-hij" {
		t.Fatalf("answered %+v", iv)
	}
	if early := toAsk(t, s, c.ID, iv.AskAt.Add(-time.Second)); len(early) != 0 {
		t.Fatalf("due before the day before: %+v", early)
	}
	due := toAsk(t, s, c.ID, iv.AskAt)
	if len(due) != 1 || due[0].ID != iv.ID || due[0].ScheduledBy != "recruiter-1" || !due[0].At.Equal(at) {
		t.Fatalf("due the day before: %+v", due)
	}
}

// A time that is not in the coming year, a missing or unprintable
// reference, and a body that is not the input are refused with their
// problem; nothing is scheduled.
func TestBadInterviewsAreRefused(t *testing.T) {
	s, c := registered(t)
	h := handler(s)
	in := func(at time.Time, ref string) string {
		b, _ := json.Marshal(map[string]any{"at": at, "reference": ref})
		return string(b)
	}
	for name, tt := range map[string]struct {
		body        string
		status      int
		slug, field string
	}{
		"in the past":      {in(now.Add(-time.Hour), "ref"), http.StatusUnprocessableEntity, "invalid-input", "at"},
		"right now":        {in(now, "ref"), http.StatusUnprocessableEntity, "invalid-input", "at"},
		"beyond a year":    {in(now.Add(MaxAhead+time.Second), "ref"), http.StatusUnprocessableEntity, "invalid-input", "at"},
		"no time":          {`{"reference":"ref"}`, http.StatusUnprocessableEntity, "invalid-input", "at"},
		"no reference":     {in(now.Add(time.Hour), ""), http.StatusUnprocessableEntity, "invalid-input", "reference"},
		"a control char":   {in(now.Add(time.Hour), "ref\x1b[2J"), http.StatusUnprocessableEntity, "invalid-input", "reference"},
		"not a time":       {`{"at":"tomorrow at ten","reference":"ref"}`, http.StatusBadRequest, "malformed-json", ""},
		"an unknown field": {`{"at":"2026-12-01T10:00:00Z","reference":"ref","room":"B"}`, http.StatusBadRequest, "malformed-json", ""},
		"no body at all":   {``, http.StatusBadRequest, "malformed-json", ""},
	} {
		res, err := h.Handle(context.Background(), post("recruiter-1", c.ID, tt.body))
		var p httpapi.Problem
		if err != nil || json.Unmarshal([]byte(res.Body), &p) != nil || res.StatusCode != tt.status || p.Type != httpapi.ProblemType(tt.slug) || p.Field != tt.field {
			t.Errorf("%s: %d %v %s, want %d %s field %q", name, res.StatusCode, err, res.Body, tt.status, tt.slug, tt.field)
		}
	}
	if ivs := toAsk(t, s, c.ID, now.Add(2*MaxAhead)); len(ivs) != 0 {
		t.Fatalf("scheduled %+v", ivs)
	}
	// The last moment of the coming year is still in it.
	if res, _ := h.Handle(context.Background(), post("recruiter-1", c.ID, in(now.Add(MaxAhead), "ref"))); res.StatusCode != http.StatusCreated {
		t.Fatalf("a year ahead: %d %s", res.StatusCode, res.Body)
	}
}

// Only a recruiter schedules, and only for a candidate who exists and was
// not erased.
func TestInterviewsOfNobodyAreRefused(t *testing.T) {
	s, c := registered(t)
	gone, _ := consent.NewCandidate("Grace Hopper", "grace@example.com", "en", now)
	ctx := context.Background()
	if _, _, err := s.CreateCandidate(ctx, gone, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := s.RequestErasure(ctx, gone.ID, "candidate_request", "recruiter-1", "recruiter", now); err != nil {
		t.Fatal(err)
	}
	if done, err := s.EraseProfile(ctx, gone.ID, now); err != nil || !done {
		t.Fatalf("erase: %v %v", done, err)
	}
	body := `{"at":"` + now.Add(48*time.Hour).Format(time.RFC3339) + `","reference":"ref"}`
	for name, tt := range map[string]struct {
		req    httpapi.Request
		status int
		slug   string
	}{
		"no token":      {post("", c.ID, body), http.StatusUnauthorized, "unauthorized"},
		"not an id":     {post("recruiter-1", "ada", body), http.StatusNotFound, "not-found"},
		"an unknown id": {post("recruiter-1", consent.NewID(), body), http.StatusNotFound, "not-found"},
		"an erased one": {post("recruiter-1", gone.ID, body), http.StatusGone, "erased"},
	} {
		res, err := handler(s).Handle(ctx, tt.req)
		var p httpapi.Problem
		if err != nil || json.Unmarshal([]byte(res.Body), &p) != nil || res.StatusCode != tt.status || p.Type != httpapi.ProblemType(tt.slug) {
			t.Errorf("%s: %d %v %s, want %d %s", name, res.StatusCode, err, res.Body, tt.status, tt.slug)
		}
	}
	if ivs := toAsk(t, s, gone.ID, now.Add(2*MaxAhead)); len(ivs) != 0 {
		t.Fatalf("an interview of the erased candidate: %+v", ivs)
	}
}
