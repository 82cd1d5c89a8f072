package local_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// joinLink is what the gate's 409 says about the join-time link.
type joinLink struct {
	page, qr, svg, authorization string
}

// awaitingWithJoinLink calls the gate for an interview the candidate was
// never asked about: 409, with a join link and its QR code.
func awaitingWithJoinLink(t *testing.T, id string) joinLink {
	t.Helper()
	st, problem, _ := gate(t, id, "interview")
	if st != http.StatusConflict || problem["type"] != "/problems/awaiting-consent" {
		t.Fatalf("never asked: %d %v", st, problem)
	}
	var l joinLink
	for _, f := range []struct {
		into *string
		name string
	}{{&l.page, "joinUrl"}, {&l.qr, "qrUrl"}, {&l.svg, "qrSvg"}, {&l.authorization, "authorizationUrl"}} {
		s, _ := problem[f.name].(string)
		if s == "" {
			t.Fatalf("the 409 has no %s: %v", f.name, problem)
		}
		*f.into = s
	}
	if problem["authorizationId"] != problem["requestId"] || !strings.HasPrefix(l.svg, "<svg") {
		t.Fatalf("409: %v", problem)
	}
	u, err := url.Parse(l.page)
	if err != nil || !strings.HasPrefix(u.Path, "/j/") {
		t.Fatalf("joinUrl %q", l.page)
	}
	l.page = u.Path
	q, _ := url.Parse(l.qr)
	l.qr = q.Path
	return l
}

// openJoinPage opens the join link as the candidate's phone does, until
// the workflow has recorded the request (within moments of the 409).
func openJoinPage(t *testing.T, path string) response {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		res := do(t, "GET", path, "", browser)
		if res.Status != http.StatusServiceUnavailable || time.Now().After(deadline) {
			return res
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestJoinTimeConsentRecord(t *testing.T) {
	to := uniqueEmail(t)
	id := register(t, to, "sk")
	l := awaitingWithJoinLink(t, id)

	qr := do(t, "GET", l.qr, "", nil)
	if qr.Status != http.StatusOK || qr.Header.Get("Content-Type") != "image/svg+xml" || !strings.HasPrefix(qr.Body, "<svg") {
		t.Fatalf("QR code: %d %s %.80s", qr.Status, qr.Header.Get("Content-Type"), qr.Body)
	}
	page := openJoinPage(t, l.page)
	if page.Status != http.StatusOK || !strings.Contains(page.Body, `lang="sk"`) ||
		!strings.Contains(page.Body, ">Nahrávať</button>") || !strings.Contains(page.Body, ">Nenahrávať</button>") {
		t.Fatalf("join page: %d\n%s", page.Status, page.Body)
	}
	if again := do(t, "GET", l.page, "", browser); again.Body != page.Body {
		t.Fatal("opening the page again shows something else: a GET must change nothing")
	}

	// The recorder integration waits for the answer (long polling).
	type polled struct {
		res response
		at  time.Time
	}
	waited := make(chan polled, 1)
	go func() {
		res := do(t, "GET", l.authorization, "", recruiter())
		waited <- polled{res, time.Now()}
	}()
	time.Sleep(300 * time.Millisecond) // the poll is waiting

	tap := time.Now()
	res := do(t, "POST", l.page, form(map[string]string{"decision": "record"}), formHeader())
	if res.Status != http.StatusSeeOther {
		t.Fatalf("tap Record: %d %s", res.Status, res.Body)
	}
	st, problem, ok := gate(t, id, "interview")
	tapTo201 := time.Since(tap)
	if st != http.StatusCreated || ok.RecordingID == "" {
		t.Fatalf("the gate after Record: %d %v", st, problem)
	}
	t.Logf("from the candidate's tap (POST /j/{token}) to the gate's 201: %v", tapTo201)
	if tapTo201 > time.Second {
		t.Errorf("tap to 201 took %v, want under a second", tapTo201)
	}

	p := <-waited
	var state struct{ Status, AuthorizationID string }
	p.res.json(t, &state)
	if p.res.Status != http.StatusOK || state.Status != "allowed" {
		t.Fatalf("long poll: %d %s", p.res.Status, p.res.Body)
	}
	t.Logf("the long poll answered %v after the tap", p.at.Sub(tap))
	if p.at.Sub(tap) > 2*time.Second {
		t.Errorf("the long poll answered %v after the tap, want at once", p.at.Sub(tap))
	}
	if after := do(t, "GET", l.page, "", browser); after.Status != http.StatusOK || !strings.Contains(after.Body, "Súhlasili ste s nahrávaním") {
		t.Fatalf("the page after the answer: %d\n%s", after.Status, after.Body)
	}
	if twice := do(t, "POST", l.page, form(map[string]string{"decision": "dont"}), formHeader()); twice.Status != http.StatusConflict {
		t.Fatalf("a second answer: %d, want 409", twice.Status)
	}
	if c := consents(t, id)["interview_recording"]; c.State != "given" {
		t.Fatalf("consent after Record: %+v", c)
	}
	email(t, to, "Potvrdenie o vašom súhlase") // the receipt, as for any answer
}

func TestJoinTimeConsentDontRecordIs403(t *testing.T) {
	to := uniqueEmail(t)
	id := register(t, to, "en")
	l := awaitingWithJoinLink(t, id)
	if page := openJoinPage(t, l.page); page.Status != http.StatusOK {
		t.Fatalf("join page: %d %s", page.Status, page.Body)
	}
	if res := do(t, "POST", l.page, form(map[string]string{"decision": "maybe"}), formHeader()); res.Status != http.StatusUnprocessableEntity {
		t.Fatalf("a bad answer: %d, want 422", res.Status)
	}
	if res := do(t, "POST", l.page, form(map[string]string{"decision": "dont"}), formHeader()); res.Status != http.StatusSeeOther {
		t.Fatalf("tap Don't record: %d %s", res.Status, res.Body)
	}
	st, problem, _ := gate(t, id, "interview")
	if st != http.StatusForbidden || problem["reason"] != "refused" {
		t.Fatalf("the gate after Don't record: %d %v", st, problem)
	}
	res := do(t, "GET", l.authorization, "", recruiter())
	if !strings.Contains(res.Body, `"status":"blocked"`) || !strings.Contains(res.Body, `"reason":"refused"`) {
		t.Fatalf("authorization after Don't record: %d %s", res.Status, res.Body)
	}
	if res := do(t, "GET", "/j/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "", browser); res.Status != http.StatusNotFound {
		t.Fatalf("an unknown join link: %d, want 404", res.Status)
	}
}
