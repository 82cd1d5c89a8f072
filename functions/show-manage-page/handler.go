package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/consentflow/consentflow/shared/consent"
	"github.com/consentflow/consentflow/shared/httpapi"
	"github.com/consentflow/consentflow/shared/locale"
	"github.com/consentflow/consentflow/shared/page"
	"github.com/consentflow/consentflow/shared/store"
)

// Links resolves manage links and reads what is held; it only reads.
type Links interface {
	ManageByLink(ctx context.Context, hash string) (store.ManageLink, error)
	ErasureConfirmationByLink(ctx context.Context, manageHash, confirmHash string, now time.Time) (store.ManageLink, error)
	Holdings(ctx context.Context, candidateID string) (store.Holdings, error)
}

// Handler shows the candidate's manage page, and the page that confirms
// their request to erase everything.
type Handler struct {
	Store  Links
	Policy consent.Policy
	Log    *slog.Logger
	Now    func() time.Time
}

// What the page confirms after a post (?done=), with the purpose withdrawn.
const (
	DoneWithdrawn = "withdrawn"
	// The other rights: the actions of manage-data.
	DoneRestrict = "restrict"
	DoneLift     = "lift"
	DoneRectify  = "rectify"
	DoneObject   = "object"
)

// Handle answers GET /m/{token} and GET /m/{token}/erase/{confirm}. It
// changes nothing, since mail scanners open links too.
func (h *Handler) Handle(ctx context.Context, req httpapi.Request) (httpapi.Response, error) {
	v := page.Visit{M: locale.For(page.LanguageFor(req, "")), Controller: h.Policy.Controller, Contact: h.Policy.ControllerContact,
		Authority: h.Policy.SupervisoryAuthority, AuthorityURL: h.Policy.SupervisoryAuthorityURL}
	// The page is for people: a client that does not ask for HTML gets
	// the errors as problems, and the page as HTML all the same.
	token, err := page.Token(req)
	if err != nil {
		return page.Error(ctx, h.Log, req, v, err), nil
	}
	manage := consent.ManagePath(token)
	v.Path = manage
	confirm, confirming := req.PathParameters["confirm"]
	if confirming {
		if !consent.ValidLinkToken(confirm) {
			return page.Error(ctx, h.Log, req, v, &consent.NotFoundError{What: "link"}), nil
		}
		v.Path = manage + "/erase/" + confirm
	}
	var link store.ManageLink
	if confirming {
		link, err = h.Store.ErasureConfirmationByLink(ctx, consent.HashLinkToken(token), consent.HashLinkToken(confirm), h.Now())
	} else {
		link, err = h.Store.ManageByLink(ctx, consent.HashLinkToken(token))
	}
	if err != nil {
		return page.Error(ctx, h.Log, req, v, err), nil
	}
	v.M = locale.For(page.LanguageFor(req, link.Candidate.Locale))
	if link.ErasureRequestedAt != nil && confirming {
		return page.Render(http.StatusOK, v.Outcome(v.M.Manage.Erasing, v.M.Manage.ErasingDetail)), nil
	}
	if confirming {
		return page.Render(http.StatusOK, page.NewConfirm(v, manage)), nil
	}
	held, err := h.Store.Holdings(ctx, link.Candidate.ID)
	if err != nil {
		return page.Error(ctx, h.Log, req, v, err), nil
	}
	view := page.NewManage(v, held, link.ErasureRequestedAt != nil, h.Now())
	switch {
	case link.ErasureRequestedAt != nil:
		view.Notice = v.M.Manage.ErasingDetail
	case req.QueryStringParameters["done"] == DoneWithdrawn:
		if p, err := consent.ParsePurpose(req.QueryStringParameters["purpose"]); err == nil {
			view.Notice = fmt.Sprintf(v.M.Manage.Withdrawn, v.M.PurposeNames[p])
		}
	default:
		view.Notice = map[string]string{
			DoneRestrict: v.M.Rights.DoneRestrict, DoneLift: v.M.Rights.DoneLift,
			DoneRectify: v.M.Rights.DoneRectify, DoneObject: v.M.Rights.DoneObject,
		}[req.QueryStringParameters["done"]]
	}
	view.SetRestricted(link.Candidate.RestrictedAt)
	h.Log.InfoContext(ctx, "manage page shown", "candidateId", link.Candidate.ID)
	return page.Render(http.StatusOK, view), nil
}
