package stepfunctions

import (
	"os"
	"testing"

	"github.com/consentflow/consentflow/infra/local/clock"
)

// benchOutput is the output of testdata/bench-10-states.asl.json.
const benchOutput = `{"state":"ConsentRequested"}`

// BenchmarkTransitions runs testdata/bench-10-states.asl.json, whose
// executions go through 10 states, and reports state transitions per second.
// Run on one core with: go test -run '^$' -bench Transitions -cpu 1
func BenchmarkTransitions(b *testing.B) {
	def, err := os.ReadFile("testdata/bench-10-states.asl.json")
	if err != nil {
		b.Fatal(err)
	}
	e := New(Config{Clock: clock.Real{}})
	defer e.Close()
	out, aerr := e.createStateMachine(createStateMachineInput{Name: "bench", Definition: string(def), RoleArn: "arn:aws:iam::000000000000:role/bench"})
	if aerr != nil {
		b.Fatal(aerr)
	}
	arn := out.(map[string]any)["stateMachineArn"].(string)
	input := `{"candidate":"c-1","purposes":["talent_pool","interview_recording"]}`
	const statesPerExecution = 10
	var last *execution
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		started, aerr := e.startExecution(startExecutionInput{StateMachineArn: arn, Input: &input})
		if aerr != nil {
			b.Fatal(aerr)
		}
		x, _ := e.execution(started.(map[string]any)["executionArn"].(string))
		last = x
		<-x.done
		if status := x.currentStatus(); status != statusSucceeded {
			b.Fatalf("execution ended %s", status)
		}
		// Keep memory flat across b.N: forget finished executions.
		e.mu.Lock()
		delete(e.executions, x.arn)
		e.machines[arn].executions = nil
		e.mu.Unlock()
	}
	b.StopTimer()
	// The same output as aws-local-stepfunctions (testdata/alsf-bench.cjs).
	if got := last.snapshotOutput(); got != benchOutput {
		b.Fatalf("output %s, want %s", got, benchOutput)
	}
	b.ReportMetric(float64(b.N*statesPerExecution)/b.Elapsed().Seconds(), "transitions/s")
}
