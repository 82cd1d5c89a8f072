package local_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/consentflow/consentflow/infra/local/ses"
	"github.com/consentflow/consentflow/infra/topology"
)

// receiptOf returns the signed receipt attached to a receipt email (its
// canonical JSON) and its detached JWS, and checks that the receipt is valid
// Kantara CR v1.1 and genuine.
func receiptOf(t *testing.T, e ses.Email) ([]byte, string) {
	t.Helper()
	doc, jws, err := attachments(e)
	if err != nil {
		t.Fatal(err)
	}
	if err := checkReceipt(doc, jws, filepath.Join("..", "..")); err != nil {
		t.Fatal(err)
	}
	return doc, jws
}

func attachments(e ses.Email) (doc []byte, jws string, err error) {
	for _, a := range e.Attachments {
		switch {
		case strings.HasPrefix(a.Filename, "consent-receipt-") && strings.HasSuffix(a.Filename, ".json") && a.ContentType == "application/json":
			doc = a.Content
		case strings.HasPrefix(a.Filename, "consent-receipt-") && strings.HasSuffix(a.Filename, ".jws"):
			jws = string(a.Content)
		}
	}
	if doc == nil || jws == "" {
		return nil, "", fmt.Errorf("email %q has no receipt and signature attached (%d attachments)", e.Subject, len(e.Attachments))
	}
	return doc, jws, nil
}

// checkReceipt validates a receipt against the Kantara schema and asks the
// app whether it is genuine.
func checkReceipt(doc []byte, jws, root string) error {
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	sch, err := c.Compile(filepath.Join(root, "shared", "consent", "testdata", "kantara-cr-v1.1.schema.json"))
	if err != nil {
		return err
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(doc))
	if err != nil {
		return fmt.Errorf("receipt is not JSON: %w", err)
	}
	if err := sch.Validate(inst); err != nil {
		return fmt.Errorf("receipt is not Kantara CR v1.1: %w\n%s", err, doc)
	}
	status, v, err := verifyReceipt(doc, jws)
	if err != nil {
		return err
	}
	if status != http.StatusOK || !v.Genuine {
		return fmt.Errorf("receipt is not genuine: %d %+v\n%s", status, v, doc)
	}
	return nil
}

type verdict struct {
	Genuine          bool
	ConsentReceiptID string
	KeyID            string
	Reason           string
	Type, Field      string
}

func verifyReceipt(doc []byte, jws string) (int, verdict, error) {
	body, _ := json.Marshal(map[string]any{"receipt": json.RawMessage(doc), "signature": jws})
	res, err := client.Post(cloud.AppURL+"/receipts/verify", "application/json", bytes.NewReader(body))
	if err != nil {
		return 0, verdict{}, err
	}
	defer res.Body.Close()
	var v verdict
	if err := json.NewDecoder(res.Body).Decode(&v); err != nil {
		return res.StatusCode, v, fmt.Errorf("verify answered %d without JSON: %w", res.StatusCode, err)
	}
	return res.StatusCode, v, nil
}

// everyReceiptSentIsGenuineKantara checks every receipt in the outbox once
// the package's tests have run: each validates against the Kantara schema
// and verifies.
func everyReceiptSentIsGenuineKantara(ctx context.Context, root string) error {
	emails, err := cloud.Outbox.Emails(ctx, time.Time{})
	if err != nil {
		return err
	}
	n := 0
	var errs []error
	for _, e := range emails {
		if len(e.Attachments) == 1 && strings.HasPrefix(e.Attachments[0].Filename, "consentflow-export-") {
			continue // a candidate's export, emailed from their manage page
		}
		if len(e.Attachments) == 0 && !strings.Contains(strings.ToLower(e.Subject), "receipt") && !strings.Contains(e.Subject, "Einwilligungsbestätigung") && !strings.Contains(e.Subject, "reçu") {
			continue
		}
		n++
		doc, jws, err := attachments(e)
		if err == nil {
			err = checkReceipt(doc, jws, root)
		}
		if err != nil {
			errs = append(errs, err)
		}
	}
	if n == 0 {
		return errors.New("no receipt was sent")
	}
	return errors.Join(errs...)
}

func TestTheJWKSIsPublishedOnTheAppsOrigin(t *testing.T) {
	res := do(t, "GET", "/.well-known/jwks.json", "", nil)
	if res.Status != http.StatusOK || res.Header.Get("Content-Type") != "application/jwk-set+json" {
		t.Fatalf("jwks: %d %v %s", res.Status, res.Header, res.Body)
	}
	var set struct {
		Keys []map[string]string `json:"keys"`
	}
	res.json(t, &set)
	arn := cloud.SigningKeys[topology.ReceiptKey]
	if len(set.Keys) != 1 || set.Keys[0]["kty"] != "EC" || set.Keys[0]["crv"] != "P-256" || set.Keys[0]["alg"] != "ES256" ||
		set.Keys[0]["use"] != "sig" || !strings.HasSuffix(arn, "/"+set.Keys[0]["kid"]) || set.Keys[0]["d"] != "" {
		t.Fatalf("jwks %s (key %s)", res.Body, arn)
	}
}

