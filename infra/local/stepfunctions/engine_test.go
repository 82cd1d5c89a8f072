package stepfunctions_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"github.com/consentflow/consentflow/infra/local/clock"
	"github.com/consentflow/consentflow/infra/local/stepfunctions"
	"github.com/consentflow/consentflow/infra/topology"
)

// fn is a Lambda function in the test's Lambda service: it returns a result
// or a function error.
type fn func(payload json.RawMessage) (any, *functionError)

type functionError struct {
	Type, Message string
}

// lambdaService is a tiny Lambda Invoke API (a real protocol peer for the
// aws-sdk-go-v2 lambda client) serving functions by name.
type lambdaService struct {
	mu    sync.Mutex
	fns   map[string]fn
	calls map[string]int
}

func (l *lambdaService) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rest, ok := strings.CutPrefix(r.URL.Path, "/2015-03-31/functions/")
	name, ok2 := strings.CutSuffix(rest, "/invocations")
	if !ok || !ok2 {
		http.NotFound(w, r)
		return
	}
	if i := strings.LastIndex(name, ":"); i >= 0 {
		name = name[i+1:]
	}
	body, _ := io.ReadAll(r.Body)
	l.mu.Lock()
	f, found := l.fns[name]
	l.calls[name]++
	l.mu.Unlock()
	if !found {
		w.Header().Set("X-Amzn-ErrorType", "ResourceNotFoundException")
		w.WriteHeader(404)
		_, _ = w.Write([]byte(`{"Type":"User","Message":"Function not found: ` + name + `"}`))
		return
	}
	result, ferr := f(body)
	w.Header().Set("X-Amz-Executed-Version", "$LATEST")
	if ferr != nil {
		w.Header().Set("X-Amz-Function-Error", "Unhandled")
		b, _ := json.Marshal(map[string]string{"errorType": ferr.Type, "errorMessage": ferr.Message})
		_, _ = w.Write(b)
		return
	}
	b, _ := json.Marshal(result)
	_, _ = w.Write(b)
}

func (l *lambdaService) callCount(name string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.calls[name]
}

// harness is an engine behind an HTTP server, driven by the sfn client.
type harness struct {
	t      *testing.T
	sfn    *sfn.Client
	lambda *lambdaService
	clock  *clock.Manual
	engine *stepfunctions.Engine
}

func newHarness(t *testing.T, fns map[string]fn) *harness {
	t.Helper()
	ls := &lambdaService{fns: fns, calls: map[string]int{}}
	lsrv := httptest.NewServer(ls)
	t.Cleanup(lsrv.Close)
	creds := credentials.NewStaticCredentialsProvider("local", "local", "")
	lc := lambda.New(lambda.Options{Region: "us-east-1", Credentials: creds, BaseEndpoint: aws.String(lsrv.URL), RetryMaxAttempts: 1})
	mc := clock.NewManual()
	eng := stepfunctions.New(stepfunctions.Config{Lambda: lc, Clock: mc})
	srv := httptest.NewServer(eng)
	t.Cleanup(func() {
		srv.Close()
		_ = eng.Close()
	})
	sc := sfn.New(sfn.Options{Region: "us-east-1", Credentials: creds, BaseEndpoint: aws.String(srv.URL)})
	return &harness{t: t, sfn: sc, lambda: ls, clock: mc, engine: eng}
}

func (h *harness) create(name, definition string) string {
	h.t.Helper()
	out, err := h.sfn.CreateStateMachine(context.Background(), &sfn.CreateStateMachineInput{
		Name: aws.String(name), Definition: aws.String(definition), RoleArn: aws.String("arn:aws:iam::000000000000:role/local"),
	})
	if err != nil {
		h.t.Fatalf("CreateStateMachine: %v", err)
	}
	return *out.StateMachineArn
}

