package main

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"

	"github.com/consentflow/consentflow/shared/consent"
	"github.com/consentflow/consentflow/shared/mail"
	"github.com/consentflow/consentflow/shared/store"
)

// fakeStore is the due index, by shard; it answers a page of one item at a
// time, so that the handler has to page.
type fakeStore struct {
	index   map[int][]store.PendingErasure
	windows [][2]time.Time
}

func (f *fakeStore) DueBetween(_ context.Context, shard int, after, until time.Time, _ int32, start map[string]types.AttributeValue) ([]store.PendingErasure, map[string]types.AttributeValue, error) {
	f.windows = append(f.windows, [2]time.Time{after, until})
	var due []store.PendingErasure
	for _, p := range f.index[shard] {
		if p.DeleteBy.After(after) && !p.DeleteBy.After(until) {
			due = append(due, p)
		}
	}
	i := 0
	if start != nil {
		for i < len(due) && due[i].ArtifactID != start["id"].(*types.AttributeValueMemberS).Value {
			i++
		}
		i++
	}
	if i >= len(due) {
		return nil, nil, nil
	}
	var next map[string]types.AttributeValue
	if i+1 < len(due) {
		next = map[string]types.AttributeValue{"id": &types.AttributeValueMemberS{Value: due[i].ArtifactID}}
	}
	return due[i : i+1], next, nil
}

type fakeSES struct {
	sent []*sesv2.SendEmailInput
	fail error
}

func (f *fakeSES) SendEmail(_ context.Context, in *sesv2.SendEmailInput, _ ...func(*sesv2.Options)) (*sesv2.SendEmailOutput, error) {
	if f.fail != nil {
		return nil, f.fail
	}
	f.sent = append(f.sent, in)
	return &sesv2.SendEmailOutput{MessageId: aws.String("msg-1")}, nil
}

var scheduled = time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)

func newHandler(st *fakeStore, ses *fakeSES) *Handler {
	policy := consent.Policy{Controller: "Example Recruiting Ltd", ControllerContact: "privacy@example.com"}
	return &Handler{Store: st, Mailer: mail.New(ses, "consent@example.com", policy), To: "privacy@example.com",
		Window: 7 * 24 * time.Hour, BaseURL: "https://app.example.com", Log: slog.New(slog.NewJSONHandler(io.Discard, nil))}
}

func TestTheDigestListsWhatIsDueWithinTheWindowInOneEmail(t *testing.T) {
	st := &fakeStore{index: map[int][]store.PendingErasure{
		2: {
			{CandidateID: "CAND1", ArtifactID: "CV1", Kind: consent.KindCV, DeleteBy: scheduled.Add(48 * time.Hour)},
			{CandidateID: "CAND1", ArtifactID: "REC1", Kind: consent.KindRecording, DeleteBy: scheduled.Add(50 * time.Hour)},
		},
		9: {
			{CandidateID: "CAND2", ArtifactID: "CV2", Kind: consent.KindCV, DeleteBy: scheduled.Add(6 * 24 * time.Hour)},
			{CandidateID: "CAND3", ArtifactID: "LATE", Kind: consent.KindCV, DeleteBy: scheduled.Add(8 * 24 * time.Hour)},
			{CandidateID: "CAND4", ArtifactID: "PAST", Kind: consent.KindCV, DeleteBy: scheduled},
		},
	}}
	ses := &fakeSES{}
	out, err := newHandler(st, ses).Handle(context.Background(), Input{ScheduledTime: scheduled})
	if err != nil {
		t.Fatal(err)
	}
	if out != (Output{Artifacts: 3, MessageID: "msg-1"}) || len(ses.sent) != 1 {
		t.Fatalf("%+v, %d emails; want one digest of 3 artifacts", out, len(ses.sent))
	}
	for _, w := range st.windows {
		if !w[0].Equal(scheduled) || !w[1].Equal(scheduled.Add(7*24*time.Hour)) {
			t.Fatalf("queried %v; want the week after the scheduled time", w)
		}
	}
	msg := ses.sent[0]
	text := aws.ToString(msg.Content.Simple.Body.Text.Data)
	html := aws.ToString(msg.Content.Simple.Body.Html.Data)
	if msg.Destination.ToAddresses[0] != "privacy@example.com" || html == "" {
		t.Fatalf("sent to %v", msg.Destination.ToAddresses)
	}
	for _, want := range []string{"2026-12-03: 1 CV, 1 recording", "2026-12-07: 1 CV", "https://app.example.com/console/candidates/CAND1", "CV2"} {
		if !strings.Contains(text, want) {
			t.Errorf("digest lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "LATE") || strings.Contains(text, "PAST") {
		t.Errorf("digest lists artifacts outside the window:\n%s", text)
	}
}

func TestNoDigestWhenNothingIsDue(t *testing.T) {
	st := &fakeStore{index: map[int][]store.PendingErasure{
		1: {{CandidateID: "CAND1", ArtifactID: "LATE", Kind: consent.KindCV, DeleteBy: scheduled.Add(30 * 24 * time.Hour)}},
	}}
	ses := &fakeSES{}
	out, err := newHandler(st, ses).Handle(context.Background(), Input{ScheduledTime: scheduled})
	if err != nil || out != (Output{}) || len(ses.sent) != 0 || len(st.windows) != store.DueShards {
		t.Fatalf("%+v %v, %d emails after %d queries; want every shard read and no email", out, err, len(ses.sent), len(st.windows))
	}
}

func TestAFailedSendFailsTheRunSoItIsRetried(t *testing.T) {
	st := &fakeStore{index: map[int][]store.PendingErasure{
		0: {{CandidateID: "CAND1", ArtifactID: "CV1", Kind: consent.KindCV, DeleteBy: scheduled.Add(time.Hour)}},
	}}
	_, err := newHandler(st, &fakeSES{fail: errors.New("throttled")}).Handle(context.Background(), Input{ScheduledTime: scheduled})
	if err == nil {
		t.Fatal("a digest that was not sent succeeded")
	}
}

func TestTheDigestNeedsTheScheduledTime(t *testing.T) {
	st := &fakeStore{}
	_, err := newHandler(st, &fakeSES{}).Handle(context.Background(), Input{})
	var v *consent.ValidationError
	if !errors.As(err, &v) || len(st.windows) != 0 {
		t.Fatalf("err %v; want a validation error and no query", err)
	}
}
