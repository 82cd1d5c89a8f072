package store_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/consentflow/consentflow/shared/consent"
	"github.com/consentflow/consentflow/shared/store"
	"github.com/consentflow/consentflow/shared/store/storetest"
)

func newStore(t *testing.T) (*store.Store, *dynamodb.Client) {
	t.Helper()
	return storetest.New(t)
}

// createTable creates the tables as the topology defines them.
func createTable(t testing.TB, db *dynamodb.Client) {
	t.Helper()
	storetest.CreateTables(t, db)
}

var (
	t0     = time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)
	policy = consent.Policy{
		Controller: "Example Recruiting Ltd", ControllerContact: "privacy@example.com", NoticeVersion: "2026-11-01",
		NoticeURL: "https://example.com/privacy", PublicBaseURL: "http://127.0.0.1:8080", LinkValidity: 30 * 24 * time.Hour,
		Retention: map[consent.Purpose]time.Duration{consent.TalentPool: 730 * 24 * time.Hour, consent.InterviewRecording: 180 * 24 * time.Hour},
	}
)

func candidate(t *testing.T, s *store.Store) consent.Candidate {
	t.Helper()
	c, err := consent.NewCandidate("Ada Lovelace", "ada@example.com", "en", t0)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.CreateCandidate(context.Background(), c, ""); err != nil {
		t.Fatal(err)
	}
	return c
}

