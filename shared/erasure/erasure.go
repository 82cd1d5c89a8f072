// Package erasure starts the erasure workflow (statemachines/erasure.asl.json)
// with deterministic execution names, so that a second start for the same
// artifact and deadline, or the same request, is harmless: Step Functions
// refuses a second execution of one name.
package erasure

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"github.com/consentflow/consentflow/shared/consent"
	"github.com/consentflow/consentflow/shared/store"
	"github.com/consentflow/consentflow/shared/workflow"
)

// Workflows starts executions; *sfn.Client satisfies it.
type Workflows interface {
	StartExecution(context.Context, *sfn.StartExecutionInput, ...func(*sfn.Options)) (*sfn.StartExecutionOutput, error)
}

// Starter starts erasures.
type Starter struct {
	Workflows Workflows
	// StateMachineARN is the erasure workflow's.
	StateMachineARN string
}

// ArtifactName is the execution name of the erasure of one artifact for
// one deadline: its id, the deadline in seconds and, after failed
// erasures, their count (each retry is a new execution).
func ArtifactName(d store.DueArtifact) string {
	name := "erase-" + d.ArtifactID + "-" + strconv.FormatInt(d.DeleteBy.Unix(), 10)
	if d.Failures > 0 {
		name += "-r" + strconv.Itoa(d.Failures)
	}
	return name
}

// CandidateName is the execution name of the erasure of everything about a
// candidate that was asked for at requestedAt; attempt counts restarts by
// the sweep (0 for the first).
func CandidateName(candidateID string, requestedAt time.Time, attempt int64) string {
	name := "erase-all-" + candidateID + "-" + strconv.FormatInt(requestedAt.Unix(), 10)
	if attempt > 0 {
		name += "-r" + strconv.FormatInt(attempt, 10)
	}
	return name
}

// Artifacts starts one erasure per due artifact, for reason. It reports
// how many it started; an erasure started before (the same name) counts as
// started. It tries every artifact and returns the failures joined.
func (s *Starter) Artifacts(ctx context.Context, due []store.DueArtifact, reason string) (int, error) {
	started := 0
	var errs []error
	for _, d := range due {
		r := reason
		if d.Reason != "" {
			r = d.Reason // an erasure under way keeps its reason
		}
		err := s.start(ctx, ArtifactName(d), workflow.Erasure{CandidateID: d.CandidateID, ArtifactIDs: []string{d.ArtifactID}, Reason: r})
		if err != nil {
			errs = append(errs, err)
			continue
		}
		started++
	}
	return started, errors.Join(errs...)
}

// Candidate starts the erasure of everything about a candidate: each of
// artifacts, then the profile.
func (s *Starter) Candidate(ctx context.Context, name, candidateID string, artifacts []store.DueArtifact) error {
	in := workflow.Erasure{CandidateID: candidateID, ArtifactIDs: []string{}, Reason: consent.ErasureRequested, Full: true}
	for _, d := range artifacts {
		in.ArtifactIDs = append(in.ArtifactIDs, d.ArtifactID)
	}
	return s.start(ctx, name, in)
}

func (s *Starter) start(ctx context.Context, name string, in workflow.Erasure) error {
	b, err := json.Marshal(in)
	if err != nil {
		return err
	}
	_, err = s.Workflows.StartExecution(ctx, &sfn.StartExecutionInput{
		StateMachineArn: aws.String(s.StateMachineARN), Name: aws.String(name), Input: aws.String(string(b)),
	})
	if err != nil && !errors.As(err, new(*types.ExecutionAlreadyExists)) {
		return &UnavailableError{Err: fmt.Errorf("start erasure %s: %w", name, err)}
	}
	return nil
}

// UnavailableError says Step Functions did not start an erasure. What was
// recorded stays due, so the sweep starts it later; an API answers 503 only
// when nothing else made the change durable.
type UnavailableError struct{ Err error }

func (e *UnavailableError) Error() string   { return "erasure not started: " + e.Err.Error() }
func (e *UnavailableError) Unwrap() error   { return e.Err }
func (e *UnavailableError) Temporary() bool { return true }
