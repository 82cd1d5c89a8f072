package main

import (
	"context"
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

// JoinStore resolves join-time links and records decisions.
type JoinStore interface {
	JoinByLink(ctx context.Context, hash string, now time.Time) (store.Joined, error)
	answer.Store
}

// Handler records answers given on the join-time page.
type Handler struct {
	Store     JoinStore
	Workflows answer.Workflows
	Erasure   answer.Erasures
	// NetworkKey keys the hash of the client's network (see answer.Recorder).
	NetworkKey answer.Secret
	Policy     consent.Policy
	Log        *slog.Logger
	Now        func() time.Time
}

// Handle records Record (a grant) or Don't record (a refusal, or a
// withdrawal of consent given before) for the link's purpose, through the
// same transaction, events, hand-over and receipt as any other answer, and
// answers 303 back to the page, which then shows the answer.
func (h *Handler) Handle(ctx context.Context, req httpapi.Request) (httpapi.Response, error) {
	v := page.Visit{M: locale.For(page.LanguageFor(req, "")), Controller: h.Policy.Controller, Contact: h.Policy.ControllerContact,
		Authority: h.Policy.SupervisoryAuthority, AuthorityURL: h.Policy.SupervisoryAuthorityURL}
	token, err := page.Token(req)
	if err != nil {
		return page.Error(ctx, h.Log, req, v, err), nil
	}
	v.Path = consent.JoinPath(token)
	now := h.Now()
	j, err := h.Store.JoinByLink(ctx, consent.HashLinkToken(token), now)
	if err != nil {
		return page.Error(ctx, h.Log, req, v, err), nil
	}
	v.M, v.Controller = locale.For(page.LanguageFor(req, j.Candidate.Locale)), j.Request.Controller
	m := v.M
	if j.Request.Status != consent.Pending {
		return page.Error(ctx, h.Log, req, v, &consent.ConflictError{Reason: "this consent request has already been answered"}), nil
	}
	if mt := httpapi.MediaType(req); mt != "application/x-www-form-urlencoded" {
		return page.Error(ctx, h.Log, req, v, httpapi.UnsupportedMediaType("application/x-www-form-urlencoded")), nil
	}
	body, err := httpapi.FormBody(req)
	if err != nil {
		return page.Error(ctx, h.Log, req, v, err), nil
	}
	d, err := page.ParseJoinDecision(body, j.Link.Purpose)
	if err != nil {
		return page.Error(ctx, h.Log, req, v, err), nil
	}
	rec := answer.Recorder{Store: h.Store, Workflows: h.Workflows, Erasure: h.Erasure, NetworkKey: h.NetworkKey, Log: h.Log, Now: h.Now}
	if _, err := rec.Record(ctx, req, j.Request, []consent.Decision{d}, m.Lang, now); err != nil {
		return page.Error(ctx, h.Log, req, v, err), nil
	}
	return httpapi.Response{StatusCode: http.StatusSeeOther, Headers: map[string]string{
		"Location": v.Path + "?lang=" + m.Lang, "Cache-Control": "no-store", "Referrer-Policy": "no-referrer",
	}}, nil
}
