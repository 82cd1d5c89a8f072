package topology

import (
	"os"
	"path/filepath"
	"testing"
)

func TestAppIsConsistent(t *testing.T) {
	if err := App.Validate(); err != nil {
		t.Fatal(err)
	}
}

func TestEveryFunctionAndWorkflowHasItsSource(t *testing.T) {
	root := filepath.Join("..", "..")
	for _, f := range App.Functions {
		if _, err := os.Stat(filepath.Join(root, "functions", f.Name, "main.go")); err != nil {
			t.Errorf("function %s: %v", f.Name, err)
		}
	}
	for _, w := range App.Workflows {
		if _, err := os.Stat(filepath.Join(root, w.File())); err != nil {
			t.Errorf("workflow %s: %v", w.Name, err)
		}
	}
}

func TestSubstitutionKey(t *testing.T) {
	for in, want := range map[string]string{
		"record-decision":   "RecordDecisionFunctionArn",
		"send-consent-link": "SendConsentLinkFunctionArn",
	} {
		if got := SubstitutionKey(in); got != want {
			t.Errorf("SubstitutionKey(%q) = %q, want %q", in, got, want)
		}
	}
}
