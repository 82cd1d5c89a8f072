package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/consentflow/consentflow/shared/consent"
	"github.com/consentflow/consentflow/shared/store"
)

// renewals lists every consent of every shard whose renewal is due by
// until, through the index, by candidate.
func renewals(t *testing.T, s *store.Store, until time.Time) map[string]store.Renewal {
	t.Helper()
	out := map[string]store.Renewal{}
	for shard := range store.RenewalShards {
		var start map[string]types.AttributeValue
		for {
			items, next, err := s.RenewalsDue(context.Background(), shard, until, 2, start)
			if err != nil {
				t.Fatal(err)
			}
			for _, it := range items {
				out[it.CandidateID] = it
			}
			if next == nil {
				break
			}
			start = next
		}
	}
	return out
}

// requestAt records a talent-pool request made at at.
func requestAt(t *testing.T, s *store.Store, c consent.Candidate, at time.Time) consent.Request {
	t.Helper()
	req := policy.NewRequest(consent.NewID(), c.ID, "recruiter-1", []consent.Purpose{consent.TalentPool}, at)
	if _, err := s.RecordRequest(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	return req
}

func TestGivenTalentPoolConsentIsInTheRenewalIndexAndAWithdrawnOneIsNot(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	c := candidate(t, s)
	req, _ := linked(t, s, c, consent.TalentPool, consent.InterviewRecording)
	answeredAt := t0.Add(time.Hour)
	if _, err := s.RecordDecision(ctx, req, []consent.Decision{{Purpose: consent.TalentPool, Grant: true}, {Purpose: consent.InterviewRecording, Grant: true}},
		consent.Evidence{}, answeredAt); err != nil {
		t.Fatal(err)
	}
	expires := answeredAt.Add(730 * 24 * time.Hour)
	renewAt := expires.Add(-store.RenewalLead)
	if got := renewals(t, s, renewAt.Add(-time.Second)); len(got) != 0 {
		t.Fatalf("renewal due a second early: %+v", got)
	}
	got := renewals(t, s, renewAt)
	r, ok := got[c.ID]
	if len(got) != 1 || !ok || r.Purpose != consent.TalentPool || !r.ExpiresAt.Equal(expires) || !r.RenewAt.Equal(renewAt) {
		t.Fatalf("renewals due at %v: %+v; want the talent pool only, expiring %v", renewAt, got, expires)
	}

	// The reminder is on its way: the keys go, once.
	if removed, err := s.RenewalRequested(ctx, r); err != nil || !removed {
		t.Fatalf("renewal requested: %v %v", removed, err)
	}
	if got := renewals(t, s, expires); len(got) != 0 {
		t.Fatalf("still in the index after the reminder: %+v", got)
	}
	if removed, err := s.RenewalRequested(ctx, r); err != nil || removed {
		t.Fatalf("second removal: %v %v; want nothing removed", removed, err)
	}

	// The candidate renews: the new expiry is in the index. Then withdraws:
	// it is not.
	renewedAt := renewAt.Add(time.Hour)
	req = requestAt(t, s, c, renewedAt)
	if _, err := s.RecordDecision(ctx, req, []consent.Decision{{Purpose: consent.TalentPool, Grant: true}}, consent.Evidence{}, renewedAt); err != nil {
		t.Fatal(err)
	}
	far := renewedAt.Add(10 * 365 * 24 * time.Hour)
	if r := renewals(t, s, far)[c.ID]; !r.ExpiresAt.Equal(renewedAt.Add(730 * 24 * time.Hour)) {
		t.Fatalf("renewed consent in the index: %+v", r)
	}
	// A reminder of the old expiry, late, removes nothing.
	if removed, err := s.RenewalRequested(ctx, store.Renewal{CandidateID: c.ID, Purpose: consent.TalentPool, ExpiresAt: expires}); err != nil || removed {
		t.Fatalf("stale removal: %v %v; want nothing removed", removed, err)
	}
	req = requestAt(t, s, c, renewedAt)
	if _, err := s.RecordDecision(ctx, req, []consent.Decision{{Purpose: consent.TalentPool, Grant: false}}, consent.Evidence{}, renewedAt.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if got := states(t, s, c.ID); got[consent.TalentPool] != consent.Withdrawn {
		t.Fatalf("states %v, want talent pool withdrawn", got)
	}
	if got := renewals(t, s, far); len(got) != 0 {
		t.Fatalf("withdrawn consent in the renewal index: %+v", got)
	}
}

func TestARenewalRequestKeepsWhatItRenews(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	c := candidate(t, s)
	until := t0.Add(30 * 24 * time.Hour)
	req := policy.NewRequest(consent.NewID(), c.ID, consent.ActorWorkflow, []consent.Purpose{consent.TalentPool}, t0)
	req.RenewsUntil = &until
	if _, err := s.RecordRequest(ctx, req); err != nil {
		t.Fatal(err)
	}
	got, err := s.Request(ctx, req.ID)
	if err != nil || got.RenewsUntil == nil || !got.RenewsUntil.Equal(until) {
		t.Fatalf("stored request %+v, %v; want it to renew consent until %v", got, err, until)
	}
}
