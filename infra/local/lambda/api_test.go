package lambda_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awslambda "github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/smithy-go"

	"github.com/consentflow/consentflow/infra/local/lambda"
)

// client is the real SDK client pointed at svc behind an HTTP server.
func client(t *testing.T, svc *lambda.Service) *awslambda.Client {
	t.Helper()
	srv := httptest.NewServer(svc)
	t.Cleanup(srv.Close)
	return awslambda.New(awslambda.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(srv.URL),
		Credentials:  credentials.NewStaticCredentialsProvider("local", "local", ""),
		Retryer:      aws.NopRetryer{},
	})
}

func TestSDKInvoke(t *testing.T) {
	svc := start(t, lambda.Config{})
	c := client(t, svc)
	tests := []struct {
		name       string
		in         awslambda.InvokeInput
		wantStatus int32
		wantFnErr  string
		check      func(t *testing.T, payload []byte)
	}{
		{
			name:       "request-response",
			in:         awslambda.InvokeInput{FunctionName: aws.String("handler"), Payload: []byte(`{"action":"echo","message":"sdk"}`)},
			wantStatus: 200,
			check: func(t *testing.T, payload []byte) {
				var out output
				if err := json.Unmarshal(payload, &out); err != nil || out.Input.Message != "sdk" {
					t.Errorf("payload %s, want the echo of message sdk (%v)", payload, err)
				}
			},
		},
		{
			name: "by ARN with qualifier",
			in: awslambda.InvokeInput{FunctionName: aws.String("arn:aws:lambda:us-east-1:000000000000:function:handler"),
				Qualifier: aws.String("$LATEST"), Payload: []byte(`{}`)},
			wantStatus: 200,
		},
		{
			name:       "function error",
			in:         awslambda.InvokeInput{FunctionName: aws.String("handler"), Payload: []byte(`{"action":"fail","message":"c-7"}`)},
			wantStatus: 200,
			wantFnErr:  "Unhandled",
			check: func(t *testing.T, payload []byte) {
				var doc struct{ ErrorType, ErrorMessage string }
				if err := json.Unmarshal(payload, &doc); err != nil || doc.ErrorType != "CandidateNotFound" || doc.ErrorMessage != "no candidate c-7" {
					t.Errorf("error payload %s, want errorType CandidateNotFound (%v)", payload, err)
				}
			},
		},
		{
			name:       "event",
			in:         awslambda.InvokeInput{FunctionName: aws.String("handler"), InvocationType: types.InvocationTypeEvent, Payload: []byte(`{}`)},
			wantStatus: 202,
		},
		{
			name:       "dry run",
			in:         awslambda.InvokeInput{FunctionName: aws.String("handler"), InvocationType: types.InvocationTypeDryRun, Payload: []byte(`{}`)},
			wantStatus: 204,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := c.Invoke(context.Background(), &tt.in)
			if err != nil {
				t.Fatalf("Invoke: %v", err)
			}
			if out.StatusCode != tt.wantStatus {
				t.Errorf("StatusCode = %d, want %d", out.StatusCode, tt.wantStatus)
			}
			if got := aws.ToString(out.FunctionError); got != tt.wantFnErr {
				t.Errorf("FunctionError = %q, want %q", got, tt.wantFnErr)
			}
			if tt.wantStatus == 200 && aws.ToString(out.ExecutedVersion) != "$LATEST" {
				t.Errorf("ExecutedVersion = %q, want $LATEST", aws.ToString(out.ExecutedVersion))
			}
			if tt.check != nil {
				tt.check(t, out.Payload)
			}
		})
	}
}

