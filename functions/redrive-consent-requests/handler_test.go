package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"github.com/consentflow/consentflow/shared/consent"
	"github.com/consentflow/consentflow/shared/store"
)

type fakeStore struct {
	owed    []store.OwedReceipt
	before  time.Time
	queries int
}

// ReceiptsOwedAfter pages through owed, which the tests keep oldest first.
func (f *fakeStore) ReceiptsOwedAfter(_ context.Context, after *store.OwedReceipt, before time.Time, limit int32) ([]store.OwedReceipt, error) {
	f.before = before
	f.queries++
	var out []store.OwedReceipt
	started := after == nil
	for _, o := range f.owed {
		if !started {
			started = o.RequestID == after.RequestID
			continue
		}
		if o.AnsweredAt.Before(before) && int32(len(out)) < limit {
			out = append(out, o)
		}
	}
	return out, nil
}

func (f *fakeStore) NoWorkflowWaits(_ context.Context, o store.OwedReceipt, at time.Time) error {
	for i := range f.owed {
		if f.owed[i].RequestID == o.RequestID && f.owed[i].NotWaitingSince == nil {
			f.owed[i].NotWaitingSince = &at
		}
	}
	return nil
}

func (f *fakeStore) RecordedAnswer(_ context.Context, id string) (store.Answer, error) {
	return store.Answer{RequestID: id, ReceiptID: "receipt-" + id, Outcomes: []consent.Outcome{{Purpose: consent.TalentPool, State: consent.Given}}}, nil
}

// fakeWorkflows answers each token once, and starts an execution of a
// name once, as Step Functions does.
type fakeWorkflows struct {
	waiting map[string]bool
	fail    error
	outputs map[string]string
	started map[string]string // name → input
}

func (f *fakeWorkflows) StartExecution(_ context.Context, in *sfn.StartExecutionInput, _ ...func(*sfn.Options)) (*sfn.StartExecutionOutput, error) {
	if f.started == nil {
		f.started = map[string]string{}
	}
	name := aws.ToString(in.Name)
	if _, ok := f.started[name]; ok {
		return nil, &sfntypes.ExecutionAlreadyExists{Message: aws.String("Execution Already Exists")}
	}
	f.started[name] = aws.ToString(in.Input)
	return &sfn.StartExecutionOutput{ExecutionArn: aws.String("arn:" + name)}, nil
}

func (f *fakeWorkflows) SendTaskSuccess(_ context.Context, in *sfn.SendTaskSuccessInput, _ ...func(*sfn.Options)) (*sfn.SendTaskSuccessOutput, error) {
	if f.fail != nil {
		return nil, f.fail
	}
	tok := aws.ToString(in.TaskToken)
	if !f.waiting[tok] {
		return nil, &sfntypes.TaskTimedOut{Message: aws.String("Provided task does not exist anymore")}
	}
	delete(f.waiting, tok)
	f.outputs[tok] = aws.ToString(in.Output)
	return &sfn.SendTaskSuccessOutput{}, nil
}

func newHandler(st *fakeStore, wf *fakeWorkflows) *Handler {
	return &Handler{Store: st, Workflows: wf, Log: slog.New(slog.NewJSONHandler(io.Discard, nil)), Now: time.Now}
}

var scheduled = time.Date(2026, 12, 2, 15, 0, 0, 0, time.UTC)

func TestTheSweepHandsOverWhatIsOwedOnceAndLeavesRecentAnswersAlone(t *testing.T) {
	st := &fakeStore{owed: []store.OwedReceipt{
		{RequestID: "old", AnsweredAt: scheduled.Add(-time.Hour), TaskToken: "tok-old"},
		{RequestID: "recent", AnsweredAt: scheduled.Add(-time.Minute), TaskToken: "tok-recent"},
	}}
	wf := &fakeWorkflows{waiting: map[string]bool{"tok-old": true, "tok-recent": true}, outputs: map[string]string{}}
	h := newHandler(st, wf)
	out, err := h.Handle(context.Background(), Input{ScheduledTime: scheduled})
	if err != nil {
		t.Fatal(err)
	}
	if !st.before.Equal(scheduled.Add(-Grace)) {
		t.Fatalf("queried before %v, want the scheduled time less the grace period", st.before)
	}
	if out != (Output{Owed: 1, HandedOver: 1}) {
		t.Fatalf("first sweep: %+v", out)
	}
	var ans store.Answer
	if err := json.Unmarshal([]byte(wf.outputs["tok-old"]), &ans); err != nil || ans.ReceiptID != "receipt-old" {
		t.Fatalf("handed over %q (%v), want the recorded answer", wf.outputs["tok-old"], err)
	}
	if !wf.waiting["tok-recent"] {
		t.Fatal("an answer within the grace period was handed over")
	}
	// A second sweep (or a retry) finds the workflow no longer waiting and
	// hands nothing over again.
	out, err = h.Handle(context.Background(), Input{ScheduledTime: scheduled})
	if err != nil {
		t.Fatal(err)
	}
	if out != (Output{Owed: 1, NotWaiting: 1}) {
		t.Fatalf("second sweep: %+v", out)
	}
}

