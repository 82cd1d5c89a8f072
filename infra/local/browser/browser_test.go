package browser

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/consentflow/consentflow/infra/local"
	"github.com/consentflow/consentflow/infra/topology"
)

var (
	cloud   *local.Cloud
	root    string
	browser string // the Chromium executable
)

// InstallCommand is the one command that makes these tests runnable.
const InstallCommand = "apt-get update && apt-get install -y chromium"

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	root, _ = filepath.Abs(filepath.Join("..", "..", ".."))
	browser = findChromium()
	if browser == "" {
		if os.Getenv("CI") == "true" {
			fmt.Fprintln(os.Stderr, "browser tests: no Chromium found and CI=true; install it with:", InstallCommand)
			return 1
		}
		fmt.Fprintln(os.Stderr, "browser tests skipped: no Chromium found; install it with:", InstallCommand)
		return 0
	}
	ctx := context.Background()
	dir := os.Getenv("CONSENTFLOW_BOOTSTRAPS")
	if dir == "" {
		tmp, err := os.MkdirTemp("", "consentflow-bootstraps-")
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		defer os.RemoveAll(tmp)
		if err := local.Build(ctx, root, tmp, topology.App); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		dir = tmp
	}
	var logs io.Writer = io.Discard
	if os.Getenv("CONSENTFLOW_LOGS") != "" {
		logs = os.Stderr
	}
	var err error
	cloud, err = local.Start(ctx, topology.App, local.Config{Root: root, Bootstraps: dir, Logs: logs})
	if err != nil {
		fmt.Fprintln(os.Stderr, "start local cloud:", err)
		return 1
	}
	defer cloud.Close()
	return m.Run()
}

func findChromium() string {
	if p := os.Getenv("CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// newBrowser starts a headless Chromium with its own profile (cookies) and
// returns a context for chromedp actions.
func newBrowser(t *testing.T) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(browser),
		chromedp.NoSandbox, // root in CI containers
		chromedp.UserDataDir(t.TempDir()),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancelAlloc)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(cancel)
	ctx, cancelTimeout := context.WithTimeout(ctx, 3*time.Minute)
	t.Cleanup(cancelTimeout)
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start Chromium (%s): %v", browser, err)
	}
	return ctx
}

func must(t *testing.T, ctx context.Context, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatal(err)
	}
}