func TestSDKInvokeRefused(t *testing.T) {
	svc := start(t, lambda.Config{})
	c := client(t, svc)
	// The error codes AWS puts on the wire. AWS answers an oversized payload
	// with RequestEntityTooLargeException, a code the SDK's model does not
	// know (it models RequestTooLargeException), so it surfaces as a generic
	// API error with that code, as it does against AWS.
	tests := []struct {
		name     string
		in       awslambda.InvokeInput
		wantCode string
		wantHTTP int
	}{
		{name: "unknown function", in: awslambda.InvokeInput{FunctionName: aws.String("nope"), Payload: []byte(`{}`)},
			wantCode: "ResourceNotFoundException", wantHTTP: 404},
		{name: "payload too large", in: awslambda.InvokeInput{FunctionName: aws.String("handler"), Payload: bytes.Repeat([]byte(" "), lambda.MaxPayload+10)},
			wantCode: "RequestEntityTooLargeException", wantHTTP: 413},
		{name: "event payload over 1 MB", in: awslambda.InvokeInput{FunctionName: aws.String("handler"), InvocationType: types.InvocationTypeEvent,
			Payload: bytes.Repeat([]byte(" "), lambda.MaxEventPayload+10)},
			wantCode: "RequestEntityTooLargeException", wantHTTP: 413},
		{name: "payload not JSON", in: awslambda.InvokeInput{FunctionName: aws.String("handler"), Payload: []byte(`nope`)},
			wantCode: "InvalidRequestContentException", wantHTTP: 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := c.Invoke(context.Background(), &tt.in)
			var apiErr smithy.APIError
			if !errors.As(err, &apiErr) {
				t.Fatalf("err = %v, want an API error", err)
			}
			if apiErr.ErrorCode() != tt.wantCode {
				t.Errorf("code = %s, want %s", apiErr.ErrorCode(), tt.wantCode)
			}
			var httpErr *awshttp.ResponseError
			if !errors.As(err, &httpErr) || httpErr.HTTPStatusCode() != tt.wantHTTP {
				t.Errorf("err = %v, want HTTP %d", err, tt.wantHTTP)
			}
		})
	}
	_, err := c.Invoke(context.Background(), &awslambda.InvokeInput{FunctionName: aws.String("nope")})
	var nf *types.ResourceNotFoundException
	if !errors.As(err, &nf) {
		t.Errorf("unknown function: err = %v, want the SDK's *types.ResourceNotFoundException", err)
	}
}

func TestSDKFunctions(t *testing.T) {
	svc := start(t, lambda.Config{Functions: []lambda.Function{
		{Name: "alpha", Bootstrap: bootstrap, Description: "first", Timeout: 1500 * time.Millisecond, MemoryMB: 512, Env: map[string]string{"K": "v"}},
		{Name: "beta", Bootstrap: bootstrap},
		{Name: "gamma", Bootstrap: bootstrap},
	}})
	c := client(t, svc)

	var names []string
	pages := awslambda.NewListFunctionsPaginator(c, &awslambda.ListFunctionsInput{MaxItems: aws.Int32(2)})
	for pages.HasMorePages() {
		page, err := pages.NextPage(context.Background())
		if err != nil {
			t.Fatalf("ListFunctions: %v", err)
		}
		for _, f := range page.Functions {
			names = append(names, aws.ToString(f.FunctionName))
		}
	}
	if got := strings.Join(names, ","); got != "alpha,beta,gamma" {
		t.Errorf("listed %s, want alpha,beta,gamma", got)
	}

	got, err := c.GetFunction(context.Background(), &awslambda.GetFunctionInput{FunctionName: aws.String("alpha")})
	if err != nil {
		t.Fatalf("GetFunction: %v", err)
	}
	cfg := got.Configuration
	checks := []struct {
		field, got, want string
	}{
		{"FunctionArn", aws.ToString(cfg.FunctionArn), "arn:aws:lambda:us-east-1:000000000000:function:alpha"},
		{"Description", aws.ToString(cfg.Description), "first"},
		{"Runtime", string(cfg.Runtime), "provided.al2023"},
		{"Handler", aws.ToString(cfg.Handler), "bootstrap"},
		{"State", string(cfg.State), "Active"},
		{"Environment K", cfg.Environment.Variables["K"], "v"},
	}
	for _, ch := range checks {
		if ch.got != ch.want {
			t.Errorf("%s = %q, want %q", ch.field, ch.got, ch.want)
		}
	}
	if aws.ToInt32(cfg.Timeout) != 2 || aws.ToInt32(cfg.MemorySize) != 512 {
		t.Errorf("Timeout %d s, MemorySize %d MB; want 2 s (rounded up) and 512 MB", aws.ToInt32(cfg.Timeout), aws.ToInt32(cfg.MemorySize))
	}
	if cfg.CodeSize == 0 || aws.ToString(cfg.CodeSha256) == "" {
		t.Errorf("CodeSize %d, CodeSha256 %q: want the bootstrap's size and hash", cfg.CodeSize, aws.ToString(cfg.CodeSha256))
	}

	_, err = c.GetFunction(context.Background(), &awslambda.GetFunctionInput{FunctionName: aws.String("delta")})
	var nf *types.ResourceNotFoundException
	if !errors.As(err, &nf) {
		t.Errorf("GetFunction of an unknown function: err = %v, want ResourceNotFoundException", err)
	}
}

