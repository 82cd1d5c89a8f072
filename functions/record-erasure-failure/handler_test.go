package main

import (
	"context"
	"errors"
	"log/slog"
	"testing"
	"time"

	"github.com/consentflow/consentflow/shared/consent"
	"github.com/consentflow/consentflow/shared/store"
	"github.com/consentflow/consentflow/shared/workflow"
)

type fakeArtifacts struct {
	causes []string
	err    error
}

func (f *fakeArtifacts) FailErasure(_ context.Context, _, _, cause string, _ time.Time) error {
	if f.err != nil {
		return f.err
	}
	f.causes = append(f.causes, cause)
	return nil
}

func handler(st *fakeArtifacts) *Handler {
	return &Handler{Store: st, Log: slog.New(slog.DiscardHandler), Now: time.Now}
}

func TestAFailureIsRecordedByTheErrorsName(t *testing.T) {
	st := &fakeArtifacts{}
	h := handler(st)
	out, err := h.Handle(context.Background(), Input{CandidateID: consent.NewID(), ArtifactID: consent.NewID(), Error: workflow.ObjectStoreUnavailable})
	if err != nil || !out.Recorded {
		t.Fatalf("%+v %v", out, err)
	}
	if _, err := h.Handle(context.Background(), Input{CandidateID: consent.NewID(), ArtifactID: consent.NewID()}); err != nil {
		t.Fatal(err)
	}
	if len(st.causes) != 2 || st.causes[0] != workflow.ObjectStoreUnavailable || st.causes[1] != workflow.StepFailed {
		t.Fatalf("causes %v, want the caught error's name, and StepFailed when none was caught", st.causes)
	}
}

func TestRecordingAFailureNamesItsOwnErrors(t *testing.T) {
	if _, err := handler(&fakeArtifacts{}).Handle(context.Background(), Input{ArtifactID: consent.NewID()}); workflow.ErrorName(err) != workflow.InvalidInput {
		t.Fatalf("no candidate: %v", err)
	}
	down := handler(&fakeArtifacts{err: &store.UnavailableError{Err: errors.New("503")}})
	if _, err := down.Handle(context.Background(), Input{CandidateID: consent.NewID(), ArtifactID: consent.NewID()}); workflow.ErrorName(err) != workflow.StoreUnavailable {
		t.Fatalf("store down: %v, want %s (retried by the workflow)", err, workflow.StoreUnavailable)
	}
}
