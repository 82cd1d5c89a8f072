package stepfunctions_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"
)

func TestCreateStateMachineRejectsBrokenDefinitions(t *testing.T) {
	cases := []struct {
		name, definition string
		want             []string // substrings of the InvalidDefinition message
	}{
		{"unknown Next target", `{"StartAt":"A","States":{"A":{"Type":"Pass","Next":"Nowhere"}}}`,
			[]string{"MISSING_TRANSITION_TARGET", "Nowhere", "/States/A/Next"}},
		{"unknown StartAt", `{"StartAt":"X","States":{"A":{"Type":"Pass","End":true}}}`,
			[]string{"MISSING_TRANSITION_TARGET", "/StartAt"}},
		{"unreachable state", `{"StartAt":"A","States":{"A":{"Type":"Pass","End":true},"B":{"Type":"Pass","End":true}}}`,
			[]string{"UNREACHABLE_STATE", "/States/B"}},
		{"wrong field type", `{"StartAt":"A","States":{"A":{"Type":"Wait","Seconds":"ten","End":true}}}`,
			[]string{"SCHEMA_VALIDATION_FAILED", "/States/A/Seconds"}},
		{"bad path", `{"StartAt":"A","States":{"A":{"Type":"Pass","InputPath":"no-dollar","End":true}}}`,
			[]string{"INVALID_JSON_PATH", "/States/A/InputPath"}},
		{"bad parameters path", `{"StartAt":"A","States":{"A":{"Type":"Pass","Parameters":{"x.$":"$.a[?("},"End":true}}}`,
			[]string{"/States/A/Parameters/x.$"}},
		{"unknown intrinsic", `{"StartAt":"A","States":{"A":{"Type":"Pass","Parameters":{"x.$":"States.Nope($.a)"},"End":true}}}`,
			[]string{"INVALID_INTRINSIC_FUNCTION", "/States/A/Parameters/x.$"}},
		{"unknown escape in an intrinsic string", `{"StartAt":"A","States":{"A":{"Type":"Pass","Parameters":{"x.$":"States.Format('a\\nb')"},"End":true}}}`,
			[]string{"INVALID_INTRINSIC_FUNCTION", "invalid escape", "/States/A/Parameters/x.$"}},
		{"catch catch-all not last", `{"StartAt":"A","States":{"A":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Catch":[{"ErrorEquals":["States.ALL"],"Next":"B"},{"ErrorEquals":["X"],"Next":"B"}],"End":true},"B":{"Type":"Succeed"}}}`,
			[]string{"States.ALL", "/States/A/Catch/0"}},
		{"retry catch-all not last", `{"StartAt":"A","States":{"A":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Retry":[{"ErrorEquals":["States.ALL"]},{"ErrorEquals":["X"]}],"End":true}}}`,
			[]string{"States.ALL must be the last retrier", "/States/A/Retry/0"}},
		{"unknown retrier field", `{"StartAt":"A","States":{"A":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Retry":[{"ErrorEquals":["X"],"MaxAttemps":2}],"End":true}}}`,
			[]string{"not supported in a Retrier", "/States/A/Retry/0/MaxAttemps"}},
		{"unknown field", `{"StartAt":"A","States":{"A":{"Type":"Pass","Nexx":"B","End":true}}}`,
			[]string{"Nexx", "/States/A/Nexx"}},
		{"both Next and End", `{"StartAt":"A","States":{"A":{"Type":"Pass","Next":"A","End":true}}}`,
			[]string{"/States/A"}},
		{"choice rule without operator", `{"StartAt":"A","States":{"A":{"Type":"Choice","Choices":[{"Variable":"$.x","Next":"B"}]},"B":{"Type":"Succeed"}}}`,
			[]string{"/States/A/Choices/0"}},
		{"wait longer than 99999999 seconds", `{"StartAt":"A","States":{"A":{"Type":"Wait","Seconds":100000000,"End":true}}}`,
			[]string{"SCHEMA_VALIDATION_FAILED", "/States/A/Seconds"}},
		{"wait with two durations", `{"StartAt":"A","States":{"A":{"Type":"Wait","Seconds":1,"SecondsPath":"$.s","End":true}}}`,
			[]string{"exactly one", "/States/A"}},
		{"not JSON", `{"StartAt":`, []string{"INVALID_JSON_DESCRIPTION"}},
		// LocalStack's AWS-validated test_state_mock_validation.snapshot.json,
		// "tests/aws/services/stepfunctions/v2/test_state/test_state_mock_validation.py::TestStateMockValidation::test_parallel_state_empty_branches".
		{"parallel without branches", `{"StartAt":"StateName","States":{"StateName":{"Type":"Parallel","Branches":[],"End":true}}}`,
			[]string{"SCHEMA_VALIDATION_FAILED: Value cannot be empty at /States/StateName/Branches"}},
		// test_test_state_machine_scenarios.snapshot.json,
		// "tests/aws/services/stepfunctions/v2/test_state/test_test_state_machine_scenarios.py::TestStateMachineScenarios::test_state_name_invalid_state_definition".
		{"unknown state type", `{"StartAt":"ExistingButInvalidState","States":{"ExistingButInvalidState":{"Type":"TypeThatDoesNotExist","End":true}}}`,
			[]string{"SCHEMA_VALIDATION_FAILED: The field 'Type' should have one of these values: [Task, Wait, Pass, Succeed, Fail, Choice, Parallel, Map] at /States/ExistingButInvalidState/Type"}},
		{"context object in ResultPath", `{"StartAt":"A","States":{"A":{"Type":"Pass","ResultPath":"$$.Execution.Input","End":true}}}`,
			[]string{"INVALID_JSON_PATH", "/States/A/ResultPath"}},
	}
	h := newHarness(t, nil)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := h.sfn.CreateStateMachine(context.Background(), &sfn.CreateStateMachineInput{
				Name: aws.String("broken"), Definition: aws.String(c.definition), RoleArn: aws.String("arn:aws:iam::000000000000:role/r"),
			})
			var invalid *types.InvalidDefinition
			if !errors.As(err, &invalid) {
				t.Fatalf("CreateStateMachine: %v, want InvalidDefinition", err)
			}
			for _, w := range c.want {
				if !strings.Contains(invalid.ErrorMessage(), w) {
					t.Errorf("message %q lacks %q", invalid.ErrorMessage(), w)
				}
			}
		})
	}
}

