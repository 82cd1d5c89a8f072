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
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	localdynamodb "github.com/consentflow/consentflow/infra/local/dynamodb"
	"github.com/go-jose/go-jose/v4"

	localkms "github.com/consentflow/consentflow/infra/local/kms"
	"github.com/consentflow/consentflow/shared/consent"
	"github.com/consentflow/consentflow/shared/mail"
	"github.com/consentflow/consentflow/shared/signature"
	"github.com/consentflow/consentflow/shared/store"
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
	srv := httptest.NewServer(localdynamodb.New())
	t.Cleanup(srv.Close)
	db := dynamodb.New(dynamodb.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL), Credentials: aws.AnonymousCredentials{}})
	ctx := context.Background()
	if _, err := db.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName: aws.String("consent"), BillingMode: types.BillingModePayPerRequest,
		AttributeDefinitions: []types.AttributeDefinition{
			{AttributeName: aws.String("pk"), AttributeType: types.ScalarAttributeTypeS},
			{AttributeName: aws.String("sk"), AttributeType: types.ScalarAttributeTypeS},
		},
		KeySchema: []types.KeySchemaElement{
			{AttributeName: aws.String("pk"), KeyType: types.KeyTypeHash},
			{AttributeName: aws.String("sk"), KeyType: types.KeyTypeRange},
		},
	}); err != nil {
		t.Fatal(err)
	}
	s := store.New(db, "consent")
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
