package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/consentflow/consentflow/shared/consent"
	"github.com/consentflow/consentflow/shared/store"
	"github.com/consentflow/consentflow/shared/workflow"
)

// Artifacts begins erasures.
type Artifacts interface {
	BeginErasure(ctx context.Context, candidateID, artifactID, reason string, asOf time.Time) (store.Begun, error)
}

// Handler marks an artifact erasing.
type Handler struct {
	Store Artifacts
	Log   *slog.Logger
}

// Input and Output are the step's, typed in package workflow.
type (
	Input  = workflow.BeginErasureInput
	Output = workflow.BeginErasureOutput
)

// Handle marks the artifact erasing if it is due at the execution's start
// and answers whether to delete its object. An artifact no longer due (its
// deadline moved on since the erasure was started) or erased already is
// left as it is.
func (h *Handler) Handle(ctx context.Context, in Input) (Output, error) {
	switch {
	case !consent.ValidID(in.CandidateID):
		return Output{}, workflow.Error(&consent.ValidationError{Field: "candidateId", Reason: "not an id"})
	case !consent.ValidID(in.ArtifactID):
		return Output{}, workflow.Error(&consent.ValidationError{Field: "artifactId", Reason: "not an id"})
	case in.AsOf.IsZero():
		return Output{}, workflow.Error(&consent.ValidationError{Field: "asOf", Reason: "the execution's start time is required"})
	}
	b, err := h.Store.BeginErasure(ctx, in.CandidateID, in.ArtifactID, in.Reason, in.AsOf)
	if err != nil {
		return Output{}, workflow.Error(err)
	}
	h.Log.InfoContext(ctx, "erasure begun", "candidateId", in.CandidateID, "artifactId", in.ArtifactID,
		"reason", in.Reason, "erase", b.Erase, "erasedBefore", b.Erased)
	return Output{Erase: b.Erase, Bucket: b.Bucket, Key: b.Key}, nil
}
