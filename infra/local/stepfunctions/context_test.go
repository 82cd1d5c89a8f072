package stepfunctions_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"
)

// A Pass state's $$.State holds Name and EnteredTime only (as LocalStack's
// AWS-validated test_query_context_object_values snapshot records); a Task,
// which can retry, also carries RetryCount.
func TestStateContextByStateType(t *testing.T) {
	h := newHarness(t, map[string]fn{
		"echo": func(in json.RawMessage) (any, *functionError) { return in, nil },
	})
	sm := h.create("context", `{
  "StartAt": "P",
  "States": {
    "P": {"Type": "Pass", "Parameters": {"state.$": "$$.State"}, "ResultPath": "$.pass", "Next": "T"},
    "T": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:000000000000:function:echo",
          "Parameters": {"state.$": "$$.State"}, "ResultPath": "$.task", "End": true}
  }
}`)
	out := h.wait(h.start(sm, "ctx-1", `{}`), false)
	if out.Status != types.ExecutionStatusSucceeded {
		t.Fatalf("status %s (%s: %s)", out.Status, aws.ToString(out.Error), aws.ToString(out.Cause))
	}
	got := decodeJSON(t, aws.ToString(out.Output))
	pass := got["pass"].(map[string]any)["state"].(map[string]any)
	if _, ok := pass["RetryCount"]; ok || pass["Name"] != "P" || pass["EnteredTime"] == nil || len(pass) != 2 {
		t.Errorf("Pass $$.State = %v, want Name and EnteredTime only", pass)
	}
	task := got["task"].(map[string]any)["state"].(map[string]any)
	if task["RetryCount"] != float64(0) || task["Name"] != "T" {
		t.Errorf("Task $$.State = %v, want RetryCount 0", task)
	}
}

// Context-object paths are read outside Parameters too: InputPath "$$"
// gives the whole context object, as LocalStack's AWS-validated
// test_context_object.snapshot.json records for
// "tests/aws/services/stepfunctions/v2/context_object/test_context_object.py::TestSnfBase::test_input_path[$$]"
// (and test_output_path[$$] for OutputPath): Execution, StateMachine and a
// Pass state's State, nothing else.
func TestContextObjectPaths(t *testing.T) {
	for _, field := range []string{"InputPath", "OutputPath"} {
		t.Run(field, func(t *testing.T) {
			h := newHarness(t, nil)
			sm := h.create("context-"+strings.ToLower(field), `{"StartAt":"TestState","States":{"TestState":{"Type":"Pass","`+field+`":"$$","End":true}}}`)
			exec := h.start(sm, "ctx-path", `{"input-value":0}`)
			out := h.wait(exec, false)
			if out.Status != types.ExecutionStatusSucceeded {
				t.Fatalf("status %s (%s: %s)", out.Status, aws.ToString(out.Error), aws.ToString(out.Cause))
			}
			got := decodeJSON(t, aws.ToString(out.Output))
			if len(got) != 3 {
				t.Errorf("context object %v, want Execution, StateMachine and State", got)
			}
			execution, _ := got["Execution"].(map[string]any)
			if execution["Id"] != exec || execution["Name"] != "ctx-path" || execution["RedriveCount"] != float64(0) {
				t.Errorf("Execution = %v", execution)
			}
			if in, _ := execution["Input"].(map[string]any); in["input-value"] != float64(0) {
				t.Errorf("Execution.Input = %v, want the execution input", execution["Input"])
			}
			if machine, _ := got["StateMachine"].(map[string]any); machine["Id"] != sm || len(machine) != 2 {
				t.Errorf("StateMachine = %v", machine)
			}
			if state, _ := got["State"].(map[string]any); state["Name"] != "TestState" || state["EnteredTime"] == nil || len(state) != 2 {
				t.Errorf("State = %v", got["State"])
			}
		})
	}
}

// The reference-path fields accept $$ too (SecondsPath, TimeoutSecondsPath,
// MaxConcurrencyPath...): here a Wait reads its seconds from the execution
// input although the state input no longer has them.
func TestContextObjectReferencePaths(t *testing.T) {
	h := newHarness(t, nil)
	sm := h.create("context-seconds", `{"StartAt":"Change","States":{
		"Change":{"Type":"Pass","Result":{"s":"not a number"},"Next":"Wait"},
		"Wait":{"Type":"Wait","SecondsPath":"$$.Execution.Input.s","Next":"Each"},
		"Each":{"Type":"Map","ItemsPath":"$$.Execution.Input.items","MaxConcurrencyPath":"$$.Execution.Input.limit",
			"ItemProcessor":{"StartAt":"Item","States":{"Item":{"Type":"Pass","End":true}}},"End":true}}}`)
	out := h.wait(h.start(sm, "", `{"s":0,"items":[1,2],"limit":1}`), false)
	if out.Status != types.ExecutionStatusSucceeded || aws.ToString(out.Output) != "[1,2]" {
		t.Fatalf("status %s, output %s (%s: %s), want SUCCEEDED with [1,2]", out.Status, aws.ToString(out.Output), aws.ToString(out.Error), aws.ToString(out.Cause))
	}
}
