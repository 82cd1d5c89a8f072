package local_test

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"testing"
)

var manageRE = regexp.MustCompile(`/m/([A-Za-z0-9_-]{43})`)

// manageLink is the manage page's path in an email.
func manageLink(t *testing.T, text string) string {
	t.Helper()
	m := manageRE.FindStringSubmatch(text)
	if m == nil {
		t.Fatalf("no manage link in email:\n%s", text)
	}
	return "/m/" + m[1]
}

func TestTheManagePageWithdrawsAndEmailsTheExport(t *testing.T) {
	to := uniqueEmail(t)
	id := register(t, to, "en")
	requestID := requestConsent(t, id, "talent_pool")
	if invite := email(t, to, "asks for your consent"); !manageRE.MatchString(invite.Body.Text) {
		t.Errorf("the invitation has no manage link:\n%s", invite.Body.Text)
	}
	answer(t, to, "talent_pool", true)
	receipt := receiptFor(t, to, requestID)
	path := manageLink(t, receipt.Body.Text)
	waitForExecution(t, requestID, "SUCCEEDED") // the receipt is marked sent after it is mailed

	before := snapshot(t)
	res := do(t, "GET", path, "", browser)
	if res.Status != http.StatusOK || !strings.Contains(res.Body, "Withdraw consent: Talent pool") {
		t.Fatalf("the manage page: %d\n%s", res.Status, res.Body)
	}
	if after := snapshot(t); strings.Join(after, "\n") != strings.Join(before, "\n") {
		t.Error("opening the manage page changed stored data")
	}

	// Withdraw with the page's form: 303 back to the page, which says so.
	res = do(t, "POST", path+"?lang=en", form(map[string]string{"action": "withdraw", "purpose": "talent_pool"}), formHeader())
	if res.Status != http.StatusOK && res.Status != http.StatusSeeOther {
		t.Fatalf("withdraw: %d\n%s", res.Status, res.Body)
	}
	if got := consents(t, id)["talent_pool"]; got.State != "withdrawn" {
		t.Errorf("talent_pool is %s after the withdrawal, want withdrawn", got.State)
	}
	res = do(t, "GET", path, "", browser)
	if res.Status != http.StatusOK || strings.Contains(res.Body, "Withdraw consent: Talent pool") || !strings.Contains(res.Body, "withdrawn") {
		t.Errorf("the page after the withdrawal: %d\n%s", res.Status, res.Body)
	}
	withdrawals := len(events(t, id, "withdrawn"))
	do(t, "POST", path+"?lang=en", form(map[string]string{"action": "withdraw", "purpose": "talent_pool"}), formHeader())
	if n := len(events(t, id, "withdrawn")); n != withdrawals {
		t.Errorf("a replayed withdrawal wrote %d more events", n-withdrawals)
	}

	// The export, by email.
	res = do(t, "POST", path+"?lang=en", form(map[string]string{"action": "export"}), formHeader())
	if res.Status != http.StatusOK || !strings.Contains(res.Body, "on its way") {
		t.Fatalf("export: %d\n%s", res.Status, res.Body)
	}
	e := email(t, to, "Your data held by")
	if len(e.Attachments) != 1 || e.Attachments[0].Filename != "consentflow-export-"+id+".json" {
		t.Fatalf("the export email's attachments: %+v", e.Attachments)
	}
	var x struct {
		Candidate struct{ ID string }
		Consents  []struct{ Purpose, State string }
	}
	if err := json.Unmarshal(e.Attachments[0].Content, &x); err != nil || x.Candidate.ID != id {
		t.Fatalf("the attached export: %v %s", err, e.Attachments[0].Content)
	}
	if manageLink(t, e.Body.Text) != path {
		t.Error("the export email does not carry the link the candidate used")
	}
	if n := len(events(t, id, "data_exported")); n != 1 {
		t.Errorf("%d data_exported events, want 1", n)
	}

	// A newer email replaces the link: the old one says so.
	again := requestConsent(t, id, "talent_pool")
	emails(t, to, "asks for your consent", 2)
	answer(t, to, "talent_pool", false)
	if newer := manageLink(t, receiptFor(t, to, again).Body.Text); newer == path {
		t.Error("the newer receipt carries the same manage link")
	}
	if res := do(t, "GET", path, "", browser); res.Status != http.StatusGone || !strings.Contains(res.Body, "replaced by a newer one") {
		t.Errorf("the replaced link: %d\n%s", res.Status, res.Body)
	}
}
