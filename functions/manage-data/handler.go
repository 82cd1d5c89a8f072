package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"time"

	"github.com/consentflow/consentflow/shared/consent"
	"github.com/consentflow/consentflow/shared/dataexport"
	"github.com/consentflow/consentflow/shared/erasure"
	"github.com/consentflow/consentflow/shared/httpapi"
	"github.com/consentflow/consentflow/shared/locale"
	"github.com/consentflow/consentflow/shared/mail"
	"github.com/consentflow/consentflow/shared/page"
	"github.com/consentflow/consentflow/shared/store"
)

// Store resolves the candidate's links and records what they ask.
type Store interface {
	ManageByLink(ctx context.Context, hash string) (store.ManageLink, error)
	ErasureConfirmationByLink(ctx context.Context, manageHash, confirmHash string, now time.Time) (store.ManageLink, error)
	MintErasureConfirmation(ctx context.Context, candidateID, hash string, at, expiresAt time.Time) error
	Withdraw(ctx context.Context, candidateID string, p consent.Purpose, method, note, actor string, at time.Time) (store.Withdrawal, error)
	Export(ctx context.Context, candidateID, actor string, at time.Time) (store.Export, error)
	RequestErasure(ctx context.Context, candidateID, ground, actor, method string, at time.Time) (store.ErasureRequest, error)
	Restrict(ctx context.Context, candidateID, actor, method string, at time.Time) (store.Restriction, error)
	LiftRestriction(ctx context.Context, candidateID, actor, method string, at time.Time) (store.Restriction, error)
	RequestRectification(ctx context.Context, candidateID, field, value string, at time.Time) (consent.RightsRequest, error)
	Object(ctx context.Context, candidateID, applicationID string, at, graceEnds time.Time) (consent.RightsRequest, error)
}

// Erasures starts erasures; *erasure.Starter satisfies it.
type Erasures interface {
	Artifacts(ctx context.Context, due []store.DueArtifact, reason string) (int, error)
	Candidate(ctx context.Context, name, candidateID string, artifacts []store.DueArtifact) error
}

// Mailer writes and sends the candidate's emails; *mail.Mailer satisfies it.
type Mailer interface {
	Export(c consent.Candidate, doc []byte, name string, linksUntil time.Time, manage string) mail.Message
	ConfirmErasure(c consent.Candidate, confirm string, until time.Time) mail.Message
	Rights(c consent.Candidate, paragraph func(t locale.RightsMessages) string, manage string) mail.Message
	Objection(to, candidateID, applicationID, consoleURL string, graceEnds string) mail.Message
	Send(ctx context.Context, msg mail.Message) (string, error)
}

// Handler carries out what a candidate asks on their manage page.
type Handler struct {
	Store   Store
	Erasure Erasures
	Mail    Mailer
	// Links signs the export's download links.
	Links  dataexport.Signer
	Policy consent.Policy
	// ObjectionGrace is how long the recruiter has to record compelling
	// grounds against an objection.
	ObjectionGrace time.Duration
	Log            *slog.Logger
	Now            func() time.Time
}

// DownloadValidity is how long the download links of an emailed export
// work: long enough to open the email, short enough to age out of an inbox.
const DownloadValidity = time.Hour

// ErasureGround is the ground recorded for an erasure the candidate asked
// for themselves.
const ErasureGround = "candidate_request"

