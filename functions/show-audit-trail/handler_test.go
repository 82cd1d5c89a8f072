package main

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/consentflow/consentflow/shared/consent"
	"github.com/consentflow/consentflow/shared/httpapi"
	"github.com/consentflow/consentflow/shared/store"
	"github.com/consentflow/consentflow/shared/store/storetest"
)

var (
	now    = time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)
	policy = consent.Policy{
		Controller: "ACME s.r.o.", ControllerContact: "privacy@acme.example", NoticeVersion: "2026-11-01",
		NoticeURL: "https://acme.example/privacy", PublicBaseURL: "https://consent.acme.example", LinkValidity: 30 * 24 * time.Hour,
		Retention: map[consent.Purpose]time.Duration{consent.TalentPool: 730 * 24 * time.Hour},
	}
)

// answered stores a candidate who was asked about the talent pool and
// granted it: two events, requested then given.
func answered(t *testing.T) (*store.Store, *dynamodb.Client, consent.Candidate) {
	t.Helper()
	ctx := context.Background()
	s, db := storetest.New(t)
	c, _ := consent.NewCandidate("Ada Lovelace", "ada@example.com", "en", now)
	if _, _, err := s.CreateCandidate(ctx, c, ""); err != nil {
		t.Fatal(err)
	}
	req := policy.NewRequest(consent.NewID(), c.ID, "recruiter-1", []consent.Purpose{consent.TalentPool}, now)
	if _, err := s.RecordRequest(ctx, req); err != nil {
		t.Fatal(err)
	}
	if _, err := s.RecordDecision(ctx, req, []consent.Decision{{Purpose: consent.TalentPool, Grant: true}}, consent.Evidence{Language: "en"}, now.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	return s, db, c
}

func get(id string, token bool) httpapi.Request {
	req := httpapi.Request{PathParameters: map[string]string{"id": id}}
	if token {
		req.RequestContext = events.APIGatewayV2HTTPRequestContext{Authorizer: &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{
			JWT: &events.APIGatewayV2HTTPRequestContextAuthorizerJWTDescription{Claims: map[string]string{"sub": "recruiter-1"}},
		}}
	}
	return req
}

func trail(t *testing.T, res httpapi.Response) store.Trail {
	t.Helper()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("%d: %s", res.StatusCode, res.Body)
	}
	var tr store.Trail
	if err := json.Unmarshal([]byte(res.Body), &tr); err != nil {
		t.Fatal(err)
	}
	return tr
}

// The trail lists the candidate's events in seq order, and its chain
// verifies; it names no person.
func TestTheTrailListsTheEventsAndVerifies(t *testing.T) {
	s, _, c := answered(t)
	h := &Handler{Store: s, Log: slog.New(slog.DiscardHandler)}
	res, err := h.Handle(context.Background(), get(c.ID, true))
	if err != nil {
		t.Fatal(err)
	}
	tr := trail(t, res)
	if tr.CandidateID != c.ID || len(tr.Events) != 2 || tr.Events[0].Type != consent.EventRequested || tr.Events[1].Type != consent.EventGiven ||
		tr.Events[0].Seq != 1 || tr.Events[1].Seq != 2 || tr.Events[1].Prev != tr.Events[0].Hash {
		t.Fatalf("trail %+v", tr)
	}
	if !tr.Verification.Intact || tr.Verification.Events != 2 {
		t.Fatalf("verification %+v", tr.Verification)
	}
	for _, personal := range []string{"Ada", "ada@example.com"} {
		if strings.Contains(res.Body, personal) {
			t.Errorf("the trail shows %q", personal)
		}
	}
}

// An event changed after it was written breaks the chain at that event:
// the trail is still shown, with where and why it does not verify.
func TestATamperedEventIsReportedWhereTheChainBreaks(t *testing.T) {
	s, db, c := answered(t)
	ctx := context.Background()
	if _, err := db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: aws.String(storetest.Audit),
		Key: map[string]types.AttributeValue{
			"candidateId": &types.AttributeValueMemberS{Value: c.ID}, "seq": &types.AttributeValueMemberN{Value: "1"},
		},
		UpdateExpression:          aws.String("SET noticeVersion = :v"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":v": &types.AttributeValueMemberS{Value: "2020-01-01"}},
	}); err != nil {
		t.Fatal(err)
	}
	h := &Handler{Store: s, Log: slog.New(slog.DiscardHandler)}
	res, _ := h.Handle(ctx, get(c.ID, true))
	tr := trail(t, res)
	if tr.Verification.Intact || tr.Verification.BrokenAt != 1 || tr.Verification.Problem == "" || len(tr.Events) != 2 {
		t.Fatalf("verification %+v of %d events, want broken at 1", tr.Verification, len(tr.Events))
	}
}

// Once the candidate is erased, every other route answers 410; the
// pseudonymous trail stays readable and ends with the tombstone.
func TestTheTrailOutlivesTheErasure(t *testing.T) {
	s, _, c := answered(t)
	ctx := context.Background()
	at := now.Add(time.Hour)
	if _, err := s.RequestErasure(ctx, c.ID, "candidate_request", "recruiter-1", "recruiter", at); err != nil {
		t.Fatal(err)
	}
	if done, err := s.EraseProfile(ctx, c.ID, at.Add(time.Minute)); err != nil || !done {
		t.Fatalf("erase profile: %v %v", done, err)
	}
	if _, err := s.Candidate(ctx, c.ID); err == nil {
		t.Fatal("the erased candidate is still readable")
	}
	h := &Handler{Store: s, Log: slog.New(slog.DiscardHandler)}
	res, _ := h.Handle(ctx, get(c.ID, true))
	tr := trail(t, res)
	last := tr.Events[len(tr.Events)-1]
	if !tr.Verification.Intact || last.Type != consent.EventProfileErased || strings.Contains(res.Body, "Ada") {
		t.Fatalf("trail after erasure: %+v, last event %s", tr.Verification, last.Type)
	}
}

// No token is 401; an id that cannot be a candidate's, or one nobody
// registered, is 404 — RFC 9457 problems either way.
func TestTheTrailOfNobodyIsAProblem(t *testing.T) {
	s, _, c := answered(t)
	h := &Handler{Store: s, Log: slog.New(slog.DiscardHandler)}
	for name, tt := range map[string]struct {
		req    httpapi.Request
		status int
		slug   string
	}{
		"no token":          {get(c.ID, false), http.StatusUnauthorized, "unauthorized"},
		"not an id":         {get("../../etc/passwd", true), http.StatusNotFound, "not-found"},
		"an unknown person": {get(consent.NewID(), true), http.StatusNotFound, "not-found"},
	} {
		res, err := h.Handle(context.Background(), tt.req)
		var p httpapi.Problem
		if err != nil || json.Unmarshal([]byte(res.Body), &p) != nil || res.StatusCode != tt.status || p.Type != httpapi.ProblemType(tt.slug) ||
			res.Headers["Content-Type"] != "application/problem+json" {
			t.Errorf("%s: %d %v %s, want %d %s", name, res.StatusCode, err, res.Body, tt.status, tt.slug)
		}
	}
}
