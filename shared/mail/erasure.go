package mail

import (
	"fmt"
	"html/template"
	"slices"
	"strings"
	"time"

	"github.com/consentflow/consentflow/shared/consent"
	"github.com/consentflow/consentflow/shared/locale"
)

// Erased tells a candidate, in their language, what was erased, when and
// why: the artifacts of kinds, or (full) everything held about them.
func (m *Mailer) Erased(c consent.Candidate, kinds []consent.ArtifactKind, reason string, full bool, at time.Time, manage string) Message {
	t := locale.For(c.Locale)
	subject := fmt.Sprintf(t.ErasedSubject, m.policy.Controller)
	var what string
	if full {
		what = fmt.Sprintf(t.ErasedEverything, m.policy.Controller, t.Date(at))
	} else {
		var names []string
		for _, k := range kinds {
			if n := t.ArtifactNames[string(k)]; n != "" && !slices.Contains(names, n) {
				names = append(names, n)
			}
		}
		what = fmt.Sprintf(t.ErasedArtifacts, m.policy.Controller, strings.Join(names, ", "), t.Date(at))
	}
	paragraphs := []string{what}
	if why := t.ErasedWhy[reason]; why != "" {
		paragraphs = append(paragraphs, why)
	}
	paragraphs = append(paragraphs, t.ErasedKept)
	return m.notice(t, c, subject, paragraphs, manage)
}

// ErasureNotice tells the recruiting team (GDPR Art. 19) that a
// candidate's data was erased, so that nobody goes on using copies of it.
// It names the candidate by id only.
func (m *Mailer) ErasureNotice(to, candidateID, consoleURL string, kinds []consent.ArtifactKind, reason string, full bool, at time.Time) Message {
	subject := "Erased: data of candidate " + candidateID
	what := "everything held about the candidate (profile, CVs, recordings)"
	if !full {
		var names []string
		for _, k := range kinds {
			names = append(names, string(k))
		}
		what = strings.Join(names, ", ")
	}
	paragraphs := []string{
		fmt.Sprintf("On %s UTC Consentflow erased %s of candidate %s, every version (reason: %s).", at.UTC().Format("2006-01-02 15:04"), what, candidateID, reason),
		"Delete any copy you keep outside Consentflow (downloads, notes, email attachments) and stop using it (GDPR Art. 17 and 19).",
		"The audit trail keeps the tombstone: " + consoleURL,
	}
	text := strings.Join(paragraphs, "\n\n")
	html := render(noticeHTML, map[string]any{"Lang": "en", "Subject": subject, "Paragraphs": paragraphs, "Signature": m.policy.Controller})
	return Message{To: to, Subject: subject, Text: text, HTML: html}
}

var noticeHTML = template.Must(template.New("notice").Parse(`<!doctype html>
<html lang="{{.Lang}}"><head><meta charset="utf-8"><title>{{.Subject}}</title></head>
<body style="font-family:system-ui,sans-serif;line-height:1.5;max-width:40rem"><main>
<h1 style="font-size:1.25rem">{{.Subject}}</h1>
{{if .Greeting}}<p>{{.Greeting}}</p>{{end}}
{{range .Paragraphs}}<p>{{.}}</p>
{{end}}{{.Manage}}<p style="white-space:pre-line">{{.Signature}}</p>
</main></body></html>`))
