package stepfunctions_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// TestDataLimitAfterParameters: AWS docs (error handling,
// States.DataLimitExceeded) raise it when, after Parameters processing, a
// state's input is larger than the 256 KiB payload quota; States.ALL does
// not catch it, and the task is never invoked.
func TestDataLimitAfterParameters(t *testing.T) {
	const triple = `{"a.$":"$.s","b.$":"$.s","c.$":"$.s"}` // 3 × 100 KB from a 100 KB input
	const catchAll = `"Catch":[{"ErrorEquals":["States.ALL"],"Next":"Caught"}]`
	const caught = `"Caught":{"Type":"Succeed"}`
	cases := []struct{ name, definition string }{
		{"task", `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:000000000000:function:identity","Parameters":` + triple + `,` + catchAll + `,"End":true},` + caught + `}}`},
		{"parallel", `{"StartAt":"P","States":{"P":{"Type":"Parallel","Parameters":` + triple + `,"Branches":[{"StartAt":"B","States":{"B":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:000000000000:function:identity","End":true}}}],` + catchAll + `,"End":true},` + caught + `}}`},
		{"map item selector", `{"StartAt":"M","States":{"M":{"Type":"Map","ItemsPath":"$.items","ItemSelector":` + triple + `,"ItemProcessor":{"StartAt":"B","States":{"B":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:000000000000:function:identity","End":true}}},` + catchAll + `,"End":true},` + caught + `}}`},
	}
	input, _ := json.Marshal(map[string]any{"s": strings.Repeat("x", 100_000), "items": []int{1}})
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := newHarness(t, vectorFunctions())
			out := h.wait(h.start(h.create("limit", c.definition), "", string(input)), true)
			if string(out.Status) != "FAILED" || aws.ToString(out.Error) != "States.DataLimitExceeded" {
				t.Errorf("status %s, error %q (%s), want FAILED with States.DataLimitExceeded", out.Status, aws.ToString(out.Error), aws.ToString(out.Cause))
			}
			if n := h.lambda.callCount("identity"); n != 0 {
				t.Errorf("identity invoked %d times, want 0", n)
			}
		})
	}
}