// get runs an action that returns a value.
func get[T any](t *testing.T, ctx context.Context, a chromedp.Action[T]) T {
	t.Helper()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// axeTags are the rule sets checked: WCAG 2.0, 2.1 and 2.2, levels A and AA.
var axeTags = []string{"wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"}

type axeResult struct {
	Violations []struct {
		ID    string `json:"id"`
		Help  string `json:"help"`
		Nodes []struct {
			Target []any  `json:"target"`
			HTML   string `json:"html"`
		} `json:"nodes"`
	} `json:"violations"`
}

// checkAccessible runs axe-core (the pinned npm package) in the page and
// fails the test on any violation.
func checkAccessible(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	src, err := os.ReadFile(filepath.Join(root, "node_modules", "axe-core", "axe.min.js"))
	if err != nil {
		t.Fatalf("axe-core (run npm ci): %v", err)
	}
	tags, _ := json.Marshal(axeTags)
	get(t, ctx, chromedp.Evaluate[bool](string(src)+";true"))
	res := get(t, ctx, chromedp.Evaluate[axeResult](`axe.run(document, {runOnly: {type: "tag", values: `+string(tags)+`}, resultTypes: ["violations"]})`,
		chromedp.EvalAwaitPromise))
	for _, v := range res.Violations {
		for _, n := range v.Nodes {
			t.Errorf("%s: axe %s (%s) at %v: %s", name, v.ID, v.Help, n.Target, n.HTML)
		}
	}
}

// shoot saves the page at 360 and 1280 px wide, full height, under
// testdata-out/ (ignored by git), checking each width with axe: reflow
// and contrast are judged per layout.
func shoot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	dir := "testdata-out"
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, width := range []int64{360, 1280} {
		must(t, ctx, chromedp.EmulateViewport(width, 800))
		overflow := get(t, ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > document.documentElement.clientWidth`))
		png := get(t, ctx, chromedp.FullScreenshot(100))
		if overflow {
			t.Errorf("%s at %d px scrolls sideways", name, width)
		}
		checkAccessible(t, ctx, fmt.Sprintf("%s at %d px", name, width))
		file := filepath.Join(dir, fmt.Sprintf("%s-%d.png", name, width))
		if err := os.WriteFile(file, png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	abs, _ := filepath.Abs(dir)
	t.Logf("screenshots of %s in %s", name, abs)
}

// submit clicks a submit button and waits for the next page to load.
func submit(t *testing.T, ctx context.Context, sel string) {
	t.Helper()
	get(t, ctx, chromedp.Evaluate[bool](`window.cfBefore = true`))
	must(t, ctx, chromedp.Click(chromedp.CSS(sel)))
	deadline := time.Now().Add(30 * time.Second)
	for !get(t, ctx, chromedp.Evaluate[bool](`window.cfBefore === undefined && document.readyState === "complete"`)) {
		if time.Now().After(deadline) {
			t.Fatalf("clicking %s loaded no page", sel)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func text(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	return get(t, ctx, chromedp.Text(chromedp.CSS(sel)))
}

func location(t *testing.T, ctx context.Context) string {
	t.Helper()
	return get(t, ctx, chromedp.Location())
}

// consentLink waits for the consent email to a candidate and returns its link.
func consentLink(t *testing.T, to string) string {
	t.Helper()
	return emailLink(t, to, "", regexp.MustCompile(`https?://[^\s"]+/c/[A-Za-z0-9_-]{43}`))
}

// A recruiter signs in on the local sign-in page, registers a candidate and
// asks for consent in the console; the candidate grants one purpose and
// declines the other on their phone; the recruiter sees the states change,
// and a recording is blocked for the missing consent, with no upload offered.
func TestRecruiterAndCandidate(t *testing.T) {
	email := fmt.Sprintf("grace.%d@example.com", time.Now().UnixNano())
	rec := newBrowser(t)
	signIn(t, rec, "sign-in")
	if who := text(t, rec, ".who"); !strings.Contains(who, "recruiter@example.com") {
		t.Errorf("the header does not say who is signed in: %q", who)
	}
	cookies := get(t, rec, chromedp.Evaluate[string](`document.cookie`))
	if cookies != "" {
		t.Errorf("page script can read cookies (want HttpOnly): %q", cookies)
	}

	// Register a candidate through the console's form.
	must(t, rec,
		chromedp.SetValue(chromedp.CSS(`#name`), "Grace Hopper"),
		chromedp.SetValue(chromedp.CSS(`#email`), email),
	)
	submit(t, rec, `section[aria-labelledby=register] button[type=submit]`)
	page, _, _ := strings.Cut(location(t, rec), "?")
	if strings.Contains(page, "Grace") || strings.Contains(page, "example.com") {
		t.Errorf("personal data in the URL: %s", page)
	}
	if got := text(t, rec, "h1"); got != "Grace Hopper" {
		t.Fatalf("candidate page heading %q", got)
	}

	// Ask for consent to both purposes (not to call recording, which the
	// form also offers).
	must(t, rec, chromedp.Click(chromedp.CSS(`input[name=purpose][value=call_recording]`)))
	submit(t, rec, `form[action$="/consent-requests"] button[type=submit]`)
	if got := text(t, rec, ".notice.done"); !strings.Contains(got, "Consent requested") {
		t.Fatalf("after asking for consent: %q", got)
	}
	// The request is recorded by the workflow: reload until it shows.
	waitForText(t, rec, page, `.gate-title`, "Awaiting consent: request sent at")
	states := text(t, rec, `section[aria-labelledby=consents] tbody`)
	if strings.Count(states, "requested") != 2 {
		t.Errorf("both purposes should be requested:\n%s", states)
	}
	shoot(t, rec, "console-candidate-requested")

	// The candidate answers on a phone-sized screen.
	cand := newBrowser(t)
	must(t, cand, chromedp.EmulateViewport(360, 800), chromedp.Navigate(consentLink(t, email)),
		chromedp.WaitVisible(chromedp.CSS(`form`)))
	shoot(t, cand, "candidate-consent-page")
	must(t, cand,
		chromedp.Click(chromedp.CSS(`input[name=talent_pool][value=grant]`)),
		chromedp.Click(chromedp.CSS(`input[name=interview_recording][value=decline]`)),
	)
	submit(t, cand, `button[type=submit]`)
	if radios := get(t, cand, chromedp.Evaluate[int](`document.querySelectorAll('input[type=radio]').length`)); radios != 0 {
		t.Fatal("the answered page still shows the form")
	}
	shoot(t, cand, "candidate-answered")

	// The recruiter sees the states change.
	waitForText(t, rec, page, `section[aria-labelledby=consents] tbody`, "given")
	states = text(t, rec, `section[aria-labelledby=consents] tbody`)
	if !strings.Contains(states, "given") || !strings.Contains(states, "refused") {
		t.Errorf("want talent pool given and recording refused:\n%s", states)
	}
	trail := text(t, rec, `section[aria-labelledby=trail]`)
	for _, want := range []string{"requested", "given", "refused", "candidate"} {
		if !strings.Contains(trail, want) {
			t.Errorf("the audit trail does not show %q:\n%s", want, trail)
		}
	}
	shoot(t, rec, "console-candidate")

	// The list finds the candidate by the state of their consent.
	must(t, rec, chromedp.Navigate(cloud.AppURL+"/console?state=refused"), chromedp.WaitVisible(chromedp.CSS(`h1`)))
	if list := text(t, rec, "main"); !strings.Contains(list, "Grace Hopper") {
		t.Fatalf("the list of refused consents does not show the candidate:\n%s", list)
	}
	shoot(t, rec, "console-list")
	must(t, rec, chromedp.Click(chromedp.Search(`//a[normalize-space()="Grace Hopper"]`)), chromedp.WaitVisible(chromedp.CSS(`#recording`)))

	// Recording is blocked: the candidate declined, and no upload is offered.
	must(t, rec, chromedp.SetValue(chromedp.CSS(`#reference`), "INT-2026-12-02"))
	submit(t, rec, `form[action$="/recording"] button[type=submit]`)
	if got := text(t, rec, ".gate-title"); got != "Recording blocked" {
		t.Fatalf("the gate says %q", got)
	}
	if why := text(t, rec, ".gate"); !strings.Contains(why, "declined") {
		t.Errorf("the gate does not say why: %q", why)
	}
	uploads := get(t, rec, chromedp.Evaluate[int](`document.querySelectorAll('input[type=file]').length`))
	if uploads != 0 {
		t.Error("an upload is offered while recording is blocked")
	}
	shoot(t, rec, "console-recording-blocked")

	// Signing out ends the session: the console asks to sign in again.
	submit(t, rec, `.who button`)
	if got := text(t, rec, "h1"); got != "You are signed out" {
		t.Fatalf("after sign-out: %q", got)
	}
	must(t, rec, chromedp.Navigate(page), chromedp.WaitVisible(chromedp.CSS(`input[name=recruiter]`)))
}

// signIn opens the console, which sends the browser to the local sign-in
// page, and signs in as the first recruiter. With a name, the sign-in page
// is photographed and checked.
func signIn(t *testing.T, rec context.Context, name string) {
	t.Helper()
	must(t, rec, chromedp.Navigate(cloud.AppURL+"/console"), chromedp.WaitVisible(chromedp.CSS(`input[name=recruiter]`)))
	if got := location(t, rec); !strings.HasPrefix(got, cloud.SignInURL+"/oauth2/authorize?") || !strings.Contains(got, "code_challenge_method=S256") {
		t.Fatalf("the console did not send the browser to the sign-in page with PKCE: %s", got)
	}
	if name != "" {
		shoot(t, rec, name)
	}
	submit(t, rec, `button[type=submit]`)
	if got := text(t, rec, "h1"); got != "Candidates" {
		t.Fatalf("after sign-in the page is %q at %s", got, location(t, rec))
	}
}

// waitForText reloads url until the element's text contains want: what the
// workflow records arrives a moment after the click.
func waitForText(t *testing.T, ctx context.Context, url, sel, want string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		must(t, ctx, chromedp.Navigate(url))
		got := text(t, ctx, sel)
		if strings.Contains(got, want) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s never showed %q; last: %q", sel, want, got)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// The console without a session only offers to sign in, and a forged
// session cookie does not count.
func TestConsoleNeedsSignIn(t *testing.T) {
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	req, _ := http.NewRequest("GET", cloud.AppURL+"/console", nil)
	req.AddCookie(&http.Cookie{Name: "cf_console", Value: cloud.RecruiterToken + "x"})
	res, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/console/sign-in" {
		t.Fatalf("a forged session: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	req, _ = http.NewRequest("POST", cloud.AppURL+"/console/candidates", strings.NewReader("name=X&email=x@example.com&locale=en"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.AddCookie(&http.Cookie{Name: "cf_console", Value: cloud.RecruiterToken})
	res, err = c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusForbidden || !strings.Contains(string(body), "Nothing was changed") {
		t.Fatalf("a form without its CSRF token: %d\n%s", res.StatusCode, body)
	}
	if csp := res.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") || strings.Contains(csp, "unsafe") {
		t.Errorf("CSP %q", csp)
	}
}
