package main

import (
	"context"
	"errors"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambda/messages"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/go-jose/go-jose/v4"

	localkms "github.com/consentflow/consentflow/infra/local/kms"
	"github.com/consentflow/consentflow/shared/consent"
	"github.com/consentflow/consentflow/shared/mail"
	"github.com/consentflow/consentflow/shared/signature"
	"github.com/consentflow/consentflow/shared/store"
	"github.com/consentflow/consentflow/shared/store/storetest"
	"github.com/consentflow/consentflow/shared/workflow"
)

// outbox stands in for SES: it keeps what it is handed.
type outbox struct{ sent []*sesv2.SendEmailInput }

func (o *outbox) SendEmail(_ context.Context, in *sesv2.SendEmailInput, _ ...func(*sesv2.Options)) (*sesv2.SendEmailOutput, error) {
	o.sent = append(o.sent, in)
	return &sesv2.SendEmailOutput{MessageId: aws.String("msg-1")}, nil
}

var (
	now    = time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)
	policy = consent.Policy{
		Controller: "Example Recruiting Ltd", ControllerContact: "privacy@example.com", ControllerAddress: "1 Example Street",
		ControllerPhone: "+421 2 0000 0000", NoticeVersion: "2026-11-01", NoticeURL: "https://example.com/privacy",
		PublicBaseURL: "https://consent.example.com", LinkValidity: 30 * 24 * time.Hour,
		Retention: map[consent.Purpose]time.Duration{consent.TalentPool: 730 * 24 * time.Hour, consent.InterviewRecording: 180 * 24 * time.Hour},
	}
)

// answered stores a candidate whose consent to the talent pool was given
// and is now withdrawn by declining it, on a fresh local table.
func answered(t *testing.T) (*store.Store, Input) {
	t.Helper()
	ctx := context.Background()
	s, _ := storetest.New(t)
	c, _ := consent.NewCandidate("Ada", "ada@example.com", "de", now)
	if _, _, err := s.CreateCandidate(ctx, c, ""); err != nil {
		t.Fatal(err)
	}
	var last consent.Request
	for i, grant := range []bool{true, false} {
		req := policy.NewRequest(consent.NewID(), c.ID, "recruiter-1", []consent.Purpose{consent.TalentPool}, now.Add(time.Duration(i)*time.Hour))
		if _, err := s.RecordRequest(ctx, req); err != nil {
			t.Fatal(err)
		}
		if _, err := s.RecordDecision(ctx, req, []consent.Decision{{Purpose: consent.TalentPool, Grant: grant}}, consent.Evidence{Language: "de"}, req.CreatedAt.Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
		last = req
	}
	return s, Input{RequestID: last.ID, CandidateID: c.ID}
}

func TestAWithdrawalGetsASignedReceiptAttached(t *testing.T) {
	s, in := answered(t)
	kmsSrv := localkms.New("us-east-1", "000000000000")
	key, _ := kmsSrv.CreateKey()
	hs := httptest.NewServer(kmsSrv)
	defer hs.Close()
	client := kms.New(kms.Options{Region: "us-east-1", BaseEndpoint: aws.String(hs.URL), Credentials: aws.AnonymousCredentials{}})
	ses := &outbox{}
	h := &Handler{Store: s, Signer: signature.NewSigner(client, key.ARN), Mailer: mail.New(ses, "consent@example.com", policy), Policy: policy, Log: slog.New(slog.DiscardHandler)}
	out, err := h.Handle(context.Background(), in)
	if err != nil || out.MessageID != "msg-1" || out.ReceiptID == "" {
		t.Fatalf("%+v %v", out, err)
	}
	if len(ses.sent) != 1 {
		t.Fatalf("%d emails sent", len(ses.sent))
	}
	msg := ses.sent[0].Content.Simple
	if len(msg.Attachments) != 2 || !strings.Contains(*msg.Body.Text.Data, "Talentpool: widerrufen") {
		t.Fatalf("attachments %d, text:\n%s", len(msg.Attachments), *msg.Body.Text.Data)
	}
	doc, jws := msg.Attachments[0].RawContent, string(msg.Attachments[1].RawContent)
	for _, want := range []string{`"event":"withdrawal"`, `"dpvState":"dpv:ConsentWithdrawn"`, `"termination":"Withdrawn by the candidate at 2026-11-28T10:01:00Z`, `"consentReceiptID":"` + out.ReceiptID + `"`} {
		if !strings.Contains(string(doc), want) {
			t.Errorf("receipt lacks %s:\n%s", want, doc)
		}
	}
	pub, err := signature.PublicKey(context.Background(), client, key.ARN)
	if err != nil {
		t.Fatal(err)
	}
	if err := signature.Verify(doc, jws, jose.JSONWebKeySet{Keys: []jose.JSONWebKey{pub}}); err != nil {
		t.Fatalf("the attached receipt does not verify: %v", err)
	}
}

// Without a signature there is no receipt: KMS failing is a retried
// SigningUnavailable, and nothing is emailed.
func TestNoReceiptIsSentUnsigned(t *testing.T) {
	s, in := answered(t)
	hs := httptest.NewServer(localkms.New("us-east-1", "000000000000"))
	url := hs.URL
	hs.Close()
	client := kms.New(kms.Options{Region: "us-east-1", BaseEndpoint: aws.String(url), Credentials: aws.AnonymousCredentials{}})
	ses := &outbox{}
	h := &Handler{Store: s, Signer: signature.NewSigner(client, "arn:aws:kms:us-east-1:000000000000:key/gone"), Mailer: mail.New(ses, "consent@example.com", policy), Policy: policy, Log: slog.New(slog.DiscardHandler)}
	_, err := h.Handle(context.Background(), in)
	var ive messages.InvokeResponse_Error
	if !errors.As(err, &ive) || ive.Type != workflow.SigningUnavailable || len(ses.sent) != 0 {
		t.Fatalf("error %v, %d emails sent", err, len(ses.sent))
	}
}

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
	kmsSrv := localkms.New("us-east-1", "000000000000")
	key, _ := kmsSrv.CreateKey()
	hs := httptest.NewServer(kmsSrv)
	defer hs.Close()
	client := kms.New(kms.Options{Region: "us-east-1", BaseEndpoint: aws.String(hs.URL), Credentials: aws.AnonymousCredentials{}})
	box := &outbox{}
	h := &Handler{Store: s, Signer: signature.NewSigner(client, key.ARN), Mailer: mail.New(box, "consent@example.com", today), Policy: today, Log: slog.New(slog.DiscardHandler)}
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
}
