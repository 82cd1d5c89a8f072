package stepfunctions_test

import (
	"encoding/json"
	"net/http/httptest"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/consentflow/consentflow/infra/local/stepfunctions"
)

// TestAWSCLI drives the engine with the AWS CLI (--endpoint-url), as a person
// would. It is skipped where the CLI is not installed.
func TestAWSCLI(t *testing.T) {
	cli, err := exec.LookPath("aws")
	if err != nil {
		t.Skip("aws CLI not installed")
	}
	eng := stepfunctions.New(stepfunctions.Config{})
	srv := httptest.NewServer(eng)
	defer func() { srv.Close(); _ = eng.Close() }()
	run := func(args ...string) map[string]any {
		t.Helper()
		cmd := exec.Command(cli, append([]string{"stepfunctions", "--endpoint-url", srv.URL, "--output", "json"}, args...)...)
		cmd.Env = append(os.Environ(), "AWS_ACCESS_KEY_ID=local", "AWS_SECRET_ACCESS_KEY=local", "AWS_DEFAULT_REGION=us-east-1", "AWS_PAGER=")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("aws %v: %v\n%s", args, err, out)
		}
		var m map[string]any
		if err := json.Unmarshal(out, &m); err != nil {
			t.Fatalf("aws %v: %v\n%s", args, err, out)
		}
		return m
	}
	created := run("create-state-machine", "--name", "cli", "--role-arn", "arn:aws:iam::000000000000:role/r",
		"--definition", `{"StartAt":"Greet","States":{"Greet":{"Type":"Pass","Parameters":{"greeting.$":"States.Format('Hello, {}', $.name)"},"End":true}}}`)
	sm, _ := created["stateMachineArn"].(string)
	started := run("start-execution", "--state-machine-arn", sm, "--name", "first", "--input", `{"name":"Ada"}`)
	arn, _ := started["executionArn"].(string)
	var desc map[string]any
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); {
		desc = run("describe-execution", "--execution-arn", arn)
		if desc["status"] != "RUNNING" {
			break
		}
	}
	if desc["status"] != "SUCCEEDED" || desc["output"] != `{"greeting":"Hello, Ada"}` {
		t.Errorf("describe-execution = %v, want SUCCEEDED with the greeting", desc)
	}
	hist := run("get-execution-history", "--execution-arn", arn)
	events, _ := hist["events"].([]any)
	if len(events) != 4 {
		t.Errorf("history has %d events, want 4 (started, entered, exited, succeeded): %v", len(events), events)
	}
}
