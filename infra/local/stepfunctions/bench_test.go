package stepfunctions

import (
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/consentflow/consentflow/infra/local/clock"
)

// benchOutput is the output of testdata/bench-10-states.asl.json.
const benchOutput = `{"state":"ConsentRequested"}`

// BenchmarkTransitions runs testdata/bench-10-states.asl.json, whose
// executions go through 10 states, and reports state transitions per second.
// Run on one core with: taskset -c 0 go test -run '^$' -bench Transitions -cpu 1
// (make bench-sfn runs it side by side with aws-local-stepfunctions).
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
	cpu0 := cpuTime()
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
	cpu := cpuTime() - cpu0
	// The same output as aws-local-stepfunctions (testdata/alsf-bench.cjs).
	if got := last.snapshotOutput(); got != benchOutput {
		b.Fatalf("output %s, want %s", got, benchOutput)
	}
	b.ReportMetric(float64(b.N*statesPerExecution)/b.Elapsed().Seconds(), "transitions/s")
	// Per second of CPU used by the process, which other processes sharing
	// the core disturb far less than wall time.
	b.ReportMetric(float64(b.N*statesPerExecution)/cpu.Seconds(), "transitions/cpu-s")
}

// cpuTime is the user and system CPU time the process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
