package main

import (
	"context"
	"encoding/json"
	"html"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"

	"github.com/consentflow/consentflow/shared/consent"
	"github.com/consentflow/consentflow/shared/httpapi"
	"github.com/consentflow/consentflow/shared/locale"
	"github.com/consentflow/consentflow/shared/store"
	"github.com/consentflow/consentflow/shared/store/storetest"
)

var (
	now    = time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)
	policy = consent.Policy{
		Controller: "ACME s.r.o.", ControllerContact: "privacy@acme.example", NoticeVersion: "2026-11-01",
		NoticeURL: "https://acme.example/privacy", PublicBaseURL: "https://consent.acme.example", LinkValidity: 30 * 24 * time.Hour,
		Retention: map[consent.Purpose]time.Duration{consent.InterviewRecording: 180 * 24 * time.Hour},
	}
)

// tasks stands in for Step Functions: the answers handed to waiting tasks.
type tasks struct{ tokens, outputs []string }

func (w *tasks) SendTaskSuccess(_ context.Context, in *sfn.SendTaskSuccessInput, _ ...func(*sfn.Options)) (*sfn.SendTaskSuccessOutput, error) {
	w.tokens = append(w.tokens, aws.ToString(in.TaskToken))
	w.outputs = append(w.outputs, aws.ToString(in.Output))
	return &sfn.SendTaskSuccessOutput{}, nil
}

// erasures stands in for the erasure workflow's starter.
type erasures struct{ started []store.DueArtifact }

func (e *erasures) Artifacts(_ context.Context, due []store.DueArtifact, _ string) (int, error) {
	e.started = append(e.started, due...)
	return len(due), nil
}

type key string

func (k key) Value(context.Context) ([]byte, error) { return []byte(k), nil }

type fixture struct {
	s     *store.Store
	c     consent.Candidate
	req   consent.Request
	token string
	wf    *tasks
	er    *erasures
	h     *Handler
}

// join stores a Czech-speaking candidate, a pending request about
// recording the interview whose workflow waits with task token "task-join",
// and a join-time link to it valid for two hours.
func join(t *testing.T, s *store.Store, c consent.Candidate) *fixture {
	t.Helper()
	ctx := context.Background()
	req := policy.NewRequest(consent.NewID(), c.ID, "recruiter-1", []consent.Purpose{consent.InterviewRecording}, now)
	if _, err := s.RecordRequest(ctx, req); err != nil {
		t.Fatal(err)
	}
	if err := s.AttachLink(ctx, req.ID, consent.HashLinkToken(consent.NewLinkToken()), "task-join"); err != nil {
		t.Fatal(err)
	}
	token := consent.NewLinkToken()
	if err := s.MintJoinLink(ctx, consent.HashLinkToken(token), store.JoinLink{CandidateID: c.ID, RequestID: req.ID,
		Purpose: consent.InterviewRecording, IssuedAt: now, ExpiresAt: now.Add(2 * time.Hour)}); err != nil {
		t.Fatal(err)
	}
	f := &fixture{s: s, c: c, req: req, token: token, wf: &tasks{}, er: &erasures{}}
	f.h = &Handler{Store: s, Workflows: f.wf, Erasure: f.er, NetworkKey: key("network-key"), Policy: policy,
		Log: slog.New(slog.DiscardHandler), Now: func() time.Time { return now.Add(time.Hour) }}
	return f
}

func candidate(t *testing.T) (*store.Store, consent.Candidate) {
	t.Helper()
	s, _ := storetest.New(t)
	c, _ := consent.NewCandidate("Jana Nováková", "jana@example.com", "cs", now)
	if _, _, err := s.CreateCandidate(context.Background(), c, ""); err != nil {
		t.Fatal(err)
	}
	return s, c
}

// post is the page's form posted by a browser from 192.0.2.77.
func post(token, body string) httpapi.Request {
	return httpapi.Request{RawPath: "/j/" + token, PathParameters: map[string]string{"token": token}, Body: body,
		Headers: map[string]string{"accept": "text/html", "content-type": "application/x-www-form-urlencoded", "accept-language": "en"},
		RequestContext: events.APIGatewayV2HTTPRequestContext{HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{
			Method: "POST", Path: "/j/" + token, SourceIP: "192.0.2.77", UserAgent: "Mozilla/5.0 (Android 15)"}},
	}
}

