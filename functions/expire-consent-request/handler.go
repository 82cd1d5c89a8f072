package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/consentflow/consentflow/shared/consent"
	"github.com/consentflow/consentflow/shared/workflow"
)

// RequestStore expires requests.
type RequestStore interface {
	ExpireRequest(ctx context.Context, requestID string, now time.Time) (bool, error)
}

// Handler expires unanswered requests.
type Handler struct {
	Store RequestStore
	Log   *slog.Logger
	Now   func() time.Time
}

// Input is the step's input.
type Input struct {
	RequestID string `json:"requestId"`
}

// Output says whether this call expired the request (false: it was already
// answered or expired).
type Output struct {
	Expired bool `json:"expired"`
}

// Handle expires the request if it is still pending.
func (h *Handler) Handle(ctx context.Context, in Input) (Output, error) {
	if in.RequestID == "" {
		return Output{}, workflow.Error(&consent.ValidationError{Field: "requestId", Reason: "required"})
	}
	expired, err := h.Store.ExpireRequest(ctx, in.RequestID, h.Now())
	if err != nil {
		return Output{}, workflow.Error(err)
	}
	h.Log.InfoContext(ctx, "consent request expiry", "requestId", in.RequestID, "expired", expired)
	return Output{Expired: expired}, nil
}
