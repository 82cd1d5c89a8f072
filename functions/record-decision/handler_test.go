package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	awssm "github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/sfn"

	"github.com/consentflow/consentflow/infra/local/secretsmanager"
	"github.com/consentflow/consentflow/infra/topology"
	"github.com/consentflow/consentflow/shared/consent"
	"github.com/consentflow/consentflow/shared/httpapi"
	"github.com/consentflow/consentflow/shared/secret"
	"github.com/consentflow/consentflow/shared/store"
	"github.com/consentflow/consentflow/shared/store/storetest"
)

// workflows stands in for Step Functions' task API: it records what it is
// handed and fails when told to.
type workflows struct {
	fail error
	// failFirst fails only the first failFirst calls (with fail).
	failFirst int
	tokens    []string
}

func (w *workflows) SendTaskSuccess(_ context.Context, in *sfn.SendTaskSuccessInput, _ ...func(*sfn.Options)) (*sfn.SendTaskSuccessOutput, error) {
	w.tokens = append(w.tokens, aws.ToString(in.TaskToken))
	if w.failFirst > 0 && len(w.tokens) > w.failFirst {
		return &sfn.SendTaskSuccessOutput{}, nil
	}
	return &sfn.SendTaskSuccessOutput{}, w.fail
}

var now = time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)

// pending stores a candidate with a pending request and its link, on a
// fresh table of the local DynamoDB, and returns the store and the link token.
func pending(t *testing.T) (*store.Store, string) {
	t.Helper()
	s, db := storetest.New(t)
	tables[s] = db
	t.Cleanup(func() { delete(tables, s) })
	return s, addPending(t, s)
}

// tables keeps each test store's client, to read its raw items.
var tables = map[*store.Store]*dynamodb.Client{}

// tableDump is every stored item, as DynamoDB JSON (a test may Scan).
func tableDump(t *testing.T, s *store.Store) string {
	t.Helper()
	out, err := tables[s].Scan(context.Background(), &dynamodb.ScanInput{TableName: aws.String("consent")})
	if err != nil || len(out.Items) == 0 {
		t.Fatalf("scan: %d items, %v", len(out.Items), err)
	}
	var items []map[string]any
	if err := attributevalue.UnmarshalListOfMaps(out.Items, &items); err != nil {
		t.Fatal(err)
	}
	dump := fmt.Sprint(items)
	if !strings.Contains(dump, "ada@example.com") {
		t.Fatalf("the dump misses what is stored: %s", dump)
	}
	return dump
}

// addPending stores another candidate with a pending request and its link.
func addPending(t *testing.T, s *store.Store) string {
	t.Helper()
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
	return token
}

// networkKey is the deployment secret, read with the Secrets Manager SDK
// from the local cloud's stand-in, as the function reads it in AWS.
func networkKey(t *testing.T) *secret.Cached {
	t.Helper()
	sm := secretsmanager.New("us-east-1", "000000000000")
	arn := sm.Generate(topology.NetworkHashSecret)
	srv := httptest.NewServer(sm)
	t.Cleanup(srv.Close)
	return secret.New(awssm.New(awssm.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL), Credentials: aws.AnonymousCredentials{}}), arn)
}

