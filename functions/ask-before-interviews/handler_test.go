package main

import (
	"context"
	"fmt"
	"log/slog"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"github.com/consentflow/consentflow/shared/consent"
	"github.com/consentflow/consentflow/shared/store"
)

type fakeStore struct {
	due      []store.Interview
	consents map[string][]consent.Consent
	until    time.Time
	asked    []string
}

func (f *fakeStore) InterviewsToAsk(_ context.Context, shard int, until time.Time, _ int32, _ map[string]types.AttributeValue) ([]store.Interview, map[string]types.AttributeValue, error) {
	f.until = until
	var out []store.Interview
	for _, iv := range f.due {
		if store.AskShard(iv.CandidateID) == fmt.Sprintf("ASK#%d", shard) {
			out = append(out, iv)
		}
	}
	return out, nil, nil
}

func (f *fakeStore) Consents(_ context.Context, id string) ([]consent.Consent, error) {
	return f.consents[id], nil
}

func (f *fakeStore) InterviewAsked(_ context.Context, iv store.Interview) error {
	f.asked = append(f.asked, iv.ID)
	return nil
}

type fakeWorkflows struct{ names map[string]bool }

func (f *fakeWorkflows) StartExecution(_ context.Context, in *sfn.StartExecutionInput, _ ...func(*sfn.Options)) (*sfn.StartExecutionOutput, error) {
	if f.names[aws.ToString(in.Name)] {
		return nil, &sfntypes.ExecutionAlreadyExists{}
	}
	f.names[aws.ToString(in.Name)] = true
	return &sfn.StartExecutionOutput{}, nil
}

// The day before an interview the candidate is asked once, by the
// schedule's time; consent given under the current notice asks nothing.
func TestCandidatesAreAskedTheDayBeforeOnce(t *testing.T) {
	at := time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)
	asked, known := consent.NewID(), consent.NewID()
	st := &fakeStore{
		due:      []store.Interview{{ID: consent.NewID(), CandidateID: asked, At: at, ScheduledBy: "r-1"}, {ID: consent.NewID(), CandidateID: known, At: at}},
		consents: map[string][]consent.Consent{known: {{CandidateID: known, Purpose: consent.InterviewRecording, State: consent.Given, NoticeVersion: "v1"}}},
	}
	wf := &fakeWorkflows{names: map[string]bool{}}
	h := &Handler{Store: st, Workflows: wf, StateMachineArn: "arn", NoticeVersion: "v1", Log: slog.New(slog.DiscardHandler)}
	scheduled := at.Add(-23 * time.Hour)
	out, err := h.Handle(context.Background(), Input{ScheduledTime: scheduled})
	if err != nil || out.Due != 2 || out.Started != 1 || out.Known != 1 || !wf.names[ExecutionName(st.due[0].ID)] || !st.until.Equal(scheduled) || len(st.asked) != 2 {
		t.Fatalf("%+v %v; started %v; until %v; asked %v", out, err, wf.names, st.until, st.asked)
	}
	if out, err := h.Handle(context.Background(), Input{ScheduledTime: scheduled}); err != nil || len(wf.names) != 1 {
		t.Fatalf("a second sweep: %+v %v, started %v", out, err, wf.names)
	}
	if _, err := h.Handle(context.Background(), Input{}); err == nil {
		t.Fatal("no scheduled time: want an error")
	}
}
