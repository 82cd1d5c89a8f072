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
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"github.com/consentflow/consentflow/shared/consent"
	"github.com/consentflow/consentflow/shared/store"
	"github.com/consentflow/consentflow/shared/workflow"
)

// fakeStore is the renewal index: consents by shard, removed once their
// renewal is requested.
type fakeStore struct {
	index   map[int][]store.Renewal
	queried []time.Time
	fail    error
}

func (f *fakeStore) RenewalsDue(_ context.Context, shard int, until time.Time, limit int32, start map[string]types.AttributeValue) ([]store.Renewal, map[string]types.AttributeValue, error) {
	f.queried = append(f.queried, until)
	if f.fail != nil {
		return nil, nil, f.fail
	}
	// Pages continue after the last key returned, as DynamoDB's do (the
	// tests keep each shard in renewAt order, one consent per time).
	var after time.Time
	if start != nil {
		after, _ = time.Parse(time.RFC3339Nano, start["renewAt"].(*types.AttributeValueMemberS).Value)
	}
	var due []store.Renewal
	for _, r := range f.index[shard] {
		if !r.RenewAt.After(until) && (start == nil || r.RenewAt.After(after)) {
			due = append(due, r)
		}
	}
	if len(due) <= int(limit) {
		return due, nil, nil
	}
	due = due[:limit]
	return due, map[string]types.AttributeValue{"renewAt": &types.AttributeValueMemberS{Value: due[len(due)-1].RenewAt.Format(time.RFC3339Nano)}}, nil
}

func (f *fakeStore) RenewalRequested(_ context.Context, r store.Renewal) (bool, error) {
	for shard, list := range f.index {
		for i, it := range list {
			if it.CandidateID == r.CandidateID && it.ExpiresAt.Equal(r.ExpiresAt) {
				f.index[shard] = append(list[:i:i], list[i+1:]...)
				return true, nil
			}
		}
	}
	return false, nil
}

// fakeWorkflows refuses a second execution of one name, as Step Functions
// does once the first has closed.
type fakeWorkflows struct {
	started map[string]workflow.ConsentRequest
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
	var req workflow.ConsentRequest
	if err := json.Unmarshal([]byte(aws.ToString(in.Input)), &req); err != nil {
		return nil, err
	}
	f.started[name] = req
	return &sfn.StartExecutionOutput{}, nil
}

var scheduled = time.Date(2028, 10, 28, 0, 0, 0, 0, time.UTC)

func renewal(candidate string, expires time.Time) store.Renewal {
	return store.Renewal{CandidateID: candidate, Purpose: consent.TalentPool, ExpiresAt: expires, RenewAt: expires.Add(-store.RenewalLead)}
}

func newHandler(st *fakeStore, wf *fakeWorkflows) *Handler {
	return &Handler{Store: st, Workflows: wf, StateMachineArn: "arn:aws:states:us-east-1:000000000000:stateMachine:consent-request",
		Log: slog.New(slog.NewJSONHandler(io.Discard, nil))}
}

func TestTheSweepStartsOneRenewalPerDueConsentAndASecondSweepNone(t *testing.T) {
	soon := scheduled.Add(20 * 24 * time.Hour)  // renewal due 10 days ago
	later := scheduled.Add(40 * 24 * time.Hour) // renewal due in 10 days
	st := &fakeStore{index: map[int][]store.Renewal{
		3:  {renewal("CAND1", soon)},
		15: {renewal("CAND2", later)},
	}}
	wf := &fakeWorkflows{started: map[string]workflow.ConsentRequest{}}
	h := newHandler(st, wf)
	out, err := h.Handle(context.Background(), Input{ScheduledTime: scheduled})
	if err != nil {
		t.Fatal(err)
	}
	if out != (Output{Due: 1, Started: 1}) || len(st.queried) != store.RenewalShards {
		t.Fatalf("%+v after %d queries; want one renewal from 16 shards", out, len(st.queried))
	}
	for _, q := range st.queried {
		if !q.Equal(scheduled) {
			t.Fatalf("queried until %v, want the scheduled time", q)
		}
	}
	name := fmt.Sprintf("renew-CAND1-%d", soon.Unix())
	req, ok := wf.started[name]
	if !ok || req.CandidateID != "CAND1" || len(req.Purposes) != 1 || req.Purposes[0] != consent.TalentPool ||
		req.RenewsUntil == nil || !req.RenewsUntil.Equal(soon) || req.RequestedBy != consent.ActorWorkflow || req.RequestID == "" {
		t.Fatalf("started %+v", wf.started)
	}
	if len(st.index[3]) != 0 || len(st.index[15]) != 1 {
		t.Fatalf("index after the sweep: %+v", st.index)
	}

	// A second sweep finds nothing due.
	out, err = h.Handle(context.Background(), Input{ScheduledTime: scheduled})
	if err != nil || out != (Output{}) || len(wf.started) != 1 {
		t.Fatalf("second sweep: %+v %v, %d started", out, err, len(wf.started))
	}
}

