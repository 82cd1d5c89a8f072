package lambda_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/consentflow/consentflow/infra/local/lambda"
)

// bootstrap is the testdata handler, built once for every test.
var bootstrap string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "lambda-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	bootstrap = filepath.Join(dir, "bootstrap")
	gobin := "go" // the go command that runs the tests, from PATH
	build := exec.Command(gobin, "build", "-tags", "lambda.norpc", "-o", bootstrap, "./testdata/handler")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building the test handler:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// syncBuffer is a bytes.Buffer safe for the service's log writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func start(t testing.TB, cfg lambda.Config) *lambda.Service {
	t.Helper()
	if cfg.Functions == nil {
		cfg.Functions = []lambda.Function{{
			Name:      "handler",
			Bootstrap: bootstrap,
			Env:       map[string]string{"TABLE_NAME": "consent-local", "AWS_ENDPOINT_URL_DYNAMODB": "http://127.0.0.1:1"},
			Timeout:   2 * time.Second,
			MemoryMB:  256,
		}}
	}
	svc, err := lambda.Start(cfg)
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() {
		if err := svc.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return svc
}

type output struct {
	Input struct {
		Action  string `json:"action"`
		Message string `json:"message"`
	} `json:"input"`
	RequestID  string            `json:"requestId"`
	ARN        string            `json:"arn"`
	DeadlineMS int64             `json:"deadlineMs"`
	PID        int               `json:"pid"`
	Env        map[string]string `json:"env"`
}

func decode(t testing.TB, res lambda.Result) output {
	t.Helper()
	if res.FunctionError != "" {
		t.Fatalf("function error %s: %s", res.FunctionError, res.Payload)
	}
	var out output
	if err := json.Unmarshal(res.Payload, &out); err != nil {
		t.Fatalf("decoding %s: %v", res.Payload, err)
	}
	return out
}

func alive(pid int) bool {
	return syscall.Kill(pid, 0) == nil
}

