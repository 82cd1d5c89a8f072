package main

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/consentflow/consentflow/shared/erasure"
	"github.com/consentflow/consentflow/shared/httpapi"
	"github.com/consentflow/consentflow/shared/store"
)

// Candidates records requests to erase everything.
type Candidates interface {
	RequestErasure(ctx context.Context, candidateID, ground, actor, method string, at time.Time) (store.ErasureRequest, error)
}

// Erasures starts erasures; *erasure.Starter satisfies it.
type Erasures interface {
	Candidate(ctx context.Context, name, candidateID string, artifacts []store.DueArtifact) error
}

// Handler erases a candidate for a recruiter.
type Handler struct {
	Store   Candidates
	Erasure Erasures
	Log     *slog.Logger
	Now     func() time.Time
}

type input struct {
	Reason string `json:"reason"`
}

// Result is the answer: the request with its one-month deadline, and
// where the erasure stands.
type Result struct {
	store.ErasureRequest
	Status string `json:"status"` // "erasing": the workflow runs; "requested": it starts with the next sweep
}

// Handle records the request (frozen candidate, consents withdrawn, every
// artifact due) and starts the erasure: 202. A repeated request answers
// the first one; one after the erasure is 410.
func (h *Handler) Handle(ctx context.Context, req httpapi.Request) (httpapi.Response, error) {
	recruiter, candidateID, err := httpapi.RecruiterOnCandidate(req)
	if err != nil {
		return httpapi.Error(ctx, h.Log, err), nil
	}
	var in input
	if err := httpapi.DecodeJSON(req, &in); err != nil {
		return httpapi.Error(ctx, h.Log, err), nil
	}
	ground, err := store.ParseErasureGround(in.Reason)
	if err != nil {
		return httpapi.Error(ctx, h.Log, err), nil
	}
	r, err := h.Store.RequestErasure(ctx, candidateID, ground, recruiter, "recruiter", h.Now())
	if err != nil {
		return httpapi.Error(ctx, h.Log, err), nil
	}
	res := Result{ErasureRequest: r, Status: "erasing"}
	if err := h.Erasure.Candidate(ctx, erasure.CandidateName(candidateID, r.RequestedAt, 0), candidateID, r.Due); err != nil {
		// Recorded: the sweep restarts a request that has not finished.
		h.Log.WarnContext(ctx, "erasure not started; the sweep will", "candidateId", candidateID, "error", err.Error())
		res.Status = "requested"
	}
	h.Log.InfoContext(ctx, "erasure requested", "candidateId", candidateID, "ground", ground, "recorded", r.Recorded, "artifacts", len(r.Due))
	return httpapi.JSON(http.StatusAccepted, res), nil
}
