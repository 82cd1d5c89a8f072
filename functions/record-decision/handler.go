package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/consentflow/consentflow/shared/answer"
	"github.com/consentflow/consentflow/shared/consent"
	"github.com/consentflow/consentflow/shared/httpapi"
	"github.com/consentflow/consentflow/shared/locale"
	"github.com/consentflow/consentflow/shared/page"
	"github.com/consentflow/consentflow/shared/store"
)

// DecisionStore finds requests by link and records decisions.
type DecisionStore interface {
	RequestByLink(ctx context.Context, linkHash string, now time.Time) (consent.Request, consent.Candidate, error)
	RecordDecision(ctx context.Context, req consent.Request, decisions []consent.Decision, ev consent.Evidence, now time.Time) (store.Answer, error)
}

// Workflows answers waiting workflow tasks; *sfn.Client satisfies it.
type Workflows = answer.Workflows

// Secret is a deployment secret's value; *secret.Cached is one.
type Secret = answer.Secret

// Erasures starts erasures; *erasure.Starter satisfies it.
type Erasures = answer.Erasures

// Handler records candidates' decisions.
type Handler struct {
	Store     DecisionStore
	Workflows Workflows
	// Erasure starts the erasure of what a withdrawal left without a
	// basis, at once.
	Erasure Erasures
	// NetworkKey keys the hash of the client's network: a deployment
	// secret, so the hash cannot be reversed from stored data alone.
	NetworkKey Secret
	Policy     consent.Policy
	Log        *slog.Logger
	Now        func() time.Time
}

type jsonInput struct {
	Decisions []struct {
		Purpose consent.Purpose `json:"purpose"`
		// Grant is a pointer so that a missing answer is an error, never a
		// silent refusal.
		Grant *bool `json:"grant"`
	} `json:"decisions"`
}

// Handle records the decision in the body: a form post from the consent
// page (answered with 303 See Other back to the page) or JSON.
func (h *Handler) Handle(ctx context.Context, req httpapi.Request) (httpapi.Response, error) {
	v := page.Visit{M: locale.For(page.LanguageFor(req, "")), Controller: h.Policy.Controller, Contact: h.Policy.ControllerContact,
		Authority: h.Policy.SupervisoryAuthority, AuthorityURL: h.Policy.SupervisoryAuthorityURL}
	token, err := page.Token(req)
	if err != nil {
		return page.Error(ctx, h.Log, req, v, err), nil
	}
	v.Path = "/c/" + token
	now := h.Now()
	r, c, err := h.Store.RequestByLink(ctx, consent.HashLinkToken(token), now)
	if err != nil {
		return page.Error(ctx, h.Log, req, v, err), nil
	}
	// The language the form was shown in (it posts it back), else the
	// candidate's own; and the request's controller.
	v.M, v.Controller = locale.For(page.LanguageFor(req, c.Locale)), r.Controller
	m := v.M
	if r.Status != consent.Pending {
		return page.Error(ctx, h.Log, req, v, &consent.ConflictError{Reason: "this consent request has already been answered"}), nil
	}
	decisions, err := h.decisions(req, r)
	if err != nil {
		var bad *httpapi.BadRequestError
		if page.WantsHTML(req) && !errors.As(err, &bad) {
			form := page.NewForm(h.Policy, m, r, v.Path)
			form.Error = m.ChooseEach
			return page.Render(http.StatusUnprocessableEntity, form), nil
		}
		return page.Error(ctx, h.Log, req, v, err), nil
	}
	rec := answer.Recorder{Store: h.Store, Workflows: h.Workflows, Erasure: h.Erasure, NetworkKey: h.NetworkKey, Log: h.Log, Now: h.Now}
	ans, err := rec.Record(ctx, req, r, decisions, m.Lang, now)
	if err != nil {
		return page.Error(ctx, h.Log, req, v, err), nil
	}
	if page.WantsHTML(req) {
		return httpapi.Response{StatusCode: http.StatusSeeOther, Headers: map[string]string{
			"Location": v.Path + "?lang=" + m.Lang, "Cache-Control": "no-store", "Referrer-Policy": "no-referrer",
		}}, nil
	}
	return httpapi.JSON(http.StatusOK, ans), nil
}

func (h *Handler) decisions(req httpapi.Request, r consent.Request) ([]consent.Decision, error) {
	switch mt := httpapi.MediaType(req); {
	case httpapi.IsJSON(mt):
		var in jsonInput
		if err := httpapi.DecodeJSON(req, &in); err != nil {
			return nil, err
		}
		decisions := make([]consent.Decision, len(in.Decisions))
		for i, d := range in.Decisions {
			if d.Grant == nil {
				return nil, &consent.ValidationError{Field: "decisions", Reason: fmt.Sprintf("say grant true or false for purpose %q", d.Purpose)}
			}
			decisions[i] = consent.Decision{Purpose: d.Purpose, Grant: *d.Grant}
		}
		return decisions, r.Answer(decisions)
	case mt == "application/x-www-form-urlencoded":
		body, err := httpapi.FormBody(req)
		if err != nil {
			return nil, err
		}
		return page.ParseDecisions(body, r)
	}
	return nil, httpapi.UnsupportedMediaType("application/x-www-form-urlencoded or application/json")
}

// handOverAttempts is how often the hand-over is tried before it counts
// as lost.
const handOverAttempts = answer.HandOverAttempts
