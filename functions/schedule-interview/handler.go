package main

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/consentflow/consentflow/shared/consent"
	"github.com/consentflow/consentflow/shared/httpapi"
	"github.com/consentflow/consentflow/shared/store"
)

// Interviews schedules interviews; *store.Store satisfies it.
type Interviews interface {
	ScheduleInterview(ctx context.Context, iv store.Interview) (store.Interview, error)
}

// Handler schedules an interview in advance, so that its candidate is asked
// for consent to record it the day before.
type Handler struct {
	Store Interviews
	Log   *slog.Logger
	Now   func() time.Time
}

type input struct {
	At        time.Time `json:"at"`
	Reference string    `json:"reference"`
}

// MaxAhead is how far ahead an interview may be scheduled.
const MaxAhead = 366 * 24 * time.Hour

// Handle answers 201 with the interview and when its candidate is asked.
func (h *Handler) Handle(ctx context.Context, req httpapi.Request) (httpapi.Response, error) {
	recruiter, candidateID, err := httpapi.RecruiterOnCandidate(req)
	if err != nil {
		return httpapi.Error(ctx, h.Log, err), nil
	}
	var in input
	if err := httpapi.DecodeJSON(req, &in); err != nil {
		return httpapi.Error(ctx, h.Log, err), nil
	}
	now := h.Now().UTC()
	if !in.At.After(now) || in.At.After(now.Add(MaxAhead)) {
		return httpapi.Error(ctx, h.Log, &consent.ValidationError{Field: "at", Reason: "the interview's time, in RFC 3339, in the coming year"}), nil
	}
	if err := consent.ValidReference(in.Reference); err != nil {
		return httpapi.Error(ctx, h.Log, err), nil
	}
	iv, err := h.Store.ScheduleInterview(ctx, store.Interview{ID: consent.NewID(), CandidateID: candidateID, At: in.At,
		Reference: in.Reference, ScheduledBy: recruiter, CreatedAt: now})
	if err != nil {
		return httpapi.Error(ctx, h.Log, err), nil
	}
	h.Log.InfoContext(ctx, "interview scheduled", "candidateId", candidateID, "interviewId", iv.ID)
	return httpapi.JSON(http.StatusCreated, iv), nil
}
