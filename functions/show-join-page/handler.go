package main

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/consentflow/consentflow/shared/consent"
	"github.com/consentflow/consentflow/shared/httpapi"
	"github.com/consentflow/consentflow/shared/locale"
	"github.com/consentflow/consentflow/shared/page"
	"github.com/consentflow/consentflow/shared/qr"
	"github.com/consentflow/consentflow/shared/store"
)

// JoinStore resolves join-time links and reads recorded answers; it only
// reads.
type JoinStore interface {
	JoinByLink(ctx context.Context, hash string, now time.Time) (store.Joined, error)
	RecordedAnswer(ctx context.Context, requestID string) (store.Answer, error)
}

// Handler shows join-time pages and their QR codes.
type Handler struct {
	Store  JoinStore
	Policy consent.Policy
	Log    *slog.Logger
	Now    func() time.Time
}

// QRRoute is the route of a join-time link's QR code.
const QRRoute = "GET /j/{token}/qr.svg"

// Handle shows whether the interview may be recorded, with Record and
// Don't record; once answered, the answer; or the link's QR code (SVG).
// It only reads.
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
	isQR := req.RouteKey == QRRoute || strings.HasSuffix(req.RawPath, "/qr.svg")
	if isQR && errors.Is(err, store.ErrRequestNotRecorded) {
		// The link is valid; only its request is still being recorded,
		// which the code need not wait for: it is shown at once.
		return h.qr(token)
	}
	if err != nil {
		return page.Error(ctx, h.Log, req, v, err), nil
	}
	if isQR {
		return h.qr(token)
	}
	v.M, v.Controller = locale.For(page.LanguageFor(req, j.Candidate.Locale)), j.Request.Controller
	m := v.M
	if j.Request.Status == consent.Answered {
		ans, err := h.Store.RecordedAnswer(ctx, j.Request.ID)
		if err != nil {
			return page.Error(ctx, h.Log, req, v, err), nil
		}
		out := v.Outcome(m.Join.NotKept, "")
		for _, o := range ans.Outcomes {
			if o.Purpose == j.Link.Purpose && o.State == consent.Given {
				out.Title = m.Join.Recorded
			}
		}
		out.Withdraw = h.Policy.ControllerContact
		return page.Render(http.StatusOK, out), nil
	}
	return page.Render(http.StatusOK, page.NewJoin(h.Policy, m, j.Request, j.Link.Purpose, v.Path, j.Link.ExpiresAt)), nil
}

func (h *Handler) qr(token string) (httpapi.Response, error) {
	svg, err := qr.SVG(h.Policy.JoinURL(token), "QR code of the link to answer whether this interview may be recorded")
	if err != nil {
		return httpapi.Fail(err), nil
	}
	return httpapi.Response{StatusCode: http.StatusOK, Body: svg, Headers: map[string]string{
		"Content-Type": "image/svg+xml", "Cache-Control": "no-store", "Referrer-Policy": "no-referrer",
		"X-Content-Type-Options": "nosniff", "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'",
	}}, nil
}
