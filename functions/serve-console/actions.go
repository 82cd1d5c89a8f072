package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/consentflow/consentflow/shared/consent"
	"github.com/consentflow/consentflow/shared/httpapi"
	"github.com/consentflow/consentflow/shared/store"
	"github.com/consentflow/consentflow/shared/upload"
)

func (h *Handler) register(ctx context.Context, r recruiter, form url.Values) httpapi.Response {
	in := map[string]string{"name": form.Get("name"), "email": form.Get("email"), "locale": form.Get("locale")}
	res, err := h.API.Post(ctx, r.token, "/api/candidates", form.Get("idempotencyKey"), in)
	if err != nil {
		return h.failed(ctx, r, err)
	}
	if res.Status == http.StatusCreated || res.Status == http.StatusOK {
		return redirect("/console/candidates/" + res.ID + "?done=registered")
	}
	if res.Status == http.StatusUnauthorized {
		return h.render(http.StatusUnauthorized, messagePage{Title: "Sign in again", Detail: "Your session has ended, so nothing was changed.", SignIn: true})
	}
	v := listPage{Recruiter: r, States: store.ListStates, Register: registerForm{
		Name: in["name"], Email: in["email"], Locale: in["locale"], IdempotencyKey: form.Get("idempotencyKey"), Problem: &res.Problem,
	}}
	return h.render(res.Status, v)
}

func (h *Handler) requestConsent(ctx context.Context, r recruiter, id string, form url.Values) httpapi.Response {
	purposes := form["purpose"]
	if len(purposes) == 0 {
		purposes = []string{}
	}
	res, err := h.API.Post(ctx, r.token, "/api/candidates/"+id+"/consent-requests", form.Get("idempotencyKey"), map[string]any{"purposes": purposes})
	if err != nil {
		return h.failed(ctx, r, err)
	}
	switch res.Status {
	case http.StatusAccepted:
		return redirect("/console/candidates/" + id + "?done=requested")
	case http.StatusUnauthorized:
		return h.render(http.StatusUnauthorized, messagePage{Title: "Sign in again", Detail: "Your session has ended, so nothing was changed.", SignIn: true})
	}
	return h.candidate(ctx, r, id, "", &res.Problem)
}

// erasureGrounds are the reasons a recruiter can give for erasing
// everything (the API's codes, GDPR Art. 17(1)).
var erasureGrounds = []string{"candidate_request", "no_longer_necessary", "consent_withdrawn", "objection", "unlawful_processing", "legal_obligation"}

// withdraw records a withdrawal that reached the recruiter another way,
// through the API route.
func (h *Handler) withdraw(ctx context.Context, r recruiter, id string, form url.Values) httpapi.Response {
	purpose := form.Get("purpose")
	if _, err := consent.ParsePurpose(purpose); err != nil {
		return h.candidate(ctx, r, id, "", &httpapi.Problem{Title: "Choose a consent to withdraw", Status: http.StatusUnprocessableEntity, Detail: "No such purpose."})
	}
	res, raw, err := h.API.Send(ctx, r.token, http.MethodPost, "/api/candidates/"+id+"/consents/"+purpose+"/withdraw", "",
		map[string]string{"channel": form.Get("channel"), "note": form.Get("note")})
	if err != nil {
		return h.failed(ctx, r, err)
	}
	switch res.Status {
	case http.StatusOK:
		var out struct {
			Recorded bool `json:"recorded"`
		}
		_ = json.Unmarshal(raw, &out)
		if !out.Recorded {
			return redirect("/console/candidates/" + id + "?done=unchanged")
		}
		return redirect("/console/candidates/" + id + "?done=withdrawn")
	case http.StatusUnauthorized:
		return h.render(http.StatusUnauthorized, messagePage{Title: "Sign in again", Detail: "Your session has ended, so nothing was changed.", SignIn: true})
	}
	return h.candidate(ctx, r, id, "", &res.Problem)
}

