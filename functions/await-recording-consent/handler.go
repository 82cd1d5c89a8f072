package main

import (
	"context"
	"log/slog"
	"net/http"
	"slices"
	"time"

	"github.com/consentflow/consentflow/shared/consent"
	"github.com/consentflow/consentflow/shared/httpapi"
)

// ConsentStore reads consent requests and a candidate's consents.
type ConsentStore interface {
	Request(ctx context.Context, id string) (consent.Request, error)
	Consents(ctx context.Context, candidateID string) ([]consent.Consent, error)
}

// MaxWait is the longest a caller may wait for an answer: within API
// Gateway's 30 s integration timeout.
const MaxWait = 25 * time.Second

// PollInterval is how often the consent is read again while waiting.
const PollInterval = 200 * time.Millisecond

// Handler answers whether a recording awaiting consent may start.
type Handler struct {
	Store         ConsentStore
	NoticeVersion string
	Log           *slog.Logger
	Now           func() time.Time
	// Sleep waits between reads (time.Sleep's shape, with a context).
	Sleep func(ctx context.Context, d time.Duration) error
}

// Output is the state of one authorization.
type Output struct {
	AuthorizationID string          `json:"authorizationId"`
	Purpose         consent.Purpose `json:"purpose"`
	// Status is "allowed" (the gate answers 201 now), "blocked" (403,
	// Reason says why) or "awaiting" (no answer yet).
	Status string `json:"status"`
	Reason string `json:"reason,omitempty"`
}

// Handle answers GET /api/candidates/{id}/recordings/authorizations/{authorizationId}
// with the state of the consent the gate's 409 asked for; with ?wait=20s
// it answers as soon as the candidate has answered, or when the wait ends
// (at most 25 s), whichever comes first. It only reads.
func (h *Handler) Handle(ctx context.Context, req httpapi.Request) (httpapi.Response, error) {
	_, candidateID, err := httpapi.RecruiterOnCandidate(req)
	if err != nil {
		return httpapi.Error(ctx, h.Log, err), nil
	}
	id := req.PathParameters["authorizationId"]
	if !consent.ValidID(id) {
		return httpapi.Error(ctx, h.Log, &consent.NotFoundError{What: "authorization", ID: id}), nil
	}
	wait, err := parseWait(req.QueryStringParameters["wait"])
	if err != nil {
		return httpapi.Error(ctx, h.Log, err), nil
	}
	r, err := h.Store.Request(ctx, id)
	if err != nil {
		return httpapi.Error(ctx, h.Log, err), nil
	}
	purpose, ok := recordingPurpose(r)
	if r.CandidateID != candidateID || !ok {
		return httpapi.Error(ctx, h.Log, &consent.NotFoundError{What: "authorization", ID: id}), nil
	}
	deadline := h.Now().Add(wait)
	for {
		out, err := h.state(ctx, candidateID, id, purpose)
		if err != nil {
			return httpapi.Error(ctx, h.Log, err), nil
		}
		if out.Status != "awaiting" || !h.Now().Add(PollInterval).Before(deadline) {
			h.Log.InfoContext(ctx, "authorization state", "candidateId", candidateID, "authorizationId", id, "status", out.Status)
			return httpapi.JSON(http.StatusOK, out), nil
		}
		if err := h.Sleep(ctx, PollInterval); err != nil {
			return httpapi.JSON(http.StatusOK, out), nil
		}
	}
}

func (h *Handler) state(ctx context.Context, candidateID, id string, p consent.Purpose) (Output, error) {
	cs, err := h.Store.Consents(ctx, candidateID)
	if err != nil {
		return Output{}, err
	}
	var c *consent.Consent
	if i := slices.IndexFunc(cs, func(c consent.Consent) bool { return c.Purpose == p }); i >= 0 {
		c = &cs[i]
	}
	out := Output{AuthorizationID: id, Purpose: p, Status: "awaiting"}
	switch gate, reason := consent.RecordingGate(c, h.NoticeVersion, h.Now()); gate {
	case consent.GateAuthorized:
		out.Status = "allowed"
	case consent.GateRefused:
		out.Status, out.Reason = "blocked", reason
	}
	return out, nil
}

// recordingPurpose is the recording purpose a request asks.
func recordingPurpose(r consent.Request) (consent.Purpose, bool) {
	for _, kind := range []string{"interview", "call"} {
		p, _ := consent.RecordingPurpose(kind)
		if slices.Contains(r.Purposes, p) {
			return p, true
		}
	}
	return "", false
}

func parseWait(s string) (time.Duration, error) {
	if s == "" {
		return 0, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 || d > MaxWait {
		return 0, &consent.ValidationError{Field: "wait", Reason: "a duration from 0s to 25s, such as 20s"}
	}
	return d, nil
}

// Sleep waits d, or until ctx ends.
func Sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
