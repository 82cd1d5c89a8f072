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
	"github.com/consentflow/consentflow/shared/workflow"
)

var (
	now    = time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)
	policy = consent.Policy{
		Controller: "ACME s.r.o.", ControllerContact: "privacy@acme.example", NoticeVersion: "2026-11-01",
		NoticeURL: "https://acme.example/privacy", PublicBaseURL: "https://consent.acme.example", LinkValidity: 30 * 24 * time.Hour,
		Retention: map[consent.Purpose]time.Duration{consent.TalentPool: 730 * 24 * time.Hour, consent.InterviewRecording: 180 * 24 * time.Hour},
	}
)

func registered(t *testing.T, s *store.Store) string {
	t.Helper()
	return storetest.Candidate(t, s, now.Add(-time.Hour)).ID
}

func ask(t *testing.T, s *store.Store, id string, at time.Time, purposes ...consent.Purpose) consent.Request {
	t.Helper()
	req := policy.NewRequest(consent.NewID(), id, "recruiter-1", purposes, at)
	if _, err := s.RecordRequest(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	return req
}

func request(candidateID string) httpapi.Request {
	return httpapi.Request{
		PathParameters: map[string]string{"id": candidateID},
		RequestContext: events.APIGatewayV2HTTPRequestContext{Authorizer: &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{
			JWT: &events.APIGatewayV2HTTPRequestContextAuthorizerJWTDescription{Claims: map[string]string{"sub": "recruiter-1"}},
		}},
	}
}

type view struct {
	Purpose       consent.Purpose `json:"purpose"`
	State         consent.State   `json:"state"`
	DPV           string          `json:"dpvState"`
	NoticeVersion string          `json:"noticeVersion"`
	RequestID     string          `json:"requestId"`
	ExpiresAt     *time.Time      `json:"expiresAt"`
	Request       struct {
		Status  consent.RequestStatus `json:"status"`
		Reason  string                `json:"reason"`
		Failure string                `json:"failure"`
	} `json:"request"`
}

func list(t *testing.T, s *store.Store, id string, at time.Time) map[consent.Purpose]view {
	t.Helper()
	h := &Handler{Store: s, Log: slog.New(slog.DiscardHandler), Now: func() time.Time { return at }}
	res, err := h.Handle(context.Background(), request(id))
	if err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("%d %s %v", res.StatusCode, res.Body, err)
	}
	var out struct {
		CandidateID string `json:"candidateId"`
		Consents    []view `json:"consents"`
	}
	if err := json.Unmarshal([]byte(res.Body), &out); err != nil || out.CandidateID != id {
		t.Fatalf("%s: %v", res.Body, err)
	}
	m := map[consent.Purpose]view{}
	for _, v := range out.Consents {
		m[v.Purpose] = v
	}
	return m
}