// erase asks the API to erase everything about the candidate, once the
// recruiter confirmed it.
func (h *Handler) erase(ctx context.Context, r recruiter, id string, form url.Values) httpapi.Response {
	if form.Get("confirm") != "yes" {
		return h.candidate(ctx, r, id, "", &httpapi.Problem{Title: "Confirm the erasure", Status: http.StatusUnprocessableEntity,
			Detail: "Tick the box to confirm that everything about this candidate is to be erased. Nothing was changed."})
	}
	res, _, err := h.API.Send(ctx, r.token, http.MethodDelete, "/api/candidates/"+id, "", map[string]string{"reason": form.Get("reason")})
	if err != nil {
		return h.failed(ctx, r, err)
	}
	switch res.Status {
	case http.StatusAccepted:
		return h.render(http.StatusAccepted, messagePage{Recruiter: r, Title: "Erasure under way",
			Detail: "Everything about this candidate is being erased: every file and version, then the profile. The candidate and your team get an email when it is done; the audit trail keeps the tombstones."})
	case http.StatusUnauthorized:
		return h.render(http.StatusUnauthorized, messagePage{Title: "Sign in again", Detail: "Your session has ended, so nothing was changed.", SignIn: true})
	}
	return h.candidate(ctx, r, id, "", &res.Problem)
}

// export downloads the candidate's export (GDPR Art. 15/20) through the
// API route, as a JSON file.
func (h *Handler) export(ctx context.Context, r recruiter, id string) httpapi.Response {
	if !consent.ValidID(id) {
		return h.render(http.StatusNotFound, messagePage{Recruiter: r, Title: "No such candidate"})
	}
	res, raw, err := h.API.Send(ctx, r.token, http.MethodGet, "/api/candidates/"+id+"/export", "", nil)
	if err != nil {
		return h.failed(ctx, r, err)
	}
	if res.Status != http.StatusOK {
		return h.render(res.Status, messagePage{Recruiter: r, Title: res.Problem.Title, Detail: res.Problem.Detail})
	}
	return httpapi.Response{StatusCode: http.StatusOK, Body: string(raw), Headers: map[string]string{
		"Content-Type":        "application/json",
		"Content-Disposition": `attachment; filename="candidate-` + id + `-export.json"`,
		"Cache-Control":       "no-store",
	}}
}

// openApplication opens an application through the API route.
func (h *Handler) openApplication(ctx context.Context, r recruiter, id string, form url.Values) httpapi.Response {
	res, err := h.API.Post(ctx, r.token, "/api/candidates/"+id+"/applications", "", map[string]string{"position": strings.TrimSpace(form.Get("position"))})
	if err != nil {
		return h.failed(ctx, r, err)
	}
	return h.afterAction(ctx, r, id, res, http.StatusCreated, "opened")
}

// closeApplication closes an application through the API route.
func (h *Handler) closeApplication(ctx context.Context, r recruiter, id string, form url.Values) httpapi.Response {
	app := form.Get("application")
	if !consent.ValidID(app) {
		return h.candidate(ctx, r, id, "", &httpapi.Problem{Title: "No such application", Status: http.StatusNotFound})
	}
	res, err := h.API.Post(ctx, r.token, "/api/candidates/"+id+"/applications/"+app+"/close", "", map[string]string{"outcome": form.Get("outcome")})
	if err != nil {
		return h.failed(ctx, r, err)
	}
	return h.afterAction(ctx, r, id, res, http.StatusOK, "closed")
}

// afterAction answers an action the API took (ok: back to the candidate
// with done's message), refused (the candidate page with the problem), or
// refused for an ended session.
func (h *Handler) afterAction(ctx context.Context, r recruiter, id string, res APIResult, ok int, done string) httpapi.Response {
	switch res.Status {
	case ok:
		return redirect("/console/candidates/" + id + "?done=" + done)
	case http.StatusUnauthorized:
		return h.render(http.StatusUnauthorized, messagePage{Title: "Sign in again", Detail: "Your session has ended, so nothing was changed.", SignIn: true})
	}
	return h.candidate(ctx, r, id, "", &res.Problem)
}

// positions names each application by its position, for the rights list.
func positions(apps []consent.Application) map[string]string {
	m := make(map[string]string, len(apps))
	for _, a := range apps {
		m[a.ID] = a.Position
	}
	return m
}

