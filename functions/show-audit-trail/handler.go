package main

import (
	"context"
	"log/slog"
	"net/http"

	"github.com/consentflow/consentflow/shared/consent"
	"github.com/consentflow/consentflow/shared/httpapi"
	"github.com/consentflow/consentflow/shared/store"
)

// TrailStore reads audit trails.
type TrailStore interface {
	AuditTrail(ctx context.Context, candidateID string) (store.Trail, error)
}

// Handler shows a candidate's audit trail.
type Handler struct {
	Store TrailStore
	Log   *slog.Logger
}

// Handle answers with the candidate's events in seq order and the result
// of verifying their chain: intact, or the first broken link.
func (h *Handler) Handle(ctx context.Context, req httpapi.Request) (httpapi.Response, error) {
	if _, err := httpapi.Recruiter(req); err != nil {
		return httpapi.Error(ctx, h.Log, err), nil
	}
	id := req.PathParameters["id"]
	if !consent.ValidID(id) {
		return httpapi.Error(ctx, h.Log, &consent.NotFoundError{What: "candidate", ID: id}), nil
	}
	trail, err := h.Store.AuditTrail(ctx, id)
	if err != nil {
		return httpapi.Error(ctx, h.Log, err), nil
	}
	if !trail.Verification.Intact {
		h.Log.ErrorContext(ctx, "audit chain broken", "candidateId", id, "brokenAt", trail.Verification.BrokenAt, "problem", trail.Verification.Problem)
	}
	return httpapi.JSON(http.StatusOK, trail), nil
}
