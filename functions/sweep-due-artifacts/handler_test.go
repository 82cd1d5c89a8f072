package main

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"github.com/consentflow/consentflow/shared/consent"
	"github.com/consentflow/consentflow/shared/erasure"
	"github.com/consentflow/consentflow/shared/store"
	"github.com/consentflow/consentflow/shared/workflow"
)

// fakeStore is the due index: each shard's artifacts, paged by the limit.
type fakeStore struct {
	shards map[int][]store.DueArtifact
	open   []store.ErasureRequest
	until  []time.Time
	before time.Time
}

func (f *fakeStore) DueBy(_ context.Context, shard int, until time.Time, limit int32, start map[string]types.AttributeValue) (store.DuePage, error) {
	f.until = append(f.until, until)
	from := 0
	if v, ok := start["i"].(*types.AttributeValueMemberN); ok {
		from, _ = strconv.Atoi(v.Value)
	}
	var page store.DuePage
	all := f.shards[shard]
	for i := from; i < len(all); i++ {
		if int32(len(page.Items)) == limit {
			page.Next = map[string]types.AttributeValue{"i": &types.AttributeValueMemberN{Value: strconv.Itoa(i)}}
			break
		}
		page.Read++
		if !all[i].DeleteBy.After(until) {
			page.Items = append(page.Items, all[i])
		}
	}
	return page, nil
}

func (f *fakeStore) OpenErasures(_ context.Context, before time.Time, _ int32) ([]store.ErasureRequest, error) {
	f.before = before
	return f.open, nil
}

// fakeWorkflows refuses a second execution of one name, as Step Functions
// does.
type fakeWorkflows struct {
	started map[string]workflow.Erasure
	fail    error
}

func (f *fakeWorkflows) StartExecution(_ context.Context, in *sfn.StartExecutionInput, _ ...func(*sfn.Options)) (*sfn.StartExecutionOutput, error) {
	if f.fail != nil {
		return nil, f.fail
	}
	name := aws.ToString(in.Name)
	if _, ok := f.started[name]; ok {
		return nil, &sfntypes.ExecutionAlreadyExists{Message: aws.String("Execution Already Exists: " + name)}
	}
	var e workflow.Erasure
	if err := json.Unmarshal([]byte(aws.ToString(in.Input)), &e); err != nil {
		return nil, err
	}
	f.started[name] = e
	return &sfn.StartExecutionOutput{}, nil
}

var scheduled = time.Date(2026, 12, 2, 15, 0, 0, 0, time.UTC)

func due(n int, at time.Time) []store.DueArtifact {
	out := make([]store.DueArtifact, n)
	for i := range out {
		out[i] = store.DueArtifact{CandidateID: consent.NewID(), ArtifactID: consent.NewID(), DeleteBy: at}
	}
	return out
}

func newHandler(st *fakeStore, wf *fakeWorkflows) *Handler {
	return &Handler{Store: st, Erasure: &erasure.Starter{Workflows: wf, StateMachineARN: "arn:erasure"},
		Log: slog.New(slog.DiscardHandler), Now: func() time.Time { return scheduled.AddDate(1, 0, 0) }}
}

func TestTheSweepStartsOneErasurePerDueArtifactAcrossShardsAndPages(t *testing.T) {
	st := &fakeStore{shards: map[int][]store.DueArtifact{
		0:                   due(PageSize*2+5, scheduled.Add(-time.Hour)),
		store.DueShards - 1: due(1, scheduled),
		store.DueShards / 2: due(3, scheduled.Add(time.Second)), // not due yet
	}}
	wf := &fakeWorkflows{started: map[string]workflow.Erasure{}}
	h := newHandler(st, wf)
	out, err := h.Handle(context.Background(), Input{ScheduledTime: scheduled})
	if err != nil {
		t.Fatal(err)
	}
	want := PageSize*2 + 5 + 1
	if out.Due != want || out.Started != want || len(wf.started) != want {
		t.Fatalf("%+v, %d executions; want %d due and started", out, len(wf.started), want)
	}
	for _, u := range st.until {
		if !u.Equal(scheduled) {
			t.Fatalf("read the index up to %v, want the scheduled time %v (not a clock)", u, scheduled)
		}
	}
	for name, e := range wf.started {
		if !strings.HasPrefix(name, "erase-") || len(e.ArtifactIDs) != 1 || e.Reason != consent.ErasureRetentionEnded || e.Full {
			t.Fatalf("execution %s: %+v", name, e)
		}
	}

	// A second sweep over the same deadlines starts nothing new, and counts
	// what was started before as started.
	again, err := h.Handle(context.Background(), Input{ScheduledTime: scheduled})
	if err != nil || again.Started != want || len(wf.started) != want {
		t.Fatalf("second sweep: %+v %v, %d executions", again, err, len(wf.started))
	}
}

