package main

import (
	"context"
	"log/slog"
	"slices"
	"testing"
	"time"

	"github.com/consentflow/consentflow/shared/consent"
	"github.com/consentflow/consentflow/shared/workflow"
)

// fakeArtifacts erases an erasing artifact once and refuses any other.
type fakeArtifacts struct {
	status   consent.ArtifactStatus
	versions []string
	notice   string
	at       time.Time
}

func (f *fakeArtifacts) CompleteErasure(_ context.Context, _, _ string, versions []string, notice string, at time.Time) (bool, error) {
	switch f.status {
	case consent.ArtifactErased:
		return false, nil
	case consent.ArtifactErasing:
		f.status, f.versions, f.notice, f.at = consent.ArtifactErased, versions, notice, at
		return true, nil
	}
	return false, &consent.ConflictError{Reason: "not erasing"}
}

var now = time.Date(2026, 12, 2, 15, 0, 0, 0, time.UTC)

func TestTheTombstoneIsWrittenOnceWithTheDeletedVersions(t *testing.T) {
	st := &fakeArtifacts{status: consent.ArtifactErasing}
	h := &Handler{Store: st, NoticeVersion: "2026-11-01", Log: slog.New(slog.DiscardHandler), Now: func() time.Time { return now }}
	in := Input{CandidateID: consent.NewID(), ArtifactID: consent.NewID(), VersionIDs: []string{"v1", "v2"}}
	out, err := h.Handle(context.Background(), in)
	if err != nil || !out.Erased || out.ArtifactID != in.ArtifactID {
		t.Fatalf("first: %+v %v", out, err)
	}
	if !slices.Equal(st.versions, in.VersionIDs) || st.notice != "2026-11-01" || !st.at.Equal(now) {
		t.Fatalf("recorded versions %v, notice %q, at %v", st.versions, st.notice, st.at)
	}
	again, err := h.Handle(context.Background(), in)
	if err != nil || again.Erased || again.ArtifactID != in.ArtifactID {
		t.Fatalf("a repeated step: %+v %v, want erased:false (told once)", again, err)
	}
}

func TestAnArtifactNotBeingErasedIsNotRecordedErased(t *testing.T) {
	h := &Handler{Store: &fakeArtifacts{status: consent.ArtifactUploaded}, Log: slog.New(slog.DiscardHandler), Now: func() time.Time { return now }}
	if _, err := h.Handle(context.Background(), Input{CandidateID: consent.NewID(), ArtifactID: consent.NewID()}); workflow.ErrorName(err) != workflow.Conflict {
		t.Fatalf("uploaded artifact: %v, want %s", err, workflow.Conflict)
	}
	if _, err := h.Handle(context.Background(), Input{CandidateID: consent.NewID()}); workflow.ErrorName(err) != workflow.InvalidInput {
		t.Fatalf("no artifact id: %v, want %s", err, workflow.InvalidInput)
	}
}
