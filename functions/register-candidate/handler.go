package main

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/consentflow/consentflow/shared/consent"
	"github.com/consentflow/consentflow/shared/httpapi"
)

// CandidateStore stores candidates.
type CandidateStore interface {
	CreateCandidate(ctx context.Context, c consent.Candidate, idempotencyKey string) (consent.Candidate, bool, error)
}

// Handler registers candidates.
type Handler struct {
	Store CandidateStore
	Log   *slog.Logger
	Now   func() time.Time
}

type input struct {
	Name   string `json:"name"`
	Email  string `json:"email"`
	Locale string `json:"locale"`
}

// Handle registers the candidate in the body. With an Idempotency-Key header
// a retry returns the candidate registered the first time (200, not 201).
func (h *Handler) Handle(ctx context.Context, req httpapi.Request) (httpapi.Response, error) {
	recruiter, err := httpapi.Recruiter(req)
	if err != nil {
		return httpapi.Error(ctx, h.Log, err), nil
	}
	var in input
	if err := httpapi.DecodeJSON(req, &in); err != nil {
		return httpapi.Error(ctx, h.Log, err), nil
	}
	c, err := consent.NewCandidate(in.Name, in.Email, in.Locale, h.Now())
	if err != nil {
		return httpapi.Error(ctx, h.Log, err), nil
	}
	key, err := httpapi.IdempotencyKey(req)
	if err != nil {
		return httpapi.Error(ctx, h.Log, err), nil
	}
	if key != "" {
		c.ID = consent.IDFromKey("candidate", recruiter, key)
	}
	stored, created, err := h.Store.CreateCandidate(ctx, c, key)
	if err != nil {
		return httpapi.Error(ctx, h.Log, err), nil
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
		h.Log.InfoContext(ctx, "candidate registered", "candidateId", stored.ID, "locale", stored.Locale)
	}
	res := httpapi.JSON(status, stored)
	res.Headers["Location"] = "/api/candidates/" + stored.ID
	return res, nil
}