// Handle answers POST /m/{token} (action withdraw, export or erase) and
// POST /m/{token}/erase/{confirm} (the confirmed erasure).
func (h *Handler) Handle(ctx context.Context, req httpapi.Request) (httpapi.Response, error) {
	v := page.Visit{M: locale.For(page.LanguageFor(req, "")), Controller: h.Policy.Controller, Contact: h.Policy.ControllerContact,
		Authority: h.Policy.SupervisoryAuthority, AuthorityURL: h.Policy.SupervisoryAuthorityURL}
	token, err := page.Token(req)
	if err != nil {
		return page.Error(ctx, h.Log, req, v, err), nil
	}
	v.Path = consent.ManagePath(token)
	if confirm, ok := req.PathParameters["confirm"]; ok {
		return h.erase(ctx, req, v, token, confirm), nil
	}
	link, err := h.Store.ManageByLink(ctx, consent.HashLinkToken(token))
	if err != nil {
		return page.Error(ctx, h.Log, req, v, err), nil
	}
	v.M = locale.For(page.LanguageFor(req, link.Candidate.Locale))
	body, err := httpapi.FormBody(req)
	if err != nil {
		return page.Error(ctx, h.Log, req, v, err), nil
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return page.Error(ctx, h.Log, req, v, &consent.ValidationError{Field: "body", Reason: "the form body is not URL-encoded"}), nil
	}
	if link.ErasureRequestedAt != nil {
		return h.back(v, nil), nil // the page says the erasure is under way
	}
	c, now := link.Candidate, h.Now().UTC()
	switch form.Get("action") {
	case "withdraw":
		p, err := consent.ParsePurpose(form.Get("purpose"))
		if err != nil {
			return page.Error(ctx, h.Log, req, v, err), nil
		}
		w, err := h.Store.Withdraw(ctx, c.ID, p, consent.CollectedByWebForm, "", consent.ActorCandidate, now)
		if err != nil {
			return page.Error(ctx, h.Log, req, v, err), nil
		}
		if len(w.Due) > 0 {
			if n, err := h.Erasure.Artifacts(ctx, w.Due, consent.ErasureWithdrawn); err != nil {
				// Recorded and due: the sweep starts what did not start now.
				h.Log.WarnContext(ctx, "erasure not started; the sweep will", "candidateId", c.ID, "started", n, "error", err.Error())
			}
		}
		h.Log.InfoContext(ctx, "withdrawal recorded", "candidateId", c.ID, "purpose", p, "recorded", w.Recorded, "due", len(w.Due))
		return h.back(v, url.Values{"done": {"withdrawn"}, "purpose": {string(p)}}), nil
	case "export":
		x, err := h.Store.Export(ctx, c.ID, consent.ActorCandidate, now)
		if err != nil {
			return page.Error(ctx, h.Log, req, v, err), nil
		}
		doc, err := h.Links.Document(ctx, x, now, DownloadValidity)
		if err != nil {
			return page.Error(ctx, h.Log, req, v, err), nil
		}
		b, err := json.MarshalIndent(doc, "", "  ")
		if err != nil {
			return page.Error(ctx, h.Log, req, v, err), nil
		}
		// The link the candidate used is still the current one: the email
		// carries it rather than replacing it.
		manage := h.Policy.ManageURL(token) + "?lang=" + url.QueryEscape(c.Locale)
		id, err := h.Mail.Send(ctx, h.Mail.Export(c, b, dataexport.FileName(c.ID), now.Add(DownloadValidity), manage))
		if err != nil {
			return page.Error(ctx, h.Log, req, v, err), nil
		}
		h.Log.InfoContext(ctx, "export emailed", "candidateId", c.ID, "downloadLinks", doc.Links, "messageId", id)
		return page.Render(http.StatusOK, v.Outcome(v.M.Manage.ExportSent, v.M.Manage.ExportSentDetail)), nil
	case "erase":
		confirm := consent.NewLinkToken()
		until := now.Add(store.ErasureConfirmationValidity)
		if err := h.Store.MintErasureConfirmation(ctx, c.ID, consent.HashLinkToken(confirm), now, until); err != nil {
			return page.Error(ctx, h.Log, req, v, err), nil
		}
		link := h.Policy.ManageURL(token) + "/erase/" + confirm + "?lang=" + url.QueryEscape(c.Locale)
		id, err := h.Mail.Send(ctx, h.Mail.ConfirmErasure(c, link, until))
		if err != nil {
			return page.Error(ctx, h.Log, req, v, err), nil
		}
		h.Log.InfoContext(ctx, "erasure confirmation emailed", "candidateId", c.ID, "messageId", id)
		return page.Render(http.StatusOK, v.Outcome(v.M.Manage.EraseSent, v.M.Manage.EraseSentDetail)), nil
	case "restrict", "lift":
		set := h.Store.Restrict
		if form.Get("action") == "lift" {
			set = h.Store.LiftRestriction
		}
		r, err := set(ctx, c.ID, consent.ActorCandidate, consent.CollectedByWebForm, now)
		if err != nil {
			return page.Error(ctx, h.Log, req, v, err), nil
		}
		if r.Recorded {
			lifted := r.Candidate.RestrictedAt == nil
			h.tell(ctx, r.Candidate, token, func(t locale.RightsMessages) string {
				if lifted {
					return t.RestrictionEnded
				}
				return t.Restricted
			})
		}
		h.Log.InfoContext(ctx, "restriction "+form.Get("action"), "candidateId", c.ID, "recorded", r.Recorded)
		return h.back(v, url.Values{"done": {form.Get("action")}}), nil
	case "rectify":
		field, value, err := consent.ParseRectification(form.Get("field"), form.Get("value"))
		if err != nil {
			return page.Error(ctx, h.Log, req, v, err), nil
		}
		r, err := h.Store.RequestRectification(ctx, c.ID, field, value, now)
		if err != nil {
			return page.Error(ctx, h.Log, req, v, err), nil
		}
		h.Log.InfoContext(ctx, "rectification requested", "candidateId", c.ID, "requestId", r.ID, "field", field)
		return h.back(v, url.Values{"done": {"rectify"}}), nil
	case "object":
		appID := form.Get("application")
		if !consent.ValidID(appID) {
			return page.Error(ctx, h.Log, req, v, &consent.ValidationError{Field: "application", Reason: "no application of yours has this id"}), nil
		}
		r, err := h.Store.Object(ctx, c.ID, appID, now, now.Add(h.ObjectionGrace))
		if err != nil {
			return page.Error(ctx, h.Log, req, v, err), nil
		}
		if r.RequestedAt.Equal(now) { // recorded now, not a repeat
			graceEnds := *r.GraceEnds
			h.tell(ctx, c, token, func(t locale.RightsMessages) string { return fmt.Sprintf(t.ObjectionHeard, v.M.Date(graceEnds)) })
			msg := h.Mail.Objection(h.Policy.ControllerContact, c.ID, appID, h.Policy.PublicBaseURL+"/console/candidates/"+c.ID, graceEnds.Format(time.RFC3339))
			if id, err := h.Mail.Send(ctx, msg); err != nil {
				h.Log.WarnContext(ctx, "objection email to the controller not sent", "candidateId", c.ID, "error", err.Error())
			} else {
				h.Log.InfoContext(ctx, "objection emailed to the controller", "candidateId", c.ID, "messageId", id)
			}
		}
		h.Log.InfoContext(ctx, "objection recorded", "candidateId", c.ID, "requestId", r.ID, "applicationId", appID)
		return h.back(v, url.Values{"done": {"object"}}), nil
	}
	return page.Error(ctx, h.Log, req, v, &consent.ValidationError{Field: "action",
		Reason: `the action must be "withdraw", "export", "erase", "restrict", "lift", "rectify" or "object"`}), nil
}