func (f *fixture) state(t *testing.T) consent.State {
	t.Helper()
	cs, err := f.s.Consents(context.Background(), f.c.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cs {
		if c.Purpose == consent.InterviewRecording {
			return c.State
		}
	}
	return ""
}

func (f *fixture) events(t *testing.T) []consent.Event {
	t.Helper()
	evs, err := f.s.Events(context.Background(), f.c.ID)
	if err != nil {
		t.Fatal(err)
	}
	return evs
}

// Record is a grant, recorded with its event (in the language the page was
// read in, with a keyed hash of the network and never the address), handed
// to the waiting workflow, and answered 303 back to the page. A second
// post (a double tap, a retry) is 409 and records nothing more.
func TestRecordIsAGrantRecordedOnce(t *testing.T) {
	s0, c0 := candidate(t)
	f := join(t, s0, c0)
	res, err := f.h.Handle(context.Background(), post(f.token, "decision=record"))
	if err != nil || res.StatusCode != http.StatusSeeOther || res.Headers["Location"] != "/j/"+f.token+"?lang=cs" {
		t.Fatalf("%d %v %v: %s", res.StatusCode, err, res.Headers, res.Body)
	}
	if st := f.state(t); st != consent.Given {
		t.Fatalf("consent %s, want given", st)
	}
	evs := f.events(t)
	e := evs[len(evs)-1]
	if e.Type != consent.EventGiven || e.Purpose != consent.InterviewRecording || e.RequestID != f.req.ID || e.Language != "cs" ||
		e.Actor != "candidate" || e.IPHash == "" || strings.Contains(e.IPHash, "192.0.2") || e.UserAgent != "Mozilla/5.0 (Android 15)" {
		t.Fatalf("event %+v", e)
	}
	if len(f.wf.tokens) != 1 || f.wf.tokens[0] != "task-join" || !strings.Contains(f.wf.outputs[0], `"given"`) {
		t.Fatalf("handed over %v %v", f.wf.tokens, f.wf.outputs)
	}

	again, _ := f.h.Handle(context.Background(), post(f.token, "decision=dont"))
	m := locale.For("cs")
	if again.StatusCode != http.StatusConflict || !strings.Contains(html.UnescapeString(again.Body), m.AlreadyAnswered) {
		t.Fatalf("a second answer: %d %s", again.StatusCode, again.Body)
	}
	if st := f.state(t); st != consent.Given || len(f.events(t)) != len(evs) || len(f.wf.tokens) != 1 {
		t.Fatalf("after a second answer: %s, %d events (was %d), %d hand-overs", st, len(f.events(t)), len(evs), len(f.wf.tokens))
	}
}

// Don't record is a refusal; where the candidate had consented before, it
// is a withdrawal, and the recording that consent alone kept is erased at
// once.
func TestDontRecordRefusesOrWithdraws(t *testing.T) {
	s0, c0 := candidate(t)
	f := join(t, s0, c0)
	if res, _ := f.h.Handle(context.Background(), post(f.token, "decision=dont")); res.StatusCode != http.StatusSeeOther || f.state(t) != consent.Refused {
		t.Fatalf("a refusal: %d, consent %s", res.StatusCode, f.state(t))
	}
	if len(f.er.started) != 0 {
		t.Fatalf("erasures started %+v", f.er.started)
	}

	s, c := candidate(t)
	ctx := context.Background()
	before := policy.NewRequest(consent.NewID(), c.ID, "recruiter-1", []consent.Purpose{consent.InterviewRecording}, now.Add(-24*time.Hour))
	if _, err := s.RecordRequest(ctx, before); err != nil {
		t.Fatal(err)
	}
	if _, err := s.RecordDecision(ctx, before, []consent.Decision{{Purpose: consent.InterviewRecording, Grant: true}}, consent.Evidence{}, before.CreatedAt); err != nil {
		t.Fatal(err)
	}
	id := consent.NewID()
	gate, err := s.AuthorizeRecording(ctx, consent.Artifact{ID: id, CandidateID: c.ID, Kind: consent.KindRecording, Status: consent.ArtifactAuthorized,
		Bucket: "consentflow-recordings", Key: store.ArtifactKey(consent.KindRecording, c.ID, id), RecordingKind: "interview",
		Purpose: consent.InterviewRecording, Reference: "meet/1", AuthorizedBy: "recruiter-1", AuthorizedAt: now, UploadExpires: now.Add(time.Hour)}, policy.NoticeVersion)
	if err != nil || gate.Gate != consent.GateAuthorized {
		t.Fatalf("gate %+v %v", gate, err)
	}
	w := join(t, s, c)
	if res, _ := w.h.Handle(ctx, post(w.token, "decision=dont")); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("a withdrawal: %d %s", res.StatusCode, res.Body)
	}
	evs := w.events(t)
	if st := w.state(t); st != consent.Withdrawn || evs[len(evs)-1].Type != consent.EventWithdrawn {
		t.Fatalf("consent %s, last event %s", st, evs[len(evs)-1].Type)
	}
	if len(w.er.started) != 1 || w.er.started[0].ArtifactID != id {
		t.Fatalf("erasures started %+v, want the recording %s", w.er.started, id)
	}
}