func (h *harness) start(machine, name, input string) string {
	h.t.Helper()
	in := &sfn.StartExecutionInput{StateMachineArn: aws.String(machine), Input: aws.String(input)}
	if name != "" {
		in.Name = aws.String(name)
	}
	out, err := h.sfn.StartExecution(context.Background(), in)
	if err != nil {
		h.t.Fatalf("StartExecution: %v", err)
	}
	return *out.ExecutionArn
}

// wait waits for an execution to end, moving the manual clock to each next
// timer when advance is set, and returns its description.
func (h *harness) wait(arn string, advance bool) *sfn.DescribeExecutionOutput {
	h.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		out, err := h.sfn.DescribeExecution(context.Background(), &sfn.DescribeExecutionInput{ExecutionArn: aws.String(arn)})
		if err != nil {
			h.t.Fatalf("DescribeExecution: %v", err)
		}
		if out.Status != types.ExecutionStatusRunning {
			return out
		}
		if advance {
			h.clock.AdvanceToNext()
		}
		time.Sleep(2 * time.Millisecond)
	}
	h.t.Fatalf("execution %s still running", arn)
	return nil
}

func (h *harness) history(arn string) []types.HistoryEvent {
	h.t.Helper()
	out, err := h.sfn.GetExecutionHistory(context.Background(), &sfn.GetExecutionHistoryInput{ExecutionArn: aws.String(arn), MaxResults: 1000})
	if err != nil {
		h.t.Fatalf("GetExecutionHistory: %v", err)
	}
	return out.Events
}

func eventTypes(events []types.HistoryEvent) []string {
	var out []string
	for _, e := range events {
		out = append(out, string(e.Type))
	}
	return out
}

// consentRequest is statemachines/consent-request.asl.json with each
// ${...FunctionArn} replaced by a Lambda ARN.
func consentRequest(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "..", "statemachines", "consent-request.asl.json"))
	if err != nil {
		t.Fatal(err)
	}
	text := string(b)
	w, _ := topology.App.Workflow(topology.ConsentRequestWorkflow)
	for key, function := range w.Substitutions() {
		text = strings.ReplaceAll(text, "${"+key+"}", "arn:aws:lambda:us-east-1:000000000000:function:"+function)
	}
	return text
}

func decodeJSON(t *testing.T, s string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		t.Fatalf("bad JSON %q: %v", s, err)
	}
	return m
}

// consentFunctions are the workflow's functions; send-consent-link hands the
// task token to tokens.
func consentFunctions(tokens chan<- string) map[string]fn {
	return map[string]fn{
		"record-consent-request": func(json.RawMessage) (any, *functionError) {
			return map[string]any{"answerWithinSeconds": 30 * 24 * 3600}, nil
		},
		"send-consent-link": func(p json.RawMessage) (any, *functionError) {
			var in struct{ TaskToken string }
			_ = json.Unmarshal(p, &in)
			tokens <- in.TaskToken
			return map[string]any{"sent": true}, nil
		},
		"send-consent-receipt": func(p json.RawMessage) (any, *functionError) {
			return map[string]any{"messageId": "message-1"}, nil
		},
		"expire-consent-request": func(json.RawMessage) (any, *functionError) {
			return map[string]any{"expired": true, "status": "expired"}, nil
		},
	}
}

const consentInput = `{"requestId":"r-1","candidateId":"c-1","purposes":["talent_pool"],"requestedBy":"recruiter-1","renewsUntil":null}`