func TestARetriedArtifactGetsANewExecutionName(t *testing.T) {
	d := due(1, scheduled.Add(-time.Hour))
	d[0].Failures, d[0].Reason = 1, consent.ErasureWithdrawn
	st := &fakeStore{shards: map[int][]store.DueArtifact{0: d}}
	wf := &fakeWorkflows{started: map[string]workflow.Erasure{}}
	if _, err := newHandler(st, wf).Handle(context.Background(), Input{ScheduledTime: scheduled}); err != nil {
		t.Fatal(err)
	}
	name := "erase-" + d[0].ArtifactID + "-" + strconv.FormatInt(d[0].DeleteBy.Unix(), 10) + "-r1"
	if e, ok := wf.started[name]; !ok || e.Reason != consent.ErasureWithdrawn {
		t.Fatalf("executions %v, want %s keeping the first reason", wf.started, name)
	}
}

func TestAStalledRequestToEraseEverythingIsRestartedAndAnOverdueOneCounted(t *testing.T) {
	old := store.ErasureRequest{CandidateID: consent.NewID(), RequestedAt: scheduled.Add(-26 * 24 * time.Hour)}
	recent := store.ErasureRequest{CandidateID: consent.NewID(), RequestedAt: scheduled.Add(-2 * time.Hour)}
	left := due(1, old.RequestedAt)
	left[0].CandidateID = old.CandidateID
	st := &fakeStore{shards: map[int][]store.DueArtifact{4: left}, open: []store.ErasureRequest{old, recent}}
	wf := &fakeWorkflows{started: map[string]workflow.Erasure{}}
	out, err := newHandler(st, wf).Handle(context.Background(), Input{ScheduledTime: scheduled})
	if err != nil {
		t.Fatal(err)
	}
	if out.Stalled != 2 || out.Overdue != 1 || !st.before.Equal(scheduled.Add(-StalledAfter)) {
		t.Fatalf("%+v, open erasures read before %v", out, st.before)
	}
	full := 0
	for name, e := range wf.started {
		if !e.Full {
			continue
		}
		full++
		if e.CandidateID == old.CandidateID && (len(e.ArtifactIDs) != 1 || e.ArtifactIDs[0] != left[0].ArtifactID) {
			t.Fatalf("%s: %+v, want the artifact still due", name, e)
		}
	}
	if full != 2 {
		t.Fatalf("%d full erasures restarted, want 2", full)
	}
}

func TestAFailedStartFailsTheRunForSchedulerToRetry(t *testing.T) {
	st := &fakeStore{shards: map[int][]store.DueArtifact{0: due(2, scheduled)}}
	wf := &fakeWorkflows{started: map[string]workflow.Erasure{}, fail: errors.New("ServiceUnavailable")}
	out, err := newHandler(st, wf).Handle(context.Background(), Input{ScheduledTime: scheduled})
	if err == nil || out.Due != 2 || out.Started != 0 {
		t.Fatalf("%+v %v, want an error and nothing started", out, err)
	}
	if _, err := newHandler(st, wf).Handle(context.Background(), Input{}); err == nil {
		t.Fatal("a run without its scheduled time was accepted")
	}
}
