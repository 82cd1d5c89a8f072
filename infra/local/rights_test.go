package local_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/consentflow/consentflow/shared/consent"
)

// A restriction (GDPR Art. 18) stops the recording gate (403 restricted),
// CV downloads and the erasure sweep: past the CV's deadline nothing is
// erased while it holds; once lifted, the next sweep erases the CV. Lifting
// is emailed to the candidate.
func TestARestrictionStopsTheGateAndTheSweepUntilLifted(t *testing.T) {
	ownCloud(t, nil)
	to := uniqueEmail(t)
	id := register(t, to, "en")
	app := openApplication(t, id)
	doc := uploadCV(t, id, app, []byte("%PDF-1.4 restricted"))
	if res := do(t, "POST", "/api/candidates/"+id+"/applications/"+app+"/close", `{"outcome":"rejected"}`, recruiter()); res.Status != http.StatusOK {
		t.Fatalf("close: %d %s", res.Status, res.Body)
	}
	if res := do(t, "POST", "/api/candidates/"+id+"/consent-requests", `{"purposes":["interview_recording"]}`, recruiter()); res.Status != http.StatusAccepted {
		t.Fatalf("ask: %d %s", res.Status, res.Body)
	}
	answer(t, to, "interview_recording", true)
	if st, problem, _ := gate(t, id, "interview"); st != http.StatusCreated {
		t.Fatalf("gate before the restriction: %d %v", st, problem)
	}

	res := do(t, "POST", "/api/candidates/"+id+"/restriction", `{"action":"restrict","channel":"email"}`, recruiter())
	if res.Status != http.StatusOK {
		t.Fatalf("restrict: %d %s", res.Status, res.Body)
	}
	if st, problem, _ := gate(t, id, "interview"); st != http.StatusForbidden || problem["reason"] != consent.GateReasonRestricted {
		t.Fatalf("gate while restricted: %d %v", st, problem)
	}
	if dl := do(t, "GET", "/api/candidates/"+id+"/documents/"+doc, "", recruiter()); dl.Status != http.StatusForbidden {
		t.Fatalf("CV download while restricted: %d %s", dl.Status, dl.Body)
	}

	// Seven months on, past the CV's deadline (closed + 6 months): the
	// sweeps run, and nothing is erased.
	for range 7 * 30 {
		cloud.Clock.Advance(24 * time.Hour)
	}
	time.Sleep(2 * time.Second)
	cloud.Clock.Advance(16 * time.Minute)
	time.Sleep(2 * time.Second)
	if n := len(events(t, id, consent.EventErasureStarted)); n != 0 {
		t.Fatalf("%d erasures started while restricted", n)
	}

	res = do(t, "POST", "/api/candidates/"+id+"/restriction", `{"action":"lift","channel":"email"}`, recruiter())
	if res.Status != http.StatusOK {
		t.Fatalf("lift: %d %s", res.Status, res.Body)
	}
	if n := len(emailsTo(t, to, "your request")); n != 2 {
		t.Fatalf("%d emails about the restriction, want 2 (restricted, lifted)", n)
	}
	advanceUntil(t, 16*time.Minute, func() bool { return len(events(t, id, consent.EventErased)) > 0 })
	var rights struct {
		RestrictedAt *time.Time
	}
	r := do(t, "GET", "/api/candidates/"+id+"/rights", "", recruiter())
	r.json(t, &rights)
	if r.Status != http.StatusOK || rights.RestrictedAt != nil {
		t.Fatalf("rights: %d %s", r.Status, r.Body)
	}
	for _, body := range []string{`{"action":"freeze","channel":"email"}`, `{"action":"restrict"}`} {
		if res := do(t, "POST", "/api/candidates/"+id+"/restriction", body, recruiter()); res.Status != http.StatusUnprocessableEntity {
			t.Fatalf("%s: %d %s, want 422", body, res.Status, res.Body)
		}
	}
}
