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

// LangLink is one language of the switcher: a plain link (no script) to the
// same page in that language.
type LangLink struct {
	Lang, Name, Href string
	Current          bool
}

// Languages is the switcher of the page at path (a /c/{token} path), with
// current marked; none when path is "".
func Languages(path, current string) []LangLink {
	if path == "" {
		return nil
	}
	out := make([]LangLink, 0, len(consent.Locales))
	for _, l := range consent.Locales {
		out = append(out, LangLink{Lang: l, Name: locale.For(l).LanguageName, Href: path + "?lang=" + l, Current: l == current})
	}
	return out
}

// Form is the consent form of a request.
type Form struct {
	M             locale.Messages
	Languages     []LangLink
	Controller    string
	Contact       string
	NoticeURL     string
	NoticeVersion string
	Action        string
	Purposes      []PurposeView
	Error         string
	Complaint     Complaint
}

// NewForm describes a request to its candidate in m's language, as the page
// at path (/c/{token}). The form posts back to it with the language shown.
func NewForm(p consent.Policy, m locale.Messages, r consent.Request, path string) Form {
	f := Form{M: m, Languages: Languages(path, m.Lang), Controller: r.Controller, Contact: p.ControllerContact,
		NoticeURL: r.NoticeURL, NoticeVersion: r.NoticeVersion, Action: path + "?lang=" + m.Lang,
		Complaint: NewComplaint(m, p.SupervisoryAuthority, p.SupervisoryAuthorityURL)}
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

// Outcome is a page that tells the candidate what happened, and what they
// can do next.
type Outcome struct {
	M         locale.Messages
	Languages []LangLink
	Title     string
	Detail    string
	Decisions []DecisionView
	// Next says what to do now (a dead end's way out).
	Next string
	// Contact names the controller and how to reach them; Withdraw
	// (its contact) says how to withdraw consent later.
	Contact   string
	Complaint Complaint
	Withdraw  string
}

// Complaint names the supervisory authority a candidate can complain to
// (GDPR Art. 77), linked, beside the controller's contact on every page.
type Complaint struct {
	Text      string
	Authority string
	URL       string
}

// NewComplaint is the complaint line in m's language; with no authority
// set, the pages say nothing.
func NewComplaint(m locale.Messages, authority, url string) Complaint {
	return Complaint{Text: m.Complaint, Authority: authority, URL: url}
}

// Visit is what a page knows of the request it answers: the language to
// show, the link's path when it is one of ours (for the language switcher),
// and the controller to name with its contact.
type Visit struct {
	M          locale.Messages
	Path       string
	Controller string
	Contact    string
	// Authority and AuthorityURL are the supervisory authority (the
	// policy's SupervisoryAuthority and SupervisoryAuthorityURL).
	Authority    string
	AuthorityURL string
}

// Complaint is the visit's complaint line.
func (v Visit) Complaint() Complaint { return NewComplaint(v.M, v.Authority, v.AuthorityURL) }

// Outcome starts an outcome page of the visit.
func (v Visit) Outcome(title, detail string) Outcome {
	return Outcome{M: v.M, Languages: Languages(v.Path, v.M.Lang), Title: title, Detail: detail,
		Contact: fmt.Sprintf(v.M.ContactLine, v.Controller, v.Contact), Complaint: v.Complaint()}
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
	case Manage:
		name = "manage.html"
	case Confirm:
		name = "confirm.html"
	case Join:
		name = "join.html"
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