func TestStateMachineAPI(t *testing.T) {
	h := newHarness(t, nil)
	def := `{"StartAt":"A","States":{"A":{"Type":"Pass","End":true}}}`
	arn := h.create("api", def)
	if want := "arn:aws:states:us-east-1:000000000000:stateMachine:api"; arn != want {
		t.Errorf("ARN %s, want %s", arn, want)
	}
	if again := h.create("api", def); again != arn {
		t.Errorf("re-creating the same machine gave %s, want %s", again, arn)
	}
	_, err := h.sfn.CreateStateMachine(context.Background(), &sfn.CreateStateMachineInput{Name: aws.String("api"), Definition: aws.String(`{"StartAt":"B","States":{"B":{"Type":"Succeed"}}}`), RoleArn: aws.String("arn:aws:iam::000000000000:role/local")})
	var exists *types.StateMachineAlreadyExists
	if !errors.As(err, &exists) {
		t.Errorf("same name, other definition: %v, want StateMachineAlreadyExists", err)
	}
	newDef := `{"StartAt":"B","States":{"B":{"Type":"Pass","Result":"v2","End":true}}}`
	if _, err := h.sfn.UpdateStateMachine(context.Background(), &sfn.UpdateStateMachineInput{StateMachineArn: aws.String(arn), Definition: aws.String(newDef)}); err != nil {
		t.Fatal(err)
	}
	d, err := h.sfn.DescribeStateMachine(context.Background(), &sfn.DescribeStateMachineInput{StateMachineArn: aws.String(arn)})
	if err != nil || aws.ToString(d.Definition) != newDef || d.Type != types.StateMachineTypeStandard {
		t.Errorf("DescribeStateMachine = %v, %v; want the updated STANDARD definition", d, err)
	}
	list, err := h.sfn.ListStateMachines(context.Background(), &sfn.ListStateMachinesInput{})
	if err != nil || len(list.StateMachines) != 1 {
		t.Errorf("ListStateMachines = %v, %v", list, err)
	}
	x := h.start(arn, "run-1", `{}`)
	if want := "arn:aws:states:us-east-1:000000000000:execution:api:run-1"; x != want {
		t.Errorf("execution ARN %s, want %s", x, want)
	}
	out := h.wait(x, false)
	if aws.ToString(out.Output) != `"v2"` {
		t.Errorf("output %s, want the updated definition's \"v2\"", aws.ToString(out.Output))
	}
	_, err = h.sfn.DescribeStateMachine(context.Background(), &sfn.DescribeStateMachineInput{StateMachineArn: aws.String(arn + "x")})
	var dne *types.StateMachineDoesNotExist
	if !errors.As(err, &dne) {
		t.Errorf("unknown machine: %v, want StateMachineDoesNotExist", err)
	}
	_, err = h.sfn.DescribeExecution(context.Background(), &sfn.DescribeExecutionInput{ExecutionArn: aws.String("nope")})
	var bad *types.InvalidArn
	if !errors.As(err, &bad) {
		t.Errorf("bad execution ARN: %v, want InvalidArn", err)
	}
	// A closed execution's name cannot be reused, even with the same input.
	_, err = h.sfn.StartExecution(context.Background(), &sfn.StartExecutionInput{StateMachineArn: aws.String(arn), Name: aws.String("run-1"), Input: aws.String(`{}`)})
	var already *types.ExecutionAlreadyExists
	if !errors.As(err, &already) {
		t.Errorf("reusing a closed execution's name: %v, want ExecutionAlreadyExists", err)
	}
}

