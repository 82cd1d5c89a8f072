package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/consentflow/consentflow/shared/consent"
	"github.com/consentflow/consentflow/shared/store"
)

// pending lists every artifact of every shard due after after and by
// until, through the due index.
func pending(t *testing.T, s *store.Store, after, until time.Time) map[string]store.PendingErasure {
	t.Helper()
	out := map[string]store.PendingErasure{}
	for shard := range store.DueShards {
		items, next, err := s.DueBetween(context.Background(), shard, after, until, 100, nil)
		if err != nil || next != nil {
			t.Fatalf("shard %d: next %v, err %v", shard, next, err)
		}
		for _, it := range items {
			out[it.ArtifactID] = it
		}
	}
	return out
}

func TestDueBetweenListsWhatIsDueWithinTheWindowOnly(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	c := candidate(t, s)
	app := consent.Application{ID: consent.NewID(), CandidateID: c.ID, Position: "Engineer", Status: consent.ApplicationOpen, OpenedAt: t0}
	if err := s.OpenApplication(ctx, app, "recruiter-1"); err != nil {
		t.Fatal(err)
	}
	doc := cv(t, s, c, app.ID, t0.Add(time.Hour))
	if _, err := s.CloseApplication(ctx, c.ID, app.ID, "rejected", "recruiter-1", t0); err != nil {
		t.Fatal(err)
	}
	deleteBy := t0.AddDate(0, 6, 0)
	week := 7 * 24 * time.Hour
	for _, tt := range []struct {
		name string
		from time.Time
		want bool
	}{
		{"a week before", deleteBy.Add(-week), true},
		{"more than a week before", deleteBy.Add(-week - time.Second), false},
		{"at the deadline (the sweep's, not the digest's)", deleteBy, false},
	} {
		got := pending(t, s, tt.from, tt.from.Add(week))
		p, ok := got[doc.ID]
		if ok != tt.want || len(got) != map[bool]int{true: 1, false: 0}[tt.want] {
			t.Fatalf("%s: %+v", tt.name, got)
		}
		if ok && (p.CandidateID != c.ID || p.Kind != consent.KindCV || !p.DeleteBy.Equal(deleteBy)) {
			t.Fatalf("%s: %+v, want the CV due %v", tt.name, p, deleteBy)
		}
	}
}
