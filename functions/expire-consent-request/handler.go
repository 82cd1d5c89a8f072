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
	ExpireRequest(ctx context.Context, requestID, reason string, now time.Time) (consent.RequestStatus, bool, error)
}

// Handler expires unanswered requests.
type Handler struct {
	Store RequestStore
	Log   *slog.Logger
	Now   func() time.Time
}

// Input is the step's input. Reason is why the request closes:
// "unanswered" (the default) when the wait timed out, "failed" when a step
// gave up.
type Input struct {
	RequestID string `json:"requestId"`
	Reason    string `json:"reason"`
}

// Output says whether this call expired the request, and the request's
// status afterwards: "answered" means the candidate answered although the
// workflow never heard of it, so it can still send the receipt.
type Output struct {
	Expired bool                  `json:"expired"`
	Status  consent.RequestStatus `json:"status"`
}

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
	status, expired, err := h.Store.ExpireRequest(ctx, in.RequestID, in.Reason, h.Now())
	if err != nil {
		return Output{}, workflow.Error(err)
	}
	h.Log.InfoContext(ctx, "consent request closed", "requestId", in.RequestID, "reason", in.Reason, "expired", expired, "status", status)
	return Output{Expired: expired, Status: status}, nil
}
