package main

import (
	"context"
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
	later  = now.Add(31 * 24 * time.Hour)
	policy = consent.Policy{
		Controller: "ACME s.r.o.", ControllerContact: "privacy@acme.example", NoticeVersion: "2026-11-01",
		NoticeURL: "https://acme.example/privacy", PublicBaseURL: "https://consent.acme.example", LinkValidity: 30 * 24 * time.Hour,
		Retention: map[consent.Purpose]time.Duration{consent.TalentPool: 730 * 24 * time.Hour, consent.InterviewRecording: 180 * 24 * time.Hour},
	}
)

// asked stores a candidate and a pending request about the given purposes,
// on a fresh local table.
func asked(t *testing.T, purposes ...consent.Purpose) (*store.Store, consent.Request) {
	t.Helper()
	ctx := context.Background()
	s, _ := storetest.New(t)
	c, err := consent.NewCandidate("Ada Lovelace", "ada@example.com", "en", now.Add(-time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.CreateCandidate(ctx, c, ""); err != nil {
		t.Fatal(err)
	}
	return s, ask(t, s, c.ID, now, purposes...)
}

func ask(t *testing.T, s *store.Store, candidateID string, at time.Time, purposes ...consent.Purpose) consent.Request {
	t.Helper()
	req := policy.NewRequest(consent.NewID(), candidateID, "recruiter-1", purposes, at)
	if _, err := s.RecordRequest(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	return req
}

func handler(s *store.Store) *Handler {
	return &Handler{Store: s, Log: slog.New(slog.DiscardHandler), Now: func() time.Time { return later }}
}

// An unanswered request closes as unanswered: the request and each consent
// it left requested expire, with an "expired" event per purpose by the
// workflow. A retried step expires nothing twice.
func TestAnUnansweredRequestExpiresOnce(t *testing.T) {
	s, req := asked(t, consent.TalentPool, consent.InterviewRecording)
	ctx := context.Background()
	out, err := handler(s).Handle(ctx, Input{RequestID: req.ID})
	if err != nil || !out.Expired || out.Status != consent.Lapsed {
		t.Fatalf("%+v %v", out, err)
	}
	stored, err := s.Request(ctx, req.ID)
	if err != nil || stored.Status != consent.Lapsed || stored.Reason != consent.ReasonUnanswered || stored.Failure != "" {
		t.Fatalf("stored %+v %v", stored, err)
	}
	consents, err := s.Consents(ctx, req.CandidateID)
	if err != nil || len(consents) != 2 {
		t.Fatalf("consents %+v %v", consents, err)
	}
	for _, c := range consents {
		if c.State != consent.Expired || !c.UpdatedAt.Equal(later) {
			t.Errorf("consent %+v, want expired at %v", c, later)
		}
	}
	evs := storetest.EventsOf(t, s, req.CandidateID, consent.EventExpired)
	if len(evs) != 2 {
		t.Fatalf("events %+v, want one expired per purpose", evs)
	}
	for _, e := range evs {
		if e.Actor != consent.ActorWorkflow || e.Reason != consent.ReasonUnanswered || e.RequestID != req.ID || e.ConsentUnchanged {
			t.Errorf("event %+v", e)
		}
	}

	again, err := handler(s).Handle(ctx, Input{RequestID: req.ID, Reason: consent.ReasonUnanswered})
	if err != nil || again.Expired || again.Status != consent.Lapsed {
		t.Fatalf("retry: %+v %v, want expired before", again, err)
	}
	if evs := storetest.EventsOf(t, s, req.CandidateID, consent.EventExpired); len(evs) != 2 {
		t.Fatalf("%d expired events after a retry, want 2", len(evs))
	}
}

// A request a step gave up on closes as failed, keeping the step's error
// for the recruiter.
func TestAFailedRequestKeepsTheStepsError(t *testing.T) {
	s, req := asked(t, consent.TalentPool)
	ctx := context.Background()
	out, err := handler(s).Handle(ctx, Input{RequestID: req.ID, Reason: consent.ReasonFailed, Failure: workflow.MailRejected})
	if err != nil || !out.Expired {
		t.Fatalf("%+v %v", out, err)
	}
	stored, err := s.Request(ctx, req.ID)
	if err != nil || stored.Reason != consent.ReasonFailed || stored.Failure != workflow.MailRejected {
		t.Fatalf("stored %+v %v", stored, err)
	}
	if evs := storetest.EventsOf(t, s, req.CandidateID, consent.EventExpired); len(evs) != 1 || evs[0].Reason != consent.ReasonFailed {
		t.Fatalf("events %+v", evs)
	}
}

// A request the candidate answered although the workflow never heard of
// it stays answered (the workflow can still send the receipt), and the
// consent given stays given.
func TestAnAnsweredRequestIsLeftAsItIs(t *testing.T) {
	s, req := asked(t, consent.TalentPool)
	ctx := context.Background()
	if _, err := s.RecordDecision(ctx, req, []consent.Decision{{Purpose: consent.TalentPool, Grant: true}}, consent.Evidence{Language: "en"}, now.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	out, err := handler(s).Handle(ctx, Input{RequestID: req.ID})
	if err != nil || out.Expired || out.Status != consent.Answered {
		t.Fatalf("%+v %v, want answered and not expired", out, err)
	}
	if c, err := s.Consents(ctx, req.CandidateID); err != nil || len(c) != 1 || c[0].State != consent.Given {
		t.Fatalf("consents %+v %v, want given", c, err)
	}
	if evs := storetest.EventsOf(t, s, req.CandidateID, consent.EventExpired); len(evs) != 0 {
		t.Fatalf("events %+v, want none", evs)
	}
}

// A consent asked again by a later request belongs to that request: the
// older request closes, and its event says the consent was not affected.
func TestALaterRequestKeepsItsConsent(t *testing.T) {
	s, first := asked(t, consent.TalentPool)
	ctx := context.Background()
	second := ask(t, s, first.CandidateID, now.Add(24*time.Hour), consent.TalentPool)
	out, err := handler(s).Handle(ctx, Input{RequestID: first.ID})
	if err != nil || !out.Expired {
		t.Fatalf("%+v %v", out, err)
	}
	if c, err := s.Consents(ctx, first.CandidateID); err != nil || len(c) != 1 || c[0].State != consent.Requested || c[0].RequestID != second.ID {
		t.Fatalf("consents %+v %v, want still requested by the later request", c, err)
	}
	evs := storetest.EventsOf(t, s, first.CandidateID, consent.EventExpired)
	if len(evs) != 1 || !evs[0].ConsentUnchanged || evs[0].ConsentRequestID != second.ID || evs[0].ConsentState != consent.Requested {
		t.Fatalf("events %+v, want one marked unchanged", evs)
	}
}

func TestExpireRequestNamesItsErrors(t *testing.T) {
	s, req := asked(t, consent.TalentPool)
	ctx := context.Background()
	for name, tc := range map[string]struct {
		in   Input
		want string
	}{
		"no request id":   {Input{}, workflow.InvalidInput},
		"unknown reason":  {Input{RequestID: req.ID, Reason: "bored"}, workflow.InvalidInput},
		"unknown request": {Input{RequestID: consent.NewID()}, workflow.NotFound},
	} {
		if _, err := handler(s).Handle(ctx, tc.in); workflow.ErrorName(err) != tc.want {
			t.Errorf("%s: %v, want %s", name, err, tc.want)
		}
	}
	if stored, err := s.Request(ctx, req.ID); err != nil || stored.Status != consent.Pending {
		t.Fatalf("a refused step closed the request: %+v %v", stored, err)
	}
	// The candidate asked to be erased meanwhile: nothing changes any
	// more, and the step is not retried.
	if _, err := s.RequestErasure(ctx, req.CandidateID, "candidate_request", "recruiter-1", "email", now.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if _, err := handler(s).Handle(ctx, Input{RequestID: req.ID}); workflow.ErrorName(err) != workflow.Gone {
		t.Fatalf("erased candidate: %v, want %s", err, workflow.Gone)
	}
}
