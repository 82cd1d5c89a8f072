package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/consentflow/consentflow/shared/consent"
	"github.com/consentflow/consentflow/shared/workflow"
)

// Profiles erases profiles.
type Profiles interface {
	EraseProfile(ctx context.Context, candidateID string, at time.Time) (bool, error)
}

// Handler erases a candidate's profile.
type Handler struct {
	Store Profiles
	Log   *slog.Logger
	Now   func() time.Time
}

// Input and Output are the step's, typed in package workflow.
type (
	Input  = workflow.EraseProfileInput
	Output = workflow.EraseProfileOutput
)

// Handle erases the profile; an artifact not yet erased fails the step
// (Conflict) and the profile stays.
func (h *Handler) Handle(ctx context.Context, in Input) (Output, error) {
	if !consent.ValidID(in.CandidateID) {
		return Output{}, workflow.Error(&consent.ValidationError{Field: "candidateId", Reason: "not an id"})
	}
	erased, err := h.Store.EraseProfile(ctx, in.CandidateID, h.Now())
	if err != nil {
		return Output{}, workflow.Error(err)
	}
	h.Log.InfoContext(ctx, "profile erased", "candidateId", in.CandidateID, "now", erased)
	return Output{Erased: erased}, nil
}
