package stepfunctions_test

import (
	"encoding/json"
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
