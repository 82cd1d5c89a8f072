package local_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/consentflow/consentflow/shared/consent"
)

// rightsOf is GET /api/candidates/{id}/rights.
func rightsOf(t *testing.T, id string) []consent.RightsRequest {
	t.Helper()
	var out struct{ Requests []consent.RightsRequest }
	res := do(t, "GET", "/api/candidates/"+id+"/rights", "", recruiter())
	if res.Status != http.StatusOK {
		t.Fatalf("rights: %d %s", res.Status, res.Body)
	}
	res.json(t, &out)
	return out.Requests
}

// exported is the candidate's export: their profile and applications.
func exported(t *testing.T, id string) (consent.Candidate, []consent.Application) {
	t.Helper()
	var x struct {
		Candidate    consent.Candidate
		Applications []consent.Application
	}
	res := do(t, "GET", "/api/candidates/"+id+"/export", "", recruiter())
	if res.Status != http.StatusOK {
		t.Fatalf("export: %d %s", res.Status, res.Body)
	}
	res.json(t, &x)
	return x.Candidate, x.Applications
}

// managePath asks the candidate for consent and returns the manage page's
// path from the invitation.
func managePath(t *testing.T, id, to string) string {
	t.Helper()
	requestConsent(t, id, "talent_pool")
	return manageLink(t, email(t, to, "asks for your consent").Body.Text)
}

// Rectification (GDPR Art. 16): the candidate asks on the manage page, the
// recruiter confirms through the API, the profile changes, the audit event
// keeps only the old value's hash, and the candidate is emailed.
func TestARectificationAskedOnTheManagePageIsConfirmedByTheRecruiter(t *testing.T) {
	to := uniqueEmail(t)
	id := register(t, to, "en")
	path := managePath(t, id, to)
	res := do(t, "POST", path+"?lang=en", form(map[string]string{"action": "rectify", "field": "name", "value": "Ada King"}), formHeader())
	if res.Status != http.StatusSeeOther && res.Status != http.StatusOK {
		t.Fatalf("rectify: %d %s", res.Status, res.Body)
	}
	if page := do(t, "GET", path+"?lang=en&done=rectify", "", browser); !strings.Contains(page.Body, "Your request for a correction is recorded") {
		t.Errorf("the page does not confirm the request:\n%s", page.Body)
	}
	rs := rightsOf(t, id)
	if len(rs) != 1 || rs[0].Kind != consent.RightRectification || rs[0].Status != consent.RightsOpen || rs[0].Value != "Ada King" {
		t.Fatalf("rights requests: %+v", rs)
	}
	res = do(t, "POST", "/api/candidates/"+id+"/rectifications/"+rs[0].ID, `{"decision":"confirm","reason":"checked against the CV"}`, recruiter())
	if res.Status != http.StatusOK {
		t.Fatalf("confirm: %d %s", res.Status, res.Body)
	}
	if c, _ := exported(t, id); c.Name != "Ada King" {
		t.Errorf("the name after the rectification is %q", c.Name)
	}
	rectified := events(t, id, consent.EventRectified)
	if len(rectified) != 1 || rectified[0].OldValueHash != consent.HashValue("Ada Lovelace") {
		t.Fatalf("rectified events: %+v", rectified)
	}
	for _, e := range append(rectified, events(t, id, consent.EventRectificationRequested)...) {
		if b := string(e.Canonical()); strings.Contains(b, "Ada") {
			t.Errorf("an audit event holds a name: %s", b)
		}
	}
	var told bool
	for _, e := range emailsTo(t, to, "your request") {
		told = told || strings.Contains(e.Body.Text, "checked against the CV")
	}
	if !told {
		t.Error("the candidate was not emailed the decision and its reason")
	}
}

// Objection (GDPR Art. 21): with compelling grounds recorded the
// application stays open; without, the objection sweep closes it once the
// grace period ends (one day here, on a cloud of its own whose clock moves
// on), and the candidate is emailed both outcomes.
func TestAnObjectionWithoutGroundsClosesItsApplicationAfterTheGracePeriod(t *testing.T) {
	ownCloud(t, map[string]string{"objectionGraceDays": "1"})
	to := uniqueEmail(t)
	id := register(t, to, "en")
	kept, closed := openApplication(t, id), openApplication(t, id)
	path := managePath(t, id, to)
	for _, app := range []string{kept, closed} {
		res := do(t, "POST", path+"?lang=en", form(map[string]string{"action": "object", "application": app}), formHeader())
		if res.Status != http.StatusSeeOther && res.Status != http.StatusOK {
			t.Fatalf("object: %d %s", res.Status, res.Body)
		}
	}
	byApp := map[string]consent.RightsRequest{}
	for _, r := range rightsOf(t, id) {
		byApp[r.ApplicationID] = r
	}
	if len(byApp) != 2 {
		t.Fatalf("objections: %+v", byApp)
	}
	res := do(t, "POST", "/api/candidates/"+id+"/objections/"+byApp[kept].ID, `{"decision":"compelling_grounds","reason":"a pending legal claim"}`, recruiter())
	if res.Status != http.StatusOK {
		t.Fatalf("grounds: %d %s", res.Status, res.Body)
	}
	advanceUntil(t, time.Hour, func() bool { return len(events(t, id, consent.EventObjectionUpheld)) > 0 })
	_, apps := exported(t, id)
	status := map[string]consent.Application{}
	for _, a := range apps {
		status[a.ID] = a
	}
	if status[kept].Status != consent.ApplicationOpen {
		t.Errorf("the application with compelling grounds is %s", status[kept].Status)
	}
	if a := status[closed]; a.Status != consent.ApplicationClosed || a.Outcome != consent.OutcomeWithdrawn {
		t.Errorf("the application objected to without grounds: %+v", a)
	}
	if n := len(events(t, id, consent.EventObjectionUpheld)); n != 1 {
		t.Errorf("%d objections upheld, want 1", n)
	}
	var grounds, upheld bool
	for _, e := range emailsTo(t, to, "your request") {
		grounds = grounds || strings.Contains(e.Body.Text, "a pending legal claim")
		upheld = upheld || strings.Contains(e.Body.Text, "Following your objection, your application is closed")
	}
	if !grounds || !upheld {
		t.Errorf("the candidate was not told both outcomes (grounds %v, closed %v)", grounds, upheld)
	}
}
