package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/consentflow/consentflow/shared/consent"
	"github.com/consentflow/consentflow/shared/store"
)

// Candidate registers Ada Lovelace (English), created at at.
func Candidate(t testing.TB, s *store.Store, at time.Time) consent.Candidate {
	t.Helper()
	c, err := consent.NewCandidate("Ada Lovelace", "ada@example.com", "en", at)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.CreateCandidate(context.Background(), c, ""); err != nil {
		t.Fatal(err)
	}
	return c
}

// Erased registers a candidate with nothing stored but the profile and
// erases them completely at at (requested, then the profile erased a
// minute later), and returns their id.
func Erased(t testing.TB, s *store.Store, at time.Time) string {
	t.Helper()
	id := Candidate(t, s, at.Add(-time.Hour)).ID
	ctx := context.Background()
	if _, err := s.RequestErasure(ctx, id, "candidate_request", "recruiter-1", "email", at); err != nil {
		t.Fatal(err)
	}
	if _, err := s.EraseProfile(ctx, id, at.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	return id
}

// EventsOf returns a candidate's audit events of one type, in order.
func EventsOf(t testing.TB, s *store.Store, candidateID string, typ consent.EventType) []consent.Event {
	t.Helper()
	events, err := s.Events(context.Background(), candidateID)
	if err != nil {
		t.Fatal(err)
	}
	var out []consent.Event
	for _, e := range events {
		if e.Type == typ {
			out = append(out, e)
		}
	}
	return out
}
