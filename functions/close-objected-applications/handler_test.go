package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"

	"github.com/consentflow/consentflow/shared/consent"
	"github.com/consentflow/consentflow/shared/mail"
	"github.com/consentflow/consentflow/shared/store"
)

// fakeStore holds rights requests; an upheld objection leaves the open list.
type fakeStore struct {
	requests []consent.RightsRequest
	reads    []time.Time
	upheldAt []time.Time
	fail     error
}

func (f *fakeStore) OpenRights(_ context.Context, list string, until time.Time, _ int32) ([]consent.RightsRequest, error) {
	f.reads = append(f.reads, until)
	var out []consent.RightsRequest
	for _, r := range f.requests {
		if r.Status != consent.RightsOpen {
			continue
		}
		switch {
		case list == store.OpenObjectionsList && r.Kind == consent.RightObjection && !r.GraceEnds.After(until),
			list == store.OpenRectificationsList && r.Kind == consent.RightRectification && !r.RequestedAt.After(until):
			out = append(out, r)
		}
	}
	return out, nil
}

func (f *fakeStore) UpholdObjection(_ context.Context, candidateID, id string, at time.Time) (store.Decision, error) {
	if f.fail != nil {
		return store.Decision{}, f.fail
	}
	c := consent.Candidate{ID: candidateID, Email: candidateID + "@example.com", Locale: "de"}
	for i, r := range f.requests {
		if r.ID != id {
			continue
		}
		if r.Status != consent.RightsOpen {
			return store.Decision{Request: r, Candidate: c}, nil
		}
		f.upheldAt = append(f.upheldAt, at)
		f.requests[i].Status = consent.RightsUpheld
		return store.Decision{Request: f.requests[i], Candidate: c, Recorded: true}, nil
	}
	return store.Decision{}, &consent.NotFoundError{What: "objection", ID: id}
}

type fakeSES struct{ sent []*sesv2.SendEmailInput }

func (f *fakeSES) SendEmail(_ context.Context, in *sesv2.SendEmailInput, _ ...func(*sesv2.Options)) (*sesv2.SendEmailOutput, error) {
	f.sent = append(f.sent, in)
	return &sesv2.SendEmailOutput{MessageId: aws.String("msg-1")}, nil
}

var scheduled = time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)

func objection(id string, asked time.Time) consent.RightsRequest {
	ends := asked.Add(30 * 24 * time.Hour)
	return consent.RightsRequest{ID: id, CandidateID: "CAND-" + id, Kind: consent.RightObjection, Status: consent.RightsOpen,
		ApplicationID: "APP-" + id, RequestedAt: asked, GraceEnds: &ends}
}

func newHandler(st *fakeStore, ses *fakeSES, logs io.Writer) *Handler {
	policy := consent.Policy{Controller: "Example Recruiting Ltd", ControllerContact: "privacy@example.com"}
	return &Handler{Store: st, Mail: mail.New(ses, "consent@example.com", policy), Grace: 30 * 24 * time.Hour,
		Log: slog.New(slog.NewJSONHandler(logs, nil)), Now: func() time.Time { return scheduled.Add(time.Minute) }}
}

func TestObjectionsPastTheirGracePeriodAreUpheldAtTheScheduledTimeAndEmailedOnce(t *testing.T) {
	st := &fakeStore{requests: []consent.RightsRequest{
		objection("ENDED", scheduled.Add(-31*24*time.Hour)),
		objection("WAITING", scheduled.Add(-10*24*time.Hour)),
	}}
	ses := &fakeSES{}
	h := newHandler(st, ses, io.Discard)
	out, err := h.Handle(context.Background(), Input{ScheduledTime: scheduled})
	if err != nil {
		t.Fatal(err)
	}
	if out.Due != 1 || out.Closed != 1 || out.Emailed != 1 {
		t.Fatalf("out = %+v, want one objection due, closed and emailed", out)
	}
	if len(st.upheldAt) != 1 || !st.upheldAt[0].Equal(scheduled) {
		t.Errorf("upheld at %v, want the scheduled time %v", st.upheldAt, scheduled)
	}
	if st.requests[1].Status != consent.RightsOpen {
		t.Errorf("an objection within its grace period was %s", st.requests[1].Status)
	}
	if got := ses.sent[0].Destination.ToAddresses[0]; got != "CAND-ENDED@example.com" {
		t.Errorf("emailed %s", got)
	}
	if body := aws.ToString(ses.sent[0].Content.Simple.Body.Text.Data); !strings.Contains(body, "Widerspruch") {
		t.Errorf("the email is not the candidate's language (de):\n%s", body)
	}

	// A rerun of the same schedule upholds nothing more and emails no one.
	out, err = h.Handle(context.Background(), Input{ScheduledTime: scheduled})
	if err != nil {
		t.Fatal(err)
	}
	if out.Closed != 0 || out.Emailed != 0 || len(ses.sent) != 1 {
		t.Errorf("rerun: out = %+v, %d emails, want nothing done again", out, len(ses.sent))
	}
}

func TestOverdueRightsRequestsAreLoggedAsAMetric(t *testing.T) {
	st := &fakeStore{requests: []consent.RightsRequest{
		objection("OLD", scheduled.Add(-26*24*time.Hour)), // grace ends in 4 days: open, overdue
		objection("NEW", scheduled.Add(-2*24*time.Hour)),
		{ID: "R1", CandidateID: "C1", Kind: consent.RightRectification, Status: consent.RightsOpen, RequestedAt: scheduled.Add(-26 * 24 * time.Hour)},
		{ID: "R2", CandidateID: "C2", Kind: consent.RightRectification, Status: consent.RightsOpen, RequestedAt: scheduled.Add(-24 * 24 * time.Hour)},
	}}
	var logs bytes.Buffer
	out, err := newHandler(st, &fakeSES{}, &logs).Handle(context.Background(), Input{ScheduledTime: scheduled})
	if err != nil {
		t.Fatal(err)
	}
	if out.Overdue != 2 || out.Closed != 0 {
		t.Errorf("out = %+v, want 2 overdue and nothing closed", out)
	}
	for _, want := range []string{`"OverdueRightsRequests":2`, `"CloudWatchMetrics"`, `"Name":"OverdueRightsRequests"`} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("log lacks %s:\n%s", want, logs.String())
		}
	}
	if strings.Contains(logs.String(), "@example.com") {
		t.Errorf("the log names an email address:\n%s", logs.String())
	}
}

func TestAFailedUpholdFailsTheRunAndIsLeftForTheNext(t *testing.T) {
	st := &fakeStore{requests: []consent.RightsRequest{objection("ENDED", scheduled.Add(-31*24*time.Hour))}, fail: errors.New("throttled")}
	ses := &fakeSES{}
	if _, err := newHandler(st, ses, io.Discard).Handle(context.Background(), Input{ScheduledTime: scheduled}); err == nil {
		t.Fatal("a failed uphold did not fail the run")
	}
	if len(ses.sent) != 0 || st.requests[0].Status != consent.RightsOpen {
		t.Errorf("emailed %d, status %s", len(ses.sent), st.requests[0].Status)
	}
}

func TestTheScheduledTimeIsRequired(t *testing.T) {
	if _, err := newHandler(&fakeStore{}, &fakeSES{}, io.Discard).Handle(context.Background(), Input{}); err == nil {
		t.Fatal("no error without a scheduled time")
	}
}