func TestInvokeAnswers(t *testing.T) {
	svc := start(t, lambda.Config{})
	arn := "arn:aws:lambda:us-east-1:000000000000:function:handler"
	tests := []struct {
		name     string
		function string
		payload  string
		check    func(t *testing.T, out output)
	}{
		{
			name: "by name", function: "handler", payload: `{"action":"echo","message":"hi"}`,
			check: func(t *testing.T, out output) {
				if out.Input.Message != "hi" {
					t.Errorf("handler got message %q, want hi", out.Input.Message)
				}
				if out.ARN != arn {
					t.Errorf("invoked ARN %q, want %q", out.ARN, arn)
				}
				if len(out.RequestID) != 36 {
					t.Errorf("request id %q is not a UUID", out.RequestID)
				}
				left := time.Until(time.UnixMilli(out.DeadlineMS))
				if left <= 0 || left > 2*time.Second {
					t.Errorf("deadline %v away, want within the 2 s timeout", left)
				}
			},
		},
		{name: "by ARN", function: arn, payload: `{"action":"echo"}`},
		{name: "by ARN with $LATEST", function: arn + ":$LATEST", payload: `{}`},
		{name: "by partial ARN", function: "000000000000:function:handler", payload: `{}`},
		{name: "by name with $LATEST", function: "handler:$LATEST", payload: `{}`},
		{name: "empty payload is {}", function: "handler", payload: ``},
		{
			name: "the environment AWS gives", function: "handler", payload: `{}`,
			check: func(t *testing.T, out output) {
				want := map[string]string{
					"AWS_LAMBDA_FUNCTION_NAME":        "handler",
					"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "256",
					"AWS_LAMBDA_FUNCTION_VERSION":     "$LATEST",
					"AWS_REGION":                      "us-east-1",
					"AWS_DEFAULT_REGION":              "us-east-1",
					"_HANDLER":                        "bootstrap",
					"LAMBDA_TASK_ROOT":                filepath.Dir(bootstrap),
					"AWS_LAMBDA_LOG_GROUP_NAME":       "/aws/lambda/handler",
					"TABLE_NAME":                      "consent-local",
					"AWS_ENDPOINT_URL_DYNAMODB":       "http://127.0.0.1:1",
				}
				for k, v := range want {
					if got := out.Env[k]; got != v {
						t.Errorf("%s = %q, want %q", k, got, v)
					}
				}
				for _, k := range []string{"AWS_LAMBDA_RUNTIME_API", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"} {
					if out.Env[k] == "" {
						t.Errorf("%s is not set", k)
					}
				}
				if _, ok := out.Env["HOME"]; ok {
					t.Errorf("HOME leaked from the host environment")
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := svc.Invoke(context.Background(), tt.function, []byte(tt.payload))
			if err != nil {
				t.Fatalf("Invoke: %v", err)
			}
			out := decode(t, res)
			if tt.check != nil {
				tt.check(t, out)
			}
		})
	}
}

func TestInvokeFunctionErrors(t *testing.T) {
	svc := start(t, lambda.Config{})
	tests := []struct {
		name        string
		payload     string
		wantType    string
		wantMessage string // substring
		replaced    bool   // the process is gone afterwards
	}{
		{name: "handler error", payload: `{"action":"fail","message":"c-42"}`, wantType: "CandidateNotFound", wantMessage: "no candidate c-42"},
		{name: "unnamed handler error", payload: `{"action":"nope"}`, wantType: "errorString", wantMessage: `unknown action "nope"`},
		{name: "panic", payload: `{"action":"panic","message":"boom"}`, wantType: "string", wantMessage: "boom", replaced: true},
		{name: "crash", payload: `{"action":"crash"}`, wantType: "Runtime.ExitError", wantMessage: "Runtime exited with error: exit status 3", replaced: true},
		{name: "timeout", payload: `{"action":"sleep","sleepMs":5000}`, wantType: "Sandbox.Timedout", wantMessage: "Task timed out after 2.00 seconds", replaced: true},
		{name: "response over 6 MB", payload: `{"action":"big","bytes":6300000}`, wantType: "Function.ResponseSizeTooLarge", wantMessage: "exceeded maximum allowed payload size", replaced: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := decode(t, must(svc.Invoke(context.Background(), "handler", []byte(`{}`))))
			res, err := svc.Invoke(context.Background(), "handler", []byte(tt.payload))
			if err != nil {
				t.Fatalf("Invoke: %v", err)
			}
			if res.FunctionError != lambda.FunctionErrorUnhandled {
				t.Fatalf("FunctionError = %q, want Unhandled; payload %s", res.FunctionError, res.Payload)
			}
			if got := res.ErrorType(); got != tt.wantType {
				t.Errorf("errorType = %q, want %q", got, tt.wantType)
			}
			if got := res.ErrorMessage(); !strings.Contains(got, tt.wantMessage) {
				t.Errorf("errorMessage = %q, want it to contain %q", got, tt.wantMessage)
			}
			// The function keeps answering; a dead process is replaced.
			after := decode(t, must(svc.Invoke(context.Background(), "handler", []byte(`{}`))))
			if tt.replaced {
				if after.PID == before.PID {
					t.Errorf("the same process %d answered after it should have been replaced", after.PID)
				}
				if alive(before.PID) {
					t.Errorf("process %d is still running", before.PID)
				}
			} else if after.PID != before.PID {
				t.Errorf("process %d was replaced by %d after a handled error", before.PID, after.PID)
			}
		})
	}
}

func must(res lambda.Result, err error) lambda.Result {
	if err != nil {
		panic(err)
	}
	return res
}

func TestInvokeRefused(t *testing.T) {
	svc := start(t, lambda.Config{})
	tests := []struct {
		name     string
		function string
		payload  []byte
		wantCode string
		wantMsg  string
	}{
		{name: "unknown function", function: "nope", payload: []byte(`{}`), wantCode: lambda.CodeResourceNotFound,
			wantMsg: "Function not found: arn:aws:lambda:us-east-1:000000000000:function:nope"},
		{name: "other account", function: "arn:aws:lambda:us-east-1:111111111111:function:handler", payload: []byte(`{}`), wantCode: lambda.CodeResourceNotFound},
		{name: "published version", function: "handler:3", payload: []byte(`{}`), wantCode: lambda.CodeResourceNotFound},
		{name: "payload over 6 MB", function: "handler", payload: bytes.Repeat([]byte(" "), lambda.MaxPayload+1), wantCode: lambda.CodeRequestTooLarge},
		{name: "payload not JSON", function: "handler", payload: []byte(`{"action":`), wantCode: lambda.CodeInvalidRequestContent},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := svc.Invoke(context.Background(), tt.function, tt.payload)
			var lerr *lambda.Error
			if !errors.As(err, &lerr) {
				t.Fatalf("err = %v, want a *lambda.Error", err)
			}
			if lerr.Code != tt.wantCode {
				t.Errorf("code = %s, want %s", lerr.Code, tt.wantCode)
			}
			if tt.wantMsg != "" && lerr.Message != tt.wantMsg {
				t.Errorf("message = %q, want %q", lerr.Message, tt.wantMsg)
			}
		})
	}
}

