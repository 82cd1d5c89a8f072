package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"github.com/consentflow/consentflow/shared/consent"
	"github.com/consentflow/consentflow/shared/store"
	"github.com/consentflow/consentflow/shared/workflow"
)

// RenewalStore lists consents whose renewal is due and takes them off the
// list; *store.Store satisfies it.
type RenewalStore interface {
	RenewalsDue(ctx context.Context, shard int, until time.Time, limit int32, start map[string]types.AttributeValue) ([]store.Renewal, map[string]types.AttributeValue, error)
	RenewalRequested(ctx context.Context, r store.Renewal) (bool, error)
}

// Workflows starts workflow executions; *sfn.Client satisfies it.
type Workflows interface {
	StartExecution(context.Context, *sfn.StartExecutionInput, ...func(*sfn.Options)) (*sfn.StartExecutionOutput, error)
}

// PageSize is how many renewals of a shard the sweep reads at a time; when
// less than reserve is left of the invocation's time, the rest wait for
// the next run (they stay in the index until handled).
const (
	PageSize = 100
	reserve  = 2 * time.Second
)

// Input is what the schedule sends: the time it was due.
type Input struct {
	ScheduledTime time.Time `json:"scheduledTime"`
}

// Output says what the sweep did.
type Output struct {
	Due     int `json:"due"`     // consents whose renewal was due
	Started int `json:"started"` // renewal requests started (or started before)
	// Lapsed: consent that expired before its reminder could go out; it is
	// taken off the list without a request (it can no longer be renewed,
	// only asked for anew).
	Lapsed int `json:"lapsed"`
	Failed int `json:"failed"` // the next sweep tries these again
	// Unfinished: the run stopped before its time ran out; the next takes
	// up what is left.
	Unfinished bool `json:"unfinished,omitempty"`
}

// Handler asks candidates to renew their talent-pool consent before it
// expires, by starting the consent-request workflow for it.
type Handler struct {
	Store           RenewalStore
	Workflows       Workflows
	StateMachineArn string
	Log             *slog.Logger
}

// Handle starts a renewal request for every consent whose renewal is due by
// the scheduled time, shard by shard, then takes it off the renewal index.
// Execution names derive from the candidate and the expiry, so a repeated
// sweep (or a retry after a start whose removal failed) starts nothing
// twice.
func (h *Handler) Handle(ctx context.Context, in Input) (Output, error) {
	if in.ScheduledTime.IsZero() {
		return Output{}, &consent.ValidationError{Field: "scheduledTime", Reason: "the schedule's time is required"}
	}
	var out Output
	read := func(ctx context.Context, shard int, start map[string]types.AttributeValue) ([]store.Renewal, map[string]types.AttributeValue, error) {
		return h.Store.RenewalsDue(ctx, shard, in.ScheduledTime, PageSize, start)
	}
	complete, err := store.EachPage(ctx, store.RenewalShards, read, func(page []store.Renewal) (bool, error) {
		for _, r := range page {
			out.Due++
			switch lapsed, err := h.renew(ctx, r, in.ScheduledTime); {
			case err != nil:
				out.Failed++
				h.Log.WarnContext(ctx, "renewal not requested; the next sweep tries again", "candidateId", r.CandidateID, "purpose", r.Purpose, "error", err.Error())
			case lapsed:
				out.Lapsed++
			default:
				out.Started++
			}
		}
		d, ok := ctx.Deadline()
		return !ok || time.Until(d) >= reserve, nil
	})
	if err != nil {
		return out, fmt.Errorf("list renewals: %w", err)
	}
	out.Unfinished = !complete
	h.Log.InfoContext(ctx, "renewals swept", "scheduledTime", in.ScheduledTime, "due", out.Due, "started", out.Started,
		"lapsed", out.Lapsed, "failed", out.Failed, "unfinished", out.Unfinished)
	if out.Failed > 0 {
		// Scheduler retries and then dead-letters, which is alarmed on.
		return out, fmt.Errorf("%d of %d renewals failed", out.Failed, out.Due)
	}
	return out, nil
}

// renew starts the renewal request of one consent, unless it has expired
// by now, and takes the consent off the renewal index.
func (h *Handler) renew(ctx context.Context, r store.Renewal, now time.Time) (lapsed bool, err error) {
	lapsed = !r.ExpiresAt.After(now)
	if !lapsed {
		if err := h.start(ctx, r); err != nil {
			return false, err
		}
	}
	removed, err := h.Store.RenewalRequested(ctx, r)
	if err != nil {
		return false, fmt.Errorf("take off the renewal index: %w", err)
	}
	if !lapsed {
		h.Log.InfoContext(ctx, "renewal requested", "candidateId", r.CandidateID, "purpose", r.Purpose, "expiresAt", r.ExpiresAt, "removed", removed)
	}
	return lapsed, nil
}

// ExecutionName names the renewal of consent expiring at expiresAt: one
// execution per candidate and expiry.
func ExecutionName(candidateID string, expiresAt time.Time) string {
	return "renew-" + candidateID + "-" + strconv.FormatInt(expiresAt.Unix(), 10)
}

func (h *Handler) start(ctx context.Context, r store.Renewal) error {
	name := ExecutionName(r.CandidateID, r.ExpiresAt)
	until := r.ExpiresAt.UTC()
	in, err := json.Marshal(workflow.ConsentRequest{
		RequestID: consent.IDFromKey("renewal", name), CandidateID: r.CandidateID,
		Purposes: []consent.Purpose{r.Purpose}, RequestedBy: consent.ActorWorkflow, RenewsUntil: &until,
	})
	if err != nil {
		return fmt.Errorf("encode renewal request: %w", err)
	}
	_, err = h.Workflows.StartExecution(ctx, &sfn.StartExecutionInput{
		StateMachineArn: aws.String(h.StateMachineArn), Name: aws.String(name), Input: aws.String(string(in)),
	})
	if errors.As(err, new(*sfntypes.ExecutionAlreadyExists)) {
		// Started by an earlier sweep: the candidate was asked already.
		return nil
	}
	if err != nil {
		return fmt.Errorf("start renewal request: %w", err)
	}
	return nil
}
