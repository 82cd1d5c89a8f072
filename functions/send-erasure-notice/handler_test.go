package main

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/consentflow/consentflow/shared/consent"
	"github.com/consentflow/consentflow/shared/mail"
	"github.com/consentflow/consentflow/shared/workflow"
)

var at = time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC)

type fakeStore struct{ artifacts map[string]consent.Artifact }

func (f fakeStore) Candidate(_ context.Context, id string) (consent.Candidate, error) {
	return consent.Candidate{ID: id, Name: "Ada", Email: "ada@example.com", Locale: "en"}, nil
}

func (f fakeStore) MintManageLink(context.Context, string, string, time.Time) error { return nil }

func (f fakeStore) Artifact(_ context.Context, _, id string) (consent.Artifact, error) {
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
	st := fakeStore{artifacts: map[string]consent.Artifact{"REC": {ID: "REC", Kind: consent.KindRecording, ErasedAt: &erased}}}
	m := &fakeMail{}
	h := &Handler{Store: st, Mail: m, Team: "privacy@example.com", Base: "https://app.example", Log: slog.New(slog.DiscardHandler), Now: func() time.Time { return at }}
	cid := consent.NewID()

	out, err := h.Handle(context.Background(), Input{CandidateID: cid, Reason: consent.ErasureWithdrawn,
		Results: []workflow.ErasureResult{{ArtifactID: "REC", Erased: true}, {ArtifactID: "GONE", Erased: false}}})
	if err != nil || len(out.MessageIDs) != 2 || len(m.sent) != 2 || m.sent[0].To != "ada@example.com" || m.sent[1].To != "privacy@example.com" {
		t.Fatalf("erased one: %+v %v, sent %+v", out, err, m.sent)
	}
	if len(m.kinds[0]) != 1 || m.kinds[0][0] != consent.KindRecording {
		t.Fatalf("the candidate is told of %v, want the one recording", m.kinds[0])
	}

	m.sent = nil
	if out, err := h.Handle(context.Background(), Input{CandidateID: cid, Results: []workflow.ErasureResult{{ArtifactID: "REC", Erased: false}}}); err != nil || len(m.sent) != 0 || len(out.MessageIDs) != 0 {
		t.Fatalf("erased nothing: %+v %v, sent %d emails", out, err, len(m.sent))
	}
	if _, err := h.Handle(context.Background(), Input{CandidateID: cid, Full: true, Results: []workflow.ErasureResult{}}); err != nil || len(m.sent) != 2 {
		t.Fatalf("a full erasure with no files: %v, sent %d emails, want 2", err, len(m.sent))
	}
	if _, err := h.Handle(context.Background(), Input{CandidateID: "not an id"}); err == nil {
		t.Fatal("a bad candidate id was accepted")
	}
}
