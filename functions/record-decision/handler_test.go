package main

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/sfn"

	localdynamodb "github.com/consentflow/consentflow/infra/local/dynamodb"
	"github.com/consentflow/consentflow/shared/consent"
	"github.com/consentflow/consentflow/shared/httpapi"
	"github.com/consentflow/consentflow/shared/store"
)

// workflows stands in for Step Functions' task API: it records what it is
// handed and fails when told to.
type workflows struct {
	fail   error
	tokens []string
}

func (w *workflows) SendTaskSuccess(_ context.Context, in *sfn.SendTaskSuccessInput, _ ...func(*sfn.Options)) (*sfn.SendTaskSuccessOutput, error) {
	w.tokens = append(w.tokens, aws.ToString(in.TaskToken))
	return &sfn.SendTaskSuccessOutput{}, w.fail
}

var now = time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)

// pending stores a candidate with a pending request and its link, on a
// fresh table of the local DynamoDB, and returns the store and the link token.
func pending(t *testing.T) (*store.Store, string) {
	t.Helper()
	srv := httptest.NewServer(localdynamodb.New())
	t.Cleanup(srv.Close)
	db := dynamodb.New(dynamodb.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL), Credentials: aws.AnonymousCredentials{}})
	_, err := db.CreateTable(context.Background(), &dynamodb.CreateTableInput{
		TableName: aws.String("consent"), BillingMode: types.BillingModePayPerRequest,
		AttributeDefinitions: []types.AttributeDefinition{
			{AttributeName: aws.String("pk"), AttributeType: types.ScalarAttributeTypeS},
			{AttributeName: aws.String("sk"), AttributeType: types.ScalarAttributeTypeS},
		},
		KeySchema: []types.KeySchemaElement{
			{AttributeName: aws.String("pk"), KeyType: types.KeyTypeHash},
			{AttributeName: aws.String("sk"), KeyType: types.KeyTypeRange},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	s := store.New(db, "consent")
	ctx := context.Background()
	c, _ := consent.NewCandidate("Ada", "ada@example.com", "fr", now)
	if _, _, err := s.CreateCandidate(ctx, c, ""); err != nil {
		t.Fatal(err)
	}
	req := policy.NewRequest(consent.NewID(), c.ID, "recruiter-1", []consent.Purpose{consent.TalentPool}, now)
	if _, err := s.RecordRequest(ctx, req); err != nil {
		t.Fatal(err)
	}
	token := consent.NewLinkToken()
	if err := s.AttachLink(ctx, req.ID, consent.HashLinkToken(token), "task-token-1"); err != nil {
		t.Fatal(err)
	}
	return s, token
}

var policy = consent.Policy{
	Controller: "Example Recruiting Ltd", ControllerContact: "privacy@example.com", NoticeVersion: "2026-11-01",
	NoticeURL: "https://example.com/privacy", PublicBaseURL: "https://consent.example.com", LinkValidity: 30 * 24 * time.Hour,
	Retention: map[consent.Purpose]time.Duration{consent.TalentPool: 730 * 24 * time.Hour, consent.InterviewRecording: 180 * 24 * time.Hour},
}

func formPost(token, sourceIP string) httpapi.Request {
	return httpapi.Request{
		Headers:        map[string]string{"content-type": "application/x-www-form-urlencoded", "accept": "text/html"},
		PathParameters: map[string]string{"token": token},
		Body:           "talent_pool=grant",
		RequestContext: events.APIGatewayV2HTTPRequestContext{HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{
			SourceIP: sourceIP, UserAgent: "Mozilla/5.0 (test)",
		}},
	}
}

func TestDecisionIsHandedToTheWaitingWorkflow(t *testing.T) {
	s, token := pending(t)
	wf := &workflows{}
	h := &Handler{Store: s, Workflows: wf, Policy: policy, Log: slog.New(slog.DiscardHandler), Now: func() time.Time { return now }}
	res, err := h.Handle(context.Background(), formPost(token, "203.0.113.77"))
	if err != nil || res.StatusCode != http.StatusSeeOther || res.Headers["Location"] != "/c/"+token {
		t.Fatalf("response %d %v %v", res.StatusCode, res.Headers, err)
	}
	if len(wf.tokens) != 1 || wf.tokens[0] != "task-token-1" {
		t.Fatalf("handed over %v, want the request's task token once", wf.tokens)
	}
	cs, _ := s.Consents(context.Background(), mustCandidate(t, s, token))
	evs, _ := s.Events(context.Background(), mustCandidate(t, s, token))
	var given consent.Event
	for _, e := range evs {
		if e.Type == consent.EventGiven {
			given = e
		}
	}
	// The event keeps a keyed hash of the client's /24 network, never the
	// address, so two devices on one network hash alike.
	want := consent.Pseudonym([]byte("consentflow/ip/"+cs[0].RequestID), "203.0.113.0/24")
	if cs[0].State != consent.Given || given.IPHash != want || given.Language != "fr" || given.UserAgent != "Mozilla/5.0 (test)" {
		t.Fatalf("consent %+v, event %+v", cs[0], given)
	}
}

// The decision is the legal fact: when handing it to the workflow fails, it
// stays recorded and the candidate is told so; the workflow finds it when
// its wait ends (see the consent-request ASL).
func TestAFailedHandOverKeepsTheDecision(t *testing.T) {
	s, token := pending(t)
	wf := &workflows{fail: errors.New("ThrottlingException")}
	h := &Handler{Store: s, Workflows: wf, Policy: policy, Log: slog.New(slog.DiscardHandler), Now: func() time.Time { return now }}
	res, _ := h.Handle(context.Background(), formPost(token, "2001:db8::1"))
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("status %d, want 303 to the recorded answer", res.StatusCode)
	}
	cs, _ := s.Consents(context.Background(), mustCandidate(t, s, token))
	if cs[0].State != consent.Given {
		t.Fatalf("state %s, want given", cs[0].State)
	}
	again, _ := h.Handle(context.Background(), formPost(token, "2001:db8::1"))
	if again.StatusCode != http.StatusConflict {
		t.Fatalf("second answer %d, want 409", again.StatusCode)
	}
}

func mustCandidate(t *testing.T, s *store.Store, token string) string {
	t.Helper()
	_, c, err := s.RequestByLink(context.Background(), consent.HashLinkToken(token), now)
	if err != nil {
		t.Fatal(err)
	}
	return c.ID
}