// What is not an answer to a live link records nothing and hands nothing
// over: a form without a decision or with two, a JSON body, an expired, an
// unknown or a malformed link. Browsers get the page, others the problem.
func TestWhatIsNoAnswerRecordsNothing(t *testing.T) {
	s0, c0 := candidate(t)
	f := join(t, s0, c0)
	ctx := context.Background()
	late := *f.h
	late.Now = func() time.Time { return now.Add(2 * time.Hour) }
	json415 := post(f.token, `{"decision":"record"}`)
	json415.Headers["content-type"] = "application/json"
	for name, tt := range map[string]struct {
		h      *Handler
		req    httpapi.Request
		status int
		slug   string
	}{
		"no decision":    {f.h, post(f.token, "decision=maybe"), http.StatusUnprocessableEntity, "invalid-input"},
		"two decisions":  {f.h, post(f.token, "decision=record&decision=dont"), http.StatusUnprocessableEntity, "invalid-input"},
		"not a form":     {f.h, post(f.token, "%zz"), http.StatusUnprocessableEntity, "invalid-input"},
		"a JSON body":    {f.h, json415, http.StatusUnsupportedMediaType, "unsupported-media-type"},
		"too late":       {&late, post(f.token, "decision=record"), http.StatusGone, "link-expired"},
		"unknown link":   {f.h, post(consent.NewLinkToken(), "decision=record"), http.StatusNotFound, "not-found"},
		"malformed link": {f.h, post("x", "decision=record"), http.StatusNotFound, "not-found"},
	} {
		t.Run(name, func(t *testing.T) {
			res, err := tt.h.Handle(ctx, tt.req)
			if err != nil || res.StatusCode != tt.status || !strings.Contains(res.Body, "<html") {
				t.Fatalf("as a page: %d %v %s", res.StatusCode, err, res.Body)
			}
			api := tt.req
			api.Headers = map[string]string{}
			for k, v := range tt.req.Headers {
				api.Headers[k] = v
			}
			api.Headers["accept"] = "application/json"
			res, _ = tt.h.Handle(ctx, api)
			var p httpapi.Problem
			if err := json.Unmarshal([]byte(res.Body), &p); err != nil || res.StatusCode != tt.status || p.Type != httpapi.ProblemType(tt.slug) {
				t.Fatalf("as a problem: %d %s, want %d %s", res.StatusCode, res.Body, tt.status, tt.slug)
			}
		})
	}
	if st := f.state(t); st != consent.Requested || len(f.wf.tokens) != 0 {
		t.Fatalf("consent %s, %d hand-overs", st, len(f.wf.tokens))
	}
}
