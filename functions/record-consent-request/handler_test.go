package main

import (
	"context"
	"errors"
	"log/slog"
	"testing"
	"time"

	"github.com/consentflow/consentflow/shared/consent"
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

// registered stores one candidate on a fresh local table.
func registered(t *testing.T) (*store.Store, string) {
	t.Helper()
	s, _ := storetest.New(t)
	return s, storetest.Candidate(t, s, now.Add(-time.Hour)).ID
}

func handler(s *store.Store, at time.Time) *Handler {
	return &Handler{Store: s, Policy: policy, Log: slog.New(slog.DiscardHandler), Now: func() time.Time { return at }}
}

// The request is stored under the deployment's notice with each purpose
// requested and a "requested" event per purpose; the workflow waits until
// the link expires.
func TestTheRequestIsRecordedAndTheWorkflowWaitsForTheLink(t *testing.T) {
	s, id := registered(t)
	ctx := context.Background()
	rid := consent.NewID()
	in := Input{RequestID: rid, CandidateID: id, Purposes: []string{"talent_pool", "interview_recording"}, RequestedBy: "recruiter-1"}
	out, err := handler(s, now).Handle(ctx, in)
	if err != nil || out.AnswerWithinSeconds != int64(policy.LinkValidity/time.Second) {
		t.Fatalf("%+v %v, want the link's %v", out, err, policy.LinkValidity)
	}
	req, err := s.Request(ctx, rid)
	if err != nil || req.Status != consent.Pending || req.CandidateID != id || req.RequestedBy != "recruiter-1" ||
		req.NoticeVersion != policy.NoticeVersion || req.Controller != policy.Controller || !req.ExpiresAt.Equal(now.Add(policy.LinkValidity)) || req.RenewsUntil != nil {
		t.Fatalf("stored %+v %v", req, err)
	}
	consents, err := s.Consents(ctx, id)
	if err != nil || len(consents) != 2 {
		t.Fatalf("consents %+v %v", consents, err)
	}
	for _, c := range consents {
		if c.State != consent.Requested || c.RequestID != rid {
			t.Errorf("consent %+v, want requested by %s", c, rid)
		}
	}
	if evs := storetest.EventsOf(t, s, id, consent.EventRequested); len(evs) != 2 || evs[0].Actor != "recruiter-1" || evs[0].RequestID != rid {
		t.Fatalf("events %+v, want one requested per purpose", evs)
	}
}

// A retried step (Lambda retries, a redriven execution) records nothing
// twice and waits only until the first recording's link expires.
func TestARetryRecordsOnceAndKeepsTheFirstDeadline(t *testing.T) {
	s, id := registered(t)
	ctx := context.Background()
	in := Input{RequestID: consent.NewID(), CandidateID: id, Purposes: []string{"talent_pool"}, RequestedBy: "recruiter-1"}
	if _, err := handler(s, now).Handle(ctx, in); err != nil {
		t.Fatal(err)
	}
	out, err := handler(s, now.Add(time.Hour)).Handle(ctx, in)
	if want := int64((policy.LinkValidity - time.Hour) / time.Second); err != nil || out.AnswerWithinSeconds != want {
		t.Fatalf("retry an hour later: %+v %v, want %d seconds", out, err, want)
	}
	if evs := storetest.EventsOf(t, s, id, consent.EventRequested); len(evs) != 1 {
		t.Fatalf("%d requested events after a retry, want 1", len(evs))
	}
	req, err := s.Request(ctx, in.RequestID)
	if err != nil || !req.CreatedAt.Equal(now) {
		t.Fatalf("the retry changed the request: %+v %v", req, err)
	}
	// Retried after the link expired: the wait is over at once (at least a
	// second, which Step Functions accepts).
	if out, err := handler(s, now.Add(policy.LinkValidity+time.Hour)).Handle(ctx, in); err != nil || out.AnswerWithinSeconds != 1 {
		t.Fatalf("retry after the link expired: %+v %v, want 1 second", out, err)
	}
}

// Only consent to the talent pool is renewed; a renewal keeps when the
// consent it renews runs out.
func TestOnlyTheTalentPoolIsRenewed(t *testing.T) {
	s, id := registered(t)
	ctx := context.Background()
	until := now.Add(14 * 24 * time.Hour)
	in := Input{RequestID: consent.NewID(), CandidateID: id, Purposes: []string{"talent_pool"}, RequestedBy: consent.ActorWorkflow, RenewsUntil: &until}
	if _, err := handler(s, now).Handle(ctx, in); err != nil {
		t.Fatal(err)
	}
	if req, err := s.Request(ctx, in.RequestID); err != nil || req.RenewsUntil == nil || !req.RenewsUntil.Equal(until) {
		t.Fatalf("renewal stored %+v %v", req, err)
	}
	rec := Input{RequestID: consent.NewID(), CandidateID: id, Purposes: []string{"talent_pool", "interview_recording"}, RenewsUntil: &until}
	if _, err := handler(s, now).Handle(ctx, rec); workflow.ErrorName(err) != workflow.InvalidInput {
		t.Fatalf("renewing a recording consent: %v, want %s", err, workflow.InvalidInput)
	}
	if _, err := s.Request(ctx, rec.RequestID); !errors.As(err, new(*consent.NotFoundError)) {
		t.Fatalf("the refused renewal was stored (%v)", err)
	}
}

func TestRecordRequestNamesItsErrors(t *testing.T) {
	s, id := registered(t)
	ctx := context.Background()
	gone, err := consent.NewCandidate("Gone", "gone@example.com", "en", now.Add(-time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.CreateCandidate(ctx, gone, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := s.RequestErasure(ctx, gone.ID, "candidate_request", "recruiter-1", "email", now.Add(-time.Minute)); err != nil {
		t.Fatal(err)
	}
	for name, tc := range map[string]struct {
		in   Input
		want string
	}{
		"no request id":     {Input{CandidateID: id, Purposes: []string{"talent_pool"}}, workflow.InvalidInput},
		"no candidate id":   {Input{RequestID: consent.NewID(), Purposes: []string{"talent_pool"}}, workflow.InvalidInput},
		"no purpose":        {Input{RequestID: consent.NewID(), CandidateID: id}, workflow.InvalidInput},
		"unknown purpose":   {Input{RequestID: consent.NewID(), CandidateID: id, Purposes: []string{"newsletter"}}, workflow.InvalidInput},
		"purpose twice":     {Input{RequestID: consent.NewID(), CandidateID: id, Purposes: []string{"talent_pool", "talent_pool"}}, workflow.InvalidInput},
		"unknown candidate": {Input{RequestID: consent.NewID(), CandidateID: consent.NewID(), Purposes: []string{"talent_pool"}}, workflow.NotFound},
		"erased candidate":  {Input{RequestID: consent.NewID(), CandidateID: gone.ID, Purposes: []string{"talent_pool"}}, workflow.Gone},
	} {
		if _, err := handler(s, now).Handle(ctx, tc.in); workflow.ErrorName(err) != tc.want {
			t.Errorf("%s: %v, want %s", name, err, tc.want)
		}
	}
	if c, err := s.Consents(ctx, id); err != nil || len(c) != 0 {
		t.Fatalf("a refused step recorded %+v (%v)", c, err)
	}
}
