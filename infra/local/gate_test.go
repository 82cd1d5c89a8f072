package local_test

import (
	"net/http"
	"testing"

	"github.com/consentflow/consentflow/infra/local"
	"github.com/consentflow/consentflow/infra/topology"
	"github.com/consentflow/consentflow/shared/consent"
)

// The recording gate fails closed: while DynamoDB cannot answer the
// consent read, the gate answers 503 and authorizes nothing; once it can,
// the same call is allowed.
func TestTheGateFailsClosedWhenConsentCannotBeRead(t *testing.T) {
	to := uniqueEmail(t)
	id := register(t, to, "en")
	gate(t, id, "interview")
	answer(t, to, "interview_recording", true)

	clear := cloud.Faults.Fail(local.Fault{Service: local.DynamoDB, Action: "Query"})
	st, problem, rec := gate(t, id, "interview")
	clear()
	if st != http.StatusServiceUnavailable || problem["type"] != "/problems/unavailable" || rec.RecordingID != "" {
		t.Fatalf("consent unreadable: %d %v %+v, want 503 and no upload", st, problem, rec)
	}
	if n := len(events(t, id, consent.EventUploadAuthorized)); n != 0 {
		t.Fatalf("%d uploads authorized while consent could not be read", n)
	}
	if st, _, rec := gate(t, id, "interview"); st != http.StatusCreated || rec.RecordingID == "" {
		t.Fatalf("after the fault: %d %+v, want 201", st, rec)
	}
}

// Consent given under an older privacy notice does not allow a recording:
// after a new notice version the gate answers 403 outdated_notice until the
// candidate consents again under the new version.
func TestANewNoticeBlocksRecordingUntilTheCandidateConsentsAgain(t *testing.T) {
	to := uniqueEmail(t)
	id := register(t, to, "en")
	gate(t, id, "interview")
	answer(t, to, "interview_recording", true)
	if st, _, _ := gate(t, id, "interview"); st != http.StatusCreated {
		t.Fatalf("consent given: %d", st)
	}

	old := cloud.Settings[topology.SettingNoticeVersion]
	if err := cloud.Redeploy(map[string]string{topology.SettingNoticeVersion: "2027-03-01"}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := cloud.Redeploy(map[string]string{topology.SettingNoticeVersion: old}); err != nil {
			t.Error(err)
		}
	})
	st, problem, _ := gate(t, id, "interview")
	if st != http.StatusForbidden || problem["reason"] != "outdated_notice" {
		t.Fatalf("under a new notice: %d %v, want 403 outdated_notice", st, problem)
	}

	requestConsent(t, id, "interview_recording")
	path := link(t, latestEmail(t, to, "asks for your consent", 2))
	if res := do(t, "POST", path, `{"decisions":[{"purpose":"interview_recording","grant":true}]}`, map[string]string{"Content-Type": "application/json"}); res.Status != http.StatusOK {
		t.Fatalf("consent again: %d %s", res.Status, res.Body)
	}
	st, _, rec := gate(t, id, "interview")
	if st != http.StatusCreated || rec.RecordingID == "" {
		t.Fatalf("consented again under the new notice: %d %+v, want 201", st, rec)
	}
	authorized := events(t, id, consent.EventUploadAuthorized)
	if last := authorized[len(authorized)-1]; last.NoticeVersion != "2027-03-01" {
		t.Fatalf("the new authorization names notice %q, want 2027-03-01", last.NoticeVersion)
	}
}
