package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"github.com/consentflow/consentflow/shared/consent"
	"github.com/consentflow/consentflow/shared/store"
	"github.com/consentflow/consentflow/shared/workflow"
)

// OwedStore lists owed receipts and the answers they are owed for.
type OwedStore interface {
	ReceiptsOwedAfter(ctx context.Context, after *store.OwedReceipt, before time.Time, limit int32) ([]store.OwedReceipt, error)
	RecordedAnswer(ctx context.Context, requestID string) (store.Answer, error)
	NoWorkflowWaits(ctx context.Context, o store.OwedReceipt, at time.Time) error
}

// Workflows answers waiting workflow tasks and starts the delivery of
// owed receipts; *sfn.Client satisfies it.
type Workflows interface {
	SendTaskSuccess(context.Context, *sfn.SendTaskSuccessInput, ...func(*sfn.Options)) (*sfn.SendTaskSuccessOutput, error)
	StartExecution(context.Context, *sfn.StartExecutionInput, ...func(*sfn.Options)) (*sfn.StartExecutionOutput, error)
}

// Grace is how long after an answer the sweep leaves it to record-decision's
// own hand-over and the workflow's receipt step.
const Grace = 5 * time.Minute

// Deliver is how long after a sweep first found no workflow waiting for
// an owed receipt's answer the receipt is sent by a workflow of its own
// (consent-receipt): longer than the consent-request workflow's receipt
// step retries (about four hours), so that the two never send it side by
// side. Both ends are schedule times, never a function's clock. Overdue is when an owed
// receipt raises the alarm: a day of retries did not deliver it.
const (
	Deliver = 6 * time.Hour
	Overdue = 24 * time.Hour
)

// PageSize is how many owed receipts the sweep reads at a time. It reads
// page after page, so that receipts whose workflow no longer waits (they
// stay owed, oldest first) never hide newer ones; when less than
// reserve is left of the invocation's time, the rest wait for the next run.
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
	Owed       int `json:"owed"`       // owed receipts older than the grace period
	HandedOver int `json:"handedOver"` // answers handed to a workflow still waiting
	NotWaiting int `json:"notWaiting"` // owed, but no workflow waits on the token
	Failed     int `json:"failed"`     // hand-overs that failed; the next sweep tries again
	// Delivering: owed receipts no workflow has waited for since Deliver
	// ago, whose own delivery was started (or had been today).
	Delivering int `json:"delivering"`
	// Overdue: owed for longer than Overdue (the alarm's metric).
	Overdue int `json:"overdue"`
	// Unfinished: the run stopped before its time ran out; the next takes
	// up what is left.
	Unfinished bool `json:"unfinished,omitempty"`
}

// Handler redrives receipts still owed: it hands each answer whose
// workflow still waits to that workflow, which then sends the receipt.
type Handler struct {
	Store     OwedStore
	Workflows Workflows
	// ReceiptWorkflow is the consent-receipt workflow's ARN.
	ReceiptWorkflow string
	Log             *slog.Logger
	Now             func() time.Time // only for metric timestamps, never for what is due
}