func TestConsentRequestAnswered(t *testing.T) {
	tokens := make(chan string, 1)
	h := newHarness(t, consentFunctions(tokens))
	sm := h.create("consent-request", consentRequest(t))
	arn := h.start(sm, "r-1", consentInput)

	token := <-tokens
	if _, err := h.sfn.SendTaskSuccess(context.Background(), &sfn.SendTaskSuccessInput{
		TaskToken: aws.String(token), Output: aws.String(`{"decision":"given"}`),
	}); err != nil {
		t.Fatalf("SendTaskSuccess: %v", err)
	}
	out := h.wait(arn, false)
	if out.Status != types.ExecutionStatusSucceeded {
		t.Fatalf("status %s (%s: %s), want SUCCEEDED", out.Status, aws.ToString(out.Error), aws.ToString(out.Cause))
	}
	got := decodeJSON(t, aws.ToString(out.Output))
	if got["answer"].(map[string]any)["decision"] != "given" {
		t.Errorf("answer = %v, want the SendTaskSuccess output", got["answer"])
	}
	if got["receipt"].(map[string]any)["messageId"] != "message-1" {
		t.Errorf("receipt = %v, want the receipt function's messageId", got["receipt"])
	}
	if got["request"].(map[string]any)["answerWithinSeconds"] != float64(30*24*3600) {
		t.Errorf("request = %v, want the ResultSelector's answerWithinSeconds", got["request"])
	}
	evs := strings.Join(eventTypes(h.history(arn)), ",")
	for _, want := range []string{"ExecutionStarted,TaskStateEntered,TaskScheduled,TaskStarted,TaskSucceeded,TaskStateExited", "TaskSubmitted,TaskSucceeded", "SucceedStateEntered,SucceedStateExited,ExecutionSucceeded"} {
		if !strings.Contains(evs, want) {
			t.Errorf("history %s lacks %s", evs, want)
		}
	}
	// The token is spent.
	_, err := h.sfn.SendTaskSuccess(context.Background(), &sfn.SendTaskSuccessInput{TaskToken: aws.String(token), Output: aws.String(`{}`)})
	var dne *types.TaskDoesNotExist
	if !errors.As(err, &dne) {
		t.Errorf("second SendTaskSuccess: %v, want TaskDoesNotExist", err)
	}
}

func TestConsentRequestExpiresWhenUnanswered(t *testing.T) {
	tokens := make(chan string, 1)
	h := newHarness(t, consentFunctions(tokens))
	sm := h.create("consent-request", consentRequest(t))
	arn := h.start(sm, "r-1", consentInput)
	token := <-tokens
	if err := h.clock.BlockUntil(context.Background(), 1); err != nil {
		t.Fatal(err)
	}
	start := h.clock.Now()
	h.clock.Advance(30*24*time.Hour + time.Second)
	out := h.wait(arn, false)
	if out.Status != types.ExecutionStatusSucceeded {
		t.Fatalf("status %s (%s: %s), want SUCCEEDED", out.Status, aws.ToString(out.Error), aws.ToString(out.Cause))
	}
	got := decodeJSON(t, aws.ToString(out.Output))
	if f := got["failure"].(map[string]any); f["Error"] != "States.Timeout" {
		t.Errorf("failure = %v, want States.Timeout", f)
	}
	if n := h.lambda.callCount("expire-consent-request"); n != 1 {
		t.Errorf("expire-consent-request called %d times, want 1", n)
	}
	if n := h.lambda.callCount("send-consent-receipt"); n != 0 {
		t.Errorf("send-consent-receipt called %d times, want 0", n)
	}
	// The task's 30-day timeout started just before the link was sent, and
	// Advance fires it at its deadline: allow for that moment.
	if d := out.StopDate.Sub(start); d < 30*24*time.Hour-time.Second {
		t.Errorf("execution stopped %v after the link was sent, want 30 days", d)
	}
	evs := eventTypes(h.history(arn))
	if !strings.Contains(strings.Join(evs, ","), "TaskTimedOut") {
		t.Errorf("history %v lacks TaskTimedOut", evs)
	}
	_, err := h.sfn.SendTaskSuccess(context.Background(), &sfn.SendTaskSuccessInput{TaskToken: aws.String(token), Output: aws.String(`{}`)})
	var tto *types.TaskTimedOut
	if !errors.As(err, &tto) {
		t.Errorf("SendTaskSuccess after the timeout: %v, want TaskTimedOut", err)
	}
}

