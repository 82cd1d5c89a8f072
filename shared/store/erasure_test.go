package store_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/consentflow/consentflow/shared/consent"
	"github.com/consentflow/consentflow/shared/store/storetest"
)

// TestErasingEverythingLeavesNoNameEmailOrNote: a request to erase
// everything freezes the candidate and makes every artifact due; once the
// artifacts are erased, the profile goes with the recruiters' notes, and
// only the pseudonymous trail, still verifying, is left.
func TestErasingEverythingLeavesNoNameEmailOrNote(t *testing.T) {
	s, db := newStore(t)
	ctx := context.Background()
	c := candidate(t, s)
	app := consent.Application{ID: consent.NewID(), CandidateID: c.ID, Position: "Engineer", Status: consent.ApplicationOpen, OpenedAt: t0}
	if err := s.OpenApplication(ctx, app, "recruiter-1"); err != nil {
		t.Fatal(err)
	}
	doc := cv(t, s, c, app.ID, t0.Add(time.Hour))
	req, _ := linked(t, s, c, consent.TalentPool)
	if _, err := s.RecordDecision(ctx, req, []consent.Decision{{Purpose: consent.TalentPool, Grant: true}}, consent.Evidence{}, t0.Add(2*time.Hour)); err != nil {
		t.Fatal(err)
	}
	note := "Ada Lovelace phoned from ada@example.com"
	if _, err := s.Withdraw(ctx, c.ID, consent.TalentPool, "phone", note, "recruiter-1", t0.Add(3*time.Hour)); err != nil {
		t.Fatal(err)
	}

	at := t0.Add(4 * time.Hour)
	r, err := s.RequestErasure(ctx, c.ID, "candidate_request", "recruiter-1", "recruiter", at)
	if err != nil {
		t.Fatalf("request erasure: %v", err)
	}
	if !r.Recorded || len(r.Due) != 1 || r.Due[0].ArtifactID != doc.ID || !r.Deadline.Equal(at.AddDate(0, 1, 0)) {
		t.Fatalf("request: %+v", r)
	}
	if _, err := s.Withdraw(ctx, c.ID, consent.TalentPool, "phone", "", "recruiter-1", at); !errors.As(err, new(*consent.GoneError)) {
		t.Fatalf("a change after the request: %v, want Gone", err)
	}
	if again, err := s.RequestErasure(ctx, c.ID, "objection", "recruiter-1", "recruiter", at.Add(time.Hour)); err != nil || again.Recorded || !again.RequestedAt.Equal(at) {
		t.Fatalf("second request: %+v %v, want the first", again, err)
	}
	if _, err := s.EraseProfile(ctx, c.ID, at); !errors.As(err, new(*consent.ConflictError)) {
		t.Fatalf("erasing the profile before its CV: %v, want Conflict", err)
	}

	b, err := s.BeginErasure(ctx, c.ID, doc.ID, consent.ErasureRequested, at)
	if err != nil || !b.Erase {
		t.Fatalf("begin: %+v %v", b, err)
	}
	if done, err := s.CompleteErasure(ctx, c.ID, doc.ID, []string{"v1"}, policy.NoticeVersion, at.Add(time.Minute)); err != nil || !done {
		t.Fatalf("complete: %v %v", done, err)
	}
	if done, err := s.EraseProfile(ctx, c.ID, at.Add(2*time.Minute)); err != nil || !done {
		t.Fatalf("erase profile: %v %v", done, err)
	}
	if done, err := s.EraseProfile(ctx, c.ID, at.Add(3*time.Minute)); err != nil || done {
		t.Fatalf("a repeated step: %v %v, want false", done, err)
	}

	for _, table := range []string{storetest.Table, storetest.Audit} {
		out, err := db.Scan(ctx, &dynamodb.ScanInput{TableName: aws.String(table)})
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range out.Items {
			j, _ := json.Marshal(it)
			if s := string(j); strings.Contains(s, "ada@example.com") || strings.Contains(s, "Ada Lovelace") {
				t.Fatalf("%s still holds the candidate: %s", table, s)
			}
		}
	}
	trail, err := s.AuditTrail(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !trail.Verification.Intact || trail.Events[len(trail.Events)-1].Type != consent.EventProfileErased {
		t.Fatalf("trail: %+v, last %s", trail.Verification, trail.Events[len(trail.Events)-1].Type)
	}
	if r, ok, err := s.Erasure(ctx, c.ID); err != nil || !ok || r.DoneAt == nil {
		t.Fatalf("the request after the profile: %+v %v %v, want done", r, ok, err)
	}
	if open, err := s.OpenErasures(ctx, at.AddDate(1, 0, 0), 10); err != nil || len(open) != 0 {
		t.Fatalf("open erasures after the profile: %+v %v", open, err)
	}
}