func newHandler(t *testing.T, s *store.Store, wf *workflows) *Handler {
	return &Handler{Store: s, Workflows: wf, NetworkKey: networkKey(t), Policy: policy, Log: slog.New(slog.DiscardHandler), Now: func() time.Time { return now }}
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
	h := newHandler(t, s, wf)
	res, err := h.Handle(context.Background(), formPost(token, "203.0.113.77"))
	if err != nil || res.StatusCode != http.StatusSeeOther || res.Headers["Location"] != "/c/"+token+"?lang=fr" {
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
	key, err := h.NetworkKey.Value(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := consent.Pseudonym(key, "203.0.113.0/24")
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
	var logs bytes.Buffer
	h := newHandler(t, s, wf)
	h.Log = slog.New(slog.NewJSONHandler(&logs, nil))
	res, _ := h.Handle(context.Background(), formPost(token, "2001:db8::1"))
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("status %d, want 303 to the recorded answer", res.StatusCode)
	}
	cs, _ := s.Consents(context.Background(), mustCandidate(t, s, token))
	if cs[0].State != consent.Given {
		t.Fatalf("state %s, want given", cs[0].State)
	}
	if !strings.Contains(logs.String(), `"LostHandOvers":1`) || !strings.Contains(logs.String(), `"Namespace":"Consentflow"`) {
		t.Fatalf("no LostHandOvers metric logged:\n%s", logs.String())
	}
	if len(wf.tokens) != handOverAttempts || handOverAttempts < 2 {
		t.Fatalf("handed over %d times, want %d tries (more than one: a failed hand-over is retried)", len(wf.tokens), handOverAttempts)
	}
	again, _ := h.Handle(context.Background(), formPost(token, "2001:db8::1"))
	if again.StatusCode != http.StatusConflict {
		t.Fatalf("second answer %d, want 409", again.StatusCode)
	}
}

// A hand-over that fails once is tried again: the workflow gets the
// answer, and nothing is counted as lost.
func TestAHandOverThatFailsOnceIsRetried(t *testing.T) {
	s, token := pending(t)
	wf := &workflows{fail: errors.New("ThrottlingException"), failFirst: 1}
	var logs bytes.Buffer
	h := newHandler(t, s, wf)
	h.Log = slog.New(slog.NewJSONHandler(&logs, nil))
	res, _ := h.Handle(context.Background(), formPost(token, "203.0.113.77"))
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("status %d, want 303 to the recorded answer", res.StatusCode)
	}
	if len(wf.tokens) != 2 || wf.tokens[1] != "task-token-1" {
		t.Fatalf("handed over %v, want a failed try and a second one with the request's task token", wf.tokens)
	}
	if strings.Contains(logs.String(), "LostHandOvers") {
		t.Fatalf("a hand-over that succeeded on its second try was counted as lost:\n%s", logs.String())
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

// Hostile or odd bodies get a problem with a 4xx status and change nothing;
// a media type in another case is still read.
func TestBodiesAreReadStrictly(t *testing.T) {
	big := base64.StdEncoding.EncodeToString([]byte("talent_pool=grant&x=" + strings.Repeat("a", 4<<20)))
	tests := []struct {
		name, contentType, body string
		base64                  bool
		status                  int
		state                   consent.State // the consent's state afterwards
	}{
		{"JSON in another case", "Application/JSON", `{"decisions":[{"purpose":"talent_pool","grant":true}]}`, false, http.StatusOK, consent.Given},
		{"form in another case", "Application/X-WWW-Form-Urlencoded", "talent_pool=grant", false, http.StatusOK, consent.Given},
		{"no content type", "", "talent_pool=grant", false, http.StatusUnsupportedMediaType, consent.Requested},
		{"plain text", "text/plain", "talent_pool=grant", false, http.StatusUnsupportedMediaType, consent.Requested},
		{"4 MB form", "application/x-www-form-urlencoded", big, true, http.StatusRequestEntityTooLarge, consent.Requested},
		{"case-variant keys", "application/json", `{"decisions":[{"purpose":"talent_pool","grant":false,"GRANT":true}]}`, false, http.StatusUnprocessableEntity, consent.Requested},
		{"duplicate decisions key", "application/json", `{"decisions":[{"purpose":"talent_pool","grant":false}],"decisions":[{"purpose":"talent_pool","grant":true}]}`, false, http.StatusUnprocessableEntity, consent.Requested},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, token := pending(t)
			h := newHandler(t, s, &workflows{})
			req := formPost(token, "203.0.113.7")
			req.Headers = map[string]string{"accept": "application/json"}
			if tt.contentType != "" {
				req.Headers["content-type"] = tt.contentType
			}
			req.Body, req.IsBase64Encoded = tt.body, tt.base64
			res, err := h.Handle(context.Background(), req)
			if err != nil || res.StatusCode != tt.status {
				t.Fatalf("status %d %s (%v), want %d", res.StatusCode, res.Body, err, tt.status)
			}
			if tt.status >= 400 && res.Headers["Content-Type"] != "application/problem+json" {
				t.Errorf("content type %q, want a problem", res.Headers["Content-Type"])
			}
			cs, _ := s.Consents(context.Background(), mustCandidate(t, s, token))
			if cs[0].State != tt.state {
				t.Errorf("state %s, want %s", cs[0].State, tt.state)
			}
		})
	}
}

