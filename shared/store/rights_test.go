package store_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/consentflow/consentflow/shared/consent"
	"github.com/consentflow/consentflow/shared/store"
)

func TestARestrictionKeepsArtifactsOutOfTheDueIndexUntilLifted(t *testing.T) {
	s, _ := newStore(t)
	ctx := context.Background()
	c := candidate(t, s)
	app := consent.Application{ID: consent.NewID(), CandidateID: c.ID, Position: "Engineer", Status: consent.ApplicationOpen, OpenedAt: t0}
	if err := s.OpenApplication(ctx, app, "recruiter-1"); err != nil {
		t.Fatal(err)
	}
	doc := cv(t, s, c, app.ID, t0.Add(time.Hour))
	if _, err := s.CloseApplication(ctx, c.ID, app.ID, "rejected", "recruiter-1", t0.AddDate(0, 0, 1)); err != nil {
		t.Fatal(err)
	}
	far := t0.AddDate(5, 0, 0)
	if d := due(t, s, far); len(d) != 1 {
		t.Fatalf("a closed application's CV is not due: %v", d)
	}

	r, err := s.Restrict(ctx, c.ID, consent.ActorCandidate, consent.CollectedByWebForm, t0.AddDate(0, 0, 2))
	if err != nil || !r.Recorded || r.Candidate.RestrictedAt == nil {
		t.Fatalf("restrict: %+v %v", r, err)
	}
	if again, err := s.Restrict(ctx, c.ID, "recruiter-1", "email", t0.AddDate(0, 0, 3)); err != nil || again.Recorded {
		t.Fatalf("a second restriction changed something: %+v %v", again, err)
	}
	if d := due(t, s, far); len(d) != 0 {
		t.Fatalf("a restricted candidate's CV is in the due index: %v", d)
	}
	if a, err := s.Artifact(ctx, c.ID, doc.ID); err != nil || a.DeleteBy != nil || a.Status != consent.ArtifactUploaded {
		t.Fatalf("restricted CV: %+v %v", a, err)
	}
	if got, err := s.Candidate(ctx, c.ID); err != nil || got.RestrictedAt == nil {
		t.Fatalf("the profile does not say restricted: %+v %v", got, err)
	}

	// Lifted past the deadline: due at once, and in the index again.
	liftAt := t0.AddDate(1, 0, 0)
	l, err := s.LiftRestriction(ctx, c.ID, "recruiter-1", "email", liftAt)
	if err != nil || !l.Recorded || l.Candidate.RestrictedAt != nil || len(l.Due) != 1 || l.Due[0].ArtifactID != doc.ID {
		t.Fatalf("lift: %+v %v", l, err)
	}
	if d := due(t, s, liftAt); len(d) != 1 {
		t.Fatalf("after the lift the CV is not due: %v", d)
	}
	events := trail(t, s, c.ID)
	if !hasType(events, consent.EventRestricted) || !hasType(events, consent.EventRestrictionLifted) {
		t.Fatalf("events: %+v", events)
	}
}

func TestARectificationEventHoldsOnlyAHashOfTheOldValue(t *testing.T) {
	s, _ := newStore(t)
	ctx := context.Background()
	c := candidate(t, s)
	r, err := s.RequestRectification(ctx, c.ID, "name", "Ada King", t0)
	if err != nil || r.Status != consent.RightsOpen || !r.Deadline.Equal(t0.AddDate(0, 1, 0)) {
		t.Fatalf("request: %+v %v", r, err)
	}
	open, err := s.OpenRights(ctx, store.OpenRectificationsList, t0.AddDate(0, 0, 26), 10)
	if err != nil || len(open) != 1 || open[0].ID != r.ID {
		t.Fatalf("open rectifications: %+v %v", open, err)
	}
	d, err := s.DecideRectification(ctx, c.ID, r.ID, consent.DecisionConfirm, "checked", "recruiter-1", t0.Add(time.Hour))
	if err != nil || !d.Recorded || d.Candidate.Name != "Ada King" || d.Request.Status != consent.RightsConfirmed {
		t.Fatalf("confirm: %+v %v", d, err)
	}
	if got, _ := s.Candidate(ctx, c.ID); got.Name != "Ada King" {
		t.Fatalf("the profile's name is %q", got.Name)
	}
	if _, err := s.DecideRectification(ctx, c.ID, r.ID, consent.DecisionDecline, "no", "recruiter-1", t0.Add(2*time.Hour)); err == nil {
		t.Fatal("a confirmed rectification was declined")
	}
	if open, _ := s.OpenRights(ctx, store.OpenRectificationsList, t0.AddDate(1, 0, 0), 10); len(open) != 0 {
		t.Fatalf("a decided rectification is still open: %+v", open)
	}
	var found bool
	for _, e := range trail(t, s, c.ID) {
		b := string(e.Canonical())
		if strings.Contains(b, c.Name) || strings.Contains(b, "Ada King") {
			t.Fatalf("an event holds a name: %s", b)
		}
		if e.Type == consent.EventRectified {
			found = e.OldValueHash == consent.HashValue(c.Name) && len(e.Fields) == 1 && e.Fields[0] == "name"
		}
	}
	if !found {
		t.Fatal("no rectified event with the old value's hash")
	}
}

