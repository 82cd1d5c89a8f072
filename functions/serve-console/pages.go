package main

import (
	"bytes"
	"embed"
	"html/template"
	"net/http"
	"strings"
	"time"

	"github.com/consentflow/consentflow/shared/consent"
	"github.com/consentflow/consentflow/shared/httpapi"
	"github.com/consentflow/consentflow/shared/upload"
)

//go:embed templates/*.html templates/console.css templates/recording.js
var files embed.FS

var templates = template.Must(template.New("").Funcs(template.FuncMap{
	"when":  func(t time.Time) string { return t.UTC().Format("2 Jan 2006, 15:04 UTC") },
	"iso":   func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
	"day":   func(t time.Time) string { return t.UTC().Format("2 Jan 2006") },
	"frame": func(title string, r recruiter) map[string]any { return map[string]any{"Title": title, "Recruiter": r} },
	"stateLabel": func(s consent.State) string {
		if s == "" {
			return "not asked"
		}
		return string(s)
	},
}).ParseFS(files, "templates/*.html"))

var css = func() []byte {
	b, err := files.ReadFile("templates/console.css")
	if err != nil {
		panic(err)
	}
	return b
}()

var script = func() []byte {
	b, err := files.ReadFile("templates/recording.js")
	if err != nil {
		panic(err)
	}
	return b
}()

// joinView is the join-time link of a recording awaiting consent: the link
// and its QR code to show the candidate, and the address of the state the
// page polls (and a refresh shows).
type joinView struct {
	URL    string
	QR     template.HTML
	Until  *time.Time
	Status string
}

// view is a page of the console.
type view interface{ template() string }

type messagePage struct {
	Recruiter recruiter
	Title     string
	Detail    string
	SignIn    bool
}

type registerForm struct {
	Name, Email, Locale string
	IdempotencyKey      string
	Problem             *httpapi.Problem
}

func newRegisterForm() registerForm {
	return registerForm{Locale: "en", IdempotencyKey: consent.NewID()}
}

type listRow struct {
	ID        string
	Name      string
	CreatedAt time.Time
	Purposes  []purposeState
	// EraseOn is the nearest deadline of the candidate's files within the
	// erasure window, if any; NextDeletion the nearest deadline at all.
	EraseOn      *time.Time
	NextDeletion *time.Time
	// Open lists the positions of the candidate's open applications.
	Open []string
}

type listPage struct {
	Recruiter recruiter
	State     consent.State
	States    []consent.State
	Rows      []listRow
	Next      string
	Register  registerForm
}

type candidatePage struct {
	Recruiter      recruiter
	Candidate      consent.Candidate
	Purposes       []purposeState
	Events         []consent.Event
	Chain          consent.Verification
	Applications   []consent.Application
	Channels       []string
	Grounds        []string
	Files          []fileRow
	EraseOn        *time.Time
	Recording      Gate
	Done           string
	Problem        *httpapi.Problem
	IdempotencyKey string
	// Rights are the rectification requests and objections (GDPR Art.
	// 16, 21), each with its one-month deadline; Positions names their
	// applications.
	Rights    []consent.RightsRequest
	Positions map[string]string
}

type recordingPage struct {
	Recruiter      recruiter
	Candidate      consent.Candidate
	Gate           Gate
	IdempotencyKey string
	Reference      string
	// FromConsents: the deployment has no recording gate route, so the
	// answer comes from the consents shown and nothing was authorized.
	FromConsents bool
	Problem      *httpapi.Problem
	// Join, while awaiting consent: the candidate's join-time link, and
	// where the page polls for their answer.
	Join *joinView
}

func (messagePage) template() string   { return "message.html" }
func (listPage) template() string      { return "list.html" }
func (candidatePage) template() string { return "candidate.html" }
func (recordingPage) template() string { return "recording.html" }
func (uploadPage) template() string    { return "upload.html" }

