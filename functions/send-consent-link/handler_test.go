package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambda/messages"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"

	"github.com/consentflow/consentflow/shared/consent"
	"github.com/consentflow/consentflow/shared/locale"
	"github.com/consentflow/consentflow/shared/mail"
	"github.com/consentflow/consentflow/shared/store"
	"github.com/consentflow/consentflow/shared/store/storetest"
	"github.com/consentflow/consentflow/shared/workflow"
)

var (
	now    = time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)
	policy = consent.Policy{
		Controller: "ACME s.r.o.", ControllerContact: "privacy@acme.example", NoticeVersion: "2026-11-01",
		NoticeURL: "https://acme.example/privacy", PublicBaseURL: "https://consent.acme.example", LinkValidity: 30 * 24 * time.Hour,
		Retention: map[consent.Purpose]time.Duration{consent.TalentPool: 730 * 24 * time.Hour},
	}
)

// outbox stands in for SES: it keeps what it is handed.
type outbox struct{ sent []*sesv2.SendEmailInput }

func (o *outbox) SendEmail(_ context.Context, in *sesv2.SendEmailInput, _ ...func(*sesv2.Options)) (*sesv2.SendEmailOutput, error) {
	o.sent = append(o.sent, in)
	return &sesv2.SendEmailOutput{MessageId: aws.String(fmt.Sprintf("msg-%d", len(o.sent)))}, nil
}

func (o *outbox) text(i int) string { return *o.sent[i].Content.Simple.Body.Text.Data }
func (o *outbox) html(i int) string { return *o.sent[i].Content.Simple.Body.Html.Data }

// requested stores a French-speaking candidate with two applications, one
// closed, and a pending request about the talent pool.
func requested(t *testing.T) (*store.Store, consent.Candidate, consent.Request) {
	t.Helper()
	ctx := context.Background()
	s, _ := storetest.New(t)
	c, _ := consent.NewCandidate(`Zoé "<b>Bold</b>" Durand`, "zoe@example.com", "fr", now)
	if _, _, err := s.CreateCandidate(ctx, c, ""); err != nil {
		t.Fatal(err)
	}
	for i, position := range []string{"Ingénieure backend", "Stagiaire"} {
		app := consent.Application{ID: consent.NewID(), CandidateID: c.ID, Position: position, Status: consent.ApplicationOpen, OpenedAt: now}
		if err := s.OpenApplication(ctx, app, "recruiter-1"); err != nil {
			t.Fatal(err)
		}
		if i == 1 {
			if _, err := s.CloseApplication(ctx, c.ID, app.ID, "rejected", "recruiter-1", now); err != nil {
				t.Fatal(err)
			}
		}
	}
	req := policy.NewRequest(consent.NewID(), c.ID, "recruiter-1", []consent.Purpose{consent.TalentPool}, now)
	if _, err := s.RecordRequest(ctx, req); err != nil {
		t.Fatal(err)
	}
	return s, c, req
}

func handler(s LinkStore, ses *outbox) *Handler {
	return &Handler{Store: s, Mailer: mail.New(ses, "consent@acme.example", policy), Policy: policy, Log: slog.New(slog.DiscardHandler)}
}

var linkRE = regexp.MustCompile(regexp.QuoteMeta(policy.PublicBaseURL) + `/c/([A-Za-z0-9_-]+)\?lang=([a-z]+)`)

// token returns the consent link's token in an email, and its language.
func token(t *testing.T, text string) (string, string) {
	t.Helper()
	m := linkRE.FindStringSubmatch(text)
	if m == nil {
		t.Fatalf("no consent link in:\n%s", text)
	}
	return m[1], m[2]
}