func TestConsentRequestRetriesThenGivesUp(t *testing.T) {
	h := newHarness(t, map[string]fn{
		"record-consent-request": func(json.RawMessage) (any, *functionError) {
			return nil, &functionError{Type: "StoreUnavailable", Message: "the table is unavailable"}
		},
		// The request was never stored, so closing it finds nothing.
		"expire-consent-request": func(json.RawMessage) (any, *functionError) {
			return nil, &functionError{Type: "NotFound", Message: "request r-1 not found"}
		},
	})
	sm := h.create("consent-request", consentRequest(t))
	arn := h.start(sm, "r-1", consentInput)
	out := h.wait(arn, true)
	if out.Status != types.ExecutionStatusFailed || aws.ToString(out.Error) != "ConsentRequestNotRecorded" {
		t.Fatalf("status %s error %s, want FAILED ConsentRequestNotRecorded", out.Status, aws.ToString(out.Error))
	}
	if n := h.lambda.callCount("record-consent-request"); n != 7 {
		t.Errorf("record-consent-request called %d times, want 7 (1 + MaxAttempts 6)", n)
	}
	if n := h.lambda.callCount("expire-consent-request"); n != 1 {
		t.Errorf("expire-consent-request called %d times, want 1", n)
	}
}

func TestTaskFailureAndServiceErrors(t *testing.T) {
	tokens := make(chan string, 1)
	cases := []struct {
		name, function, wantError, wantCauseContains string
		fail                                         bool
	}{
		{"function error is caught with its errorType", "record-consent-request", "BadInput", `"errorMessage":"no purposes"`, true},
		{"missing function is Lambda.ResourceNotFoundException", "no-such-function", "Lambda.ResourceNotFoundException", "Function not found", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := newHarness(t, map[string]fn{
				"record-consent-request": func(json.RawMessage) (any, *functionError) {
					return nil, &functionError{Type: "BadInput", Message: "no purposes"}
				},
			})
			def := `{"StartAt":"Call","States":{"Call":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke",
				"Parameters":{"FunctionName":"` + c.function + `","Payload.$":"$"},
				"Catch":[{"ErrorEquals":["States.TaskFailed"],"Next":"Caught"}],"End":true},
				"Caught":{"Type":"Pass","End":true}}}`
			arn := h.start(h.create("m", def), "", `{}`)
			out := h.wait(arn, false)
			got := decodeJSON(t, aws.ToString(out.Output))
			if got["Error"] != c.wantError || !strings.Contains(got["Cause"].(string), c.wantCauseContains) {
				t.Errorf("caught %v, want Error %s and a Cause with %s", got, c.wantError, c.wantCauseContains)
			}
		})
	}
	_ = tokens
}

func TestStartExecutionIsIdempotentByName(t *testing.T) {
	tokens := make(chan string, 2)
	h := newHarness(t, consentFunctions(tokens))
	sm := h.create("consent-request", consentRequest(t))
	first := h.start(sm, "r-1", consentInput)
	<-tokens
	again := h.start(sm, "r-1", consentInput)
	if again != first {
		t.Errorf("same name and input started %s, want the running %s", again, first)
	}
	_, err := h.sfn.StartExecution(context.Background(), &sfn.StartExecutionInput{
		StateMachineArn: aws.String(sm), Name: aws.String("r-1"), Input: aws.String(`{"requestId":"other"}`),
	})
	var exists *types.ExecutionAlreadyExists
	if !errors.As(err, &exists) {
		t.Errorf("same name, other input: %v, want ExecutionAlreadyExists", err)
	}
	list, err := h.sfn.ListExecutions(context.Background(), &sfn.ListExecutionsInput{StateMachineArn: aws.String(sm)})
	if err != nil || len(list.Executions) != 1 {
		t.Errorf("ListExecutions = %v, %v; want the one execution", list, err)
	}
	if _, err := h.sfn.StopExecution(context.Background(), &sfn.StopExecutionInput{ExecutionArn: aws.String(first), Error: aws.String("Cancelled")}); err != nil {
		t.Fatal(err)
	}
	out := h.wait(first, false)
	if out.Status != types.ExecutionStatusAborted {
		t.Errorf("after StopExecution status %s, want ABORTED", out.Status)
	}
}