// callbackHarness starts a machine whose task waits for a token and returns
// the execution and the token.
func callbackHarness(t *testing.T, taskFields string) (*harness, string, string) {
	tokens := make(chan string, 1)
	h := newHarness(t, map[string]fn{
		"park": func(p json.RawMessage) (any, *functionError) {
			var in struct{ Token string }
			_ = json.Unmarshal(p, &in)
			tokens <- in.Token
			return map[string]any{}, nil
		},
	})
	def := `{"StartAt":"Wait","States":{"Wait":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke.waitForTaskToken",
		"Parameters":{"FunctionName":"park","Payload":{"Token.$":"$$.Task.Token"}}` + taskFields + `,
		"Catch":[{"ErrorEquals":["States.ALL"],"Next":"Caught"}],"End":true},"Caught":{"Type":"Pass","End":true}}}`
	arn := h.start(h.create("cb", def), "", `{}`)
	select {
	case tok := <-tokens:
		return h, arn, tok
	case <-time.After(10 * time.Second):
		t.Fatal("the task never received its token")
	}
	return nil, "", ""
}

func TestCallbacks(t *testing.T) {
	t.Run("SendTaskFailure without error or cause is caught as nulls", func(t *testing.T) {
		h, arn, tok := callbackHarness(t, "")
		if _, err := h.sfn.SendTaskFailure(context.Background(), &sfn.SendTaskFailureInput{TaskToken: aws.String(tok)}); err != nil {
			t.Fatal(err)
		}
		out := h.wait(arn, false)
		if aws.ToString(out.Output) != `{"Cause":null,"Error":null}` {
			t.Errorf("output %s, want {\"Cause\":null,\"Error\":null}", aws.ToString(out.Output))
		}
	})
	t.Run("SendTaskFailure error and cause are caught", func(t *testing.T) {
		h, arn, tok := callbackHarness(t, "")
		if _, err := h.sfn.SendTaskFailure(context.Background(), &sfn.SendTaskFailureInput{TaskToken: aws.String(tok), Error: aws.String("Declined"), Cause: aws.String("no")}); err != nil {
			t.Fatal(err)
		}
		out := h.wait(arn, false)
		if aws.ToString(out.Output) != `{"Cause":"no","Error":"Declined"}` {
			t.Errorf("output %s", aws.ToString(out.Output))
		}
	})
	t.Run("heartbeats keep a task alive until HeartbeatSeconds pass without one", func(t *testing.T) {
		h, arn, tok := callbackHarness(t, `,"HeartbeatSeconds":60,"TimeoutSeconds":86400`)
		for range 3 {
			if err := h.clock.BlockUntil(context.Background(), 2); err != nil {
				t.Fatal(err)
			}
			h.clock.Advance(50 * time.Second)
			if _, err := h.sfn.SendTaskHeartbeat(context.Background(), &sfn.SendTaskHeartbeatInput{TaskToken: aws.String(tok)}); err != nil {
				t.Fatalf("heartbeat after 50 s: %v", err)
			}
		}
		d, _ := h.sfn.DescribeExecution(context.Background(), &sfn.DescribeExecutionInput{ExecutionArn: aws.String(arn)})
		if d.Status != types.ExecutionStatusRunning {
			t.Fatalf("status %s after 150 s with heartbeats, want RUNNING", d.Status)
		}
		out := h.wait(arn, true)
		if !strings.Contains(aws.ToString(out.Output), `"Error":"States.HeartbeatTimeout"`) {
			t.Errorf("output %s, want a caught States.HeartbeatTimeout", aws.ToString(out.Output))
		}
		_, err := h.sfn.SendTaskHeartbeat(context.Background(), &sfn.SendTaskHeartbeatInput{TaskToken: aws.String(tok)})
		var tto *types.TaskTimedOut
		if !errors.As(err, &tto) {
			t.Errorf("heartbeat after the timeout: %v, want TaskTimedOut", err)
		}
	})
}

