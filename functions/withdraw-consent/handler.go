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

// Consents records withdrawals.
type Consents interface {
	Withdraw(ctx context.Context, candidateID string, p consent.Purpose, method, note, actor string, at time.Time) (store.Withdrawal, error)
}

// Erasures starts erasures; *erasure.Starter satisfies it.
type Erasures interface {
	Artifacts(ctx context.Context, due []store.DueArtifact, reason string) (int, error)
}

// Handler records a withdrawal for a recruiter.
type Handler struct {
	Store   Consents
	Erasure Erasures
	Log     *slog.Logger
	Now     func() time.Time
}

type input struct {
	Channel string `json:"channel"`
	Note    string `json:"note"`
}

// MaxNote is the longest note a recruiter may keep with a withdrawal.
const MaxNote = 1000

// Result is the answer: the consent as it is now, whether this call
// recorded the withdrawal (false: it was withdrawn before), and the
// erasures it started; ErasuresPending are due artifacts whose erasure did
// not start now (the next sweep starts them).
type Result struct {
	Consent         consent.Consent `json:"consent"`
	Recorded        bool            `json:"recorded"`
	ErasuresStarted int             `json:"erasuresStarted"`
	ErasuresPending int             `json:"erasuresPending"`
}

// Handle records the withdrawal and starts erasure at once for everything
// whose last basis it was. A replayed withdrawal answers 200 and changes
// nothing; withdrawing a consent that is not given is 409.
func (h *Handler) Handle(ctx context.Context, req httpapi.Request) (httpapi.Response, error) {
	recruiter, candidateID, err := httpapi.RecruiterOnCandidate(req)
	if err != nil {
		return httpapi.Error(ctx, h.Log, err), nil
	}
	purpose, err := consent.ParsePurpose(req.PathParameters["purpose"])
	if err != nil {
		return httpapi.Error(ctx, h.Log, &consent.NotFoundError{What: "purpose", ID: req.PathParameters["purpose"]}), nil
	}
	var in input
	if err := httpapi.DecodeJSON(req, &in); err != nil {
		return httpapi.Error(ctx, h.Log, err), nil
	}
	channel, err := consent.ParseChannel(in.Channel)
	if err != nil {
		return httpapi.Error(ctx, h.Log, err), nil
	}
	if err := consent.CheckText("note", in.Note, MaxNote); err != nil {
		return httpapi.Error(ctx, h.Log, err), nil
	}
	w, err := h.Store.Withdraw(ctx, candidateID, purpose, channel, in.Note, recruiter, h.Now())
	if err != nil {
		return httpapi.Error(ctx, h.Log, err), nil
	}
	res := Result{Consent: w.Consent, Recorded: w.Recorded}
	if len(w.Due) > 0 {
		n, err := h.Erasure.Artifacts(ctx, w.Due, consent.ErasureWithdrawn)
		res.ErasuresStarted, res.ErasuresPending = n, len(w.Due)-n
		if err != nil {
			// Recorded and due: the sweep starts what did not start now.
			h.Log.WarnContext(ctx, "erasure not started; the sweep will", "candidateId", candidateID, "error", err.Error())
		}
	}
	h.Log.InfoContext(ctx, "withdrawal recorded", "candidateId", candidateID, "purpose", purpose, "channel", channel,
		"recorded", w.Recorded, "erasures", res.ErasuresStarted)
	return httpapi.JSON(http.StatusOK, res), nil
}