// tell emails the candidate about their rights request, with the link they
// used; a failed send is logged (the request is recorded).
func (h *Handler) tell(ctx context.Context, c consent.Candidate, token string, paragraph func(t locale.RightsMessages) string) {
	manage := h.Policy.ManageURL(token) + "?lang=" + url.QueryEscape(c.Locale)
	id, err := h.Mail.Send(ctx, h.Mail.Rights(c, paragraph, manage))
	if err != nil {
		h.Log.WarnContext(ctx, "rights email not sent", "candidateId", c.ID, "error", err.Error())
		return
	}
	h.Log.InfoContext(ctx, "rights email sent", "candidateId", c.ID, "messageId", id)
}

// erase records the confirmed request to erase everything and starts it.
// A repeated confirmation answers the same page and starts nothing new.
func (h *Handler) erase(ctx context.Context, req httpapi.Request, v page.Visit, token, confirm string) httpapi.Response {
	if !consent.ValidLinkToken(confirm) {
		return page.Error(ctx, h.Log, req, v, &consent.NotFoundError{What: "link"})
	}
	link, err := h.Store.ErasureConfirmationByLink(ctx, consent.HashLinkToken(token), consent.HashLinkToken(confirm), h.Now())
	if err != nil {
		return page.Error(ctx, h.Log, req, v, err)
	}
	v.M = locale.For(page.LanguageFor(req, link.Candidate.Locale))
	id := link.Candidate.ID
	r, err := h.Store.RequestErasure(ctx, id, ErasureGround, consent.ActorCandidate, consent.CollectedByWebForm, h.Now().UTC())
	if err != nil {
		return page.Error(ctx, h.Log, req, v, err)
	}
	if err := h.Erasure.Candidate(ctx, erasure.CandidateName(id, r.RequestedAt, 0), id, r.Due); err != nil {
		// Recorded: the sweep restarts a request that has not finished.
		h.Log.WarnContext(ctx, "erasure not started; the sweep will", "candidateId", id, "error", err.Error())
	}
	h.Log.InfoContext(ctx, "erasure requested by the candidate", "candidateId", id, "recorded", r.Recorded, "artifacts", len(r.Due))
	return page.Render(http.StatusOK, v.Outcome(v.M.Manage.Erasing, v.M.Manage.ErasingDetail))
}

// back answers 303 to the manage page, in the language shown, with what it
// should confirm.
func (h *Handler) back(v page.Visit, q url.Values) httpapi.Response {
	if q == nil {
		q = url.Values{}
	}
	q.Set("lang", v.M.Lang)
	return httpapi.Response{StatusCode: http.StatusSeeOther, Headers: map[string]string{
		"Location": v.Path + "?" + q.Encode(), "Cache-Control": "no-store", "Referrer-Policy": "no-referrer",
	}}
}