// Each purpose shows its state and DPV term, the request behind it and
// where that request stands: answered, or closed unanswered, or failed
// with the failed step's error.
func TestEachPurposeShowsItsStateAndItsRequest(t *testing.T) {
	ctx := context.Background()
	s, _ := storetest.New(t)
	id := registered(t, s)
	given := ask(t, s, id, now, consent.TalentPool)
	if _, err := s.RecordDecision(ctx, given, []consent.Decision{{Purpose: consent.TalentPool, Grant: true}}, consent.Evidence{Language: "en"}, now.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	failed := ask(t, s, id, now, consent.InterviewRecording)
	if _, _, err := s.ExpireRequest(ctx, failed.ID, consent.ReasonFailed, workflow.MailRejected, now.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	pending := ask(t, s, id, now.Add(2*time.Hour), consent.CallRecording)

	got := list(t, s, id, now.Add(3*time.Hour))
	if len(got) != 3 {
		t.Fatalf("listed %+v, want three purposes", got)
	}
	tp := got[consent.TalentPool]
	if tp.State != consent.Given || tp.DPV != "dpv:ConsentGiven" || tp.RequestID != given.ID || tp.NoticeVersion != policy.NoticeVersion ||
		tp.ExpiresAt == nil || tp.Request.Status != consent.Answered || tp.Request.Reason != "" {
		t.Errorf("talent pool: %+v", tp)
	}
	ir := got[consent.InterviewRecording]
	if ir.State != consent.Expired || ir.DPV != "dpv:ConsentExpired" || ir.RequestID != failed.ID ||
		ir.Request.Status != consent.Lapsed || ir.Request.Reason != consent.ReasonFailed || ir.Request.Failure != workflow.MailRejected {
		t.Errorf("interview recording: %+v, want expired with the failed step's error", ir)
	}
	cr := got[consent.CallRecording]
	if cr.State != consent.Requested || cr.DPV != "dpv:ConsentRequested" || cr.RequestID != pending.ID || cr.Request.Status != consent.Pending {
		t.Errorf("call recording: %+v", cr)
	}
}

// The state is the one at the time of asking: a given consent past its
// retention is expired, although nothing was written since.
func TestGivenConsentPastItsRetentionShowsExpired(t *testing.T) {
	ctx := context.Background()
	s, _ := storetest.New(t)
	id := registered(t, s)
	req := ask(t, s, id, now, consent.TalentPool)
	if _, err := s.RecordDecision(ctx, req, []consent.Decision{{Purpose: consent.TalentPool, Grant: true}}, consent.Evidence{Language: "en"}, now); err != nil {
		t.Fatal(err)
	}
	before := list(t, s, id, now.Add(729*24*time.Hour))[consent.TalentPool]
	after := list(t, s, id, now.Add(731*24*time.Hour))[consent.TalentPool]
	if before.State != consent.Given || after.State != consent.Expired || after.DPV != "dpv:ConsentExpired" {
		t.Fatalf("a day before its end %s, a day after %s (%s), want given then expired", before.State, after.State, after.DPV)
	}
	if stored, err := s.Consents(ctx, id); err != nil || stored[0].State != consent.Given {
		t.Fatalf("listing changed the stored consent: %+v %v", stored, err)
	}
}

// A candidate never asked has an empty list (not null).
func TestNeverAskedIsAnEmptyList(t *testing.T) {
	s, _ := storetest.New(t)
	id := registered(t, s)
	h := &Handler{Store: s, Log: slog.New(slog.DiscardHandler), Now: func() time.Time { return now }}
	res, err := h.Handle(context.Background(), request(id))
	if err != nil || res.StatusCode != http.StatusOK || res.Body != `{"candidateId":"`+id+`","consents":[]}` {
		t.Fatalf("%d %s %v", res.StatusCode, res.Body, err)
	}
}

func TestListConsentsErrors(t *testing.T) {
	ctx := context.Background()
	s, _ := storetest.New(t)
	id := registered(t, s)
	gone := storetest.Erased(t, s, now)
	noToken := request(id)
	noToken.RequestContext = events.APIGatewayV2HTTPRequestContext{}
	h := &Handler{Store: s, Log: slog.New(slog.DiscardHandler), Now: func() time.Time { return now }}
	for name, tc := range map[string]struct {
		req    httpapi.Request
		status int
		slug   string
	}{
		"no recruiter's token": {noToken, http.StatusUnauthorized, "unauthorized"},
		"not a candidate id":   {request("../x"), http.StatusNotFound, "not-found"},
		"unknown candidate":    {request(consent.NewID()), http.StatusNotFound, "not-found"},
		"erased candidate":     {request(gone), http.StatusGone, "erased"},
	} {
		res, err := h.Handle(ctx, tc.req)
		var p httpapi.Problem
		json.Unmarshal([]byte(res.Body), &p)
		if err != nil || res.StatusCode != tc.status || p.Type != httpapi.ProblemType(tc.slug) {
			t.Errorf("%s: %d %s %v, want %d %s", name, res.StatusCode, res.Body, err, tc.status, tc.slug)
		}
	}
}
