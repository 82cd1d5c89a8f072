package main

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/consentflow/consentflow/shared/consent"
	"github.com/consentflow/consentflow/shared/httpapi"
)

// ConsentStore reads candidates and their consents.
type ConsentStore interface {
	Candidate(ctx context.Context, id string) (consent.Candidate, error)
	Consents(ctx context.Context, candidateID string) ([]consent.Consent, error)
	Request(ctx context.Context, id string) (consent.Request, error)
}

// Handler lists a candidate's consents.
type Handler struct {
	Store ConsentStore
	Log   *slog.Logger
	Now   func() time.Time
}

type consentView struct {
	Purpose       consent.Purpose `json:"purpose"`
	State         consent.State   `json:"state"`
	DPV           string          `json:"dpvState"`
	NoticeVersion string          `json:"noticeVersion"`
	RequestID     string          `json:"requestId"`
	ReceiptID     string          `json:"receiptId,omitempty"`
	UpdatedAt     time.Time       `json:"updatedAt"`
	ExpiresAt     *time.Time      `json:"expiresAt,omitempty"`
	// Request is where the request behind this state stands, with why it
	// closed when it got no answer (unanswered, or failed and the failed
	// step's error).
	Request requestView `json:"request"`
}

type requestView struct {
	Status  consent.RequestStatus `json:"status"`
	Reason  string                `json:"reason,omitempty"`
	Failure string                `json:"failure,omitempty"`
}

type output struct {
	CandidateID string        `json:"candidateId"`
	Consents    []consentView `json:"consents"`
}

// Handle answers with each purpose's consent state as of now.
func (h *Handler) Handle(ctx context.Context, req httpapi.Request) (httpapi.Response, error) {
	if _, err := httpapi.Recruiter(req); err != nil {
		return httpapi.Error(ctx, h.Log, err), nil
	}
	id := req.PathParameters["id"]
	if !consent.ValidID(id) {
		return httpapi.Error(ctx, h.Log, &consent.NotFoundError{What: "candidate", ID: id}), nil
	}
	if _, err := h.Store.Candidate(ctx, id); err != nil {
		return httpapi.Error(ctx, h.Log, err), nil
	}
	consents, err := h.Store.Consents(ctx, id)
	if err != nil {
		return httpapi.Error(ctx, h.Log, err), nil
	}
	now := h.Now()
	out := output{CandidateID: id, Consents: make([]consentView, 0, len(consents))}
	for _, c := range consents {
		s := c.StateAt(now)
		r, err := h.Store.Request(ctx, c.RequestID)
		if err != nil {
			return httpapi.Error(ctx, h.Log, err), nil
		}
		out.Consents = append(out.Consents, consentView{
			Purpose: c.Purpose, State: s, DPV: s.DPV(), NoticeVersion: c.NoticeVersion,
			RequestID: c.RequestID, ReceiptID: c.ReceiptID, UpdatedAt: c.UpdatedAt, ExpiresAt: c.ExpiresAt,
			Request: requestView{Status: r.Status, Reason: r.Reason, Failure: r.Failure},
		})
	}
	return httpapi.JSON(http.StatusOK, out), nil
}