// uploadPage is the form that sends a CV straight to S3, signed for one
// key, one type and at most 20 MB; S3 then sends the browser back to the
// candidate's page.
type uploadPage struct {
	Recruiter recruiter
	Candidate consent.Candidate
	Position  string
	Type      string
	Accept    string // the file picker's filter for Type
	MaxMB     int64
	Upload    upload.Form
}

// Locales a candidate can be registered with.
var locales = []struct{ Tag, Name string }{{"en", "English"}, {"de", "Deutsch"}, {"fr", "Français"}, {"sk", "Slovenčina"}, {"cs", "Čeština"}}

func (r recruiter) Name() string   { return r.name }
func (r recruiter) CSRF() string   { return r.csrf }
func (r recruiter) SignedIn() bool { return r.token != "" }

// Purposes and Locales are offered by forms.
func (listPage) Locales() any                        { return locales }
func (candidatePage) AllPurposes() []consent.Purpose { return consent.Purposes() }
func (candidatePage) PurposeName(p consent.Purpose) string {
	return purposeName(p)
}

func (h *Handler) render(status int, v view) httpapi.Response {
	var b bytes.Buffer
	if err := templates.ExecuteTemplate(&b, v.template(), v); err != nil {
		h.Log.Error("render console page", "template", v.template(), "error", err.Error())
		return httpapi.Response{StatusCode: http.StatusInternalServerError, Headers: h.headers("text/plain; charset=utf-8"), Body: "The page could not be shown."}
	}
	return httpapi.Response{StatusCode: status, Headers: h.headers("text/html; charset=utf-8"), Body: b.String()}
}

// withFormAction is headers with one more origin forms may post to.
func withFormAction(res httpapi.Response, origin string) httpapi.Response {
	csp := res.Headers["Content-Security-Policy"]
	res.Headers["Content-Security-Policy"] = strings.Replace(csp, "form-action ", "form-action "+origin+" ", 1)
	return res
}

// headers: a strict CSP (only this console's own stylesheet, no script,
// forms only to the console and the sign-in provider), no caching, no
// framing, no referrer.
func (h *Handler) headers(contentType string) map[string]string {
	formAction := "'self'"
	if h.ProviderOrigin != "" {
		formAction += " " + h.ProviderOrigin
	}
	return map[string]string{
		"Content-Type":            contentType,
		"Cache-Control":           "no-store",
		"Referrer-Policy":         "no-referrer",
		"X-Content-Type-Options":  "nosniff",
		"X-Frame-Options":         "DENY",
		"Content-Security-Policy": "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self'; img-src 'self'; form-action " + formAction + "; frame-ancestors 'none'; base-uri 'none'",
	}
}

// pollScript is the recording page's only script: it polls the state of a
// recording awaiting consent (a static file, so the CSP allows no inline
// script).
func pollScript() httpapi.Response {
	return httpapi.Response{StatusCode: http.StatusOK, Headers: map[string]string{
		"Content-Type": "text/javascript; charset=utf-8", "Cache-Control": "public, max-age=300", "X-Content-Type-Options": "nosniff",
	}, Body: string(script)}
}

func stylesheet() httpapi.Response {
	return httpapi.Response{StatusCode: http.StatusOK, Headers: map[string]string{
		"Content-Type": "text/css; charset=utf-8", "Cache-Control": "public, max-age=300", "X-Content-Type-Options": "nosniff",
	}, Body: string(css)}
}

// Given reports whether any consent is given (and so can be withdrawn).
func (p candidatePage) Given() bool {
	for _, ps := range p.Purposes {
		if ps.State == consent.Given {
			return true
		}
	}
	return false
}

// OpenApplications are the applications a CV can be uploaded for.
func (p candidatePage) OpenApplications() []consent.Application {
	var open []consent.Application
	for _, a := range p.Applications {
		if a.Status == consent.ApplicationOpen {
			open = append(open, a)
		}
	}
	return open
}

// CVTypes are the CV formats offered.
func (candidatePage) CVTypes() any { return CVTypes }
