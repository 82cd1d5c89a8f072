package store_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/consentflow/consentflow/shared/consent"
	"github.com/consentflow/consentflow/shared/store"
)

// replay derives each purpose's consent state from a trail read in order,
// as an auditor would.
func replay(events []consent.Event) map[consent.Purpose]consent.State {
	m := map[consent.Purpose]consent.State{}
	for _, e := range events {
		switch {
		case e.Type == consent.EventRequested:
			if m[e.Purpose] != consent.Given {
				m[e.Purpose] = consent.Requested
			}
		case e.ConsentUnchanged:
		default:
			m[e.Purpose] = consent.State(e.Type)
		}
	}
	return m
}

func checkTrail(t *testing.T, s *store.Store, candidateID string) []consent.Event {
	t.Helper()
	trail, err := s.AuditTrail(context.Background(), candidateID)
	if err != nil {
		t.Fatal(err)
	}
	for i, e := range trail.Events {
		if e.Seq != int64(i+1) {
			seqs := make([]int64, len(trail.Events))
			for j, e := range trail.Events {
				seqs[j] = e.Seq
			}
			t.Fatalf("event %d has seq %d: the trail is not gapless and in order: %v", i, e.Seq, seqs)
		}
	}
	if !trail.Verification.Intact || trail.Verification.Events != len(trail.Events) {
		t.Fatalf("chain does not verify: %+v", trail.Verification)
	}
	if got, want := replay(trail.Events), states(t, s, candidateID); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("the trail says %v, the state says %v; trail: %+v", got, want, trail.Events)
	}
	return trail.Events
}

// TestConcurrentAnswersLeaveATrailThatAgreesWithTheState answers three
// pending talent-pool requests at once (grant, decline, grant), many times:
// the trail, read in seq order, always ends in the state stored.
func TestConcurrentAnswersLeaveATrailThatAgreesWithTheState(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	for round := range 15 {
		c := candidate(t, s)
		var reqs []consent.Request
		for range 3 {
			r, _ := linked(t, s, c, consent.TalentPool)
			reqs = append(reqs, r)
		}
		var wg sync.WaitGroup
		errs := make([]error, 3)
		for i, grant := range []bool{true, false, true} {
			wg.Go(func() {
				// The same answer time for all: only the commit order
				// decides, as when the times were taken before retries.
				_, errs[i] = s.RecordDecision(ctx, reqs[i], []consent.Decision{{Purpose: consent.TalentPool, Grant: grant}}, consent.Evidence{}, t0.Add(time.Hour))
			})
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Fatalf("round %d: answer %d: %v", round, i, err)
			}
		}
		if events := checkTrail(t, s, c.ID); len(events) != 6 {
			t.Fatalf("round %d: %d events, want 6", round, len(events))
		}
	}
}

func TestTwentyConcurrentRequestsForOneCandidateAllSucceed(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	c := candidate(t, s)
	var wg sync.WaitGroup
	errs := make([]error, 20)
	for i := range errs {
		wg.Go(func() {
			req := policy.NewRequest(consent.NewID(), c.ID, "recruiter-1", []consent.Purpose{consent.TalentPool, consent.InterviewRecording}, t0)
			_, errs[i] = s.RecordRequest(ctx, req)
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatalf("concurrent requests failed: %v", err)
	}
	if events := checkTrail(t, s, c.ID); len(events) != 40 {
		t.Fatalf("%d events, want 40", len(events))
	}
}

// TestExpiryClosesEveryPurposeItAsked: a request whose consent rows moved
// on to a later request still writes a closing event for each purpose.
func TestExpiryClosesEveryPurposeItAsked(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	c := candidate(t, s)
	first := request(t, s, c, consent.TalentPool, consent.InterviewRecording)
	second := request(t, s, c, consent.TalentPool)
	for _, r := range []consent.Request{first, second} {
		if _, expired, err := s.ExpireRequest(ctx, r.ID, consent.ReasonUnanswered, "", t0.Add(policy.LinkValidity)); err != nil || !expired {
			t.Fatalf("expire %s: %v %v", r.ID, expired, err)
		}
	}
	events := checkTrail(t, s, c.ID)
	closing := map[string][]consent.Event{}
	for _, e := range events {
		if e.Type == consent.EventExpired {
			closing[e.RequestID] = append(closing[e.RequestID], e)
		}
	}
	if len(closing[first.ID]) != 2 || len(closing[second.ID]) != 1 {
		t.Fatalf("closing events %+v: want one per purpose asked", closing)
	}
	for _, e := range closing[first.ID] {
		moved := e.Purpose == consent.TalentPool
		if e.ConsentUnchanged != moved || (moved && (e.ConsentRequestID != second.ID || e.ConsentState != consent.Requested)) {
			t.Errorf("closing event of %s does not say whether the consent had moved on: %+v", e.Purpose, e)
		}
	}
	if got := states(t, s, c.ID); got[consent.TalentPool] != consent.Expired || got[consent.InterviewRecording] != consent.Expired {
		t.Fatalf("states %v", got)
	}
}

func TestTamperingWithTheAuditTableIsDetected(t *testing.T) {
	ctx := context.Background()
	s, db := newStore(t)
	c := candidate(t, s)
	req, _ := linked(t, s, c, consent.TalentPool)
	if _, err := s.RecordDecision(ctx, req, []consent.Decision{{Purpose: consent.TalentPool, Grant: false}}, consent.Evidence{}, t0); err != nil {
		t.Fatal(err)
	}
	checkTrail(t, s, c.ID)
	res, err := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String("audit"), Key: map[string]types.AttributeValue{
		"candidateId": &types.AttributeValueMemberS{Value: c.ID}, "seq": &types.AttributeValueMemberN{Value: "2"},
	}})
	if err != nil || res.Item == nil {
		t.Fatalf("read event 2: %v", err)
	}
	res.Item["type"] = &types.AttributeValueMemberS{Value: string(consent.EventGiven)}
	if _, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("audit"), Item: res.Item}); err != nil {
		t.Fatal(err)
	}
	trail, err := s.AuditTrail(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if trail.Verification.Intact || trail.Verification.BrokenAt != 2 {
		t.Fatalf("a refusal rewritten as a grant went unnoticed: %+v", trail.Verification)
	}
}