// restriction restricts processing, or lifts the restriction, through the
// API route, with the channel the candidate asked by.
func (h *Handler) restriction(ctx context.Context, r recruiter, id string, form url.Values) httpapi.Response {
	action := form.Get("action")
	res, _, err := h.API.Send(ctx, r.token, http.MethodPost, "/api/candidates/"+id+"/restriction", "",
		map[string]string{"action": action, "channel": form.Get("channel")})
	if err != nil {
		return h.failed(ctx, r, err)
	}
	done := "restricted"
	if action == "lift" {
		done = "lifted"
	}
	return h.afterAction(ctx, r, id, res, http.StatusOK, done)
}

// decideRectification confirms or declines a rectification through the API
// route, with the reason the candidate is told.
func (h *Handler) decideRectification(ctx context.Context, r recruiter, id string, form url.Values) httpapi.Response {
	req := form.Get("request")
	if !consent.ValidID(req) {
		return h.candidate(ctx, r, id, "", &httpapi.Problem{Title: "No such request", Status: http.StatusNotFound})
	}
	res, _, err := h.API.Send(ctx, r.token, http.MethodPost, "/api/candidates/"+id+"/rectifications/"+req, "",
		map[string]string{"decision": form.Get("decision"), "reason": strings.TrimSpace(form.Get("reason"))})
	if err != nil {
		return h.failed(ctx, r, err)
	}
	return h.afterAction(ctx, r, id, res, http.StatusOK, "rectified")
}

// compellingGrounds records compelling grounds against an objection
// through the API route.
func (h *Handler) compellingGrounds(ctx context.Context, r recruiter, id string, form url.Values) httpapi.Response {
	req := form.Get("request")
	if !consent.ValidID(req) {
		return h.candidate(ctx, r, id, "", &httpapi.Problem{Title: "No such request", Status: http.StatusNotFound})
	}
	res, _, err := h.API.Send(ctx, r.token, http.MethodPost, "/api/candidates/"+id+"/objections/"+req, "",
		map[string]string{"decision": "compelling_grounds", "reason": strings.TrimSpace(form.Get("reason"))})
	if err != nil {
		return h.failed(ctx, r, err)
	}
	return h.afterAction(ctx, r, id, res, http.StatusOK, "grounds")
}

// CVTypes are the CV formats the console offers, by label.
var CVTypes = []struct{ Label, ContentType string }{
	{"PDF", "application/pdf"},
	{"Word (DOCX)", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
	{"OpenDocument (ODT)", "application/vnd.oasis.opendocument.text"},
	{"Plain text", "text/plain"},
}

// prepareUpload asks the API route for a CV upload of the chosen type for
// an open application (declaring the largest size allowed: a form without
// script cannot know the file's), and shows the form that sends the file
// straight to S3, which then redirects back to the candidate's page.
func (h *Handler) prepareUpload(ctx context.Context, r recruiter, id string, form url.Values) httpapi.Response {
	c, err := h.Store.Candidate(ctx, id)
	if err != nil {
		return h.failed(ctx, r, err)
	}
	apps, err := h.Store.Applications(ctx, id)
	if err != nil {
		return h.failed(ctx, r, err)
	}
	v := uploadPage{Recruiter: r, Candidate: c}
	for _, a := range apps {
		if a.ID == form.Get("application") {
			v.Position = a.Position
		}
	}
	for _, t := range CVTypes {
		if t.ContentType == form.Get("contentType") {
			v.Type = t.Label
		}
	}
	res, raw, err := h.API.Send(ctx, r.token, http.MethodPost, "/api/candidates/"+id+"/documents", "", map[string]any{
		"kind": "cv", "contentType": form.Get("contentType"), "size": consent.MaxCVSize, "applicationId": form.Get("application"),
		"redirect": h.BaseURL + "/console/candidates/" + id + "?done=uploaded",
	})
	if err != nil {
		return h.failed(ctx, r, err)
	}
	if res.Status != http.StatusCreated {
		return h.afterAction(ctx, r, id, res, http.StatusCreated, "")
	}
	var out struct {
		Upload upload.Form `json:"upload"`
	}
	if err := json.Unmarshal(raw, &out); err != nil || out.Upload.URL == "" {
		return h.failed(ctx, r, fmt.Errorf("read the upload form: %v", err))
	}
	u, err := url.Parse(out.Upload.URL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") {
		return h.failed(ctx, r, fmt.Errorf("the upload URL is not http(s)"))
	}
	v.Upload = out.Upload
	return withFormAction(h.render(http.StatusOK, v), u.Scheme+"://"+u.Host)
}
