package main

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/consentflow/consentflow/shared/consent"
	"github.com/consentflow/consentflow/shared/httpapi"
)

// Applications closes applications.
type Applications interface {
	CloseApplication(ctx context.Context, candidateID, id, outcome, actor string, at time.Time) (consent.Application, error)
}

// Handler closes an application.
type Handler struct {
	Store Applications
	Log   *slog.Logger
	Now   func() time.Time
}

type input struct {
	Outcome string `json:"outcome"`
}

// Handle answers 200 with the closed application; a second close answers
// the same application, closed as it was the first time.
func (h *Handler) Handle(ctx context.Context, req httpapi.Request) (httpapi.Response, error) {
	recruiter, err := httpapi.Recruiter(req)
	if err != nil {
		return httpapi.Error(ctx, h.Log, err), nil
	}
	candidateID, appID := req.PathParameters["id"], req.PathParameters["applicationId"]
	if !consent.ValidID(candidateID) {
		return httpapi.Error(ctx, h.Log, &consent.NotFoundError{What: "candidate", ID: candidateID}), nil
	}
	if !consent.ValidID(appID) {
		return httpapi.Error(ctx, h.Log, &consent.NotFoundError{What: "application", ID: appID}), nil
	}
	var in input
	if err := httpapi.DecodeJSON(req, &in); err != nil {
		return httpapi.Error(ctx, h.Log, err), nil
	}
	outcome, err := consent.ParseOutcome(in.Outcome)
	if err != nil {
		return httpapi.Error(ctx, h.Log, err), nil
	}
	app, err := h.Store.CloseApplication(ctx, candidateID, appID, outcome, recruiter, h.Now())
	if err != nil {
		return httpapi.Error(ctx, h.Log, err), nil
	}
	h.Log.InfoContext(ctx, "application closed", "candidateId", candidateID, "applicationId", appID)
	return httpapi.JSON(http.StatusOK, app), nil
}
