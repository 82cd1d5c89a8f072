package main

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/consentflow/consentflow/shared/consent"
	"github.com/consentflow/consentflow/shared/httpapi"
)

// fakeStore answers the request, and the consent in the state of the
// read's number (the candidate answers while the caller waits).
type fakeStore struct {
	req    consent.Request
	states []consent.State
	reads  int
}

func (f *fakeStore) Request(_ context.Context, id string) (consent.Request, error) {
	if id != f.req.ID {
		return consent.Request{}, &consent.NotFoundError{What: "consent request", ID: id}
	}
	return f.req, nil
}

func (f *fakeStore) Consents(_ context.Context, candidateID string) ([]consent.Consent, error) {
	s := f.states[min(f.reads, len(f.states)-1)]
	f.reads++
	return []consent.Consent{{CandidateID: candidateID, Purpose: consent.InterviewRecording, State: s, NoticeVersion: "v1", RequestID: f.req.ID}}, nil
}

func handler(f *fakeStore, clock *time.Time) *Handler {
	return &Handler{Store: f, NoticeVersion: "v1", Log: slog.New(slog.DiscardHandler), Now: func() time.Time { return *clock },
		Sleep: func(_ context.Context, d time.Duration) error { *clock = clock.Add(d); return nil }}
}

func get(h *Handler, candidateID, id, wait string) httpapi.Response {
	res, _ := h.Handle(context.Background(), httpapi.Request{
		PathParameters:        map[string]string{"id": candidateID, "authorizationId": id},
		QueryStringParameters: map[string]string{"wait": wait},
		RequestContext: events.APIGatewayV2HTTPRequestContext{Authorizer: &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{
			JWT: &events.APIGatewayV2HTTPRequestContextAuthorizerJWTDescription{Claims: map[string]string{"sub": "recruiter-1"}},
		}},
	})
	return res
}

func TestTheLongPollAnswersAsSoonAsTheCandidateHas(t *testing.T) {
	clock := time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)
	start := clock
	f := &fakeStore{req: consent.Request{ID: consent.NewID(), CandidateID: consent.NewID(), Purposes: []consent.Purpose{consent.InterviewRecording}},
		states: []consent.State{consent.Requested, consent.Requested, consent.Given}}
	res := get(handler(f, &clock), f.req.CandidateID, f.req.ID, "20s")
	if res.StatusCode != http.StatusOK || !strings.Contains(res.Body, `"status":"allowed"`) || clock.Sub(start) != 2*PollInterval {
		t.Fatalf("%d %s after %v", res.StatusCode, res.Body, clock.Sub(start))
	}

	clock = start
	f = &fakeStore{req: f.req, states: []consent.State{consent.Requested}}
	res = get(handler(f, &clock), f.req.CandidateID, f.req.ID, "20s")
	if !strings.Contains(res.Body, `"status":"awaiting"`) || clock.Sub(start) > 20*time.Second {
		t.Fatalf("no answer: %s after %v", res.Body, clock.Sub(start))
	}
	f = &fakeStore{req: f.req, states: []consent.State{consent.Refused}}
	if res := get(handler(f, &clock), f.req.CandidateID, f.req.ID, ""); !strings.Contains(res.Body, `"status":"blocked","reason":"refused"`) {
		t.Fatalf("refused: %s", res.Body)
	}
}

func TestTheLongPollRefusesBadInput(t *testing.T) {
	clock := time.Now()
	f := &fakeStore{req: consent.Request{ID: consent.NewID(), CandidateID: consent.NewID(), Purposes: []consent.Purpose{consent.TalentPool}}, states: []consent.State{consent.Given}}
	h := handler(f, &clock)
	for _, c := range []struct {
		candidate, id, wait string
		want                int
	}{
		{f.req.CandidateID, f.req.ID, "26s", http.StatusUnprocessableEntity},
		{f.req.CandidateID, f.req.ID, "soon", http.StatusUnprocessableEntity},
		{f.req.CandidateID, f.req.ID, "", http.StatusNotFound}, // not a recording request
		{consent.NewID(), f.req.ID, "", http.StatusNotFound},   // another candidate's
		{f.req.CandidateID, "../x", "", http.StatusNotFound},
	} {
		if res := get(h, c.candidate, c.id, c.wait); res.StatusCode != c.want {
			t.Errorf("%+v: %d %s", c, res.StatusCode, res.Body)
		}
	}
}