// TestDataWrittenWithGoFieldNamesStaysReadable reads a candidate and an
// event as the store wrote them before every attribute had an explicit
// name.
func TestDataWrittenWithGoFieldNamesStaysReadable(t *testing.T) {
	ctx := context.Background()
	s, db := newStore(t)
	old := map[string]any{
		"pk": "CANDIDATE#OLD1", "sk": "PROFILE", "ID": "OLD1", "Name": "Ada Lovelace", "Email": "ada@example.com",
		"Locale": "en", "CreatedAt": "2026-11-01T09:00:00.000000000Z",
	}
	oldEvent := map[string]any{
		"pk": "CANDIDATE#OLD1", "sk": "EVENT#2026-11-01T10:00:00.000000000Z#E1", "ID": "E1", "CandidateID": "OLD1",
		"RequestID": "R1", "Type": "given", "Purpose": "talent_pool", "At": "2026-11-01T10:00:00.000000000Z",
		"IPHash": "iphash", "UserAgent": "Mozilla/5.0", "Actor": "candidate", "RetentionDays": 730,
		"PIICategories": []string{"cv"},
	}
	oldRequest := map[string]any{
		"pk": "REQUEST#R1", "sk": "REQUEST", "id": "R1", "candidateId": "OLD1", "status": "answered",
		"answeredAt": "2026-11-01T10:00:00.000000000Z", "receiptId": "RC1",
		"outcomes": []map[string]string{{"Purpose": "talent_pool", "State": "given"}},
	}
	for _, it := range []map[string]any{old, oldEvent, oldRequest} {
		item, err := attributevalue.MarshalMap(it)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("consent"), Item: item}); err != nil {
			t.Fatal(err)
		}
	}
	got, err := s.Candidate(ctx, "OLD1")
	if err != nil || got.Email != "ada@example.com" || got.Name != "Ada Lovelace" || got.ID != "OLD1" || got.CreatedAt.IsZero() {
		t.Fatalf("old candidate read as %+v, %v", got, err)
	}
	events, err := s.Events(ctx, "OLD1")
	if err != nil || len(events) != 1 {
		t.Fatalf("old events: %+v %v", events, err)
	}
	if e := events[0]; e.CandidateID != "OLD1" || e.IPHash != "iphash" || e.At.IsZero() || e.Type != consent.EventGiven || len(e.PIICategories) != 1 {
		t.Fatalf("old event read as %+v", e)
	}
	ans, err := s.RecordedAnswer(ctx, "R1")
	if err != nil || len(ans.Outcomes) != 1 || ans.Outcomes[0].Purpose != consent.TalentPool || ans.Outcomes[0].State != consent.Given {
		t.Fatalf("old answer read as %+v, %v", ans, err)
	}
	// A change on top of the old data starts the chain.
	req := request(t, s, consent.Candidate{ID: "OLD1"}, consent.TalentPool)
	trail, err := s.AuditTrail(ctx, "OLD1")
	if err != nil || !trail.Verification.Intact || trail.Verification.Unchained != 1 || trail.Verification.Events != 1 || trail.Events[1].RequestID != req.ID {
		t.Fatalf("trail over old data: %+v %v", trail, err)
	}
	// Erasing the old profile leaves its name and email nowhere, under
	// either name.
	at := t0.Add(24 * time.Hour)
	if _, err := s.RequestErasure(ctx, "OLD1", "candidate_request", "recruiter-1", "recruiter", at); err != nil {
		t.Fatalf("request erasure: %v", err)
	}
	if done, err := s.EraseProfile(ctx, "OLD1", at.Add(time.Minute)); err != nil || !done {
		t.Fatalf("erase profile: %v %v", done, err)
	}
	out, err := db.Scan(ctx, &dynamodb.ScanInput{TableName: aws.String("consent")})
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range out.Items {
		if j, _ := json.Marshal(it); strings.Contains(string(j), "ada@example.com") || strings.Contains(string(j), "Ada Lovelace") {
			t.Fatalf("an erased profile written with Go field names still holds the candidate: %s", j)
		}
	}
}
