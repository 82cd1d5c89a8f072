package mail

import (
	"fmt"
	"html/template"
	"slices"
	"strings"
	"time"

	"github.com/consentflow/consentflow/shared/consent"
)

// Pending is an artifact the erasure digest announces: ids and a console
// link only, never a candidate's name or email.
type Pending struct {
	CandidateID string
	ArtifactID  string
	Kind        consent.ArtifactKind
	DeleteBy    time.Time
	ConsoleURL  string
}

// digestDay is one day of the digest: what is erased that day.
type digestDay struct {
	Date       string
	Summary    string // "2 CVs, 1 recording"
	CVs        int
	Recordings int
	Items      []Pending
}

// ErasureDigest is the email that tells the controller's privacy contact
// what will be erased in the window after from, by day: how many CVs and
// recordings, with the candidate ids and their console pages. It is for the
// controller, so it is written in English.
func (m *Mailer) ErasureDigest(to string, from time.Time, window time.Duration, pending []Pending) Message {
	sorted := slices.Clone(pending)
	slices.SortFunc(sorted, func(a, b Pending) int {
		return strings.Compare(a.DeleteBy.UTC().Format(time.RFC3339Nano)+a.ArtifactID, b.DeleteBy.UTC().Format(time.RFC3339Nano)+b.ArtifactID)
	})
	var days []*digestDay
	for _, p := range sorted {
		date := p.DeleteBy.UTC().Format("2006-01-02")
		if len(days) == 0 || days[len(days)-1].Date != date {
			days = append(days, &digestDay{Date: date})
		}
		d := days[len(days)-1]
		if p.Kind == consent.KindRecording {
			d.Recordings++
		} else {
			d.CVs++
		}
		d.Items = append(d.Items, p)
	}
	for _, d := range days {
		d.Summary = d.summary()
	}
	until := from.Add(window).UTC().Format("2006-01-02 15:04 UTC")
	subject := fmt.Sprintf("%s: %s to be erased by %s", m.policy.Controller, count(len(sorted), "file", "files"), until)
	intro := fmt.Sprintf("These files will be erased when their deadline passes, in the %d days from %s to %s, unless a new legal basis covers them first.",
		int(window.Hours()/24), from.UTC().Format("2006-01-02 15:04 UTC"), until)
	lines := []string{intro, ""}
	for _, d := range days {
		lines = append(lines, d.Date+": "+d.Summary)
		for _, p := range d.Items {
			lines = append(lines, fmt.Sprintf("- %s %s at %s, candidate %s: %s", kindName(p.Kind), p.ArtifactID, p.DeleteBy.UTC().Format("15:04 UTC"), p.CandidateID, p.ConsoleURL))
		}
		lines = append(lines, "")
	}
	lines = append(lines, "Consentflow")
	html := render(digestHTML, map[string]any{"Subject": subject, "Intro": intro, "Days": days})
	return Message{To: to, Subject: subject, Text: strings.Join(lines, "\n"), HTML: html}
}

func (d *digestDay) summary() string {
	var parts []string
	if d.CVs > 0 {
		parts = append(parts, count(d.CVs, "CV", "CVs"))
	}
	if d.Recordings > 0 {
		parts = append(parts, count(d.Recordings, "recording", "recordings"))
	}
	return strings.Join(parts, ", ")
}

func count(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

func kindName(k consent.ArtifactKind) string {
	if k == consent.KindRecording {
		return "Recording"
	}
	return "CV"
}

var digestHTML = template.Must(template.New("digest").Funcs(template.FuncMap{
	"kind": kindName,
	"time": func(t time.Time) string { return t.UTC().Format("15:04 UTC") },
}).Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{.Subject}}</title></head>
<body style="font-family:system-ui,sans-serif;line-height:1.5;max-width:48rem"><main>
<h1 style="font-size:1.25rem">{{.Subject}}</h1>
<p>{{.Intro}}</p>
{{range .Days}}<h2 style="font-size:1.1rem">{{.Date}}: {{.Summary}}</h2>
<ul>{{range .Items}}<li>{{kind .Kind}} {{.ArtifactID}} at {{time .DeleteBy}}, candidate <a href="{{.ConsoleURL}}">{{.CandidateID}}</a></li>{{end}}</ul>
{{end}}<p>Consentflow</p>
</main></body></html>`))
