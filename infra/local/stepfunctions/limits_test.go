package stepfunctions_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"
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

// Delays too long for a time.Duration wait (practically) for ever instead of
// overflowing into a negative delay that does not wait at all.
func TestHugeDelaysDoNotOverflow(t *testing.T) {
	cases := []struct {
		name, definition, input string
		invocations             int
	}{
		{"retry backoff", `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:000000000000:function:fail","Retry":[{"ErrorEquals":["States.ALL"],"IntervalSeconds":1,"BackoffRate":10000000000,"MaxAttempts":3}],"End":true}}}`, `{}`, 2},
		{"wait seconds path", `{"StartAt":"W","States":{"W":{"Type":"Wait","SecondsPath":"$.s","End":true}}}`, `{"s":20000000000}`, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := newHarness(t, vectorFunctions())
			arn := h.start(h.create("huge", c.definition), "", c.input)
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			for h.lambda.callCount("fail") < c.invocations-1 && ctx.Err() == nil {
				h.clock.AdvanceToNext()
				time.Sleep(time.Millisecond)
			}
			for h.lambda.callCount("fail") < c.invocations && ctx.Err() == nil {
				time.Sleep(time.Millisecond)
			}
			if err := h.clock.BlockUntil(ctx, 1); err != nil {
				t.Fatalf("no timer pending: %v", err)
			}
			if ds := h.clock.Deadlines(); ds[0].Sub(h.clock.Now()) < 100*365*24*time.Hour {
				t.Errorf("next deadline %v, want centuries away", ds[0])
			}
			out, err := h.sfn.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: aws.String(arn)})
			if err != nil || out.Status != types.ExecutionStatusRunning {
				t.Fatalf("DescribeExecution: %v, %v; want RUNNING", out, err)
			}
			if n := h.lambda.callCount("fail"); n != c.invocations {
				t.Errorf("fail invoked %d times, want %d", n, c.invocations)
			}
		})
	}
}