func TestATamperedReceiptFailsVerification(t *testing.T) {
	to := uniqueEmail(t)
	id := register(t, to, "fr")
	requestConsent(t, id, "interview_recording")
	path := link(t, latestEmail(t, to, "vous demande votre consentement", 1))
	if res := do(t, "POST", path, `{"decisions":[{"purpose":"interview_recording","grant":true}]}`, map[string]string{"Content-Type": "application/json"}); res.Status != http.StatusOK {
		t.Fatalf("answer: %d %s", res.Status, res.Body)
	}
	doc, jws := receiptOf(t, email(t, to, "reçu de consentement"))

	// The candidate's copy in any JSON layout still verifies.
	var m map[string]any
	_ = json.Unmarshal(doc, &m)
	pretty, _ := json.MarshalIndent(m, "", "  ")
	if status, v, err := verifyReceipt(pretty, jws); err != nil || status != http.StatusOK || !v.Genuine || v.KeyID == "" {
		t.Fatalf("pretty-printed genuine receipt: %d %+v %v", status, v, err)
	}
	for name, tampered := range map[string][]byte{
		"retention":  bytes.Replace(doc, []byte(`"retentionDays":180`), []byte(`"retentionDays":1800`), 1),
		"state":      bytes.Replace(doc, []byte(`"state":"given"`), []byte(`"state":"refused"`), 1),
		"time":       bytes.Replace(doc, []byte(`"consentTimestamp":1`), []byte(`"consentTimestamp":2`), 1),
		"controller": bytes.Replace(doc, []byte(`"piiController":"Example Recruiting Ltd"`), []byte(`"piiController":"Someone Else"`), 1),
	} {
		if bytes.Equal(tampered, doc) {
			t.Fatalf("%s: nothing was changed in\n%s", name, doc)
		}
		status, v, err := verifyReceipt(tampered, jws)
		if err != nil || status != http.StatusOK || v.Genuine || v.Reason == "" {
			t.Errorf("%s tampered: %d %+v %v", name, status, v, err)
		}
	}

	// Input that is not a receipt and a signature gets an RFC 9457 problem.
	for name, tc := range map[string]struct {
		body, contentType string
		status            int
	}{
		"not JSON":          {"receipt", "application/json", http.StatusBadRequest},
		"unknown field":     {`{"receipt":{},"signature":"a..b","extra":1}`, "application/json", http.StatusBadRequest},
		"not JSON type":     {`receipt=1`, "application/x-www-form-urlencoded", http.StatusUnsupportedMediaType},
		"no receipt":        {`{"signature":"` + jws + `"}`, "application/json", http.StatusUnprocessableEntity},
		"receipt not obj":   {`{"receipt":"x","signature":"` + jws + `"}`, "application/json", http.StatusUnprocessableEntity},
		"no signature":      {`{"receipt":` + string(doc) + `}`, "application/json", http.StatusUnprocessableEntity},
		"attached JWS":      {`{"receipt":` + string(doc) + `,"signature":"a.b.c"}`, "application/json", http.StatusUnprocessableEntity},
		"signature garbage": {`{"receipt":` + string(doc) + `,"signature":"%%%..%%%"}`, "application/json", http.StatusUnprocessableEntity},
	} {
		res := do(t, "POST", "/receipts/verify", tc.body, map[string]string{"Content-Type": tc.contentType})
		if res.Status != tc.status || res.Header.Get("Content-Type") != "application/problem+json" {
			t.Errorf("%s: %d %s %s, want %d problem", name, res.Status, res.Header.Get("Content-Type"), res.Body, tc.status)
		}
	}
}

