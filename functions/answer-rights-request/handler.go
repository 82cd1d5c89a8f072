package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/consentflow/consentflow/shared/consent"
	"github.com/consentflow/consentflow/shared/httpapi"
	"github.com/consentflow/consentflow/shared/locale"
	"github.com/consentflow/consentflow/shared/mail"
	"github.com/consentflow/consentflow/shared/store"
)

// Store records the recruiter's answers to the candidate's rights.
type Store interface {
	Candidate(ctx context.Context, id string) (consent.Candidate, error)
	RightsRequests(ctx context.Context, candidateID string) ([]consent.RightsRequest, error)
	Restrict(ctx context.Context, candidateID, actor, method string, at time.Time) (store.Restriction, error)
	LiftRestriction(ctx context.Context, candidateID, actor, method string, at time.Time) (store.Restriction, error)
	DecideRectification(ctx context.Context, candidateID, id, decision, reason, actor string, at time.Time) (store.Decision, error)
	RecordCompellingGrounds(ctx context.Context, candidateID, id, reason, actor string, at time.Time) (store.Decision, error)
}

// Mailer writes and sends the candidate's emails; *mail.Mailer satisfies it.
type Mailer interface {
	Rights(c consent.Candidate, paragraph func(t locale.RightsMessages) string, manage string) mail.Message
	Send(ctx context.Context, msg mail.Message) (string, error)
}

// Handler serves the recruiter's side of rectification, restriction and
// objection (GDPR Art. 16, 18, 21).
type Handler struct {
	Store Store
	Mail  Mailer
	Log   *slog.Logger
	Now   func() time.Time
}

type input struct {
	// Action is "restrict" or "lift" (restriction), Decision "confirm" or
	// "decline" (rectification) or "compelling_grounds" (objection).
	Action   string `json:"action"`
	Decision string `json:"decision"`
	Channel  string `json:"channel"`
	Reason   string `json:"reason"`
}

// MaxReason is the longest reason a candidate is told.
const MaxReason = 1000

// Rights is the answer of GET .../rights: whether processing is
// restricted, and every request with its one-month deadline.
type Rights struct {
	RestrictedAt *time.Time              `json:"restrictedAt"`
	Requests     []consent.RightsRequest `json:"requests"`
}

// Handle routes on the path: GET /api/candidates/{id}/rights, POST
// .../restriction, POST .../rectifications/{requestId} and POST
// .../objections/{requestId}.
func (h *Handler) Handle(ctx context.Context, req httpapi.Request) (httpapi.Response, error) {
	recruiter, candidateID, err := httpapi.RecruiterOnCandidate(req)
	if err != nil {
		return httpapi.Error(ctx, h.Log, err), nil
	}
	if req.RequestContext.HTTP.Method == http.MethodGet {
		return h.list(ctx, candidateID), nil
	}
	var in input
	if err := httpapi.DecodeJSON(req, &in); err != nil {
		return httpapi.Error(ctx, h.Log, err), nil
	}
	if err := consent.CheckText("reason", in.Reason, MaxReason); err != nil {
		return httpapi.Error(ctx, h.Log, err), nil
	}
	in.Reason = strings.TrimSpace(in.Reason)
	now := h.Now().UTC()
	requestID, hasRequest := req.PathParameters["requestId"]
	if hasRequest && !consent.ValidID(requestID) {
		return httpapi.Error(ctx, h.Log, &consent.NotFoundError{What: "request", ID: requestID}), nil
	}
	switch {
	case !hasRequest:
		return h.restriction(ctx, candidateID, recruiter, in, now), nil
	case strings.Contains(req.RouteKey, "/rectifications/"):
		return h.rectification(ctx, candidateID, requestID, recruiter, in, now), nil
	}
	return h.objection(ctx, candidateID, requestID, recruiter, in, now), nil
}

func (h *Handler) list(ctx context.Context, candidateID string) httpapi.Response {
	c, err := h.Store.Candidate(ctx, candidateID)
	if err != nil {
		return httpapi.Error(ctx, h.Log, err)
	}
	rs, err := h.Store.RightsRequests(ctx, candidateID)
	if err != nil {
		return httpapi.Error(ctx, h.Log, err)
	}
	return httpapi.JSON(http.StatusOK, Rights{RestrictedAt: c.RestrictedAt, Requests: rs})
}