func TestWarmProcessIsReused(t *testing.T) {
	svc := start(t, lambda.Config{})
	first := decode(t, must(svc.Invoke(context.Background(), "handler", []byte(`{}`))))
	second := decode(t, must(svc.Invoke(context.Background(), "handler", []byte(`{}`))))
	if first.PID != second.PID {
		t.Errorf("second invoke ran in process %d, want the warm process %d", second.PID, first.PID)
	}
	if first.RequestID == second.RequestID {
		t.Errorf("both invokes got request id %s", first.RequestID)
	}
}

func TestConcurrentInvokes(t *testing.T) {
	const n, limit = 20, 10
	svc := start(t, lambda.Config{MaxConcurrency: limit})
	var wg sync.WaitGroup
	outs := make([]output, n)
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			payload := fmt.Sprintf(`{"action":"sleep","sleepMs":300,"message":"call-%d"}`, i)
			res, err := svc.Invoke(context.Background(), "handler", []byte(payload))
			if err != nil {
				errs[i] = err
				return
			}
			if res.FunctionError != "" {
				errs[i] = fmt.Errorf("function error: %s", res.Payload)
				return
			}
			errs[i] = json.Unmarshal(res.Payload, &outs[i])
		}()
	}
	wg.Wait()
	pids := map[int]bool{}
	for i := range n {
		if errs[i] != nil {
			t.Errorf("invoke %d: %v", i, errs[i])
			continue
		}
		if want := fmt.Sprintf("call-%d", i); outs[i].Input.Message != want {
			t.Errorf("invoke %d got the answer to %q", i, outs[i].Input.Message)
		}
		pids[outs[i].PID] = true
	}
	if len(pids) < 2 || len(pids) > limit {
		t.Errorf("%d invokes ran in %d processes, want between 2 and %d", n, len(pids), limit)
	}
}

func TestLogs(t *testing.T) {
	logs := &syncBuffer{}
	svc := start(t, lambda.Config{Logs: logs})
	out := decode(t, must(svc.Invoke(context.Background(), "handler", []byte(`{"action":"log","message":"hello"}`))))
	// A process's output reaches the log through pipes, after its answer
	// may have: wait for it as one waits for CloudWatch.
	wait := time.Now().Add(5 * time.Second)
	for !strings.Contains(logs.String(), "to stderr: hello") && time.Now().Before(wait) {
		time.Sleep(10 * time.Millisecond)
	}
	got := logs.String()
	for _, want := range []string{
		"[handler] to stdout: hello\n",
		"[handler] to stderr: hello\n",
		"[handler] START RequestId: " + out.RequestID + " Version: $LATEST\n",
		"[handler] END RequestId: " + out.RequestID + "\n",
		"[handler] REPORT RequestId: " + out.RequestID + "\tDuration: ",
		"Memory Size: 256 MB",
		"Init Duration: ",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("logs lack %q; logs:\n%s", want, got)
		}
	}
}

func TestCloseStopsEveryProcess(t *testing.T) {
	svc, err := lambda.Start(lambda.Config{Functions: []lambda.Function{{Name: "handler", Bootstrap: bootstrap}}})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	pids := map[int]bool{}
	for range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out := decode(t, must(svc.Invoke(context.Background(), "handler", []byte(`{"action":"sleep","sleepMs":200}`))))
			mu.Lock()
			pids[out.PID] = true
			mu.Unlock()
		}()
	}
	wg.Wait()
	// One more invoke still running when Close is called.
	running := make(chan error, 1)
	go func() {
		_, err := svc.Invoke(context.Background(), "handler", []byte(`{"action":"sleep","sleepMs":1500}`))
		running <- err
	}()
	time.Sleep(100 * time.Millisecond)
	if err := svc.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	for pid := range pids {
		if alive(pid) {
			t.Errorf("process %d still runs after Close", pid)
		}
	}
	if err := <-running; err != nil {
		t.Logf("in-flight invoke ended with %v", err)
	}
	_, err = svc.Invoke(context.Background(), "handler", []byte(`{}`))
	var lerr *lambda.Error
	if !errors.As(err, &lerr) || lerr.Code != lambda.CodeService {
		t.Errorf("invoke after Close: err = %v, want a ServiceException", err)
	}
}

