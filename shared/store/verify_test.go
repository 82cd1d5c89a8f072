package store

import (
	"testing"
	"time"

	"github.com/consentflow/consentflow/shared/consent"
)

func chain(n int) []consent.Event {
	var out []consent.Event
	prev := ""
	for i := range n {
		e := consent.Event{ID: consent.NewID(), CandidateID: "c1", Type: consent.EventGiven, At: time.Date(2026, 12, 2, 9, i, 0, 0, time.UTC)}.Seal(int64(i+1), prev)
		prev = e.Hash
		out = append(out, e)
	}
	return out
}

// A trail read while a change commits has events past the seq the profile
// named when it was read: that is not a broken chain. A missing tail, or a
// later event that does not link, is.
func TestTheChainIsAnchoredAtTheProfilesSeq(t *testing.T) {
	events := chain(4)
	if v := verify(events, candidateItem{Seq: 3, Head: events[2].Hash}); !v.Intact || v.Events != 4 {
		t.Fatalf("an event committed after the profile was read: %+v", v)
	}
	if v := verify(events[:3], candidateItem{Seq: 4, Head: events[3].Hash}); v.Intact || v.BrokenAt != 4 {
		t.Fatalf("a removed tail: %+v", v)
	}
	if v := verify(events, candidateItem{Seq: 3, Head: events[1].Hash}); v.Intact {
		t.Fatalf("a head that is not the event at the profile's seq: %+v", v)
	}
	tampered := append([]consent.Event(nil), events...)
	tampered[3].Reason = "changed"
	if v := verify(tampered, candidateItem{Seq: 3, Head: events[2].Hash}); v.Intact || v.BrokenAt != 4 {
		t.Fatalf("a later event that was changed: %+v", v)
	}
}
