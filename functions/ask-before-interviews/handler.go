package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"github.com/consentflow/consentflow/shared/consent"
	"github.com/consentflow/consentflow/shared/store"
	"github.com/consentflow/consentflow/shared/workflow"
)

// InterviewStore lists interviews whose candidate is to be asked, reads
// their consents and takes them off the list; *store.Store satisfies it.
type InterviewStore interface {
	InterviewsToAsk(ctx context.Context, shard int, until time.Time, limit int32, start map[string]types.AttributeValue) ([]store.Interview, map[string]types.AttributeValue, error)
	Consents(ctx context.Context, candidateID string) ([]consent.Consent, error)
	InterviewAsked(ctx context.Context, iv store.Interview) error
}

// Workflows starts workflow executions; *sfn.Client satisfies it.
type Workflows interface {
	StartExecution(context.Context, *sfn.StartExecutionInput, ...func(*sfn.Options)) (*sfn.StartExecutionOutput, error)
}

// PageSize is how many interviews of a shard the sweep reads at a time.
const PageSize = 100

// Input is what the schedule sends: the time it was due.
type Input struct {
	ScheduledTime time.Time `json:"scheduledTime"`
}

// Output says what the sweep did.
type Output struct {
	Due     int `json:"due"`     // interviews whose candidate was to be asked
	Started int `json:"started"` // consent requests started (or started before)
	// Known: consent already given under the current notice, or the
	// interview already past: nothing to ask.
	Known  int `json:"known"`
	Failed int `json:"failed"` // the next sweep tries these again
}

// Handler asks candidates the day before a scheduled interview whether it
// may be recorded, by starting the consent-request workflow.
type Handler struct {
	Store           InterviewStore
	Workflows       Workflows
	StateMachineArn string
	NoticeVersion   string
	Log             *slog.Logger
}

// Handle asks about every interview whose ask time passed by the
// scheduled time (from the event, never the clock), shard by shard, then
// takes it off the ask index. Execution names derive from the interview,
// so a repeated sweep starts nothing twice.
func (h *Handler) Handle(ctx context.Context, in Input) (Output, error) {
	if in.ScheduledTime.IsZero() {
		return Output{}, &consent.ValidationError{Field: "scheduledTime", Reason: "the schedule's time is required"}
	}
	var out Output
	read := func(ctx context.Context, shard int, start map[string]types.AttributeValue) ([]store.Interview, map[string]types.AttributeValue, error) {
		return h.Store.InterviewsToAsk(ctx, shard, in.ScheduledTime, PageSize, start)
	}
	if _, err := store.EachPage(ctx, store.AskShards, read, func(page []store.Interview) (bool, error) {
		for _, iv := range page {
			out.Due++
			switch started, err := h.ask(ctx, iv, in.ScheduledTime); {
			case err != nil:
				out.Failed++
				h.Log.WarnContext(ctx, "candidate not asked; the next sweep tries again", "candidateId", iv.CandidateID, "interviewId", iv.ID, "error", err.Error())
			case started:
				out.Started++
			default:
				out.Known++
			}
		}
		return true, nil
	}); err != nil {
		return out, fmt.Errorf("list interviews: %w", err)
	}
	h.Log.InfoContext(ctx, "interviews swept", "scheduledTime", in.ScheduledTime, "due", out.Due, "started", out.Started, "known", out.Known, "failed", out.Failed)
	if out.Failed > 0 {
		return out, fmt.Errorf("%d of %d interviews failed", out.Failed, out.Due)
	}
	return out, nil
}

// ExecutionName names the request asked before one interview.
func ExecutionName(interviewID string) string { return "interview-" + interviewID }

// ask starts the consent request for the interview, unless consent is
// given under the current notice (or asked already and pending, or the
// interview is past), then takes the interview off the ask index.
func (h *Handler) ask(ctx context.Context, iv store.Interview, now time.Time) (bool, error) {
	cs, err := h.Store.Consents(ctx, iv.CandidateID)
	var gone *consent.GoneError
	if errors.As(err, &gone) {
		return false, h.Store.InterviewAsked(ctx, iv)
	}
	if err != nil {
		return false, fmt.Errorf("read consents: %w", err)
	}
	p, _ := consent.RecordingPurpose("interview")
	var c *consent.Consent
	if i := slices.IndexFunc(cs, func(c consent.Consent) bool { return c.Purpose == p }); i >= 0 {
		c = &cs[i]
	}
	gate, _ := consent.RecordingGate(c, h.NoticeVersion, now)
	need := iv.At.After(now) && gate != consent.GateAuthorized && (c == nil || c.State != consent.Requested)
	if need {
		name := ExecutionName(iv.ID)
		in, err := json.Marshal(workflow.ConsentRequest{RequestID: consent.IDFromKey("interview", iv.ID), CandidateID: iv.CandidateID,
			Purposes: []consent.Purpose{p}, RequestedBy: iv.ScheduledBy})
		if err != nil {
			return false, fmt.Errorf("encode interview request: %w", err)
		}
		_, err = h.Workflows.StartExecution(ctx, &sfn.StartExecutionInput{
			StateMachineArn: aws.String(h.StateMachineArn), Name: aws.String(name), Input: aws.String(string(in)),
		})
		if err != nil && !errors.As(err, new(*sfntypes.ExecutionAlreadyExists)) {
			return false, fmt.Errorf("start interview request: %w", err)
		}
		h.Log.InfoContext(ctx, "candidate asked before interview", "candidateId", iv.CandidateID, "interviewId", iv.ID)
	}
	if err := h.Store.InterviewAsked(ctx, iv); err != nil {
		return false, fmt.Errorf("take off the ask index: %w", err)
	}
	return need, nil
}