// The network hash is the same for every answer from one network, whatever
// the request, and differs between networks; nothing stored (ids, the event,
// the old request-id key) lets anyone recompute it, so the 2^24 IPv4 /24s
// cannot be tried against it without the deployment secret.
func TestNetworkHashIsStableAndKeyedWithTheDeploymentSecret(t *testing.T) {
	s, first := pending(t)
	second, third := addPending(t, s), addPending(t, s)
	h := newHandler(t, s, &workflows{})
	hashOf := func(token, ip string) consent.Event {
		t.Helper()
		if res, err := h.Handle(context.Background(), formPost(token, ip)); err != nil || res.StatusCode != http.StatusSeeOther {
			t.Fatalf("answer from %s: %d %v", ip, res.StatusCode, err)
		}
		evs, _ := s.Events(context.Background(), mustCandidate(t, s, token))
		for _, e := range evs {
			if e.Type == consent.EventGiven {
				return e
			}
		}
		t.Fatalf("no given event for the answer from %s", ip)
		return consent.Event{}
	}
	a, b, c := hashOf(first, "203.0.113.7"), hashOf(second, "203.0.113.200"), hashOf(third, "198.51.100.1")
	if a.IPHash == "" || a.IPHash != b.IPHash {
		t.Errorf("one network, two requests: hashes %q and %q, want equal", a.IPHash, b.IPHash)
	}
	if c.IPHash == a.IPHash {
		t.Errorf("two networks hash alike: %q", c.IPHash)
	}
	// Every key an attacker could take from the stored data fails to
	// reproduce the hash of the network we know the answer came from.
	_, cand, _ := s.RequestByLink(context.Background(), consent.HashLinkToken(first), now)
	var stored []string
	for _, e := range mustEvents(t, s, cand.ID) {
		stored = append(stored, e.ID, e.RequestID, e.CandidateID, e.Actor, e.NoticeVersion, e.UserAgent, e.Language, e.ReceiptID, e.Controller)
	}
	stored = append(stored, cand.ID, cand.Email, cand.Name, "")
	for _, k := range stored {
		for _, key := range []string{k, "consentflow/ip/" + k} {
			if consent.Pseudonym([]byte(key), "203.0.113.0/24") == a.IPHash {
				t.Fatalf("the network hash is reproducible with the stored value %q as key", key)
			}
		}
	}
	// And the secret itself is nowhere in the table.
	key, _ := h.NetworkKey.Value(context.Background())
	if dump := tableDump(t, s); strings.Contains(dump, string(key)) {
		t.Fatal("the deployment secret is stored in the table")
	}
}

// Without its key the answer is not recorded: the candidate is told to try
// again, and nothing changes.
func TestNoNetworkKeyNoAnswer(t *testing.T) {
	s, token := pending(t)
	h := newHandler(t, s, &workflows{})
	h.NetworkKey = secret.New(awssm.New(awssm.Options{Region: "us-east-1", BaseEndpoint: aws.String("http://127.0.0.1:1"),
		Credentials: aws.AnonymousCredentials{}, RetryMaxAttempts: 1}), "missing")
	res, _ := h.Handle(context.Background(), formPost(token, "203.0.113.7"))
	if res.StatusCode != http.StatusInternalServerError {
		t.Fatalf("status %d, want 500", res.StatusCode)
	}
	cs, _ := s.Consents(context.Background(), mustCandidate(t, s, token))
	if cs[0].State != consent.Requested {
		t.Fatalf("state %s, want requested", cs[0].State)
	}
}

func mustEvents(t *testing.T, s *store.Store, candidateID string) []consent.Event {
	t.Helper()
	evs, err := s.Events(context.Background(), candidateID)
	if err != nil {
		t.Fatal(err)
	}
	return evs
}