// Handle sweeps the receipts owed for answers recorded before the
// scheduled time less Grace. It changes nothing stored: the receipt step
// clears what is owed once the receipt is sent, so a second sweep finds
// only what is still owed, and handing over to a task already answered is
// refused by Step Functions.
func (h *Handler) Handle(ctx context.Context, in Input) (Output, error) {
	if in.ScheduledTime.IsZero() {
		return Output{}, &consent.ValidationError{Field: "scheduledTime", Reason: "the schedule's time is required"}
	}
	var out Output
	var after *store.OwedReceipt
	for {
		page, err := h.Store.ReceiptsOwedAfter(ctx, after, in.ScheduledTime.Add(-Grace), PageSize)
		if err != nil {
			return out, fmt.Errorf("list owed receipts: %w", err)
		}
		for _, o := range page {
			out.Owed++
			if o.AnsweredAt.Before(in.ScheduledTime.Add(-Overdue)) {
				out.Overdue++
			}
			switch err := h.handOver(ctx, o); {
			case err == nil:
				out.HandedOver++
			case notWaiting(err):
				out.NotWaiting++
				switch {
				case o.NotWaitingSince == nil:
					// The workflow may be sending it now: from this sweep
					// on, it has Deliver to do so.
					if err := h.Store.NoWorkflowWaits(ctx, o, in.ScheduledTime); err != nil {
						out.Failed++
						h.Log.WarnContext(ctx, "owed receipt not marked; the next sweep tries again", "requestId", o.RequestID, "error", err.Error())
					}
				case !o.NotWaitingSince.After(in.ScheduledTime.Add(-Deliver)):
					if err := h.deliver(ctx, o, in.ScheduledTime); err != nil {
						out.Failed++
						h.Log.WarnContext(ctx, "receipt delivery not started; the next sweep tries again", "requestId", o.RequestID, "error", err.Error())
					} else {
						out.Delivering++
					}
				}
			default:
				out.Failed++
				h.Log.WarnContext(ctx, "hand-over failed; the next sweep tries again", "requestId", o.RequestID, "error", err.Error())
			}
		}
		if len(page) < PageSize {
			break
		}
		after = &page[len(page)-1]
		if d, ok := ctx.Deadline(); ok && time.Until(d) < reserve {
			out.Unfinished = true
			break
		}
	}
	h.Log.InfoContext(ctx, "owed receipts swept", "scheduledTime", in.ScheduledTime,
		"owed", out.Owed, "unfinished", out.Unfinished, "handedOver", out.HandedOver, "notWaiting", out.NotWaiting, "failed", out.Failed,
		slog.Any("_aws", map[string]any{
			"Timestamp": h.Now().UnixMilli(),
			"CloudWatchMetrics": []map[string]any{{
				"Namespace": "Consentflow", "Dimensions": [][]string{{}},
				"Metrics": []map[string]string{
					{"Name": "RedrivenHandOvers", "Unit": "Count"},
					{"Name": "OwedReceiptsWithoutWorkflow", "Unit": "Count"},
					{"Name": "OverdueReceipts", "Unit": "Count"},
				},
			}},
		}), slog.Int("RedrivenHandOvers", out.HandedOver), slog.Int("OwedReceiptsWithoutWorkflow", out.NotWaiting),
		slog.Int("OverdueReceipts", out.Overdue), "delivering", out.Delivering)
	if out.Failed > 0 {
		// Scheduler retries and then dead-letters, which is alarmed on.
		return out, fmt.Errorf("%d of %d hand-overs failed", out.Failed, out.Owed)
	}
	return out, nil
}

// handOver sends the waiting workflow the answer record-decision sends.
func (h *Handler) handOver(ctx context.Context, o store.OwedReceipt) error {
	if o.TaskToken == "" {
		return &sfntypes.InvalidToken{Message: aws.String("no task token was stored")}
	}
	ans, err := h.Store.RecordedAnswer(ctx, o.RequestID)
	if err != nil {
		return fmt.Errorf("read answer: %w", err)
	}
	out, err := json.Marshal(ans)
	if err != nil {
		return err
	}
	_, err = h.Workflows.SendTaskSuccess(ctx, &sfn.SendTaskSuccessInput{TaskToken: aws.String(o.TaskToken), Output: aws.String(string(out))})
	return err
}

// deliver starts the consent-receipt workflow for an owed receipt, named
// by the request and the scheduled day: one delivery a day until the
// receipt is sent (which clears what is owed), however often the sweep runs.
func (h *Handler) deliver(ctx context.Context, o store.OwedReceipt, scheduled time.Time) error {
	in, err := json.Marshal(workflow.SendReceiptInput{RequestID: o.RequestID, CandidateID: o.CandidateID})
	if err != nil {
		return err
	}
	name := fmt.Sprintf("receipt-%s-%d", o.RequestID, scheduled.Unix()/86400)
	_, err = h.Workflows.StartExecution(ctx, &sfn.StartExecutionInput{
		StateMachineArn: aws.String(h.ReceiptWorkflow), Name: aws.String(name), Input: aws.String(string(in)),
	})
	if err != nil && !errors.As(err, new(*sfntypes.ExecutionAlreadyExists)) {
		return fmt.Errorf("start receipt delivery: %w", err)
	}
	return nil
}

// notWaiting reports whether Step Functions says no task waits on the
// token: the workflow took the answer already, or its wait ended. Then the
// workflow, not the sweep, sends the receipt (an answered request gets its
// receipt when the wait times out); the receipt stays owed until it is.
func notWaiting(err error) bool {
	var timedOut *sfntypes.TaskTimedOut
	var invalid *sfntypes.InvalidToken
	var missing *sfntypes.TaskDoesNotExist
	return errors.As(err, &timedOut) || errors.As(err, &invalid) || errors.As(err, &missing)
}