func TestAnObjectionWithoutGroundsClosesTheApplication(t *testing.T) {
	s, _ := newStore(t)
	ctx := context.Background()
	c := candidate(t, s)
	app := consent.Application{ID: consent.NewID(), CandidateID: c.ID, Position: "Engineer", Status: consent.ApplicationOpen, OpenedAt: t0}
	if err := s.OpenApplication(ctx, app, "recruiter-1"); err != nil {
		t.Fatal(err)
	}
	doc := cv(t, s, c, app.ID, t0.Add(time.Hour))
	grace := t0.AddDate(0, 0, 30)
	o, err := s.Object(ctx, c.ID, app.ID, t0, grace)
	if err != nil || o.Status != consent.RightsOpen {
		t.Fatalf("object: %+v %v", o, err)
	}
	if open, err := s.OpenRights(ctx, store.OpenObjectionsList, grace.Add(-time.Second), 10); err != nil || len(open) != 0 {
		t.Fatalf("an objection is due before its grace ends: %+v %v", open, err)
	}
	open, err := s.OpenRights(ctx, store.OpenObjectionsList, grace, 10)
	if err != nil || len(open) != 1 {
		t.Fatalf("due objections: %+v %v", open, err)
	}
	d, err := s.UpholdObjection(ctx, c.ID, o.ID, grace)
	if err != nil || !d.Recorded || d.Request.Status != consent.RightsUpheld {
		t.Fatalf("uphold: %+v %v", d, err)
	}
	a, _ := s.Application(ctx, c.ID, app.ID)
	if a.Status != consent.ApplicationClosed || a.Outcome != consent.OutcomeWithdrawn {
		t.Fatalf("application: %+v", a)
	}
	art, _ := s.Artifact(ctx, c.ID, doc.ID)
	if art.DeleteBy == nil || !art.DeleteBy.Equal(grace.AddDate(0, 6, 0)) {
		t.Fatalf("the CV's deadline is %v", art.DeleteBy)
	}
	if _, err := s.RecordCompellingGrounds(ctx, c.ID, o.ID, "late", "recruiter-1", grace.Add(time.Hour)); err == nil {
		t.Fatal("grounds recorded after the application closed")
	}
}

func hasType(events []consent.Event, t consent.EventType) bool {
	for _, e := range events {
		if e.Type == t {
			return true
		}
	}
	return false
}

func trail(t *testing.T, s *store.Store, candidateID string) []consent.Event {
	t.Helper()
	events, err := s.Events(context.Background(), candidateID)
	if err != nil {
		t.Fatal(err)
	}
	return events
}

func TestErasingTheProfileClearsTheValueOfAnOpenRectification(t *testing.T) {
	s, _ := newStore(t)
	ctx := context.Background()
	c := candidate(t, s)
	r, err := s.RequestRectification(ctx, c.ID, "email", "ada.new@example.com", t0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.RequestErasure(ctx, c.ID, "candidate_request", consent.ActorCandidate, consent.CollectedByWebForm, t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if done, err := s.EraseProfile(ctx, c.ID, t0.Add(2*time.Hour)); err != nil || !done {
		t.Fatalf("erase profile: %v %v", done, err)
	}
	got, err := s.RightsRequests(ctx, c.ID)
	if err != nil || len(got) != 1 || got[0].ID != r.ID {
		t.Fatalf("rights requests: %+v %v", got, err)
	}
	if got[0].Value != "" || got[0].Field != "email" {
		t.Errorf("after the erasure the request holds %q (%s)", got[0].Value, got[0].Field)
	}
	if open, err := s.OpenRights(ctx, store.OpenRectificationsList, t0.AddDate(1, 0, 0), 10); err != nil || len(open) != 0 {
		t.Errorf("an erased candidate's rectification is still listed open: %+v %v", open, err)
	}
}
