package local_test

import (
	"context"
	"errors"
	"io"
	"net"
	"path/filepath"
	"strings"
	"testing"

	"github.com/consentflow/consentflow/infra/local"
	"github.com/consentflow/consentflow/infra/topology"
)

// The app's root is a page that points at the outbox and the README's
// walk-through (not API Gateway's {"message":"Not Found"}), and the README
// it links is served.
func TestTheRootPagePointsAtTheOutboxAndTheWalkThrough(t *testing.T) {
	res := do(t, "GET", "/", "", browser)
	if res.Status != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("GET / = %d %s, want an HTML page", res.Status, res.Header.Get("Content-Type"))
	}
	for _, want := range []string{`href="` + cloud.OutboxURL + `"`, `href="/README.md"`, "A walk through the local flow", "gone when you stop it"} {
		if !strings.Contains(res.Body, want) {
			t.Errorf("the page lacks %s:\n%s", want, res.Body)
		}
	}
	readme := do(t, "GET", "/README.md", "", nil)
	if readme.Status != 200 || !strings.Contains(readme.Body, "## A walk through the local flow") {
		t.Errorf("GET /README.md = %d, without the walk-through section", readme.Status)
	}
	// Other paths still reach the API front.
	if res := do(t, "GET", "/nowhere", "", nil); res.Status != 404 || res.Body != `{"message":"Not Found"}` {
		t.Errorf("GET /nowhere = %d %s, want API Gateway's 404", res.Status, res.Body)
	}
}

// The page links the console once the topology routes it, and not before.
func TestTheRootPageLinksTheConsoleOnceItExists(t *testing.T) {
	_, routed := consoleRoute(topology.App)
	if res := do(t, "GET", "/", "", browser); strings.Contains(res.Body, `href="/console"`) != routed {
		t.Errorf("the page links /console: %v; the topology routes it: %v", !routed, routed)
	}
	app := topology.App
	if !routed {
		app.Routes = append(append([]topology.Route{}, app.Routes...),
			topology.Route{Method: "GET", Path: local.ConsolePath, Function: "list-consents", Auth: topology.Recruiter})
	}
	root, _ := filepath.Abs(filepath.Join("..", ".."))
	c, err := local.Start(context.Background(), app, local.Config{Root: root, Bootstraps: bootstraps})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	res, err := client.Get(c.AppURL + "/")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	if !strings.Contains(string(body), `href="/console"`) {
		t.Errorf("with a console route, the page does not link it:\n%s", body)
	}
}

func consoleRoute(app topology.Application) (topology.Route, bool) {
	for _, r := range app.Routes {
		if r.Method == "GET" && strings.HasPrefix(r.Path, local.ConsolePath) {
			return r, true
		}
	}
	return topology.Route{}, false
}

// A taken port is named as such, for the app and for the outbox, and
// starting does not panic while cleaning up.
func TestATakenPortIsNamed(t *testing.T) {
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	root, _ := filepath.Abs(filepath.Join("..", ".."))
	for _, tt := range []struct {
		service string
		cfg     local.Config
	}{
		{"the app", local.Config{Root: root, Bootstraps: bootstraps, Addr: taken.Addr().String(), SESAddr: "127.0.0.1:0"}},
		{"the email outbox", local.Config{Root: root, Bootstraps: bootstraps, Addr: "127.0.0.1:0", SESAddr: taken.Addr().String()}},
	} {
		c, err := local.Start(context.Background(), topology.App, tt.cfg)
		if err == nil {
			c.Close()
			t.Fatalf("%s: started on a taken port", tt.service)
		}
		var inUse *local.AddrInUseError
		if !errors.As(err, &inUse) || inUse.Service != tt.service || inUse.Addr != taken.Addr().String() {
			t.Errorf("error %v, want %s's address %s in use", err, tt.service, taken.Addr())
		}
		if !strings.Contains(err.Error(), "already in use") {
			t.Errorf("error %q does not say the address is in use", err)
		}
	}
}