func TestUnknownOperation(t *testing.T) {
	svc := start(t, lambda.Config{})
	srv := httptest.NewServer(svc)
	defer srv.Close()
	resp, err := http.Post(srv.URL+"/2015-03-31/functions/handler/url", "application/json", strings.NewReader(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound || resp.Header.Get("X-Amzn-ErrorType") != "UnknownOperationException" {
		t.Errorf("status %d, error type %q; want 404 UnknownOperationException", resp.StatusCode, resp.Header.Get("X-Amzn-ErrorType"))
	}
}

// TestAWSCLI drives the service with the AWS CLI, when it is installed.
func TestAWSCLI(t *testing.T) {
	cli, err := exec.LookPath("aws")
	if err != nil {
		t.Skip("the AWS CLI is not installed")
	}
	svc := start(t, lambda.Config{})
	srv := httptest.NewServer(svc)
	defer srv.Close()
	dir := t.TempDir()
	run := func(args ...string) (string, error) {
		cmd := exec.Command(cli, append([]string{"--endpoint-url", srv.URL, "--output", "json"}, args...)...)
		cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + dir, "AWS_ACCESS_KEY_ID=local",
			"AWS_SECRET_ACCESS_KEY=local", "AWS_DEFAULT_REGION=us-east-1", "AWS_PAGER="}
		cmd.Dir = dir
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	tests := []struct {
		name    string
		args    []string
		wantErr bool
		want    []string // substrings of the CLI's output
		outFile []string // substrings of the payload file
	}{
		{name: "invoke", args: []string{"lambda", "invoke", "--function-name", "handler", "--payload", `{"action":"echo","message":"cli"}`, "out.json"},
			want: []string{`"StatusCode": 200`, `"ExecutedVersion": "$LATEST"`}, outFile: []string{`"message":"cli"`}},
		{name: "invoke failing", args: []string{"lambda", "invoke", "--function-name", "handler", "--payload", `{"action":"fail","message":"x"}`, "out.json"},
			want: []string{`"FunctionError": "Unhandled"`}, outFile: []string{`"errorType":"CandidateNotFound"`}},
		{name: "invoke unknown", args: []string{"lambda", "invoke", "--function-name", "nope", "out.json"}, wantErr: true,
			want: []string{"ResourceNotFoundException", "Function not found: arn:aws:lambda:us-east-1:000000000000:function:nope"}},
		{name: "list", args: []string{"lambda", "list-functions"}, want: []string{`"FunctionName": "handler"`}},
		{name: "get", args: []string{"lambda", "get-function", "--function-name", "handler"}, want: []string{`"Runtime": "provided.al2023"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			os.Remove(filepath.Join(dir, "out.json"))
			out, err := run(tt.args...)
			if (err != nil) != tt.wantErr {
				t.Fatalf("aws %s: err = %v, want error %v; output:\n%s", strings.Join(tt.args, " "), err, tt.wantErr, out)
			}
			for _, w := range tt.want {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
			if len(tt.outFile) > 0 {
				b, err := os.ReadFile(filepath.Join(dir, "out.json"))
				if err != nil {
					t.Fatal(err)
				}
				for _, w := range tt.outFile {
					if !strings.Contains(string(b), w) {
						t.Errorf("payload lacks %q: %s", w, b)
					}
				}
			}
		})
	}
}

func TestEventInvocationRuns(t *testing.T) {
	logs := &syncBuffer{}
	svc := start(t, lambda.Config{Logs: logs})
	c := client(t, svc)
	out, err := c.Invoke(context.Background(), &awslambda.InvokeInput{
		FunctionName:   aws.String("handler"),
		InvocationType: types.InvocationTypeEvent,
		Payload:        []byte(`{"action":"log","message":"queued"}`),
	})
	if err != nil {
		t.Fatalf("Invoke: %v", err)
	}
	if out.StatusCode != 202 || len(out.Payload) != 0 {
		t.Errorf("status %d payload %q, want 202 and no payload", out.StatusCode, out.Payload)
	}
	// The caller does not wait; the function runs after the answer.
	wait := time.Now().Add(5 * time.Second)
	for !strings.Contains(logs.String(), "[handler] to stdout: queued") && time.Now().Before(wait) {
		time.Sleep(10 * time.Millisecond)
	}
	if !strings.Contains(logs.String(), "[handler] to stdout: queued") {
		t.Errorf("the event never ran the function; logs:\n%s", logs.String())
	}
}
