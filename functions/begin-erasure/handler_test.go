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

// fakeArtifacts holds one artifact's deadline and status, as BeginErasure
// sees them.
type fakeArtifacts struct {
	deleteBy time.Time
	status   consent.ArtifactStatus
	asOf     time.Time
	err      error
}

func (f *fakeArtifacts) BeginErasure(_ context.Context, _, _, _ string, asOf time.Time) (store.Begun, error) {
	f.asOf = asOf
	if f.err != nil {
		return store.Begun{}, f.err
	}
	switch {
	case f.status == consent.ArtifactErased:
		return store.Begun{Erased: true}, nil
	case f.deleteBy.After(asOf):
		return store.Begun{}, nil
	}
	f.status = consent.ArtifactErasing
	return store.Begun{Erase: true, Bucket: "recordings", Key: "recording/c/a"}, nil
}

var start = time.Date(2026, 12, 2, 15, 0, 0, 0, time.UTC)

func input() Input {
	return Input{CandidateID: consent.NewID(), ArtifactID: consent.NewID(), Reason: consent.ErasureWithdrawn, AsOf: start}
}

func TestADueArtifactIsMarkedErasingAsOfTheExecutionsStart(t *testing.T) {
	st := &fakeArtifacts{deleteBy: start.Add(-time.Minute), status: consent.ArtifactUploaded}
	h := &Handler{Store: st, Log: slog.New(slog.DiscardHandler)}
	out, err := h.Handle(context.Background(), input())
	if err != nil || !out.Erase || out.Bucket != "recordings" || out.Key != "recording/c/a" {
		t.Fatalf("due artifact: %+v %v", out, err)
	}
	if !st.asOf.Equal(start) || st.status != consent.ArtifactErasing {
		t.Fatalf("asOf %v, status %s: want the execution's start and erasing", st.asOf, st.status)
	}
}

func TestAnArtifactNoLongerDueOrErasedIsLeftAlone(t *testing.T) {
	for name, st := range map[string]*fakeArtifacts{
		"deadline moved on": {deleteBy: start.Add(time.Hour), status: consent.ArtifactUploaded},
		"erased before":     {deleteBy: start.Add(-time.Hour), status: consent.ArtifactErased},
	} {
		h := &Handler{Store: st, Log: slog.New(slog.DiscardHandler)}
		out, err := h.Handle(context.Background(), input())
		if err != nil || out.Erase || out.Key != "" {
			t.Errorf("%s: %+v %v, want nothing to erase", name, out, err)
		}
	}
}

func TestBeginErasureNamesItsErrors(t *testing.T) {
	h := &Handler{Store: &fakeArtifacts{}, Log: slog.New(slog.DiscardHandler)}
	for name, in := range map[string]Input{
		"no candidate": {ArtifactID: consent.NewID(), AsOf: start},
		"no artifact":  {CandidateID: consent.NewID(), AsOf: start},
		"no start":     {CandidateID: consent.NewID(), ArtifactID: consent.NewID()},
	} {
		if _, err := h.Handle(context.Background(), in); workflow.ErrorName(err) != workflow.InvalidInput {
			t.Errorf("%s: %v, want %s", name, err, workflow.InvalidInput)
		}
	}
	h.Store = &fakeArtifacts{err: &store.UnavailableError{Err: errors.New("503")}}
	if _, err := h.Handle(context.Background(), input()); workflow.ErrorName(err) != workflow.StoreUnavailable {
		t.Fatalf("store down: %v, want %s (retried)", err, workflow.StoreUnavailable)
	}
}
