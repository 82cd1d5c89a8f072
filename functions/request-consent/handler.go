package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"github.com/consentflow/consentflow/shared/consent"
	"github.com/consentflow/consentflow/shared/httpapi"
	"github.com/consentflow/consentflow/shared/workflow"
)

// Candidates finds candidates.
type Candidates interface {
	Candidate(ctx context.Context, id string) (consent.Candidate, error)
}

// Workflows starts and describes workflow executions; *sfn.Client satisfies it.
type Workflows interface {
	StartExecution(context.Context, *sfn.StartExecutionInput, ...func(*sfn.Options)) (*sfn.StartExecutionOutput, error)
	DescribeExecution(context.Context, *sfn.DescribeExecutionInput, ...func(*sfn.Options)) (*sfn.DescribeExecutionOutput, error)
}

// Handler starts consent requests.
type Handler struct {
	Candidates      Candidates
	Workflows       Workflows
	StateMachineArn string
	Log             *slog.Logger
}

type input struct {
	Purposes []string `json:"purposes"`
}

// WorkflowInput is the consent-request workflow's input.
type WorkflowInput = workflow.ConsentRequest

type output struct {
	RequestID   string            `json:"requestId"`
	CandidateID string            `json:"candidateId"`
	Purposes    []consent.Purpose `json:"purposes"`
	Status      string            `json:"status"`
}

// Handle starts a consent-request workflow named after the request ID. With an
// Idempotency-Key header the ID derives from the key, and Step Functions'
// execution-name idempotency makes a retry return the same request.
func (h *Handler) Handle(ctx context.Context, req httpapi.Request) (httpapi.Response, error) {
	recruiter, candidateID, err := httpapi.RecruiterOnCandidate(req)
	if err != nil {
		return httpapi.Error(ctx, h.Log, err), nil
	}
	var in input
	if err := httpapi.DecodeJSON(req, &in); err != nil {
		return httpapi.Error(ctx, h.Log, err), nil
	}
	purposes, err := consent.ParsePurposes(in.Purposes)
	if err != nil {
		return httpapi.Error(ctx, h.Log, err), nil
	}
	key, err := httpapi.IdempotencyKey(req)
	if err != nil {
		return httpapi.Error(ctx, h.Log, err), nil
	}
	if _, err := h.Candidates.Candidate(ctx, candidateID); err != nil {
		return httpapi.Error(ctx, h.Log, err), nil
	}
	requestID := consent.NewID()
	if key != "" {
		requestID = consent.IDFromKey("consent-request", recruiter, candidateID, key)
	}
	wf, _ := json.Marshal(WorkflowInput{RequestID: requestID, CandidateID: candidateID, Purposes: purposes, RequestedBy: recruiter})
	_, err = h.Workflows.StartExecution(ctx, &sfn.StartExecutionInput{
		StateMachineArn: aws.String(h.StateMachineArn),
		Name:            aws.String(requestID),
		Input:           aws.String(string(wf)),
	})
	switch {
	case errors.As(err, new(*types.ExecutionAlreadyExists)):
		// Step Functions returns the running execution for the same name and
		// input, but refuses once it has closed: a retry after the workflow
		// finished is still the same request if the input is the same.
		err = h.sameRequest(ctx, requestID, string(wf))
	case err != nil:
		err = fmt.Errorf("start consent request: %w", err)
	}
	if err != nil {
		return httpapi.Error(ctx, h.Log, err), nil
	}
	h.Log.InfoContext(ctx, "consent requested", "candidateId", candidateID, "requestId", requestID, "purposes", purposes)
	res := httpapi.JSON(http.StatusAccepted, output{RequestID: requestID, CandidateID: candidateID, Purposes: purposes, Status: string(consent.Pending)})
	res.Headers["Location"] = "/api/candidates/" + candidateID + "/consents"
	return res, nil
}

// sameRequest reports whether the execution named requestID was started with
// input; otherwise the idempotency key was reused for another request.
func (h *Handler) sameRequest(ctx context.Context, requestID, input string) error {
	arn := strings.Replace(h.StateMachineArn, ":stateMachine:", ":execution:", 1) + ":" + requestID
	out, err := h.Workflows.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: aws.String(arn)})
	if err != nil {
		return fmt.Errorf("describe consent request: %w", err)
	}
	if aws.ToString(out.Input) != input {
		return &consent.ConflictError{Reason: "this Idempotency-Key was already used for a different consent request"}
	}
	switch out.Status {
	case types.ExecutionStatusFailed, types.ExecutionStatusTimedOut, types.ExecutionStatusAborted:
		// Never "pending" for a request that will not be carried out: say
		// that it failed, and how to ask again.
		return &consent.ConflictError{Reason: fmt.Sprintf(
			"the consent request made with this Idempotency-Key %s (%s); send it again with a new Idempotency-Key",
			strings.ToLower(string(out.Status)), aws.ToString(out.Error))}
	}
	return nil
}