func TestDataLimitExceeded(t *testing.T) {
	h := newHarness(t, nil)
	def := `{"StartAt":"Double","States":{"Double":{"Type":"Pass","Parameters":{"a.$":"$.s","b.$":"$.s"},"End":true}}}`
	big, _ := json.Marshal(map[string]string{"s": strings.Repeat("x", 150*1024)})
	out := h.wait(h.start(h.create("big", def), "", string(big)), false)
	if out.Status != types.ExecutionStatusFailed || aws.ToString(out.Error) != "States.DataLimitExceeded" {
		t.Errorf("status %s error %s, want FAILED States.DataLimitExceeded", out.Status, aws.ToString(out.Error))
	}
}

// Names follow AWS's rule (docs, Step Functions service quotas): 1-80
// characters, no whitespace, control characters or ? * < > { } [ ] " # % \ ^
// | ~ ` $ & , ; : /.
func TestNames(t *testing.T) {
	h := newHarness(t, nil)
	def := `{"StartAt":"A","States":{"A":{"Type":"Pass","End":true}}}`
	for _, name := range []string{"consent.request@v1", "größe", "a+b=c", "it's", "(x)!", strings.Repeat("é", 80)} {
		sm := h.create(name, def)
		if arn := h.start(sm, name, `{}`); !strings.HasSuffix(arn, ":"+name) {
			t.Errorf("execution %q got ARN %s", name, arn)
		}
	}
	for _, name := range []string{"", "a b", "a\tb", "a/b", "a:b", "a,b", "a\u0085b", "a\x7fb", "a{b}", "a`b", strings.Repeat("x", 81)} {
		_, err := h.sfn.CreateStateMachine(context.Background(), &sfn.CreateStateMachineInput{
			Name: aws.String(name), Definition: aws.String(def), RoleArn: aws.String("arn:aws:iam::000000000000:role/r"),
		})
		var invalid *types.InvalidName
		if !errors.As(err, &invalid) {
			t.Errorf("CreateStateMachine %q: %v, want InvalidName", name, err)
		}
		_, err = h.sfn.StartExecution(context.Background(), &sfn.StartExecutionInput{
			StateMachineArn: aws.String("arn:aws:states:us-east-1:000000000000:stateMachine:consent.request@v1"), Name: aws.String(name),
		})
		if name != "" && !errors.As(err, &invalid) {
			t.Errorf("StartExecution %q: %v, want InvalidName", name, err)
		}
	}
}

// Express workflows support request-response integrations only (AWS docs,
// service integration patterns), also inside Parallel branches and Map.
func TestExpressRejectsCallbackAndSyncPatterns(t *testing.T) {
	h := newHarness(t, nil)
	task := func(resource string) string {
		return `{"Type":"Task","Resource":"` + resource + `","End":true}`
	}
	cases := []struct {
		name, definition string
		ok               bool
	}{
		{"request-response", `{"StartAt":"T","States":{"T":` + task("arn:aws:states:::lambda:invoke") + `}}`, true},
		{"waitForTaskToken", `{"StartAt":"T","States":{"T":` + task("arn:aws:states:::lambda:invoke.waitForTaskToken") + `}}`, false},
		{"sync in a branch", `{"StartAt":"P","States":{"P":{"Type":"Parallel","Branches":[{"StartAt":"T","States":{"T":` + task("arn:aws:states:::states:startExecution.sync:2") + `}}],"End":true}}}`, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := h.sfn.CreateStateMachine(context.Background(), &sfn.CreateStateMachineInput{
				Name: aws.String("express-" + strings.ReplaceAll(c.name, " ", "-")), Definition: aws.String(c.definition),
				RoleArn: aws.String("arn:aws:iam::000000000000:role/r"), Type: types.StateMachineTypeExpress,
			})
			var invalid *types.InvalidDefinition
			if c.ok && err != nil || !c.ok && !errors.As(err, &invalid) {
				t.Errorf("CreateStateMachine: %v, want ok=%v", err, c.ok)
			}
		})
	}
}
