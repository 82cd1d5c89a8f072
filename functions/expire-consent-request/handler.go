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
	ExpireRequest(ctx context.Context, requestID, reason, failure string, now time.Time) (consent.RequestStatus, bool, error)
}

// Handler expires unanswered requests.
type Handler struct {
	Store RequestStore
	Log   *slog.Logger
	Now   func() time.Time
}

// Input and Output are the step's, typed in package workflow.
type (
	Input  = workflow.ExpireInput
	Output = workflow.ExpireOutput
)

// Handle expires the request if it is still pending.
func (h *Handler) Handle(ctx context.Context, in Input) (Output, error) {
	if in.RequestID == "" {
		return Output{}, workflow.Error(&consent.ValidationError{Field: "requestId", Reason: "required"})
	}
	switch in.Reason {
	case "":
		in.Reason = consent.ReasonUnanswered
	case consent.ReasonUnanswered, consent.ReasonFailed:
	default:
		return Output{}, workflow.Error(&consent.ValidationError{Field: "reason", Reason: "unanswered or failed"})
	}
	status, expired, err := h.Store.ExpireRequest(ctx, in.RequestID, in.Reason, in.Failure, h.Now())
	if err != nil {
		return Output{}, workflow.Error(err)
	}
	h.Log.InfoContext(ctx, "consent request closed", "requestId", in.RequestID, "reason", in.Reason, "failure", in.Failure, "expired", expired, "status", status)
	return Output{Expired: expired, Status: status}, nil
}
