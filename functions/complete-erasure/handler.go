package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/consentflow/consentflow/shared/consent"
	"github.com/consentflow/consentflow/shared/workflow"
)

// Artifacts completes erasures.
type Artifacts interface {
	CompleteErasure(ctx context.Context, candidateID, artifactID string, versions []string, noticeVersion string, at time.Time) (bool, error)
}

// Handler records erased artifacts.
type Handler struct {
	Store Artifacts
	// NoticeVersion is the notice in force, named by tombstones of
	// artifacts that were not held under a consent's notice (CVs).
	NoticeVersion string
	Log           *slog.Logger
	Now           func() time.Time // when the erasure happened, as recorded
}

// Input and Output are the step's, typed in package workflow.
type (
	Input  = workflow.CompleteErasureInput
	Output = workflow.ErasureResult
)

// Handle writes the artifact's tombstone once its versions are gone. The
// workflow calls it only after delete-object-versions found none left.
func (h *Handler) Handle(ctx context.Context, in Input) (Output, error) {
	if !consent.ValidID(in.CandidateID) || !consent.ValidID(in.ArtifactID) {
		return Output{}, workflow.Error(&consent.ValidationError{Field: "artifactId", Reason: "the candidate and artifact ids are required"})
	}
	erased, err := h.Store.CompleteErasure(ctx, in.CandidateID, in.ArtifactID, in.VersionIDs, h.NoticeVersion, h.Now())
	if err != nil {
		return Output{}, workflow.Error(err)
	}
	h.Log.InfoContext(ctx, "artifact erased", "candidateId", in.CandidateID, "artifactId", in.ArtifactID, "versions", len(in.VersionIDs), "now", erased)
	return Output{ArtifactID: in.ArtifactID, Erased: erased}, nil
}