func TestTaskTokenErrors(t *testing.T) {
	h := newHarness(t, nil)
	cases := []struct {
		token string
		want  any
	}{
		{"", &types.InvalidToken{}},
		{"not a token!", &types.InvalidToken{}},
		{"AQ" + strings.Repeat("A", 64), &types.TaskDoesNotExist{}},
	}
	for _, c := range cases {
		_, err := h.sfn.SendTaskSuccess(context.Background(), &sfn.SendTaskSuccessInput{TaskToken: aws.String(c.token), Output: aws.String(`{}`)})
		switch c.want.(type) {
		case *types.InvalidToken:
			var e *types.InvalidToken
			if !errors.As(err, &e) {
				t.Errorf("token %q: %v, want InvalidToken", c.token, err)
			}
		case *types.TaskDoesNotExist:
			var e *types.TaskDoesNotExist
			if !errors.As(err, &e) {
				t.Errorf("token %q: %v, want TaskDoesNotExist", c.token, err)
			}
		}
	}
}

// One Advance runs two consecutive waits; each ends at its own deadline.
func TestOneAdvanceRunsConsecutiveWaits(t *testing.T) {
	h := newHarness(t, nil)
	def := `{"StartAt":"W1","States":{"W1":{"Type":"Wait","Seconds":3600,"Next":"W2"},"W2":{"Type":"Wait","Seconds":3600,"End":true}}}`
	arn := h.start(h.create("waits", def), "", `{}`)
	if err := h.clock.BlockUntil(context.Background(), 1); err != nil {
		t.Fatal(err)
	}
	h.clock.Advance(3 * time.Hour)
	out := h.wait(arn, false)
	if out.Status != types.ExecutionStatusSucceeded {
		t.Fatalf("status %s, want SUCCEEDED", out.Status)
	}
	var exits []time.Time
	for _, e := range h.history(arn) {
		if e.Type == types.HistoryEventTypeWaitStateExited {
			exits = append(exits, aws.ToTime(e.Timestamp))
		}
	}
	start := aws.ToTime(out.StartDate)
	if len(exits) != 2 {
		t.Fatalf("%d WaitStateExited events, want 2", len(exits))
	}
	for i, at := range exits {
		if want := start.Add(time.Duration(i+1) * time.Hour); at.Sub(want).Abs() > time.Second {
			t.Errorf("wait %d exited at %v, want %v", i+1, at, want)
		}
	}
}

// A task error that happens to be named like the engine's internal
// cancellation is an ordinary error: caught by a Catch, failing a Parallel.
func TestErrorNamedLikeCancellationIsOrdinary(t *testing.T) {
	const fail = `"Type":"Task","Resource":"arn:aws:lambda:us-east-1:000000000000:function:fail"`
	cases := []struct{ name, definition, status, output string }{
		{"caught", `{"StartAt":"T","States":{"T":{` + fail + `,"Catch":[{"ErrorEquals":["States.ALL"],"ResultPath":"$.caught","Next":"Done"}],"End":true},"Done":{"Type":"Pass","OutputPath":"$.caught.Error","End":true}}}`,
			"SUCCEEDED", `"local.Cancelled"`},
		{"parallel branch", `{"StartAt":"P","States":{"P":{"Type":"Parallel","Branches":[{"StartAt":"T","States":{"T":{` + fail + `,"End":true}}}],"End":true}}}`,
			"FAILED", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := newHarness(t, vectorFunctions())
			out := h.wait(h.start(h.create("named", c.definition), "", `{"ErrorType":"local.Cancelled"}`), true)
			if string(out.Status) != c.status || aws.ToString(out.Output) != c.output {
				t.Errorf("status %s, output %s, error %q; want %s, %s", out.Status, aws.ToString(out.Output), aws.ToString(out.Error), c.status, c.output)
			}
			if c.status == "FAILED" && aws.ToString(out.Error) != "local.Cancelled" {
				t.Errorf("error %q, want the branch's local.Cancelled", aws.ToString(out.Error))
			}
		})
	}
}
