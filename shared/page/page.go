// Package page renders the pages candidates see: what they are asked to
// consent to, and the outcome of their answer. Pages are plain, accessible
// HTML (no script), in the candidate's language.
package page

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"net/url"
	"strings"

	"github.com/consentflow/consentflow/shared/consent"
	"github.com/consentflow/consentflow/shared/httpapi"
	"github.com/consentflow/consentflow/shared/locale"
)

//go:embed templates/*.html
var files embed.FS

var templates = template.Must(template.New("").Funcs(template.FuncMap{
	"printf": fmt.Sprintf,
}).ParseFS(files, "templates/*.html"))

// Headers keep candidate pages out of caches, frames and referrers: the
// URL carries the candidate's personal token.
var Headers = map[string]string{
	"Content-Type":            "text/html; charset=utf-8",
	"Cache-Control":           "no-store",
	"Referrer-Policy":         "no-referrer",
	"X-Frame-Options":         "DENY",
	"X-Content-Type-Options":  "nosniff",
	"Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
}

// PurposeView is one purpose as shown on the form.
type PurposeView struct {
	ID          consent.Purpose `json:"purpose"`
	Name        string          `json:"name"`
	Description string          `json:"description"`
	Data        string          `json:"data"`
	Retention   string          `json:"retention"`
	LegalBasis  string          `json:"legalBasis"`
}

// Form is the consent form of a request.
type Form struct {
	M             locale.Messages
	Controller    string
	Contact       string
	NoticeURL     string
	NoticeVersion string
	Action        string
	Purposes      []PurposeView
	Error         string
}

// NewForm describes a request to its candidate, in their language.
func NewForm(p consent.Policy, c consent.Candidate, r consent.Request, action string) Form {
	m := locale.For(c.Locale)
	f := Form{M: m, Controller: r.Controller, Contact: p.ControllerContact, NoticeURL: r.NoticeURL, NoticeVersion: r.NoticeVersion, Action: action}
	for _, id := range r.Purposes {
		info, _ := id.Info()
		cats := make([]string, len(info.PIICategories))
		for i, c := range info.PIICategories {
			cats[i] = m.Categories[c]
		}
		basis := info.LegalBasis
		if basis == consent.LegalBasisConsent {
			basis = m.ConsentBasis
		}
		f.Purposes = append(f.Purposes, PurposeView{
			ID: id, Name: m.PurposeNames[id], Description: m.PurposeDescriptions[id], Data: strings.Join(cats, ", "),
			Retention: fmt.Sprintf(m.RetentionDays, r.Retention[id]), LegalBasis: basis,
		})
	}
	return f
}

// Outcome is a page that tells the candidate what happened.
type Outcome struct {
	M         locale.Messages
	Title     string
	Detail    string
	Decisions []DecisionView
}

// DecisionView is one recorded decision, as the candidate reads it.
type DecisionView struct {
	Name  string
	State consent.State
}

// Render renders the form, or an outcome, as an API Gateway response.
func Render(status int, v any) httpapi.Response {
	var name string
	switch v.(type) {
	case Form:
		name = "form.html"
	case Outcome:
		name = "outcome.html"
	default:
		panic(fmt.Sprintf("page: cannot render %T", v))
	}
	var b bytes.Buffer
	if err := templates.ExecuteTemplate(&b, name, v); err != nil {
		return httpapi.Fail(err)
	}
	h := make(map[string]string, len(Headers))
	for k, v := range Headers {
		h[k] = v
	}
	return httpapi.Response{StatusCode: status, Headers: h, Body: b.String()}
}

// Message renders an outcome without decisions.
func Message(status int, m locale.Messages, title, detail string) httpapi.Response {
	return Render(status, Outcome{M: m, Title: title, Detail: detail})
}

// ParseDecisions reads the form's answer: one "grant" or "decline" per
// purpose of the request, in a field named after the purpose.
func ParseDecisions(body []byte, r consent.Request) ([]consent.Decision, error) {
	values, err := url.ParseQuery(string(body))
	if err != nil {
		return nil, &consent.ValidationError{Field: "decisions", Reason: "the form body is not URL-encoded"}
	}
	for name := range values {
		if _, err := consent.ParsePurpose(name); err != nil {
			return nil, err
		}
	}
	var out []consent.Decision
	for _, p := range r.Purposes {
		switch v := values[string(p)]; {
		case len(v) == 1 && v[0] == "grant":
			out = append(out, consent.Decision{Purpose: p, Grant: true})
		case len(v) == 1 && v[0] == "decline":
			out = append(out, consent.Decision{Purpose: p, Grant: false})
		default:
			return nil, &consent.ValidationError{Field: string(p), Reason: "answer grant or decline for each purpose"}
		}
	}
	return out, r.Answer(out)
}