func TestStartRefusesBadConfig(t *testing.T) {
	tests := []struct {
		name string
		fns  []lambda.Function
	}{
		{name: "reserved variable", fns: []lambda.Function{{Name: "f", Bootstrap: bootstrap, Env: map[string]string{"AWS_REGION": "eu-west-1"}}}},
		{name: "duplicate", fns: []lambda.Function{{Name: "f", Bootstrap: bootstrap}, {Name: "f", Bootstrap: bootstrap}}},
		{name: "bad name", fns: []lambda.Function{{Name: "f/g", Bootstrap: bootstrap}}},
		{name: "no bootstrap", fns: []lambda.Function{{Name: "f"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			svc, err := lambda.Start(lambda.Config{Functions: tt.fns})
			if err == nil {
				svc.Close()
				t.Fatal("Start accepted the configuration")
			}
		})
	}
}

func TestMissingBootstrap(t *testing.T) {
	svc := start(t, lambda.Config{Functions: []lambda.Function{{Name: "ghost", Bootstrap: filepath.Join(t.TempDir(), "bootstrap")}}})
	res, err := svc.Invoke(context.Background(), "ghost", []byte(`{}`))
	if err != nil {
		t.Fatalf("Invoke: %v", err)
	}
	if res.ErrorType() != "Runtime.InvalidEntrypoint" {
		t.Errorf("errorType = %q, want Runtime.InvalidEntrypoint; payload %s", res.ErrorType(), res.Payload)
	}
}

func TestCallerGivesUp(t *testing.T) {
	svc := start(t, lambda.Config{})
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, err := svc.Invoke(ctx, "handler", []byte(`{"action":"sleep","sleepMs":500}`))
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want context.DeadlineExceeded", err)
	}
	// The abandoned invocation finishes on its own; the function still answers.
	decode(t, must(svc.Invoke(context.Background(), "handler", []byte(`{}`))))
}

func BenchmarkWarmInvoke(b *testing.B) {
	svc := start(b, lambda.Config{})
	payload := []byte(`{"action":"echo","message":"bench"}`)
	decode(b, must(svc.Invoke(context.Background(), "handler", payload))) // cold start
	b.ResetTimer()
	for b.Loop() {
		res, err := svc.Invoke(context.Background(), "handler", payload)
		if err != nil || res.FunctionError != "" {
			b.Fatalf("invoke: %v %s", err, res.Payload)
		}
	}
}

func BenchmarkColdInvoke(b *testing.B) {
	payload := []byte(`{"action":"echo"}`)
	for b.Loop() {
		svc, err := lambda.Start(lambda.Config{Functions: []lambda.Function{{Name: "handler", Bootstrap: bootstrap}}})
		if err != nil {
			b.Fatal(err)
		}
		res, err := svc.Invoke(context.Background(), "handler", payload)
		if err != nil || res.FunctionError != "" {
			b.Fatalf("invoke: %v %s", err, res.Payload)
		}
		svc.Close()
	}
}

// UpdateEnvironment is what a redeploy with new settings does: the next
// invocation runs in a new process with the new environment, and a warm
// process of the old one is not reused.
func TestUpdateEnvironmentTakesEffectOnTheNextInvoke(t *testing.T) {
	svc := start(t, lambda.Config{})
	before := decode(t, must(svc.Invoke(context.Background(), "handler", []byte(`{}`))))
	if err := svc.UpdateEnvironment("handler", map[string]string{"TABLE_NAME": "consent-v2"}); err != nil {
		t.Fatal(err)
	}
	after := decode(t, must(svc.Invoke(context.Background(), "handler", []byte(`{}`))))
	if after.Env["TABLE_NAME"] != "consent-v2" || after.PID == before.PID || after.Env["AWS_ENDPOINT_URL_DYNAMODB"] != "" {
		t.Fatalf("after the update: pid %d (was %d), env %v", after.PID, before.PID, after.Env)
	}
	if err := svc.UpdateEnvironment("handler", map[string]string{"AWS_REGION": "eu-west-1"}); err == nil {
		t.Error("a reserved variable was accepted")
	}
	if err := svc.UpdateEnvironment("nope", nil); err == nil {
		t.Error("an unknown function was accepted")
	}
}