func TestAFailedHandOverFailsTheSweepSoItIsRetried(t *testing.T) {
	st := &fakeStore{owed: []store.OwedReceipt{{RequestID: "r", AnsweredAt: scheduled.Add(-time.Hour), TaskToken: "tok"}}}
	wf := &fakeWorkflows{waiting: map[string]bool{"tok": true}, outputs: map[string]string{}, fail: errors.New("service unavailable")}
	out, err := newHandler(st, wf).Handle(context.Background(), Input{ScheduledTime: scheduled})
	if err == nil || out.Failed != 1 {
		t.Fatalf("out %+v, err %v; want the failure reported", out, err)
	}
}

func TestTheSweepNeedsTheScheduledTime(t *testing.T) {
	st := &fakeStore{owed: []store.OwedReceipt{{RequestID: "r", AnsweredAt: scheduled.Add(-time.Hour), TaskToken: "tok"}}}
	wf := &fakeWorkflows{waiting: map[string]bool{"tok": true}, outputs: map[string]string{}}
	_, err := newHandler(st, wf).Handle(context.Background(), Input{})
	var v *consent.ValidationError
	if !errors.As(err, &v) || !wf.waiting["tok"] {
		t.Fatalf("err %v; want a validation error and nothing handed over", err)
	}
}

// Receipts whose workflow no longer waits stay owed, oldest first; more than
// a page of them does not hide a newer answer that can still be handed over.
func TestTheSweepReadsPastAPageOfReceiptsNoWorkflowWaitsFor(t *testing.T) {
	st := &fakeStore{}
	wf := &fakeWorkflows{waiting: map[string]bool{}, outputs: map[string]string{}}
	for i := range PageSize + 5 {
		st.owed = append(st.owed, store.OwedReceipt{RequestID: fmt.Sprint("stuck-", i), AnsweredAt: scheduled.Add(-48*time.Hour + time.Duration(i)*time.Second), TaskToken: fmt.Sprint("gone-", i)})
	}
	st.owed = append(st.owed, store.OwedReceipt{RequestID: "lost", AnsweredAt: scheduled.Add(-time.Hour), TaskToken: "tok-lost"})
	wf.waiting["tok-lost"] = true
	out, err := newHandler(st, wf).Handle(context.Background(), Input{ScheduledTime: scheduled})
	if err != nil {
		t.Fatal(err)
	}
	// The stuck ones, two days old, are noted as not waited for (their
	// delivery comes Deliver later) and count as overdue.
	want := Output{Owed: PageSize + 6, HandedOver: 1, NotWaiting: PageSize + 5, Overdue: PageSize + 5}
	if out != want || wf.outputs["tok-lost"] == "" || len(wf.started) != 0 {
		t.Fatalf("%+v after %d queries; want the newer answer handed over", out, st.queries)
	}
}

// A receipt whose workflow no longer waits is left to that workflow's own
// retries: the first sweep that finds it so only notes when; Deliver later
// a sweep starts its delivery, once a day however often it runs; and a
// receipt owed for more than a day counts as overdue (the alarm's metric).
func TestTheSweepDeliversReceiptsNoWorkflowSends(t *testing.T) {
	st := &fakeStore{owed: []store.OwedReceipt{
		{RequestID: "ended", CandidateID: "C1", AnsweredAt: scheduled.Add(-7 * time.Hour), TaskToken: "tok-ended"},
		{RequestID: "stale", CandidateID: "C3", AnsweredAt: scheduled.Add(-30 * time.Hour), TaskToken: "tok-stale"},
	}}
	wf := &fakeWorkflows{waiting: map[string]bool{}, outputs: map[string]string{}}
	h := newHandler(st, wf)
	out, err := h.Handle(context.Background(), Input{ScheduledTime: scheduled})
	if err != nil {
		t.Fatal(err)
	}
	if out.NotWaiting != 2 || out.Delivering != 0 || out.Overdue != 1 || len(wf.started) != 0 {
		t.Fatalf("first sweep = %+v, started %v; want both noted, nothing delivered yet, 1 overdue", out, wf.started)
	}
	// Later sweeps within Deliver leave the workflow's retries alone.
	if out, _ := h.Handle(context.Background(), Input{ScheduledTime: scheduled.Add(Deliver - time.Minute)}); out.Delivering != 0 {
		t.Fatalf("a sweep within %s delivered: %+v", Deliver, out)
	}
	// Deliver after the first note: each gets a delivery, with its input.
	out, err = h.Handle(context.Background(), Input{ScheduledTime: scheduled.Add(Deliver)})
	if err != nil || out.Delivering != 2 || len(wf.started) != 2 {
		t.Fatalf("sweep after %s = %+v, %v; started %v", Deliver, out, err, wf.started)
	}
	for name, input := range wf.started {
		var in struct{ RequestID, CandidateID string }
		if err := json.Unmarshal([]byte(input), &in); err != nil || in.RequestID == "" || in.CandidateID == "" {
			t.Errorf("delivery %s with input %s", name, input)
		}
	}
	// Later the same day: the same names, nothing new started.
	if _, err := h.Handle(context.Background(), Input{ScheduledTime: scheduled.Add(Deliver + 15*time.Minute)}); err != nil {
		t.Fatal(err)
	}
	if len(wf.started) != 2 {
		t.Fatalf("a second sweep the same day started more deliveries: %v", wf.started)
	}
	// The next day: one more try for each receipt still owed.
	if _, err := h.Handle(context.Background(), Input{ScheduledTime: scheduled.Add(Deliver + 24*time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if len(wf.started) != 4 {
		t.Fatalf("the next day's sweep started %d deliveries in all, want 4", len(wf.started))
	}
}
