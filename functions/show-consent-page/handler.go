package main

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/consentflow/consentflow/shared/consent"
	"github.com/consentflow/consentflow/shared/httpapi"
	"github.com/consentflow/consentflow/shared/locale"
	"github.com/consentflow/consentflow/shared/page"
	"github.com/consentflow/consentflow/shared/store"
)

// LinkStore finds requests by link and their recorded answers; it only reads.
type LinkStore interface {
	RequestByLink(ctx context.Context, linkHash string, now time.Time) (consent.Request, consent.Candidate, error)
	RecordedAnswer(ctx context.Context, requestID string) (store.Answer, error)
}

// Handler shows consent pages.
type Handler struct {
	Store  LinkStore
	Policy consent.Policy
	Log    *slog.Logger
	Now    func() time.Time
}

// View is the JSON form of the page, for clients that do not ask for HTML.
type View struct {
	RequestID     string             `json:"requestId"`
	Status        string             `json:"status"`
	Controller    string             `json:"controller"`
	NoticeVersion string             `json:"noticeVersion"`
	NoticeURL     string             `json:"noticeUrl"`
	ExpiresAt     time.Time          `json:"expiresAt"`
	Purposes      []page.PurposeView `json:"purposes"`
	Answer        *store.Answer      `json:"answer,omitempty"`
}

// Handle shows the form of a pending request, or the recorded answer of an
// answered one. It only reads.
func (h *Handler) Handle(ctx context.Context, req httpapi.Request) (httpapi.Response, error) {
	// Until the link is known: the deployment's controller, and the
	// language chosen or the browser's.
	v := page.Visit{M: locale.For(page.LanguageFor(req, "")), Controller: h.Policy.Controller, Contact: h.Policy.ControllerContact,
		Authority: h.Policy.SupervisoryAuthority, AuthorityURL: h.Policy.SupervisoryAuthorityURL}
	token, err := page.Token(req)
	if err != nil {
		return page.Error(ctx, h.Log, req, v, err), nil
	}
	v.Path = "/c/" + token
	r, c, err := h.Store.RequestByLink(ctx, consent.HashLinkToken(token), h.Now())
	if err != nil {
		return page.Error(ctx, h.Log, req, v, err), nil
	}
	// Known: the candidate's language, and the request's own controller.
	v.M, v.Controller = locale.For(page.LanguageFor(req, c.Locale)), r.Controller
	m := v.M
	form := page.NewForm(h.Policy, m, r, v.Path)
	// The terms are the request's, fixed when it was made: a later change
	// of the deployment's controller or notice does not alter what this
	// candidate was asked.
	view := View{RequestID: r.ID, Status: string(r.Status), Controller: r.Controller, NoticeVersion: r.NoticeVersion,
		NoticeURL: r.NoticeURL, ExpiresAt: r.ExpiresAt, Purposes: form.Purposes}
	if r.Status == consent.Answered {
		ans, err := h.Store.RecordedAnswer(ctx, r.ID)
		if err != nil {
			return page.Error(ctx, h.Log, req, v, err), nil
		}
		if !page.WantsHTML(req) {
			view.Answer = &ans
			return httpapi.JSON(http.StatusOK, view), nil
		}
		out := v.Outcome(m.Thanks, m.ThanksDetail)
		out.Withdraw = h.Policy.ControllerContact
		for _, o := range ans.Outcomes {
			out.Decisions = append(out.Decisions, page.DecisionView{Name: m.PurposeNames[o.Purpose], State: o.State})
		}
		return page.Render(http.StatusOK, out), nil
	}
	if !page.WantsHTML(req) {
		return httpapi.JSON(http.StatusOK, view), nil
	}
	return page.Render(http.StatusOK, form), nil
}
