package consent_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/consentflow/consentflow/shared/consent"
)

func kantaraSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	sch, err := c.Compile(filepath.Join("testdata", "kantara-cr-v1.1.schema.json"))
	if err != nil {
		t.Fatal(err)
	}
	return sch
}

func instance(t *testing.T, v any) any {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

var at = time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)

func receipts(t *testing.T) map[string]consent.Receipt {
	t.Helper()
	p := consent.Policy{
		Controller: "Example Recruiting Ltd", ControllerContact: "privacy@example.com", ControllerAddress: "1 Example Street, Bratislava, SK",
		ControllerPhone: "+421 2 0000 0000", NoticeVersion: "2026-11-01", NoticeURL: "https://example.com/privacy",
		PublicBaseURL: "https://consent.example.com", LinkValidity: 30 * 24 * time.Hour,
		Retention: map[consent.Purpose]time.Duration{consent.TalentPool: 730 * 24 * time.Hour, consent.InterviewRecording: 180 * 24 * time.Hour},
	}
	c := consent.Candidate{ID: "CAND", Locale: "de"}
	req := p.NewRequest("REQ", "CAND", "recruiter-1", consent.Purposes(), at)
	terms := p.Terms(req)
	return map[string]consent.Receipt{
		"given and refused": consent.NewReceipt(terms, c, req, "R1", at, []consent.Outcome{{Purpose: consent.TalentPool, State: consent.Given}, {Purpose: consent.InterviewRecording, State: consent.Refused}}),
		"withdrawal":        consent.NewReceipt(terms, c, req, "R2", at, []consent.Outcome{{Purpose: consent.TalentPool, State: consent.Withdrawn}, {Purpose: consent.InterviewRecording, State: consent.Withdrawn}}),
		"erasure": consent.NewErasureReceipt(terms, c, "R3", at, consent.ActorCandidate, []consent.Erased{
			{Purpose: consent.TalentPool, NoticeVersion: "2026-11-01", NoticeURL: "https://example.com/privacy", RetentionDays: 730}}),
	}
}

func TestEveryKindOfReceiptValidatesAgainstTheKantaraSchema(t *testing.T) {
	sch := kantaraSchema(t)
	for name, r := range receipts(t) {
		if err := sch.Validate(instance(t, r)); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// The schema is not a rubber stamp: the shape issue 12 found wrong, an ISO
// timestamp and a single controller object, fails it, and so does an extra
// field among the spec's names.
func TestTheSchemaRejectsReceiptsThatAreNotKantara(t *testing.T) {
	sch := kantaraSchema(t)
	good := receipts(t)["given and refused"]
	for name, change := range map[string]func(m map[string]any){
		"ISO timestamp":           func(m map[string]any) { m["consentTimestamp"] = "2026-11-28T09:00:00Z" },
		"single controller":       func(m map[string]any) { m["piiControllers"] = m["piiControllers"].([]any)[0] },
		"top-level purposes":      func(m map[string]any) { m["purposes"] = []any{} },
		"no termination":          func(m map[string]any) { delete(purpose(m), "termination") },
		"extra purpose field":     func(m map[string]any) { purpose(m)["legalBasis"] = "consent" },
		"wrong version":           func(m map[string]any) { m["version"] = "KI-CR-v1.0.0" },
		"sensitive without cat":   func(m map[string]any) { m["sensitive"] = true },
		"disclosed without name":  func(m map[string]any) { purpose(m)["thirdPartyDisclosure"] = true },
		"no policy url":           func(m map[string]any) { delete(m, "policyUrl") },
		"policy url not a url":    func(m map[string]any) { m["policyUrl"] = "see our website" },
		"controller without mail": func(m map[string]any) { delete(m["piiControllers"].([]any)[0].(map[string]any), "email") },
	} {
		var m map[string]any
		b, _ := json.Marshal(good)
		_ = json.Unmarshal(b, &m)
		change(m)
		if err := sch.Validate(instance(t, m)); err == nil {
			t.Errorf("%s: valid", name)
		}
	}
}

func purpose(m map[string]any) map[string]any {
	return m["services"].([]any)[0].(map[string]any)["purposes"].([]any)[0].(map[string]any)
}

// Each ISO/IEC TS 27560 field the README maps is present in a receipt, and
// the README lists every one of them.
func TestEveryISO27560FieldIsOnTheReceiptAndInTheREADME(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	doc := instance(t, receipts(t)["given and refused"])
	for _, f := range consent.ISO27560 {
		for _, p := range f.Pointers {
			if _, ok := resolve(doc, p); !ok {
				t.Errorf("%s: %s is not on the receipt", f.Field, p)
			}
		}
		row := "| " + f.Field + " | `" + strings.Join(f.Pointers, "`, `") + "` |"
		if !bytes.Contains(readme, []byte(row)) {
			t.Errorf("README lacks the row %s", row)
		}
	}
}

// resolve follows an RFC 6901 JSON pointer (no escapes needed here).
func resolve(doc any, pointer string) (any, bool) {
	cur := doc
	for _, tok := range strings.Split(strings.TrimPrefix(pointer, "/"), "/") {
		switch v := cur.(type) {
		case map[string]any:
			next, ok := v[tok]
			if !ok {
				return nil, false
			}
			cur = next
		case []any:
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= len(v) {
				return nil, false
			}
			cur = v[i]
		default:
			return nil, false
		}
	}
	return cur, true
}
