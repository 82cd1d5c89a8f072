package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/consentflow/consentflow/shared/consent"
	"github.com/consentflow/consentflow/shared/workflow"
)

// Artifacts records failed erasures.
type Artifacts interface {
	FailErasure(ctx context.Context, candidateID, artifactID, cause string, at time.Time) error
}

// Handler records a failed erasure.
type Handler struct {
	Store Artifacts
	Log   *slog.Logger
	Now   func() time.Time
}

// Input and Output are the step's, typed in package workflow.
type (
	Input  = workflow.RecordErasureFailureInput
	Output = workflow.RecordErasureFailureOutput
)

// Handle marks the artifact erasure_failed with an event naming the error
// the workflow caught (its name, never its message). The workflow then
// fails, which raises the alarm.
func (h *Handler) Handle(ctx context.Context, in Input) (Output, error) {
	if !consent.ValidID(in.CandidateID) || !consent.ValidID(in.ArtifactID) {
		return Output{}, workflow.Error(&consent.ValidationError{Field: "artifactId", Reason: "the candidate and artifact ids are required"})
	}
	cause := in.Error
	if cause == "" {
		cause = workflow.StepFailed
	}
	if err := h.Store.FailErasure(ctx, in.CandidateID, in.ArtifactID, cause, h.Now()); err != nil {
		return Output{}, workflow.Error(err)
	}
	h.Log.ErrorContext(ctx, "erasure failed; the next sweep retries it", "candidateId", in.CandidateID, "artifactId", in.ArtifactID, "cause", cause)
	return Output{Recorded: true}, nil
}
