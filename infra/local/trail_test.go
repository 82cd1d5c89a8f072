package local_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"

	"github.com/consentflow/consentflow/infra/local"
	"github.com/consentflow/consentflow/infra/local/ses"
	"github.com/consentflow/consentflow/infra/topology"
	"github.com/consentflow/consentflow/shared/consent"
	"github.com/consentflow/consentflow/shared/store"
)

// emails waits for n emails to a recipient whose subject matches.
func emails(t *testing.T, to, subject string, n int) []ses.Email {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	for {
		all, err := cloud.Outbox.Emails(ctx, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		var got []ses.Email
		for _, e := range all {
			if len(e.Destination.To) > 0 && e.Destination.To[0] == to && strings.Contains(e.Subject, subject) {
				got = append(got, e)
			}
		}
		if len(got) >= n {
			return got
		}
		select {
		case <-ctx.Done():
			t.Fatalf("%d emails to %s with subject %q, want %d", len(got), to, subject, n)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// trail reads a candidate's audit trail through the API.
func trail(t *testing.T, candidateID string) store.Trail {
	t.Helper()
	res := do(t, "GET", "/api/candidates/"+candidateID+"/audit", "", recruiter())
	if res.Status != http.StatusOK {
		t.Fatalf("audit: %d %s", res.Status, res.Body)
	}
	var tr store.Trail
	res.json(t, &tr)
	return tr
}

// replay derives each purpose's state from the trail, in its order.
func replay(events []consent.Event) map[string]string {
	m := map[string]string{}
	for _, e := range events {
		switch {
		case e.Type == consent.EventRequested:
			if m[string(e.Purpose)] != string(consent.Given) {
				m[string(e.Purpose)] = string(consent.Requested)
			}
		case e.ConsentUnchanged:
		default:
			m[string(e.Purpose)] = string(e.Type)
		}
	}
	return m
}

// chained reads the trail through the API and checks that it is gapless,
// in seq order, and verifies.
func chained(t *testing.T, candidateID string) store.Trail {
	t.Helper()
	tr := trail(t, candidateID)
	for i, e := range tr.Events {
		if e.Seq != int64(i+1) {
			t.Fatalf("event %d has seq %d", i, e.Seq)
		}
	}
	if !tr.Verification.Intact {
		t.Fatalf("chain broken: %+v", tr.Verification)
	}
	return tr
}

// agrees checks that the trail is chained and ends in the state the API
// shows.
func agrees(t *testing.T, candidateID string) store.Trail {
	t.Helper()
	tr := chained(t, candidateID)
	state := map[string]string{}
	for p, c := range consents(t, candidateID) {
		state[p] = c.State
	}
	if got := replay(tr.Events); fmt.Sprint(got) != fmt.Sprint(state) {
		t.Fatalf("the trail says %v, the state says %v", got, state)
	}
	return tr
}

func postAsync(path, body string, header map[string]string) (int, error) {
	req, err := http.NewRequest("POST", cloud.AppURL+path, strings.NewReader(body))
	if err != nil {
		return 0, err
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	res, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	res.Body.Close()
	return res.StatusCode, nil
}

// Three pending talent-pool requests answered at once (grant, decline,
// grant): the trail, in seq order, ends where the state is, every time.
func TestMixedConcurrentAnswersLeaveATrailThatAgreesWithTheState(t *testing.T) {
	for round := range 3 {
		to := uniqueEmail(t)
		id := register(t, to, "en")
		for range 3 {
			requestConsent(t, id, "talent_pool")
		}
		invites := emails(t, to, "asks for your consent", 3)
		var wg sync.WaitGroup
		statuses := make([]int, 3)
		errs := make([]error, 3)
		for i, choice := range []string{"grant", "decline", "grant"} {
			wg.Go(func() {
				statuses[i], errs[i] = postAsync(link(t, invites[i]), form(map[string]string{"talent_pool": choice}), formHeader())
			})
		}
		wg.Wait()
		for i := range 3 {
			if errs[i] != nil || statuses[i] != http.StatusSeeOther {
				t.Fatalf("round %d: answer %d: %d %v", round, i, statuses[i], errs[i])
			}
		}
		emails(t, to, "consent receipt", 3)
		tr := agrees(t, id)
		if len(tr.Events) != 6 {
			t.Fatalf("round %d: %d events, want 3 requested and 3 answers", round, len(tr.Events))
		}
	}
}

// Twenty concurrent requests for one candidate (different Idempotency-Keys)
// are all recorded, by the recruiter who asked; when their links lapse,
// each closes every purpose it asked about.
func TestTwentyConcurrentRequestsForOneCandidate(t *testing.T) {
	to := uniqueEmail(t)
	id := register(t, to, "en")
	var wg sync.WaitGroup
	statuses := make([]int, 20)
	errs := make([]error, 20)
	for i := range 20 {
		wg.Go(func() {
			statuses[i], errs[i] = postAsync("/api/candidates/"+id+"/consent-requests", `{"purposes":["talent_pool","interview_recording"]}`,
				recruiter("Idempotency-Key", fmt.Sprintf("twenty-%d-%d", time.Now().UnixNano(), i)))
		})
	}
	wg.Wait()
	for i := range 20 {
		if errs[i] != nil || statuses[i] != http.StatusAccepted {
			t.Fatalf("request %d: %d %v", i, statuses[i], errs[i])
		}
	}
	// Every execution records its request and sends its link.
	emails(t, to, "asks for your consent", 20)
	tr := agrees(t, id)
	requested := map[string]int{}
	for _, e := range tr.Events {
		if e.Type == consent.EventRequested {
			requested[e.RequestID]++
			if e.Actor != "local-recruiter" {
				t.Fatalf("requested event by %q, want the recruiter who asked: %+v", e.Actor, e)
			}
		}
	}
	if len(requested) != 20 {
		t.Fatalf("%d requests recorded, want 20", len(requested))
	}
	cloud.Clock.Advance(31 * 24 * time.Hour)
	for rid := range requested {
		waitForExecution(t, rid, "SUCCEEDED")
	}
	tr = agrees(t, id)
	closed := map[string]int{}
	for _, e := range tr.Events {
		if e.Type == consent.EventExpired {
			closed[e.RequestID]++
		}
	}
	for rid := range requested {
		if closed[rid] != 2 {
			t.Errorf("request %s has %d closing events, want one per purpose (2)", rid, closed[rid])
		}
	}
}

// drive moves the clock through the workflows' short waits (retry delays)
// until done reports true; the 30-day wait for an answer is left alone.
func drive(t *testing.T, done func() bool) {
	t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	for !done() {
		if time.Now().After(deadline) {
			t.Fatal("gave up waiting")
		}
		if ds := cloud.Clock.Deadlines(); len(ds) > 0 && ds[0].Sub(cloud.Clock.Now()) < 6*time.Hour {
			cloud.Clock.AdvanceToNext()
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func receipts(t *testing.T, to string) int {
	all, err := cloud.Outbox.Emails(context.Background(), time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range all {
		if len(e.Destination.To) > 0 && e.Destination.To[0] == to && strings.Contains(e.Subject, "consent receipt") {
			n++
		}
	}
	return n
}

// answered registers a candidate, asks for talent-pool consent and grants
// it, returning the address and the request.
func answered(t *testing.T, beforeAnswer func()) (to, candidateID, requestID string) {
	to = uniqueEmail(t)
	candidateID = register(t, to, "en")
	requestID = requestConsent(t, candidateID, "talent_pool")
	path := link(t, email(t, to, "asks for your consent"))
	beforeAnswer()
	if res := do(t, "POST", path, form(map[string]string{"talent_pool": "grant"}), formHeader()); res.Status != http.StatusSeeOther {
		t.Fatalf("answer: %d %s", res.Status, res.Body)
	}
	return to, candidateID, requestID
}

// SES is down for a minute of clock time after the answer: the receipt
// step keeps retrying, and the receipt arrives once SES is back.
func TestAReceiptSurvivesAMinuteOfSESOutage(t *testing.T) {
	before := cloud.Faults.Failed(local.SES)
	clear := func() {}
	defer func() { clear() }()
	to, id, requestID := answered(t, func() {
		clear = cloud.Faults.Fail(local.Fault{Service: local.SES, Action: "SendEmail"})
	})
	began := cloud.Clock.Now()
	drive(t, func() bool {
		return cloud.Faults.Failed(local.SES) > before && cloud.Clock.Now().Sub(began) >= time.Minute
	})
	clear()
	drive(t, func() bool { return receipts(t, to) > 0 })
	waitForExecution(t, requestID, "SUCCEEDED")
	if got := consents(t, id)["talent_pool"].State; got != "given" {
		t.Fatalf("state %s, want given", got)
	}
	agrees(t, id)
}

// The receipt function crashes once, or times out once after sending: the
// step is retried and the receipt arrives; nothing is lost.
func TestAReceiptSurvivesAFunctionThatCrashesOrTimesOutOnce(t *testing.T) {
	for _, fault := range []string{"crash", "timeout"} {
		t.Run(fault, func(t *testing.T) {
			inject := cloud.Faults.CrashOnce
			if fault == "timeout" {
				inject = cloud.Faults.TimeOutOnce
			}
			to, id, requestID := answered(t, func() {
				if err := inject("send-consent-receipt"); err != nil {
					t.Fatal(err)
				}
			})
			drive(t, func() bool { return receipts(t, to) > 0 && executionStatus(t, requestID) != "RUNNING" })
			if n := cloud.Faults.Pending("send-consent-receipt"); n != 0 {
				t.Fatalf("the injected fault was never met (%d pending)", n)
			}
			if fault == "timeout" && receipts(t, to) < 2 {
				t.Fatalf("%d receipts: the timed-out run sent one, and its retry another", receipts(t, to))
			}
			waitForExecution(t, requestID, "SUCCEEDED")
			if got := consents(t, id)["talent_pool"].State; got != "given" {
				t.Fatalf("state %s, want given", got)
			}
			agrees(t, id)
		})
	}
}

func executionStatus(t *testing.T, requestID string) string {
	t.Helper()
	c := sfn.New(sfn.Options{Region: local.Region, BaseEndpoint: aws.String(cloud.Endpoints["SFN"]), Credentials: aws.AnonymousCredentials{}})
	arn := fmt.Sprintf("arn:aws:states:%s:%s:execution:%s:%s", local.Region, local.AccountID, topology.ConsentRequestWorkflow, requestID)
	out, err := c.DescribeExecution(context.Background(), &sfn.DescribeExecutionInput{ExecutionArn: aws.String(arn)})
	if err != nil {
		t.Fatal(err)
	}
	return string(out.Status)
}
