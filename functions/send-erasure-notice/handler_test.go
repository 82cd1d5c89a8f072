package main

import (
	"context"
	"errors"
	"log/slog"
	"testing"
	"time"

	"github.com/consentflow/consentflow/shared/consent"
	"github.com/consentflow/consentflow/shared/mail"
	"github.com/consentflow/consentflow/shared/store/storetest"
	"github.com/consentflow/consentflow/shared/workflow"
)

var at = time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC)

type fakeStore struct {
	artifacts map[string]consent.Artifact
	claimed   map[string]bool
}

func (f *fakeStore) ClaimNotice(_ context.Context, _, execution, role string, _ time.Time) (bool, error) {
	if f.claimed[execution+"/"+role] {
		return false, nil
	}
	f.claimed[execution+"/"+role] = true
	return true, nil
}

func (f *fakeStore) NoticeSent(context.Context, string, string, string, string, time.Time) error {
	return nil
}

func (f *fakeStore) ReleaseNotice(_ context.Context, _, execution, role string) error {
	delete(f.claimed, execution+"/"+role)
	return nil
}

func (f *fakeStore) Candidate(_ context.Context, id string) (consent.Candidate, error) {
	return consent.Candidate{ID: id, Name: "Ada", Email: "ada@example.com", Locale: "en"}, nil
}

func (f *fakeStore) MintManageLink(context.Context, string, string, time.Time) error { return nil }

func (f *fakeStore) Artifact(_ context.Context, _, id string) (consent.Artifact, error) {
	return f.artifacts[id], nil
}

type fakeMail struct {
	sent  []mail.Message
	kinds [][]consent.ArtifactKind
}

func (f *fakeMail) Erased(c consent.Candidate, kinds []consent.ArtifactKind, _ string, _ bool, _ time.Time, _ string) mail.Message {
	f.kinds = append(f.kinds, kinds)
	return mail.Message{To: c.Email, Subject: "erased"}
}

func (f *fakeMail) ErasureNotice(to, _, _ string, _ []consent.ArtifactKind, _ string, _ bool, _ time.Time) mail.Message {
	return mail.Message{To: to, Subject: "notice"}
}

func (f *fakeMail) Send(_ context.Context, m mail.Message) (string, error) {
	f.sent = append(f.sent, m)
	return "msg-" + m.Subject, nil
}

// The candidate and the team are told about what this execution erased,
// once; an execution that erased nothing sends nothing, unless it erases
// everything (the profile goes next).
func TestNoticesNameWhatThisExecutionErased(t *testing.T) {
	erased := at
	st := &fakeStore{artifacts: map[string]consent.Artifact{"REC": {ID: "REC", Kind: consent.KindRecording, ErasedAt: &erased}}, claimed: map[string]bool{}}
	m := &fakeMail{}
	h := &Handler{Store: st, Mail: m, Team: "privacy@example.com", Base: "https://app.example", Log: slog.New(slog.DiscardHandler), Now: func() time.Time { return at }}
	cid := consent.NewID()

	out, err := h.Handle(context.Background(), Input{Execution: "erase-1", CandidateID: cid, Reason: consent.ErasureWithdrawn,
		Results: []workflow.ErasureResult{{ArtifactID: "REC", Erased: true}, {ArtifactID: "GONE", Erased: false}}})
	if err != nil || len(out.MessageIDs) != 2 || len(m.sent) != 2 || m.sent[0].To != "ada@example.com" || m.sent[1].To != "privacy@example.com" {
		t.Fatalf("erased one: %+v %v, sent %+v", out, err, m.sent)
	}
	if len(m.kinds[0]) != 1 || m.kinds[0][0] != consent.KindRecording {
		t.Fatalf("the candidate is told of %v, want the one recording", m.kinds[0])
	}

	m.sent = nil
	if out, err := h.Handle(context.Background(), Input{Execution: "erase-2", CandidateID: cid, Results: []workflow.ErasureResult{{ArtifactID: "REC", Erased: false}}}); err != nil || len(m.sent) != 0 || len(out.MessageIDs) != 0 {
		t.Fatalf("erased nothing: %+v %v, sent %d emails", out, err, len(m.sent))
	}
	if _, err := h.Handle(context.Background(), Input{Execution: "erase-3", CandidateID: cid, Full: true, Results: []workflow.ErasureResult{}}); err != nil || len(m.sent) != 2 {
		t.Fatalf("a full erasure with no files: %v, sent %d emails, want 2", err, len(m.sent))
	}
	if _, err := h.Handle(context.Background(), Input{Execution: "erase-4", CandidateID: "not an id"}); err == nil {
		t.Fatal("a bad candidate id was accepted")
	}
	if _, err := h.Handle(context.Background(), Input{CandidateID: cid, Full: true}); err == nil {
		t.Fatal("an input without its execution was accepted")
	}
}

// flakyMail fails the send of one subject once, as SES does when it is
// briefly unavailable, and counts what went out.
type flakyMail struct {
	fakeMail
	failOnce string
}

func (f *flakyMail) Send(ctx context.Context, m mail.Message) (string, error) {
	if m.Subject == f.failOnce {
		f.failOnce = ""
		return "", &mail.UnavailableError{Err: errors.New("SES throttled")}
	}
	return f.fakeMail.Send(ctx, m)
}

// The candidate's confirmation went out, the team's notice failed: the
// workflow retries the step, and the retry sends the team's notice only.
// The candidate gets exactly one email, and a third try sends nothing.
func TestARetryAfterAPartialSendSendsEachEmailOnce(t *testing.T) {
	st, _ := storetest.New(t)
	c, _, err := st.CreateCandidate(context.Background(), consent.Candidate{ID: consent.NewID(), Name: "Ada", Email: "ada@example.com", Locale: "en", CreatedAt: at}, "")
	if err != nil {
		t.Fatal(err)
	}
	m := &flakyMail{failOnce: "notice"}
	h := &Handler{Store: st, Mail: m, Team: "privacy@example.com", Base: "https://app.example", Log: slog.New(slog.DiscardHandler), Now: func() time.Time { return at }}
	in := Input{Execution: "erase-all-" + c.ID, CandidateID: c.ID, Reason: consent.ErasureWithdrawn, Full: true, Results: []workflow.ErasureResult{}}

	if _, err := h.Handle(context.Background(), in); err == nil {
		t.Fatal("the team's notice failed, yet the step succeeded")
	}
	for try := 2; try <= 3; try++ {
		if _, err := h.Handle(context.Background(), in); err != nil {
			t.Fatalf("try %d: %v", try, err)
		}
	}
	to := map[string]int{}
	for _, msg := range m.sent {
		to[msg.To]++
	}
	if to["ada@example.com"] != 1 || to["privacy@example.com"] != 1 {
		t.Fatalf("emails sent over three tries: %v, want one to the candidate and one to the team", to)
	}

	// Another execution (a later erasure) tells them again.
	in.Execution = "erase-again-" + c.ID
	if _, err := h.Handle(context.Background(), in); err != nil || len(m.sent) != 4 {
		t.Fatalf("another execution: %v, %d emails in all, want 4", err, len(m.sent))
	}
}