// A receipt made before the deployment's settings change still verifies
// and still shows the terms it was given under; a request made before the
// change and answered after it gets its receipt under the request's terms.
func TestAReceiptFromBeforeASettingsChangeStillVerifiesWithItsTerms(t *testing.T) {
	to := uniqueEmail(t)
	id := register(t, to, "en")
	requestConsent(t, id, "talent_pool")
	path := link(t, latestEmail(t, to, "asks for your consent", 1))
	if res := do(t, "POST", path, `{"decisions":[{"purpose":"talent_pool","grant":true}]}`, map[string]string{"Content-Type": "application/json"}); res.Status != http.StatusOK {
		t.Fatalf("answer: %d %s", res.Status, res.Body)
	}
	before, beforeJWS := receiptOf(t, email(t, to, "consent receipt"))

	// A second request, made before the change and answered after it.
	later := uniqueEmail(t)
	laterID := register(t, later, "en")
	requestConsent(t, laterID, "talent_pool")
	laterPath := link(t, latestEmail(t, later, "asks for your consent", 1))

	defaults := map[string]string{}
	changed := map[string]string{
		topology.SettingNoticeVersion: "2027-01-01", topology.SettingNoticeURL: "https://example.com/privacy-2027",
		topology.SettingRetentionDays: "talent_pool=365,interview_recording=90,call_recording=45", topology.SettingControllerPhone: "+421 2 9999 9999",
	}
	for k := range changed {
		defaults[k] = cloud.Settings[k]
	}
	if err := cloud.Redeploy(changed); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := cloud.Redeploy(defaults); err != nil {
			t.Error(err)
		}
	})

	status, v, err := verifyReceipt(before, beforeJWS)
	if err != nil || status != http.StatusOK || !v.Genuine {
		t.Fatalf("the receipt from before the change: %d %+v %v", status, v, err)
	}
	for _, want := range []string{`"noticeVersion":"2026-11-01"`, `"policyUrl":"https://example.com/privacy"`, `"retentionDays":730`, `"phone":"+421 2 0000 0000"`} {
		if !bytes.Contains(before, []byte(want)) {
			t.Errorf("the receipt from before the change lacks %s", want)
		}
	}

	if res := do(t, "POST", laterPath, `{"decisions":[{"purpose":"talent_pool","grant":true}]}`, map[string]string{"Content-Type": "application/json"}); res.Status != http.StatusOK {
		t.Fatalf("answer after the change: %d %s", res.Status, res.Body)
	}
	answered, _ := receiptOf(t, email(t, later, "consent receipt"))
	for _, want := range []string{`"noticeVersion":"2026-11-01"`, `"policyUrl":"https://example.com/privacy"`, `"retentionDays":730`} {
		if !bytes.Contains(answered, []byte(want)) {
			t.Errorf("a request made before the change is answered under its own terms; receipt lacks %s:\n%s", want, answered)
		}
	}

	// A request made after the change is made under the new terms.
	fresh := uniqueEmail(t)
	freshID := register(t, fresh, "en")
	requestConsent(t, freshID, "talent_pool")
	freshPath := link(t, latestEmail(t, fresh, "asks for your consent", 1))
	if res := do(t, "POST", freshPath, `{"decisions":[{"purpose":"talent_pool","grant":true}]}`, map[string]string{"Content-Type": "application/json"}); res.Status != http.StatusOK {
		t.Fatalf("answer: %d %s", res.Status, res.Body)
	}
	now, _ := receiptOf(t, email(t, fresh, "consent receipt"))
	for _, want := range []string{`"noticeVersion":"2027-01-01"`, `"retentionDays":365`, `"phone":"+421 2 9999 9999"`} {
		if !bytes.Contains(now, []byte(want)) {
			t.Errorf("the change did not take effect; receipt lacks %s:\n%s", want, now)
		}
	}
}

// Declining a purpose that was given is a withdrawal: its receipt has the
// same format, says so, and says what ended.
func TestAWithdrawalGetsAReceiptSayingWhatEnded(t *testing.T) {
	to := uniqueEmail(t)
	id := register(t, to, "en")
	var receipt ses.Email
	for _, decision := range []string{"grant", "decline"} {
		invites := len(emailsTo(t, to, "asks for your consent"))
		requestID := requestConsent(t, id, "talent_pool")
		// The latest invitation: a re-sent link replaces the earlier one.
		res := do(t, "POST", link(t, latestEmail(t, to, "asks for your consent", invites+1)), form(map[string]string{"talent_pool": decision}), formHeader())
		if res.Status != http.StatusSeeOther {
			t.Fatalf("%s: %d %s", decision, res.Status, res.Body)
		}
		receipt = receiptFor(t, to, requestID)
	}
	withdrawal, _ := receiptOf(t, receipt)
	for _, want := range []string{`"event":"withdrawal"`, `"dpvState":"dpv:ConsentWithdrawn"`, `"termination":"Withdrawn by the candidate at `} {
		if !bytes.Contains(withdrawal, []byte(want)) {
			t.Errorf("withdrawal receipt lacks %s:\n%s", want, withdrawal)
		}
	}
	if !strings.Contains(receipt.Body.Text, "Talent pool: withdrawn") {
		t.Errorf("receipt text:\n%s", receipt.Body.Text)
	}
	if got := consents(t, id)["talent_pool"].State; got != "withdrawn" {
		t.Fatalf("state %s, want withdrawn", got)
	}
}

func emailsTo(t *testing.T, to, subject string) []ses.Email {
	t.Helper()
	emails, err := cloud.Outbox.Emails(context.Background(), time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	var match []ses.Email
	for _, e := range emails {
		if len(e.Destination.To) > 0 && e.Destination.To[0] == to && strings.Contains(e.Subject, subject) {
			match = append(match, e)
		}
	}
	return match
}

// latestEmail waits until at least n emails to a recipient have a subject
// that matches, and returns the latest.
func latestEmail(t *testing.T, to, subject string, n int) ses.Email {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		if match := emailsTo(t, to, subject); len(match) >= n {
			return match[len(match)-1]
		}
		if time.Now().After(deadline) {
			t.Fatalf("fewer than %d emails to %s with subject %q", n, to, subject)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// receiptFor waits for the receipt email of a request (a retried email step
// may have sent it twice; any copy will do).
func receiptFor(t *testing.T, to, requestID string) ses.Email {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		for _, e := range emailsTo(t, to, "consent receipt") {
			if doc, _, err := attachments(e); err == nil && bytes.Contains(doc, []byte(`"requestId":"`+requestID+`"`)) {
				return e
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no receipt for request %s", requestID)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
