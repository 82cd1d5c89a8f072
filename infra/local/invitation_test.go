package local_test

import (
	"net/http"
	"strings"
	"testing"
)

// The invitation to a candidate with an open application names its
// position, in the candidate's language; a closed application is not named.
func TestTheInvitationNamesTheOpenApplication(t *testing.T) {
	to := uniqueEmail(t)
	id := register(t, to, "de")
	openApplication(t, id) // Backend engineer
	requestConsent(t, id, "talent_pool")
	invite := email(t, to, "bittet um Ihre Einwilligung")
	want := "Die Anfrage betrifft Ihre Bewerbung als Backend engineer."
	if !strings.Contains(invite.Body.Text, want) || !strings.Contains(invite.Body.HTML, "Backend engineer") {
		t.Fatalf("the invitation does not name the position:\n%s", invite.Body.Text)
	}

	closed := uniqueEmail(t)
	other := register(t, closed, "en")
	app := openApplication(t, other)
	res := do(t, "POST", "/api/candidates/"+other+"/applications/"+app+"/close", `{"outcome":"rejected"}`, recruiter())
	if res.Status != http.StatusOK {
		t.Fatalf("close: %d %s", res.Status, res.Body)
	}
	requestConsent(t, other, "talent_pool")
	if e := email(t, closed, "asks for your consent"); strings.Contains(e.Body.Text, "Backend engineer") {
		t.Errorf("the invitation names a closed application:\n%s", e.Body.Text)
	}
}