func request(t *testing.T, s *store.Store, c consent.Candidate, purposes ...consent.Purpose) consent.Request {
	t.Helper()
	req := policy.NewRequest(consent.NewID(), c.ID, "recruiter-1", purposes, t0)
	if _, err := s.RecordRequest(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	return req
}

// linked records a request with a link, as the workflow does before it
// waits, and returns the request as the link finds it, with the link hash.
func linked(t *testing.T, s *store.Store, c consent.Candidate, purposes ...consent.Purpose) (consent.Request, string) {
	t.Helper()
	ctx := context.Background()
	req := request(t, s, c, purposes...)
	link := consent.HashLinkToken(consent.NewLinkToken())
	if err := s.AttachLink(ctx, req.ID, link, "task-token-1"); err != nil {
		t.Fatal(err)
	}
	req, _, err := s.RequestByLink(ctx, link, t0)
	if err != nil {
		t.Fatal(err)
	}
	return req, link
}

func states(t *testing.T, s *store.Store, candidateID string) map[consent.Purpose]consent.State {
	t.Helper()
	cs, err := s.Consents(context.Background(), candidateID)
	if err != nil {
		t.Fatal(err)
	}
	m := map[consent.Purpose]consent.State{}
	for _, c := range cs {
		m[c.Purpose] = c.State
	}
	return m
}

func TestCreateCandidateIsIdempotentPerKey(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	c, _ := consent.NewCandidate("Ada Lovelace", "ada@example.com", "en", t0)
	c.ID = "FIXEDIDFROMKEY"
	if _, created, err := s.CreateCandidate(ctx, c, "key-1"); err != nil || !created {
		t.Fatalf("first create: created=%v err=%v", created, err)
	}
	again, created, err := s.CreateCandidate(ctx, c, "key-1")
	if err != nil || created || again.ID != c.ID {
		t.Fatalf("retry: got %+v created=%v err=%v, want the stored candidate", again, created, err)
	}
	other := c
	other.Email = "grace@example.com"
	_, _, err = s.CreateCandidate(ctx, other, "key-1")
	var conflict *consent.ConflictError
	if !errors.As(err, &conflict) {
		t.Fatalf("same key, other details: err = %v, want ConflictError", err)
	}
	stored, err := s.Candidate(ctx, c.ID)
	if err != nil || stored.Email != "ada@example.com" {
		t.Fatalf("stored candidate changed: %+v %v", stored, err)
	}
}

func TestUnknownCandidate(t *testing.T) {
	s, _ := newStore(t)
	_, err := s.Candidate(context.Background(), "NOSUCH")
	var nf *consent.NotFoundError
	if !errors.As(err, &nf) {
		t.Fatalf("err = %v, want NotFoundError", err)
	}
}

func TestRecordRequestIsIdempotent(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	c := candidate(t, s)
	req := request(t, s, c, consent.TalentPool)
	if _, err := s.RecordRequest(ctx, req); err != nil {
		t.Fatalf("recording again: %v", err)
	}
	events, err := s.Events(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(events) != 1 || events[0].Type != consent.EventRequested || events[0].Purpose != consent.TalentPool {
		t.Fatalf("events = %+v, want one requested event", events)
	}
	if got := states(t, s, c.ID); got[consent.TalentPool] != consent.Requested {
		t.Fatalf("states = %v", got)
	}
}

func TestDecisionLifecycle(t *testing.T) {
	link := consent.HashLinkToken(consent.NewLinkToken())
	tests := []struct {
		name      string
		decisions []consent.Decision
		at        time.Time
		wantErr   any
		want      map[consent.Purpose]consent.State
		events    int
	}{
		{
			name:      "grant one, refuse the other",
			decisions: []consent.Decision{{Purpose: consent.TalentPool, Grant: true}, {Purpose: consent.InterviewRecording, Grant: false}},
			at:        t0.Add(time.Hour),
			want:      map[consent.Purpose]consent.State{consent.TalentPool: consent.Given, consent.InterviewRecording: consent.Refused},
			events:    4,
		},
		{
			name:      "an answer missing a purpose changes nothing",
			decisions: []consent.Decision{{Purpose: consent.TalentPool, Grant: true}},
			at:        t0.Add(time.Hour),
			wantErr:   new(*consent.ValidationError),
			want:      map[consent.Purpose]consent.State{consent.TalentPool: consent.Requested, consent.InterviewRecording: consent.Requested},
			events:    2,
		},
		{
			name:      "an answer after expiry changes nothing",
			decisions: []consent.Decision{{Purpose: consent.TalentPool, Grant: true}, {Purpose: consent.InterviewRecording, Grant: true}},
			at:        t0.Add(policy.LinkValidity + time.Second),
			wantErr:   new(*consent.LinkExpiredError),
			want:      map[consent.Purpose]consent.State{consent.TalentPool: consent.Requested, consent.InterviewRecording: consent.Requested},
			events:    2,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			s, _ := newStore(t)
			c := candidate(t, s)
			req := request(t, s, c, consent.TalentPool, consent.InterviewRecording)
			if err := s.AttachLink(ctx, req.ID, link, "task-token-1"); err != nil {
				t.Fatal(err)
			}
			got, _, err := s.RequestByLink(ctx, link, t0)
			if err != nil || got.TaskToken != "task-token-1" {
				t.Fatalf("RequestByLink = %+v, %v", got, err)
			}
			_, err = s.RecordDecision(ctx, got, tt.decisions, consent.Evidence{IPHash: "h", UserAgent: "test", Language: "en"}, tt.at)
			if tt.wantErr == nil && err != nil {
				t.Fatal(err)
			}
			if tt.wantErr != nil && !errors.As(err, tt.wantErr) {
				t.Fatalf("err = %v, want %T", err, tt.wantErr)
			}
			if s := states(t, s, c.ID); len(s) != len(tt.want) || s[consent.TalentPool] != tt.want[consent.TalentPool] || s[consent.InterviewRecording] != tt.want[consent.InterviewRecording] {
				t.Fatalf("states = %v, want %v", s, tt.want)
			}
			events, _ := s.Events(ctx, c.ID)
			if len(events) != tt.events {
				t.Fatalf("%d events, want %d: %+v", len(events), tt.events, events)
			}
		})
	}
}

func TestReplayedDecisionIsAConflictAndChangesNothing(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	c := candidate(t, s)
	req, _ := linked(t, s, c, consent.TalentPool)
	first, err := s.RecordDecision(ctx, req, []consent.Decision{{Purpose: consent.TalentPool, Grant: true}}, consent.Evidence{}, t0.Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.RecordDecision(ctx, req, []consent.Decision{{Purpose: consent.TalentPool, Grant: false}}, consent.Evidence{}, t0.Add(2*time.Minute))
	var conflict *consent.ConflictError
	if !errors.As(err, &conflict) {
		t.Fatalf("replay: err = %v, want ConflictError", err)
	}
	if got := states(t, s, c.ID); got[consent.TalentPool] != consent.Given {
		t.Fatalf("state after replay = %v, want given", got)
	}
	ans, err := s.RecordedAnswer(ctx, req.ID)
	if err != nil || ans.ReceiptID != first.ReceiptID || ans.Outcomes[0].State != consent.Given {
		t.Fatalf("recorded answer = %+v, %v; want the first answer", ans, err)
	}
	events, _ := s.Events(ctx, c.ID)
	if len(events) != 2 {
		t.Fatalf("events = %d, want 2 (requested, given)", len(events))
	}
}

func TestExpireRequest(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	c := candidate(t, s)
	req := request(t, s, c, consent.TalentPool)
	link := consent.HashLinkToken(consent.NewLinkToken())
	if err := s.AttachLink(ctx, req.ID, link, "tok"); err != nil {
		t.Fatal(err)
	}
	status, expired, err := s.ExpireRequest(ctx, req.ID, consent.ReasonUnanswered, "", t0.Add(policy.LinkValidity))
	if err != nil || !expired || status != consent.Lapsed {
		t.Fatalf("ExpireRequest = %v, %v, %v", status, expired, err)
	}
	if status, again, err := s.ExpireRequest(ctx, req.ID, consent.ReasonUnanswered, "", t0.Add(policy.LinkValidity)); err != nil || again || status != consent.Lapsed {
		t.Fatalf("second ExpireRequest = %v, %v, %v; want a no-op", status, again, err)
	}
	events, _ := s.Events(ctx, c.ID)
	if last := events[len(events)-1]; last.Type != consent.EventExpired || last.Reason != consent.ReasonUnanswered || last.Actor != consent.ActorWorkflow {
		t.Fatalf("expiry event %+v", last)
	}
	if got := states(t, s, c.ID); got[consent.TalentPool] != consent.Expired {
		t.Fatalf("states = %v, want expired", got)
	}
	_, _, err = s.RequestByLink(ctx, link, t0)
	var le *consent.LinkExpiredError
	if !errors.As(err, &le) {
		t.Fatalf("link after expiry: err = %v, want LinkExpiredError", err)
	}
}

func TestGivenConsentSurvivesANewRequest(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	c := candidate(t, s)
	req, _ := linked(t, s, c, consent.TalentPool)
	if _, err := s.RecordDecision(ctx, req, []consent.Decision{{Purpose: consent.TalentPool, Grant: true}}, consent.Evidence{}, t0); err != nil {
		t.Fatal(err)
	}
	request(t, s, c, consent.TalentPool)
	if got := states(t, s, c.ID); got[consent.TalentPool] != consent.Given {
		t.Fatalf("state = %v, want given until the candidate answers again", got)
	}
}

func TestExpiringAnAnsweredRequestSaysSo(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	c := candidate(t, s)
	req, _ := linked(t, s, c, consent.TalentPool)
	if _, err := s.RecordDecision(ctx, req, []consent.Decision{{Purpose: consent.TalentPool, Grant: true}}, consent.Evidence{}, t0); err != nil {
		t.Fatal(err)
	}
	status, expired, err := s.ExpireRequest(ctx, req.ID, consent.ReasonUnanswered, "", t0.Add(time.Hour))
	if err != nil || expired || status != consent.Answered {
		t.Fatalf("ExpireRequest of an answered request = %v, %v, %v; want answered, untouched", status, expired, err)
	}
	if got := states(t, s, c.ID); got[consent.TalentPool] != consent.Given {
		t.Fatalf("states = %v", got)
	}
}

func TestALinkStopsWorkingAtItsExpiry(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	c := candidate(t, s)
	req := request(t, s, c, consent.TalentPool)
	link := consent.HashLinkToken(consent.NewLinkToken())
	_ = s.AttachLink(ctx, req.ID, link, "tok")
	if _, _, err := s.RequestByLink(ctx, link, req.ExpiresAt.Add(-time.Second)); err != nil {
		t.Fatalf("a second before expiry: %v", err)
	}
	_, _, err := s.RequestByLink(ctx, link, req.ExpiresAt)
	var le *consent.LinkExpiredError
	if !errors.As(err, &le) {
		t.Fatalf("at expiry: err = %v, want LinkExpiredError", err)
	}
}

func TestEventsRecordWhatTheCandidateWasToldAndWhoActed(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	c := candidate(t, s)
	req, _ := linked(t, s, c, consent.TalentPool)
	ans, err := s.RecordDecision(ctx, req, []consent.Decision{{Purpose: consent.TalentPool, Grant: true}},
		consent.Evidence{IPHash: "iphash", UserAgent: "Mozilla/5.0", Language: "de"}, t0.Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	events, _ := s.Events(ctx, c.ID)
	if len(events) != 2 {
		t.Fatalf("events %+v", events)
	}
	asked, given := events[0], events[1]
	for _, e := range events {
		if e.Controller != policy.Controller || e.NoticeVersion != policy.NoticeVersion || e.RetentionDays != 730 ||
			e.LegalBasis != consent.LegalBasisConsent || len(e.PIICategories) == 0 || e.RequestID != req.ID || e.Purpose != consent.TalentPool {
			t.Errorf("event lacks what the candidate was told: %+v", e)
		}
	}
	if asked.Type != consent.EventRequested || asked.Actor != "recruiter-1" || asked.CollectionMethod != consent.CollectedByWorkflow {
		t.Errorf("request event %+v", asked)
	}
	if given.Type != consent.EventGiven || given.Actor != consent.ActorCandidate || given.IPHash != "iphash" || given.UserAgent != "Mozilla/5.0" ||
		given.Language != "de" || given.ReceiptID != ans.ReceiptID || !given.At.Equal(t0.Add(time.Minute)) || given.CollectionMethod != consent.CollectedByWebForm {
		t.Errorf("decision event %+v", given)
	}
	cs, _ := s.Consents(ctx, c.ID)
	if cs[0].ExpiresAt == nil || !cs[0].ExpiresAt.Equal(t0.Add(time.Minute).AddDate(0, 0, 730)) {
		t.Errorf("given consent expires %v, want 730 days after the answer", cs[0].ExpiresAt)
	}
}

func TestDecliningAGivenConsentWithdrawsIt(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	c := candidate(t, s)
	answer := func(grant bool) {
		req, _ := linked(t, s, c, consent.TalentPool)
		if _, err := s.RecordDecision(ctx, req, []consent.Decision{{Purpose: consent.TalentPool, Grant: grant}}, consent.Evidence{}, t0); err != nil {
			t.Fatal(err)
		}
	}
	answer(true)
	answer(false)
	if got := states(t, s, c.ID); got[consent.TalentPool] != consent.Withdrawn {
		t.Fatalf("state %v, want withdrawn", got)
	}
	events, _ := s.Events(ctx, c.ID)
	var types []consent.EventType
	for _, e := range events {
		types = append(types, e.Type)
	}
	slices.Sort(types)
	if want := []consent.EventType{"given", "requested", "requested", "withdrawn"}; !slices.Equal(types, want) {
		t.Fatalf("events %v, want %v", types, want)
	}
}

// Owed receipts are read a page at a time, oldest first, each page after
// the last receipt of the one before.
func TestReceiptsOwedPageByPage(t *testing.T) {
	s, _ := newStore(t)
	ctx := context.Background()
	var want []string
	for i := range 5 {
		req, _ := linked(t, s, candidate(t, s), consent.TalentPool)
		if _, err := s.RecordDecision(ctx, req, []consent.Decision{{Purpose: consent.TalentPool, Grant: true}}, consent.Evidence{}, t0.Add(time.Duration(i)*time.Minute)); err != nil {
			t.Fatal(err)
		}
		want = append(want, req.ID)
	}
	var got []string
	var after *store.OwedReceipt
	for pages := 0; ; pages++ {
		page, err := s.ReceiptsOwedAfter(ctx, after, t0.Add(time.Hour), 2)
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range page {
			got = append(got, o.RequestID)
		}
		if len(page) < 2 || pages > 5 {
			break
		}
		after = &page[len(page)-1]
	}
	if !slices.Equal(got, want) {
		t.Fatalf("owed %v, want %v", got, want)
	}
}
