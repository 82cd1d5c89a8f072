package local_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/consentflow/consentflow/shared/consent"
)

// uploadCV authorizes a CV for an application and uploads it with the
// presigned form, returning the document id.
func uploadCV(t *testing.T, candidateID, applicationID string, body []byte) string {
	t.Helper()
	res := do(t, "POST", "/api/candidates/"+candidateID+"/documents",
		fmt.Sprintf(`{"kind":"cv","contentType":"application/pdf","size":%d,"applicationId":%q}`, len(body), applicationID), recruiter())
	var doc authorized
	res.json(t, &doc)
	if res.Status != http.StatusCreated {
		t.Fatalf("authorize CV: %d %s", res.Status, res.Body)
	}
	if st := postForm(t, doc.Upload, "", body); st/100 != 2 {
		t.Fatalf("upload: %d", st)
	}
	return doc.DocumentID
}

// recruiterSubject is the subject of the recruiter token the tests use.
func recruiterSubject(t *testing.T) string {
	t.Helper()
	parts := strings.Split(cloud.RecruiterToken, ".")
	if len(parts) != 3 {
		t.Fatal("the recruiter token is not a JWT")
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var claims struct{ Sub string }
	if err := json.Unmarshal(payload, &claims); err != nil || claims.Sub == "" {
		t.Fatalf("token claims %s: %v", payload, err)
	}
	return claims.Sub
}

func TestTheExportHoldsTheCandidatesDataAndItsCVDownloads(t *testing.T) {
	to := uniqueEmail(t)
	id := register(t, to, "en")
	app := openApplication(t, id)
	pdf := []byte("%PDF-1.4 the CV of the candidate who asked for their data")
	docID := uploadCV(t, id, app, pdf)
	requestID := requestConsent(t, id, "talent_pool")
	answer(t, to, "talent_pool", true)
	email(t, to, "consent receipt")

	// Another candidate, with a CV of their own.
	otherEmail := uniqueEmail(t)
	res := do(t, "POST", "/api/candidates", fmt.Sprintf(`{"name":"Grace Hopper","email":%q,"locale":"de"}`, otherEmail), recruiter())
	var other struct{ ID string }
	res.json(t, &other)
	if res.Status != http.StatusCreated {
		t.Fatalf("register the other candidate: %d %s", res.Status, res.Body)
	}
	otherApp := openApplication(t, other.ID)
	otherDoc := uploadCV(t, other.ID, otherApp, []byte("%PDF-1.4 another CV"))

	res = do(t, "GET", "/api/candidates/"+id+"/export", "", recruiter())
	if res.Status != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") {
		t.Fatalf("export: %d %s", res.Status, res.Body)
	}
	var x struct {
		Format       string
		ExportedAt   time.Time
		Candidate    consent.Candidate
		Applications []struct{ ApplicationID string }
		Consents     []consentState
		Requests     []struct{ ID, Status, ReceiptID string } `json:"consentRequests"`
		Receipts     []struct{ ReceiptID, RequestID string }
		Artifacts    []struct {
			ID, Kind, Status string
			Size             int64
			Download         *struct {
				URL       string
				ExpiresAt time.Time
			}
		}
		AuditEvents  []consent.Event
		Verification consent.Verification
	}
	res.json(t, &x)
	if x.Format == "" || x.ExportedAt.IsZero() || x.Candidate.ID != id || x.Candidate.Email != to || x.Candidate.Name != "Ada Lovelace" {
		t.Fatalf("export header: %s", res.Body)
	}
	if len(x.Applications) != 1 || x.Applications[0].ApplicationID != app {
		t.Fatalf("applications: %+v, want %s", x.Applications, app)
	}
	if len(x.Consents) != 1 || x.Consents[0].Purpose != "talent_pool" || x.Consents[0].State != "given" || x.Consents[0].NoticeVersion == "" ||
		x.Consents[0].RequestID != requestID || x.Consents[0].ReceiptID == "" {
		t.Fatalf("consents: %+v, want talent_pool given under request %s", x.Consents, requestID)
	}
	receipt := x.Consents[0].ReceiptID
	if len(x.Requests) != 1 || x.Requests[0].ID != requestID || x.Requests[0].Status != "answered" || x.Requests[0].ReceiptID != receipt {
		t.Fatalf("consent requests: %+v, want %s answered", x.Requests, requestID)
	}
	if len(x.Receipts) != 1 || x.Receipts[0].ReceiptID != receipt || x.Receipts[0].RequestID != requestID {
		t.Fatalf("receipts: %+v, want %s", x.Receipts, receipt)
	}
	if len(x.Artifacts) != 1 || x.Artifacts[0].ID != docID || x.Artifacts[0].Status != "uploaded" || x.Artifacts[0].Size != int64(len(pdf)) || x.Artifacts[0].Download == nil {
		t.Fatalf("artifacts: %+v, want the uploaded CV %s with a link", x.Artifacts, docID)
	}
	if d := x.Artifacts[0].Download.ExpiresAt.Sub(x.ExportedAt); d != 15*time.Minute {
		t.Fatalf("the link works for %v, want 15 minutes", d)
	}
	for _, s := range []string{other.ID, otherEmail, "Grace", otherApp, otherDoc} {
		if strings.Contains(res.Body, s) {
			t.Fatalf("the export holds %q of another candidate", s)
		}
	}

	dl, err := http.Get(x.Artifacts[0].Download.URL)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(dl.Body)
	dl.Body.Close()
	if dl.StatusCode != http.StatusOK || !bytes.Equal(body, pdf) {
		t.Fatalf("download through the export's link: %d %q, want the uploaded CV", dl.StatusCode, body)
	}

	// The export is in the audit trail, by the recruiter, and the export
	// shows it as the trail's last event.
	exported := events(t, id, consent.EventDataExported)
	if len(exported) != 1 || exported[0].Actor != recruiterSubject(t) {
		t.Fatalf("data_exported events: %+v", exported)
	}
	if n := len(x.AuditEvents); n == 0 || x.AuditEvents[n-1].ID != exported[0].ID || !x.Verification.Intact {
		t.Fatalf("the export's trail does not end with its own event (%+v): %+v", x.Verification, x.AuditEvents)
	}
	if len(events(t, other.ID, consent.EventDataExported)) != 0 {
		t.Fatal("the other candidate's trail records an export")
	}
}

func TestExportingAnUnknownCandidateIs404AndNeedsAToken(t *testing.T) {
	if res := do(t, "GET", "/api/candidates/"+consent.NewID()+"/export", "", recruiter()); res.Status != http.StatusNotFound ||
		!strings.HasPrefix(res.Header.Get("Content-Type"), "application/problem+json") {
		t.Fatalf("unknown candidate: %d %s, want a 404 problem", res.Status, res.Body)
	}
	if res := do(t, "GET", "/api/candidates/not-an-id/export", "", recruiter()); res.Status != http.StatusNotFound {
		t.Fatalf("bad id: %d %s, want 404", res.Status, res.Body)
	}
	if res := do(t, "GET", "/api/candidates/"+consent.NewID()+"/export", "", nil); res.Status != http.StatusUnauthorized {
		t.Fatalf("no token: %d %s, want 401", res.Status, res.Body)
	}
}
