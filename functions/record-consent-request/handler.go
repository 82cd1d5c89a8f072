package main

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"time"

	"github.com/consentflow/consentflow/shared/consent"
	"github.com/consentflow/consentflow/shared/workflow"
)

// RequestStore records consent requests.
type RequestStore interface {
	RecordRequest(ctx context.Context, req consent.Request) (consent.Request, error)
}

// Handler records consent requests.
type Handler struct {
	Store  RequestStore
	Policy consent.Policy
	Log    *slog.Logger
	Now    func() time.Time
}

// Input and Output are the step's, typed in package workflow.
type (
	Input  = workflow.RecordRequestInput
	Output = workflow.RecordRequestOutput
)

// Handle records the request; a retry returns the first recording's deadline.
func (h *Handler) Handle(ctx context.Context, in Input) (Output, error) {
	if in.RequestID == "" || in.CandidateID == "" {
		return Output{}, workflow.Error(&consent.ValidationError{Field: "input", Reason: "requestId and candidateId are required"})
	}
	purposes, err := consent.ParsePurposes(in.Purposes)
	if err != nil {
		return Output{}, workflow.Error(err)
	}
	if in.RenewsUntil != nil {
		for _, p := range purposes {
			if !p.Renews() {
				return Output{}, workflow.Error(&consent.ValidationError{Field: "renewsUntil", Reason: fmt.Sprintf("consent to %s is not renewed", p)})
			}
		}
	}
	now := h.Now().UTC()
	req := h.Policy.NewRequest(in.RequestID, in.CandidateID, in.RequestedBy, purposes, now)
	req.RenewsUntil = in.RenewsUntil
	stored, err := h.Store.RecordRequest(ctx, req)
	if err != nil {
		h.Log.ErrorContext(ctx, "request not recorded", "requestId", in.RequestID, "error", err.Error())
		return Output{}, workflow.Error(err)
	}
	h.Log.InfoContext(ctx, "consent request recorded", "requestId", stored.ID, "candidateId", stored.CandidateID)
	secs := int64(math.Ceil(stored.ExpiresAt.Sub(now).Seconds()))
	return Output{AnswerWithinSeconds: max(secs, 1)}, nil
}
