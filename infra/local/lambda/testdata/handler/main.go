// Command handler is a small aws-lambda-go function for the tests of the
// local Lambda service. What it does depends on the "action" of its input.
package main

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
)

type input struct {
	Action  string `json:"action"`
	Message string `json:"message"`
	SleepMS int    `json:"sleepMs"`
	Bytes   int    `json:"bytes"`
}

type output struct {
	Input      input             `json:"input"`
	RequestID  string            `json:"requestId"`
	ARN        string            `json:"arn"`
	DeadlineMS int64             `json:"deadlineMs"`
	PID        int               `json:"pid"`
	Env        map[string]string `json:"env"`
	Data       string            `json:"data,omitempty"`
}

// CandidateNotFound is a named error type, as the project's functions
// return them, so callers can match its name.
type CandidateNotFound struct{ ID string }

func (e *CandidateNotFound) Error() string { return "no candidate " + e.ID }

func handle(ctx context.Context, in input) (output, error) {
	lc, _ := lambdacontext.FromContext(ctx)
	deadline, _ := ctx.Deadline()
	out := output{Input: in, RequestID: lc.AwsRequestID, ARN: lc.InvokedFunctionArn, DeadlineMS: deadline.UnixMilli(), PID: os.Getpid(), Env: map[string]string{}}
	for _, kv := range os.Environ() {
		k, v, _ := strings.Cut(kv, "=")
		out.Env[k] = v
	}
	switch in.Action {
	case "echo", "":
	case "fail":
		return output{}, &CandidateNotFound{ID: in.Message}
	case "panic":
		panic(in.Message)
	case "crash":
		fmt.Fprintln(os.Stderr, "crashing on purpose")
		os.Exit(3)
	case "sleep":
		time.Sleep(time.Duration(in.SleepMS) * time.Millisecond)
	case "log":
		fmt.Println("to stdout:", in.Message)
		fmt.Fprint(os.Stderr, "to stderr: ", in.Message, "\n")
	case "big":
		out.Data = strings.Repeat("x", in.Bytes)
	default:
		return output{}, fmt.Errorf("unknown action %q", in.Action)
	}
	return out, nil
}

func main() {
	lambda.Start(handle)
}
