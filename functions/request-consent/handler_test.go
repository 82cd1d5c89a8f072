package main

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"github.com/consentflow/consentflow/shared/consent"
	"github.com/consentflow/consentflow/shared/httpapi"
)

type candidates struct{}

func (candidates) Candidate(_ context.Context, id string) (consent.Candidate, error) {
	return consent.Candidate{ID: id}, nil
}

// executions stands in for Step Functions: one execution per name, which
// refuses a second start as AWS does once the first has closed.
type executions struct {
	status types.ExecutionStatus
	input  map[string]string
}

func (e *executions) StartExecution(_ context.Context, in *sfn.StartExecutionInput, _ ...func(*sfn.Options)) (*sfn.StartExecutionOutput, error) {
	name := aws.ToString(in.Name)
	if _, ok := e.input[name]; ok {
		return nil, &types.ExecutionAlreadyExists{Message: aws.String("Execution Already Exists")}
	}
	e.input[name] = aws.ToString(in.Input)
	return &sfn.StartExecutionOutput{}, nil
}

func (e *executions) DescribeExecution(_ context.Context, in *sfn.DescribeExecutionInput, _ ...func(*sfn.Options)) (*sfn.DescribeExecutionOutput, error) {
	arn := aws.ToString(in.ExecutionArn)
	name := arn[strings.LastIndex(arn, ":")+1:]
	out := &sfn.DescribeExecutionOutput{Input: aws.String(e.input[name]), Status: e.status}
	if e.status == types.ExecutionStatusFailed {
		out.Error = aws.String("ConsentRequestNotRecorded")
	}
	return out, nil
}

// TestARetryOfAFailedRequestSaysItFailed: the same Idempotency-Key after
// the execution failed never answers "202 pending".
func TestARetryOfAFailedRequestSaysItFailed(t *testing.T) {
	wf := &executions{input: map[string]string{}}
	h := &Handler{Candidates: candidates{}, Workflows: wf, StateMachineArn: "arn:aws:states:us-east-1:000000000000:stateMachine:consent-request", Log: slog.New(slog.DiscardHandler)}
	req := httpapi.Request{
		Body:           `{"purposes":["talent_pool"]}`,
		Headers:        map[string]string{"content-type": "application/json", "idempotency-key": "key-1"},
		PathParameters: map[string]string{"id": consent.NewID()},
		RequestContext: events.APIGatewayV2HTTPRequestContext{Authorizer: &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{
			JWT: &events.APIGatewayV2HTTPRequestContextAuthorizerJWTDescription{Claims: map[string]string{"sub": "recruiter-1"}},
		}},
	}
	first, _ := h.Handle(context.Background(), req)
	if first.StatusCode != http.StatusAccepted {
		t.Fatalf("first: %d %s", first.StatusCode, first.Body)
	}
	wf.status = types.ExecutionStatusRunning
	if again, _ := h.Handle(context.Background(), req); again.StatusCode != http.StatusAccepted {
		t.Fatalf("retry while running: %d %s", again.StatusCode, again.Body)
	}
	wf.status = types.ExecutionStatusFailed
	failed, _ := h.Handle(context.Background(), req)
	var problem struct{ Detail string }
	_ = json.Unmarshal([]byte(failed.Body), &problem)
	if failed.StatusCode != http.StatusConflict || !strings.Contains(problem.Detail, "failed") || !strings.Contains(problem.Detail, "new Idempotency-Key") {
		t.Fatalf("retry after failure: %d %s; want a 409 that says it failed", failed.StatusCode, failed.Body)
	}
}
