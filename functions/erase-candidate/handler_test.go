package main

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/consentflow/consentflow/shared/consent"
	"github.com/consentflow/consentflow/shared/erasure"
	"github.com/consentflow/consentflow/shared/httpapi"
	"github.com/consentflow/consentflow/shared/store"
)

// fakeCandidates records one request per candidate; an erased one is Gone.
type fakeCandidates struct {
	known    string
	erased   string
	requests map[string]store.ErasureRequest
}

func (f *fakeCandidates) RequestErasure(_ context.Context, id, ground, _, _ string, at time.Time) (store.ErasureRequest, error) {
	switch {
	case id == f.erased:
		return store.ErasureRequest{}, &consent.GoneError{ID: id}
	case id != f.known:
		return store.ErasureRequest{}, &consent.NotFoundError{What: "candidate", ID: id}
	}
	if r, ok := f.requests[id]; ok {
		r.Recorded = false
		return r, nil
	}
	r := store.ErasureRequest{CandidateID: id, Ground: ground, RequestedAt: at, Deadline: at.AddDate(0, 1, 0), Recorded: true,
		Due: []store.DueArtifact{{CandidateID: id, ArtifactID: "a1"}, {CandidateID: id, ArtifactID: "a2"}}}
	f.requests[id] = r
	return r, nil
}

type fakeErasures struct {
	names     []string
	artifacts [][]store.DueArtifact
	fail      bool
}

func (f *fakeErasures) Candidate(_ context.Context, name, _ string, artifacts []store.DueArtifact) error {
	if f.fail {
		return &erasure.UnavailableError{Err: errors.New("ServiceUnavailable")}
	}
	f.names, f.artifacts = append(f.names, name), append(f.artifacts, artifacts)
	return nil
}

func request(id, body string) httpapi.Request {
	return httpapi.Request{
		Body:           body,
		Headers:        map[string]string{"content-type": "application/json"},
		PathParameters: map[string]string{"id": id},
		RequestContext: events.APIGatewayV2HTTPRequestContext{Authorizer: &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{
			JWT: &events.APIGatewayV2HTTPRequestContextAuthorizerJWTDescription{Claims: map[string]string{"sub": "recruiter-1"}},
		}},
	}
}

var now = time.Date(2026, 12, 2, 15, 0, 0, 0, time.UTC)

func setup() (*Handler, *fakeCandidates, *fakeErasures) {
	st := &fakeCandidates{known: consent.NewID(), erased: consent.NewID(), requests: map[string]store.ErasureRequest{}}
	er := &fakeErasures{}
	return &Handler{Store: st, Erasure: er, Log: slog.New(slog.DiscardHandler), Now: func() time.Time { return now }}, st, er
}

type answer struct {
	CandidateID, Reason, Status string
	Deadline                    time.Time
}

func TestARequestToEraseEverythingStartsOneNamedErasure(t *testing.T) {
	h, st, er := setup()
	res, _ := h.Handle(context.Background(), request(st.known, `{"reason":"candidate_request"}`))
	var a answer
	json.Unmarshal([]byte(res.Body), &a)
	if res.StatusCode != http.StatusAccepted || a.Status != "erasing" || a.Reason != "candidate_request" || !a.Deadline.Equal(now.AddDate(0, 1, 0)) {
		t.Fatalf("%d %s", res.StatusCode, res.Body)
	}
	name := "erase-all-" + st.known + "-" + strconv.FormatInt(now.Unix(), 10)
	if len(er.names) != 1 || er.names[0] != name || len(er.artifacts[0]) != 2 {
		t.Fatalf("started %v %v, want %s over both artifacts", er.names, er.artifacts, name)
	}
	again, _ := h.Handle(context.Background(), request(st.known, `{"reason":"candidate_request"}`))
	if again.StatusCode != http.StatusAccepted || len(er.names) != 2 || er.names[1] != name {
		t.Fatalf("repeated request: %d %s, names %v, want the same execution name", again.StatusCode, again.Body, er.names)
	}
}

func TestARequestWhoseErasureDidNotStartIsAcceptedAsRequested(t *testing.T) {
	h, st, er := setup()
	er.fail = true
	res, _ := h.Handle(context.Background(), request(st.known, `{"reason":"objection"}`))
	var a answer
	json.Unmarshal([]byte(res.Body), &a)
	if res.StatusCode != http.StatusAccepted || a.Status != "requested" {
		t.Fatalf("%d %s, want 202 requested (the sweep starts it)", res.StatusCode, res.Body)
	}
}

func TestErasureRequestErrors(t *testing.T) {
	h, st, er := setup()
	for name, tc := range map[string]struct {
		req  httpapi.Request
		want int
	}{
		"no reason":         {request(st.known, `{}`), http.StatusUnprocessableEntity},
		"unknown reason":    {request(st.known, `{"reason":"bored"}`), http.StatusUnprocessableEntity},
		"not JSON":          {request(st.known, `reason=objection`), http.StatusBadRequest},
		"unknown candidate": {request(consent.NewID(), `{"reason":"objection"}`), http.StatusNotFound},
		"erased before":     {request(st.erased, `{"reason":"objection"}`), http.StatusGone},
		"no token":          {httpapi.Request{PathParameters: map[string]string{"id": st.known}, Body: `{"reason":"objection"}`}, http.StatusUnauthorized},
	} {
		if res, _ := h.Handle(context.Background(), tc.req); res.StatusCode != tc.want {
			t.Errorf("%s: %d %s, want %d", name, res.StatusCode, res.Body, tc.want)
		}
	}
	if len(er.names) != 0 {
		t.Fatalf("a refused request started %v", er.names)
	}
}
