package main

import (
	"context"
	"errors"
	"log/slog"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/consentflow/consentflow/shared/consent"
	"github.com/consentflow/consentflow/shared/store"
	"github.com/consentflow/consentflow/shared/store/storetest"
	"github.com/consentflow/consentflow/shared/workflow"
)

var (
	now    = time.Date(2026, 12, 2, 15, 0, 0, 0, time.UTC)
	policy = consent.Policy{
		Controller: "ACME s.r.o.", ControllerContact: "privacy@acme.example", NoticeVersion: "2026-11-01",
		NoticeURL: "https://acme.example/privacy", PublicBaseURL: "https://consent.acme.example", LinkValidity: 30 * 24 * time.Hour,
		Retention: map[consent.Purpose]time.Duration{consent.TalentPool: 730 * 24 * time.Hour},
	}
)

// held is a candidate with a CV for an open application, a withdrawal a
// recruiter noted in free text and an open rectification holding the
// email they asked for, on a fresh local table.
type held struct {
	s           *store.Store
	db          *dynamodb.Client
	candidateID string
	cvID        string
}

func hold(t *testing.T) held {
	t.Helper()
	ctx := context.Background()
	s, db := storetest.New(t)
	c, err := consent.NewCandidate("Ada Lovelace", "ada@example.com", "en", now.Add(-48*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.CreateCandidate(ctx, c, "key-1"); err != nil {
		t.Fatal(err)
	}
	at := now.Add(-47 * time.Hour)
	req := policy.NewRequest(consent.NewID(), c.ID, "recruiter-1", []consent.Purpose{consent.TalentPool}, at)
	if _, err := s.RecordRequest(ctx, req); err != nil {
		t.Fatal(err)
	}
	if _, err := s.RecordDecision(ctx, req, []consent.Decision{{Purpose: consent.TalentPool, Grant: true}}, consent.Evidence{Language: "en"}, at.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Withdraw(ctx, c.ID, consent.TalentPool, "phone", "called, upset about the interviewer", "recruiter-1", at.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.RequestRectification(ctx, c.ID, "email", "ada.lovelace@example.com", at.Add(2*time.Hour)); err != nil {
		t.Fatal(err)
	}
	app := consent.Application{ID: consent.NewID(), CandidateID: c.ID, Position: "Backend engineer", Status: consent.ApplicationOpen, OpenedAt: at}
	if err := s.OpenApplication(ctx, app, "recruiter-1"); err != nil {
		t.Fatal(err)
	}
	cv := consent.NewID()
	if _, err := s.AuthorizeCV(ctx, consent.Artifact{ID: cv, CandidateID: c.ID, Kind: consent.KindCV, Status: consent.ArtifactAuthorized,
		Bucket: "cvs", Key: store.ArtifactKey(consent.KindCV, c.ID, cv), ApplicationID: app.ID, ContentType: "application/pdf",
		DeclaredSize: 1000, AuthorizedBy: "recruiter-1", AuthorizedAt: at.Add(3 * time.Hour), UploadExpires: at.Add(3*time.Hour + 15*time.Minute)}); err != nil {
		t.Fatal(err)
	}
	return held{s: s, db: db, candidateID: c.ID, cvID: cv}
}

// eraseCV runs the artifact's own erasure, as the erasure workflow does
// before it erases the profile.
func (h held) eraseCV(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	if _, err := h.s.BeginErasure(ctx, h.candidateID, h.cvID, consent.ErasureRequested, now); err != nil {
		t.Fatal(err)
	}
	if _, err := h.s.CompleteErasure(ctx, h.candidateID, h.cvID, []string{"v1"}, policy.NoticeVersion, now.Add(time.Second)); err != nil {
		t.Fatal(err)
	}
}

func (h held) item(t *testing.T, sk string) map[string]types.AttributeValue {
	t.Helper()
	res, err := h.db.GetItem(context.Background(), &dynamodb.GetItemInput{TableName: aws.String(storetest.Table), ConsistentRead: aws.Bool(true),
		Key: map[string]types.AttributeValue{
			"pk": &types.AttributeValueMemberS{Value: "CANDIDATE#" + h.candidateID}, "sk": &types.AttributeValueMemberS{Value: sk},
		}})
	if err != nil || res.Item == nil {
		t.Fatalf("item %s: %v %v", sk, res, err)
	}
	return res.Item
}

func handler(s *store.Store) *Handler {
	return &Handler{Store: s, Log: slog.New(slog.DiscardHandler), Now: func() time.Time { return now.Add(time.Minute) }}
}

// Once every artifact is erased, the profile goes: the candidate is Gone,
// their name, email, idempotency key, the recruiter's note and the value an
// open rectification asked for are removed, and one tombstone is written.
// The repeated step erases nothing twice.
func TestTheProfileIsErasedOnceEveryArtifactIs(t *testing.T) {
	h := hold(t)
	ctx := context.Background()
	if _, err := h.s.RequestErasure(ctx, h.candidateID, "candidate_request", "recruiter-1", "email", now); err != nil {
		t.Fatal(err)
	}
	h.eraseCV(t)
	if _, ok := h.item(t, "CONSENT#talent_pool")["withdrawalNote"]; !ok {
		t.Fatal("the recruiter's note is not stored before the erasure: the test proves nothing")
	}
	if rights, err := h.s.RightsRequests(ctx, h.candidateID); err != nil || len(rights) != 1 || rights[0].Value == "" {
		t.Fatalf("rights before the erasure %+v %v, want the rectification's value", rights, err)
	}
	out, err := handler(h.s).Handle(ctx, Input{CandidateID: h.candidateID})
	if err != nil || !out.Erased {
		t.Fatalf("%+v %v", out, err)
	}
	if _, err := h.s.Candidate(ctx, h.candidateID); !errors.As(err, new(*consent.GoneError)) {
		t.Fatalf("the candidate after the erasure: %v, want Gone", err)
	}
	profile := h.item(t, "PROFILE")
	for _, f := range []string{"name", "email", "idempotencyKey", "manageHash"} {
		if _, ok := profile[f]; ok {
			t.Errorf("the erased profile still holds %s", f)
		}
	}
	if _, ok := profile["erasedAt"]; !ok {
		t.Error("the erased profile has no erasedAt")
	}
	if _, ok := h.item(t, "CONSENT#talent_pool")["withdrawalNote"]; ok {
		t.Error("the recruiter's note of the withdrawal survived the erasure")
	}
	rights, err := h.s.RightsRequests(ctx, h.candidateID)
	if err != nil || len(rights) != 1 || rights[0].Value != "" {
		t.Fatalf("rights %+v %v, want the rectification without its value", rights, err)
	}
	if r, ok, err := h.s.Erasure(ctx, h.candidateID); err != nil || !ok || r.DoneAt == nil || !r.DoneAt.Equal(now.Add(time.Minute)) {
		t.Fatalf("erasure request %+v %v %v, want done", r, ok, err)
	}
	if evs := storetest.EventsOf(t, h.s, h.candidateID, consent.EventProfileErased); len(evs) != 1 || evs[0].Actor != consent.ActorWorkflow || len(evs[0].Fields) == 0 {
		t.Fatalf("tombstones %+v, want one", evs)
	}
	if trail, err := h.s.AuditTrail(ctx, h.candidateID); err != nil || !trail.Verification.Intact {
		t.Fatalf("the audit trail after the erasure: %+v %v, want intact", trail.Verification, err)
	}

	again, err := handler(h.s).Handle(ctx, Input{CandidateID: h.candidateID})
	if err != nil || again.Erased {
		t.Fatalf("repeated step: %+v %v, want nothing erased and no error", again, err)
	}
	if evs := storetest.EventsOf(t, h.s, h.candidateID, consent.EventProfileErased); len(evs) != 1 {
		t.Fatalf("%d tombstones after a repeated step, want 1", len(evs))
	}
}

// The profile stays while an artifact is not erased yet, and a profile
// nobody asked to erase is never erased: both fail the step as Conflict
// (not retried) and change nothing.
func TestTheProfileStaysUntilItsArtifactsAreErased(t *testing.T) {
	h := hold(t)
	ctx := context.Background()
	if _, err := handler(h.s).Handle(ctx, Input{CandidateID: h.candidateID}); workflow.ErrorName(err) != workflow.Conflict {
		t.Fatalf("no erasure asked: %v, want %s", err, workflow.Conflict)
	}
	if c, err := h.s.Candidate(ctx, h.candidateID); err != nil || c.Email != "ada@example.com" {
		t.Fatalf("the candidate nobody asked to erase: %+v %v", c, err)
	}
	if _, err := h.s.RequestErasure(ctx, h.candidateID, "candidate_request", "recruiter-1", "email", now); err != nil {
		t.Fatal(err)
	}
	if _, err := handler(h.s).Handle(ctx, Input{CandidateID: h.candidateID}); workflow.ErrorName(err) != workflow.Conflict {
		t.Fatalf("CV not erased yet: %v, want %s", err, workflow.Conflict)
	}
	if _, ok := h.item(t, "PROFILE")["email"]; !ok {
		t.Fatal("the profile was erased before its CV")
	}
	if evs := storetest.EventsOf(t, h.s, h.candidateID, consent.EventProfileErased); len(evs) != 0 {
		t.Fatalf("tombstones %+v, want none", evs)
	}
}

func TestEraseProfileNamesItsErrors(t *testing.T) {
	s, _ := storetest.New(t)
	for name, tc := range map[string]struct {
		in   Input
		want string
	}{
		"no candidate id":    {Input{}, workflow.InvalidInput},
		"not a candidate id": {Input{CandidateID: "../x"}, workflow.InvalidInput},
		"unknown candidate":  {Input{CandidateID: consent.NewID()}, workflow.NotFound},
	} {
		if _, err := handler(s).Handle(context.Background(), tc.in); workflow.ErrorName(err) != tc.want {
			t.Errorf("%s: %v, want %s", name, err, tc.want)
		}
	}
}
