package local

import (
	"html/template"
	"net/http"
	"os"
	"path/filepath"
	"strings"
)

// ConsolePath is where the recruiter console is served once the topology has
// a route for it.
const ConsolePath = "/console"

// home answers GET / with a page that points a newcomer at the console (once
// the topology routes it), the email outbox and the README's walk-through,
// and serves the README itself at /README.md. Every other request goes to
// next, the API front. API Gateway has no such page: it exists only locally,
// on a path no route uses.
func (c *Cloud) home(root string, next http.Handler) http.Handler {
	console := false
	for _, r := range c.app.Routes {
		if r.Method == http.MethodGet && (r.Path == ConsolePath || strings.HasPrefix(r.Path, ConsolePath+"/")) {
			console = true
		}
	}
	data := homePage{Console: console, Outbox: c.OutboxURL, Token: c.RecruiterToken, App: c.AppURL}
	readme := filepath.Join(root, "README.md")
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			next.ServeHTTP(w, r)
			return
		}
		switch r.URL.Path {
		case "/":
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.Header().Set("Cache-Control", "no-store")
			_ = homeTemplate.Execute(w, data)
		case "/README.md":
			b, err := os.ReadFile(readme)
			if err != nil {
				http.Error(w, "README.md not found under "+root, http.StatusNotFound)
				return
			}
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			_, _ = w.Write(b)
		default:
			next.ServeHTTP(w, r)
		}
	})
}

type homePage struct {
	Console            bool
	Outbox, Token, App string
}

var homeTemplate = template.Must(template.New("home").Parse(`<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Consentflow, local cloud</title></head>
<body>
<main>
<h1>Consentflow, local cloud</h1>
<p>This is <code>make dev</code>: the real functions and workflows, on local stand-ins for AWS.
Its data lives in memory and is gone when you stop it.</p>
<ul>
{{if .Console}}<li><a href="/console">The recruiter console</a></li>
{{else}}<li>The recruiter console is not part of this build yet: use the recruiter API with the token below.</li>
{{end}}<li><a href="{{.Outbox}}">The email outbox</a>: every email the app sends, with the candidates' consent links.</li>
<li><a href="/README.md">The README</a>: its section "A walk through the local flow" registers a candidate,
asks for consent and answers it.</li>
</ul>
<p>Recruiter API: <code>{{.App}}/api/…</code> with <code>Authorization: Bearer {{.Token}}</code>.</p>
</main>
</body>
</html>
`))
