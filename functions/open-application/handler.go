package main

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/consentflow/consentflow/shared/consent"
	"github.com/consentflow/consentflow/shared/httpapi"
)

// Applications opens applications.
type Applications interface {
	OpenApplication(ctx context.Context, app consent.Application, actor string) error
}

// Handler opens an application for a candidate.
type Handler struct {
	Store Applications
	Log   *slog.Logger
	Now   func() time.Time
}

type input struct {
	Position string `json:"position"`
}

// Handle answers 201 with the open application.
func (h *Handler) Handle(ctx context.Context, req httpapi.Request) (httpapi.Response, error) {
	recruiter, candidateID, err := httpapi.RecruiterOnCandidate(req)
	if err != nil {
		return httpapi.Error(ctx, h.Log, err), nil
	}
	var in input
	if err := httpapi.DecodeJSON(req, &in); err != nil {
		return httpapi.Error(ctx, h.Log, err), nil
	}
	position := strings.TrimSpace(in.Position)
	if err := consent.CheckLine("position", position, 200); err != nil {
		return httpapi.Error(ctx, h.Log, err), nil
	}
	app := consent.Application{ID: consent.NewID(), CandidateID: candidateID, Position: position, Status: consent.ApplicationOpen, OpenedAt: h.Now().UTC()}
	if err := h.Store.OpenApplication(ctx, app, recruiter); err != nil {
		return httpapi.Error(ctx, h.Log, err), nil
	}
	h.Log.InfoContext(ctx, "application opened", "candidateId", candidateID, "applicationId", app.ID)
	res := httpapi.JSON(http.StatusCreated, app)
	res.Headers["Location"] = "/api/candidates/" + candidateID + "/applications/" + app.ID
	return res, nil
}
