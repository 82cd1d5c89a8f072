package main

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"

	"github.com/consentflow/consentflow/shared/consent"
	"github.com/consentflow/consentflow/shared/mail"
	"github.com/consentflow/consentflow/shared/store/storetest"
)

// outbox stands in for SES and keeps what it is asked to send.
type outbox struct{ sent []*sesv2.SendEmailInput }

func (o *outbox) SendEmail(_ context.Context, in *sesv2.SendEmailInput, _ ...func(*sesv2.Options)) (*sesv2.SendEmailOutput, error) {
	o.sent = append(o.sent, in)
	return &sesv2.SendEmailOutput{MessageId: aws.String("message-1")}, nil
}

var now = time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)

// TestTheReceiptNamesTheRequestsController: the controller changed after
// the candidate answered; the receipt, subject included, names the one
// they consented to.
func TestTheReceiptNamesTheRequestsController(t *testing.T) {
	ctx := context.Background()
	s, _ := storetest.New(t)
	then := consent.Policy{
		Controller: "Old Controller GmbH", ControllerContact: "privacy@old.example", NoticeVersion: "2026-01-01",
		NoticeURL: "https://old.example/privacy", PublicBaseURL: "http://127.0.0.1:8080", LinkValidity: 30 * 24 * time.Hour,
		Retention: map[consent.Purpose]time.Duration{consent.TalentPool: 730 * 24 * time.Hour},
	}
	today := then
	today.Controller = "New Controller Ltd"

	c, _ := consent.NewCandidate("Ada", "ada@example.com", "en", now)
	if _, _, err := s.CreateCandidate(ctx, c, ""); err != nil {
		t.Fatal(err)
	}
	req := then.NewRequest(consent.NewID(), c.ID, "recruiter-1", []consent.Purpose{consent.TalentPool}, now)
	if _, err := s.RecordRequest(ctx, req); err != nil {
		t.Fatal(err)
	}
	if err := s.AttachLink(ctx, req.ID, consent.HashLinkToken(consent.NewLinkToken()), "task-token"); err != nil {
		t.Fatal(err)
	}
	stored, err := s.Request(ctx, req.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.RecordDecision(ctx, stored, []consent.Decision{{Purpose: consent.TalentPool, Grant: true}}, consent.Evidence{}, now); err != nil {
		t.Fatal(err)
	}
	box := &outbox{}
	h := &Handler{Store: s, Mailer: mail.New(box, "consent@example.com", today), Policy: today, Log: slog.New(slog.DiscardHandler)}
	if _, err := h.Handle(ctx, Input{RequestID: req.ID, CandidateID: c.ID}); err != nil {
		t.Fatal(err)
	}
	if len(box.sent) != 1 {
		t.Fatalf("%d emails sent, want 1", len(box.sent))
	}
	msg := box.sent[0].Content.Simple
	subject, body := aws.ToString(msg.Subject.Data), aws.ToString(msg.Body.Text.Data)
	if !strings.Contains(subject, then.Controller) || strings.Contains(subject, today.Controller) {
		t.Errorf("subject %q, want the request's controller %q", subject, then.Controller)
	}
	if strings.Contains(body, today.Controller) {
		t.Errorf("body names today's controller:\n%s", body)
	}
	if owed, err := s.ReceiptsOwed(ctx, now.Add(time.Hour), 10); err != nil || len(owed) != 0 {
		t.Errorf("the receipt is still owed after sending it: %+v %v", owed, err)
	}
}