// A start whose removal from the index failed is found again: the second
// start is refused by name, and the consent is taken off the index.
func TestARenewalStartedBeforeIsNotStartedAgain(t *testing.T) {
	expires := scheduled.Add(24 * time.Hour)
	st := &fakeStore{index: map[int][]store.Renewal{0: {renewal("CAND1", expires)}}}
	wf := &fakeWorkflows{started: map[string]workflow.ConsentRequest{ExecutionName("CAND1", expires): {}}}
	out, err := newHandler(st, wf).Handle(context.Background(), Input{ScheduledTime: scheduled})
	if err != nil || out != (Output{Due: 1, Started: 1}) || len(st.index[0]) != 0 || len(wf.started) != 1 {
		t.Fatalf("%+v %v, index %+v", out, err, st.index)
	}
}

func TestExpiredConsentIsTakenOffWithoutARenewal(t *testing.T) {
	st := &fakeStore{index: map[int][]store.Renewal{0: {renewal("CAND1", scheduled.Add(-time.Hour))}}}
	wf := &fakeWorkflows{started: map[string]workflow.ConsentRequest{}}
	out, err := newHandler(st, wf).Handle(context.Background(), Input{ScheduledTime: scheduled})
	if err != nil || out != (Output{Due: 1, Lapsed: 1}) || len(wf.started) != 0 || len(st.index[0]) != 0 {
		t.Fatalf("%+v %v, started %+v", out, err, wf.started)
	}
}

func TestAFailedStartFailsTheSweepAndKeepsTheConsentListed(t *testing.T) {
	st := &fakeStore{index: map[int][]store.Renewal{0: {renewal("CAND1", scheduled.Add(24*time.Hour))}}}
	wf := &fakeWorkflows{started: map[string]workflow.ConsentRequest{}, fail: errors.New("service unavailable")}
	out, err := newHandler(st, wf).Handle(context.Background(), Input{ScheduledTime: scheduled})
	if err == nil || out.Failed != 1 || len(st.index[0]) != 1 {
		t.Fatalf("%+v %v; want the failure reported and the consent still listed", out, err)
	}
}

func TestTheSweepPagesThroughAShard(t *testing.T) {
	st := &fakeStore{index: map[int][]store.Renewal{}}
	for i := range PageSize + 5 {
		st.index[7] = append(st.index[7], renewal(fmt.Sprint("CAND", i), scheduled.Add(time.Duration(i+1)*time.Hour)))
	}
	wf := &fakeWorkflows{started: map[string]workflow.ConsentRequest{}}
	out, err := newHandler(st, wf).Handle(context.Background(), Input{ScheduledTime: scheduled})
	if err != nil || out.Started != PageSize+5 || len(wf.started) != PageSize+5 {
		t.Fatalf("%+v %v; want every renewal of the shard", out, err)
	}
}

func TestTheSweepNeedsTheScheduledTime(t *testing.T) {
	st := &fakeStore{index: map[int][]store.Renewal{0: {renewal("CAND1", scheduled)}}}
	_, err := newHandler(st, &fakeWorkflows{started: map[string]workflow.ConsentRequest{}}).Handle(context.Background(), Input{})
	var v *consent.ValidationError
	if !errors.As(err, &v) || len(st.queried) != 0 {
		t.Fatalf("err %v after %d queries; want a validation error and no query", err, len(st.queried))
	}
}
