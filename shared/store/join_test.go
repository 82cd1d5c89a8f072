package store_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/consentflow/consentflow/shared/consent"
	"github.com/consentflow/consentflow/shared/store"
)

// A join link resolves to its pending request while both are valid; it is
// the candidate's, for one purpose, and stored only as its hash.
func TestAJoinLinkResolvesToItsRequestUntilItExpires(t *testing.T) {
	s, _ := newStore(t)
	ctx := context.Background()
	c := candidate(t, s)
	hash := consent.HashLinkToken(consent.NewLinkToken())
	pendingID := consent.NewID()
	l := store.JoinLink{CandidateID: c.ID, RequestID: pendingID, Purpose: consent.InterviewRecording, IssuedAt: t0, ExpiresAt: t0.Add(2 * time.Hour)}
	if err := s.MintJoinLink(ctx, hash, l); err != nil {
		t.Fatal(err)
	}
	if err := s.MintJoinLink(ctx, hash, l); !errors.As(err, new(*consent.ConflictError)) {
		t.Fatalf("a taken hash: %v, want ConflictError", err)
	}
	// Not recorded yet by its workflow: try again.
	if _, err := s.JoinByLink(ctx, hash, t0); !errors.Is(err, store.ErrRequestNotRecorded) || !errors.As(err, new(*store.UnavailableError)) {
		t.Fatalf("before the request is recorded: %v", err)
	}
	req := policy.NewRequest(pendingID, c.ID, "recruiter-1", []consent.Purpose{consent.InterviewRecording}, t0)
	if _, err := s.RecordRequest(ctx, req); err != nil {
		t.Fatal(err)
	}
	j, err := s.JoinByLink(ctx, hash, t0.Add(time.Hour))
	if err != nil || j.Request.ID != pendingID || j.Candidate.ID != c.ID || j.Link.Purpose != consent.InterviewRecording || !j.Link.ExpiresAt.Equal(l.ExpiresAt) {
		t.Fatalf("resolved: %+v, %v", j, err)
	}
	if _, err := s.JoinByLink(ctx, hash, t0.Add(2*time.Hour)); !errors.As(err, new(*consent.LinkExpiredError)) {
		t.Errorf("after its hours: %v, want LinkExpiredError", err)
	}
	if _, err := s.JoinByLink(ctx, consent.HashLinkToken(consent.NewLinkToken()), t0); !errors.As(err, new(*consent.NotFoundError)) {
		t.Errorf("an unknown link: %v, want NotFoundError", err)
	}
	if _, err := s.ManageByLink(ctx, hash); !errors.As(err, new(*consent.NotFoundError)) {
		t.Errorf("a join link as a manage link: %v, want NotFoundError", err)
	}
}

// Interviews are in the ask index until asked about, found by the ask time
// (a day before) from the index alone.
func TestScheduledInterviewsAreListedByAskTimeUntilAsked(t *testing.T) {
	s, _ := newStore(t)
	ctx := context.Background()
	c := candidate(t, s)
	iv, err := s.ScheduleInterview(ctx, store.Interview{ID: consent.NewID(), CandidateID: c.ID, At: t0.Add(72 * time.Hour), Reference: "meet-1", ScheduledBy: "r-1", CreatedAt: t0})
	if err != nil || !iv.AskAt.Equal(t0.Add(48*time.Hour)) {
		t.Fatalf("scheduled: %+v, %v", iv, err)
	}
	if _, err := s.ScheduleInterview(ctx, store.Interview{ID: consent.NewID(), CandidateID: consent.NewID(), At: t0}); !errors.As(err, new(*consent.NotFoundError)) {
		t.Errorf("an unknown candidate: %v", err)
	}
	var shard int
	if _, err := fmt.Sscanf(store.AskShard(c.ID), "ASK#%d", &shard); err != nil {
		t.Fatal(err)
	}
	due := func(until time.Time) []store.Interview {
		t.Helper()
		out, _, err := s.InterviewsToAsk(ctx, shard, until, 10, nil)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	if got := due(t0.Add(47 * time.Hour)); len(got) != 0 {
		t.Fatalf("before the ask time: %+v", got)
	}
	got := due(t0.Add(48 * time.Hour))
	if len(got) != 1 || got[0].ID != iv.ID || got[0].CandidateID != c.ID || got[0].ScheduledBy != "r-1" {
		t.Fatalf("at the ask time: %+v", got)
	}
	if err := s.InterviewAsked(ctx, got[0]); err != nil {
		t.Fatal(err)
	}
	if err := s.InterviewAsked(ctx, got[0]); err != nil {
		t.Fatalf("asked twice: %v", err)
	}
	if got := due(t0.Add(100 * time.Hour)); len(got) != 0 {
		t.Fatalf("once asked: %+v", got)
	}
}
