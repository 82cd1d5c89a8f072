package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/consentflow/consentflow/shared/consent"
	"github.com/consentflow/consentflow/shared/httpapi"
	"github.com/consentflow/consentflow/shared/qr"
)

// RecordingRoute is the recording gate of the API: it authorizes an upload
// only with the candidate's consent, else asks for it.
const RecordingRoute = "/api/candidates/%s/recordings"

// startRecording asks the API's recording gate whether this interview may be
// recorded. Where the deployment has no gate route yet, it answers from the
// candidate's interview-recording consent and says so; it authorizes nothing.
func (h *Handler) startRecording(ctx context.Context, r recruiter, id string, form url.Values) httpapi.Response {
	c, err := h.Store.Candidate(ctx, id)
	if err != nil {
		var nf *consent.NotFoundError
		if errors.As(err, &nf) {
			return h.render(http.StatusNotFound, messagePage{Recruiter: r, Title: "No such candidate"})
		}
		return h.failed(ctx, r, err)
	}
	ref := strings.TrimSpace(form.Get("reference"))
	res, raw, err := h.API.Send(ctx, r.token, http.MethodPost, fmt.Sprintf(RecordingRoute, id), form.Get("idempotencyKey"),
		map[string]string{"kind": "interview", "reference": ref})
	if err != nil {
		return h.failed(ctx, r, err)
	}
	if res.Status == http.StatusUnauthorized {
		return h.render(http.StatusUnauthorized, messagePage{Title: "Sign in again", Detail: "Your session has ended, so nothing was changed.", SignIn: true})
	}
	consents, err := h.Store.Consents(ctx, id)
	if err != nil {
		return h.failed(ctx, r, err)
	}
	v := recordingPage{Recruiter: r, Candidate: c, Gate: recordingGate(consents, h.Now()), IdempotencyKey: consent.NewID(), Reference: ref}
	switch {
	case res.RouteMissing:
		v.FromConsents = true
	case res.Status == http.StatusCreated:
		v.Gate = Gate{Status: "allowed", Reason: "The recording gate authorized this recording (id " + res.ID + ")."}
	case res.Status == http.StatusConflict:
		v.Gate.Status, v.Gate.CanRequest = "awaiting", false
		v.Gate.Reason = res.Problem.Detail
		v.Join = joinOf(raw, id)
		if v.Join != nil {
			// The API's detail names its JSON fields; a recruiter needs the
			// link and code the page shows.
			v.Gate.Reason = "The candidate has been asked for consent by email. To ask them now, share the link below in the meeting chat or show the QR code."
		}
	case res.Status == http.StatusForbidden:
		v.Gate.Status = "blocked"
		v.Gate.Reason = res.Problem.Detail
	default:
		v.Problem = &res.Problem
		return h.render(res.Status, v)
	}
	return h.render(http.StatusOK, v)
}

// joinOf reads the join-time link of the gate's 409, with its QR code
// drawn here (inline SVG, so the strict CSP holds), and the address the
// page polls for the candidate's answer.
func joinOf(raw []byte, candidateID string) *joinView {
	var p struct {
		JoinURL         string `json:"joinUrl"`
		JoinExpiresAt   string `json:"joinExpiresAt"`
		AuthorizationID string `json:"authorizationId"`
	}
	if json.Unmarshal(raw, &p) != nil || p.JoinURL == "" || !consent.ValidID(p.AuthorizationID) {
		return nil
	}
	svg, err := qr.SVG(p.JoinURL, "QR code of the candidate's link")
	if err != nil {
		return nil
	}
	j := &joinView{URL: p.JoinURL, QR: template.HTML(svg), // drawn by shared/qr, which escapes its only text
		Status: statusPath(candidateID, p.AuthorizationID)}
	if until, err := time.Parse(time.RFC3339, p.JoinExpiresAt); err == nil {
		j.Until = &until
	}
	return j
}

func statusPath(candidateID, authorizationID string) string {
	return "/console/candidates/" + candidateID + "/recording?authorization=" + url.QueryEscape(authorizationID)
}

// recordingStatus shows where a recording awaiting consent stands: the
// page a refresh shows (no script needed), or, for the page's script
// (Accept: application/json), the state alone, which it polls.
func (h *Handler) recordingStatus(ctx context.Context, r recruiter, id string, req httpapi.Request) httpapi.Response {
	if !consent.ValidID(id) {
		return h.render(http.StatusNotFound, messagePage{Recruiter: r, Title: "No such candidate"})
	}
	c, err := h.Store.Candidate(ctx, id)
	if err != nil {
		var nf *consent.NotFoundError
		if errors.As(err, &nf) {
			return h.render(http.StatusNotFound, messagePage{Recruiter: r, Title: "No such candidate"})
		}
		return h.failed(ctx, r, err)
	}
	consents, err := h.Store.Consents(ctx, id)
	if err != nil {
		return h.failed(ctx, r, err)
	}
	g := recordingGate(consents, h.Now())
	if strings.Contains(httpapi.Header(req, "Accept"), "application/json") {
		res := httpapi.JSON(http.StatusOK, map[string]string{"status": g.Status, "title": g.Title(), "reason": g.Reason})
		res.Headers["Cache-Control"] = "no-store"
		return res
	}
	v := recordingPage{Recruiter: r, Candidate: c, Gate: g, IdempotencyKey: consent.NewID()}
	if aid := req.QueryStringParameters["authorization"]; consent.ValidID(aid) && g.Status == "awaiting" {
		v.Join = &joinView{Status: statusPath(id, aid)}
	}
	return h.render(http.StatusOK, v)
}