func (h *Handler) restriction(ctx context.Context, candidateID, recruiter string, in input, now time.Time) httpapi.Response {
	channel, err := consent.ParseChannel(in.Channel)
	if err != nil {
		return httpapi.Error(ctx, h.Log, err)
	}
	var r store.Restriction
	switch in.Action {
	case "restrict":
		r, err = h.Store.Restrict(ctx, candidateID, recruiter, channel, now)
	case "lift":
		r, err = h.Store.LiftRestriction(ctx, candidateID, recruiter, channel, now)
	default:
		return httpapi.Error(ctx, h.Log, &consent.ValidationError{Field: "action", Reason: `the action must be "restrict" or "lift"`})
	}
	if err != nil {
		return httpapi.Error(ctx, h.Log, err)
	}
	if r.Recorded {
		h.tell(ctx, r.Candidate, func(t locale.RightsMessages) string {
			if in.Action == "lift" {
				return t.RestrictionEnded
			}
			return t.Restricted
		})
	}
	h.Log.InfoContext(ctx, "restriction "+in.Action, "candidateId", candidateID, "recorded", r.Recorded, "due", len(r.Due))
	return httpapi.JSON(http.StatusOK, map[string]any{"restrictedAt": r.Candidate.RestrictedAt, "recorded": r.Recorded})
}

func (h *Handler) rectification(ctx context.Context, candidateID, id, recruiter string, in input, now time.Time) httpapi.Response {
	if in.Decision != consent.DecisionConfirm && in.Decision != consent.DecisionDecline {
		return httpapi.Error(ctx, h.Log, &consent.ValidationError{Field: "decision", Reason: `the decision must be "confirm" or "decline"`})
	}
	if in.Reason == "" {
		return httpapi.Error(ctx, h.Log, &consent.ValidationError{Field: "reason", Reason: "the candidate is told why: a reason is required"})
	}
	d, err := h.Store.DecideRectification(ctx, candidateID, id, in.Decision, in.Reason, recruiter, now)
	if err != nil {
		return httpapi.Error(ctx, h.Log, err)
	}
	if d.Recorded {
		h.tell(ctx, d.Candidate, func(t locale.RightsMessages) string {
			if d.Request.Status == consent.RightsConfirmed {
				return fmt.Sprintf(t.Rectified, t.Field(d.Request.Field), in.Reason)
			}
			return fmt.Sprintf(t.NotRectified, t.Field(d.Request.Field), in.Reason)
		})
	}
	h.Log.InfoContext(ctx, "rectification decided", "candidateId", candidateID, "requestId", id, "decision", in.Decision, "recorded", d.Recorded)
	return httpapi.JSON(http.StatusOK, d.Request)
}

func (h *Handler) objection(ctx context.Context, candidateID, id, recruiter string, in input, now time.Time) httpapi.Response {
	if in.Decision != "compelling_grounds" {
		return httpapi.Error(ctx, h.Log, &consent.ValidationError{Field: "decision", Reason: `the decision must be "compelling_grounds"`})
	}
	if in.Reason == "" {
		return httpapi.Error(ctx, h.Log, &consent.ValidationError{Field: "reason", Reason: "the candidate is told the grounds: a reason is required"})
	}
	d, err := h.Store.RecordCompellingGrounds(ctx, candidateID, id, in.Reason, recruiter, now)
	if err != nil {
		return httpapi.Error(ctx, h.Log, err)
	}
	if d.Recorded {
		h.tell(ctx, d.Candidate, func(t locale.RightsMessages) string { return fmt.Sprintf(t.ObjectionGrounds, in.Reason) })
	}
	h.Log.InfoContext(ctx, "compelling grounds recorded", "candidateId", candidateID, "requestId", id, "recorded", d.Recorded)
	return httpapi.JSON(http.StatusOK, d.Request)
}

// tell emails the candidate; a failed send is logged: the answer is
// recorded, and the console shows it.
func (h *Handler) tell(ctx context.Context, c consent.Candidate, paragraph func(t locale.RightsMessages) string) {
	id, err := h.Mail.Send(ctx, h.Mail.Rights(c, paragraph, ""))
	if err != nil {
		h.Log.WarnContext(ctx, "rights email not sent", "candidateId", c.ID, "error", err.Error())
		return
	}
	h.Log.InfoContext(ctx, "rights email sent", "candidateId", c.ID, "messageId", id)
}
