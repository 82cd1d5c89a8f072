package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/consentflow/consentflow/shared/consent"
)

// An email of an execution is claimed once: a second claim fails while the
// first stands or after it was sent, and succeeds after a release; other
// executions and recipients are claimed on their own.
func TestANoticeIsClaimedOnce(t *testing.T) {
	s, _ := newStore(t)
	ctx, at, cid := context.Background(), time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC), consent.NewID()
	claim := func(exec, role string, want bool) {
		t.Helper()
		if got, err := s.ClaimNotice(ctx, cid, exec, role, at); err != nil || got != want {
			t.Fatalf("claim %s/%s: %v %v, want %v", exec, role, got, err, want)
		}
	}
	claim("erase-1", "candidate", true)
	claim("erase-1", "candidate", false)
	claim("erase-1", "team", true)
	claim("erase-2", "candidate", true)
	if err := s.ReleaseNotice(ctx, cid, "erase-1", "team"); err != nil {
		t.Fatal(err)
	}
	claim("erase-1", "team", true)
	if err := s.NoticeSent(ctx, cid, "erase-1", "team", "msg-1", at); err != nil {
		t.Fatal(err)
	}
	// Settled: a late release changes nothing, and it stays claimed.
	if err := s.ReleaseNotice(ctx, cid, "erase-1", "team"); err != nil {
		t.Fatal(err)
	}
	claim("erase-1", "team", false)
}