// The candidate gets their personal link, in their language, naming the
// position of their open application only; the link finds the request,
// which holds the workflow's task token. Only the link's hash is stored.
func TestTheInvitationCarriesTheCandidatesLink(t *testing.T) {
	s, c, req := requested(t)
	ses := &outbox{}
	out, err := handler(s, ses).Handle(context.Background(), Input{RequestID: req.ID, CandidateID: c.ID, TaskToken: "task-1"})
	if err != nil || out.MessageID != "msg-1" || len(ses.sent) != 1 {
		t.Fatalf("%+v %v, %d emails", out, err, len(ses.sent))
	}
	m := locale.For("fr")
	text := ses.text(0)
	tok, lang := token(t, text)
	if lang != "fr" || ses.sent[0].Destination.ToAddresses[0] != c.Email || *ses.sent[0].Content.Simple.Subject.Data != fmt.Sprintf(m.InviteSubject, policy.Controller) {
		t.Fatalf("to %v, subject %q, lang %q", ses.sent[0].Destination.ToAddresses, *ses.sent[0].Content.Simple.Subject.Data, lang)
	}
	if !strings.Contains(text, fmt.Sprintf(m.InvitePosition, "Ingénieure backend")) || strings.Contains(text, "Stagiaire") {
		t.Fatalf("positions named:\n%s", text)
	}
	if !strings.Contains(text, policy.PublicBaseURL+"/m/") {
		t.Fatalf("no manage link:\n%s", text)
	}
	if html := ses.html(0); strings.Contains(html, "<b>Bold</b>") || !strings.Contains(html, "&lt;b&gt;Bold&lt;/b&gt;") {
		t.Fatalf("the name is not escaped in the HTML:\n%s", html)
	}
	got, who, err := s.RequestByLink(context.Background(), consent.HashLinkToken(tok), now)
	if err != nil || got.ID != req.ID || who.ID != c.ID || got.TaskToken != "task-1" || got.LinkHash != consent.HashLinkToken(tok) {
		t.Fatalf("the link finds %+v %v", got, err)
	}
}

// A retried step sends a new link that replaces the first: the first no
// longer opens the request, and the task token is the retry's.
func TestARetrySendsALinkThatReplacesTheFirst(t *testing.T) {
	s, c, req := requested(t)
	ses := &outbox{}
	h := handler(s, ses)
	ctx := context.Background()
	for _, task := range []string{"task-1", "task-2"} {
		if _, err := h.Handle(ctx, Input{RequestID: req.ID, CandidateID: c.ID, TaskToken: task}); err != nil {
			t.Fatal(err)
		}
	}
	first, _ := token(t, ses.text(0))
	second, _ := token(t, ses.text(1))
	if first == second {
		t.Fatal("the retry sent the same link")
	}
	if _, _, err := s.RequestByLink(ctx, consent.HashLinkToken(first), now); !errors.As(err, new(*consent.NotFoundError)) {
		t.Fatalf("the first link: %v, want it gone", err)
	}
	if got, _, err := s.RequestByLink(ctx, consent.HashLinkToken(second), now); err != nil || got.TaskToken != "task-2" {
		t.Fatalf("the second link: %+v %v", got, err)
	}
}

// Failures are typed for the workflow's Retry and Catch, and send nothing:
// a step without its input, an unknown request, a request answered already
// and a candidate erased meanwhile.
func TestFailuresAreTypedAndSendNothing(t *testing.T) {
	s, c, req := requested(t)
	ctx := context.Background()

	answered := policy.NewRequest(consent.NewID(), c.ID, "recruiter-1", []consent.Purpose{consent.TalentPool}, now)
	if _, err := s.RecordRequest(ctx, answered); err != nil {
		t.Fatal(err)
	}
	if _, err := s.RecordDecision(ctx, answered, []consent.Decision{{Purpose: consent.TalentPool, Grant: true}}, consent.Evidence{}, now); err != nil {
		t.Fatal(err)
	}

	s2, gone, goneReq := requested(t)
	if _, err := s2.RequestErasure(ctx, gone.ID, "candidate_request", "recruiter-1", "recruiter", now); err != nil {
		t.Fatal(err)
	}
	if done, err := s2.EraseProfile(ctx, gone.ID, now); err != nil || !done {
		t.Fatalf("erase: %v %v", done, err)
	}

	for name, tt := range map[string]struct {
		s    LinkStore
		in   Input
		want string
	}{
		"no task token":      {s, Input{RequestID: req.ID, CandidateID: c.ID}, workflow.InvalidInput},
		"no request id":      {s, Input{CandidateID: c.ID, TaskToken: "t"}, workflow.InvalidInput},
		"an unknown request": {s, Input{RequestID: consent.NewID(), CandidateID: c.ID, TaskToken: "t"}, workflow.NotFound},
		"answered already":   {s, Input{RequestID: answered.ID, CandidateID: c.ID, TaskToken: "t"}, workflow.Conflict},
		"an erased person":   {s2, Input{RequestID: goneReq.ID, CandidateID: gone.ID, TaskToken: "t"}, workflow.Gone},
	} {
		ses := &outbox{}
		_, err := handler(tt.s, ses).Handle(ctx, tt.in)
		var ive messages.InvokeResponse_Error
		if !errors.As(err, &ive) || ive.Type != tt.want || len(ses.sent) != 0 {
			t.Errorf("%s: %v, want %s; %d emails", name, err, tt.want, len(ses.sent))
		}
	}
}
