package workflow

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/lambda/messages"

	"github.com/consentflow/consentflow/shared/consent"
	"github.com/consentflow/consentflow/shared/mail"
	"github.com/consentflow/consentflow/shared/objects"
	"github.com/consentflow/consentflow/shared/signature"
	"github.com/consentflow/consentflow/shared/store"
)

func TestErrorNamesAreStable(t *testing.T) {
	tests := []struct {
		err  error
		name string
	}{
		{fmt.Errorf("record: %w", &store.UnavailableError{Err: errors.New("throttled")}), StoreUnavailable},
		{&mail.UnavailableError{Err: errors.New("ses down")}, MailUnavailable},
		{&mail.RejectedError{Err: errors.New("rejected")}, MailRejected},
		{&consent.NotFoundError{What: "candidate"}, NotFound},
		{&consent.ConflictError{Reason: "answered"}, Conflict},
		{fmt.Errorf("record: %w", &consent.ConflictError{Reason: "kept changing", Contended: true}), Contention},
		{&consent.LinkExpiredError{}, Conflict},
		{&consent.ValidationError{Field: "purposes"}, InvalidInput},
		{fmt.Errorf("sign: %w", &signature.UnavailableError{Err: errors.New("kms down")}), SigningUnavailable},
		{fmt.Errorf("begin: %w", &consent.GoneError{ID: "c"}), Gone},
		{fmt.Errorf("delete: %w", &objects.UnavailableError{Err: errors.New("s3 down")}), ObjectStoreUnavailable},
		{&objects.RemainError{Key: "k", Left: 1}, VersionsRemain},
		{errors.New("boom"), StepFailed},
	}
	for _, tt := range tests {
		err := Error(tt.err)
		var ive messages.InvokeResponse_Error
		if !errors.As(err, &ive) || ive.Type != tt.name || ive.Message != tt.err.Error() {
			t.Errorf("Error(%v) = %#v, want type %s", tt.err, err, tt.name)
		}
	}
	if Error(nil) != nil {
		t.Error("Error(nil) must be nil")
	}
}

// Every custom error name an ASL file matches is one the steps return, so a
// Retry never waits on a name that cannot occur.
func TestASLMatchesOnlyErrorNamesStepsReturn(t *testing.T) {
	known := map[string]bool{StoreUnavailable: true, MailUnavailable: true, MailRejected: true, NotFound: true, Conflict: true, Contention: true, InvalidInput: true, StepFailed: true, SigningUnavailable: true, Gone: true, ObjectStoreUnavailable: true, VersionsRemain: true,
		// The Lambda runtime's own names for a timed-out or crashed function.
		"Sandbox.Timedout": true, "Runtime.ExitError": true}
	files, _ := filepath.Glob(filepath.Join("..", "..", "statemachines", "*.asl.json"))
	if len(files) == 0 {
		t.Fatal("no ASL files found")
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range errorNames(t, b) {
			if strings.HasPrefix(name, "States.") || strings.HasPrefix(name, "Lambda.") {
				continue
			}
			if !known[name] {
				t.Errorf("%s matches error %q, which no step returns", filepath.Base(f), name)
			}
		}
	}
}

// errorNames collects every ErrorEquals entry of a definition, nested states included.
func errorNames(t *testing.T, def []byte) []string {
	var doc any
	if err := json.Unmarshal(def, &doc); err != nil {
		t.Fatal(err)
	}
	var names []string
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, x := range v {
				if k == "ErrorEquals" {
					for _, n := range x.([]any) {
						names = append(names, n.(string))
					}
					continue
				}
				walk(x)
			}
		case []any:
			for _, x := range v {
				walk(x)
			}
		}
	}
	walk(doc)
	return names
}
