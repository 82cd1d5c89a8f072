package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"github.com/consentflow/consentflow/shared/consent"
	"github.com/consentflow/consentflow/shared/httpapi"
)

// Candidates finds candidates.
type Candidates interface {
	Candidate(ctx context.Context, id string) (consent.Candidate, error)
}

// Workflows starts workflow executions; *sfn.Client satisfies it.
type Workflows interface {
	StartExecution(context.Context, *sfn.StartExecutionInput, ...func(*sfn.Options)) (*sfn.StartExecutionOutput, error)
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
type WorkflowInput struct {
	RequestID   string            `json:"requestId"`
	CandidateID string            `json:"candidateId"`
	Purposes    []consent.Purpose `json:"purposes"`
}

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
	recruiter, err := httpapi.Recruiter(req)
	if err != nil {
		return httpapi.Error(ctx, h.Log, err), nil
	}
	candidateID := req.PathParameters["id"]
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
	wf, _ := json.Marshal(WorkflowInput{RequestID: requestID, CandidateID: candidateID, Purposes: purposes})
	_, err = h.Workflows.StartExecution(ctx, &sfn.StartExecutionInput{
		StateMachineArn: aws.String(h.StateMachineArn),
		Name:            aws.String(requestID),
		Input:           aws.String(string(wf)),
	})
	var exists *types.ExecutionAlreadyExists
	if errors.As(err, &exists) {
		return httpapi.Error(ctx, h.Log, &consent.ConflictError{Reason: "this Idempotency-Key was already used for a different consent request"}), nil
	}
	if err != nil {
		return httpapi.Error(ctx, h.Log, fmt.Errorf("start consent request: %w", err)), nil
	}
	h.Log.InfoContext(ctx, "consent requested", "candidateId", candidateID, "requestId", requestID, "purposes", purposes)
	res := httpapi.JSON(http.StatusAccepted, output{RequestID: requestID, CandidateID: candidateID, Purposes: purposes, Status: string(consent.Pending)})
	res.Headers["Location"] = "/api/candidates/" + candidateID + "/consents"
	return res, nil
}
