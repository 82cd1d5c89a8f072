package local_test

import (
	"context"
	"encoding/json"
	"fmt"
	"hash/crc32"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/sfn"

	"github.com/consentflow/consentflow/infra/local"
	"github.com/consentflow/consentflow/infra/local/ses"
	"github.com/consentflow/consentflow/infra/topology"
	"github.com/consentflow/consentflow/shared/consent"
	"github.com/consentflow/consentflow/shared/store"
)

var (
	cloud      *local.Cloud
	bootstraps string
)

// TestMain starts one local cloud for the package, from bootstraps built by
// `make build-local` (CONSENTFLOW_BOOTSTRAPS) or, without them, built here.
func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	ctx := context.Background()
	root, _ := filepath.Abs(filepath.Join("..", ".."))
	dir := os.Getenv("CONSENTFLOW_BOOTSTRAPS")
	if dir == "" {
		tmp, err := os.MkdirTemp("", "consentflow-bootstraps-")
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		defer os.RemoveAll(tmp)
		if err := local.Build(ctx, root, tmp, topology.App); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		dir = tmp
	}
	bootstraps = dir
	var logs io.Writer = io.Discard
	if os.Getenv("CONSENTFLOW_LOGS") != "" {
		logs = os.Stderr
	}
	var err error
	cloud, err = local.Start(ctx, topology.App, local.Config{Root: root, Bootstraps: dir, Logs: logs})
	if err != nil {
		fmt.Fprintln(os.Stderr, "start local cloud:", err)
		return 1
	}
	defer cloud.Close()
	code := m.Run()
	if code == 0 {
		if err := everyReceiptSentIsGenuineKantara(ctx, root); err != nil {
			fmt.Fprintln(os.Stderr, "FAIL: receipts the local cloud sent:", err)
			return 1
		}
	}
	return code
}

// client is a recruiter's or a candidate's HTTP client; it does not follow
// redirects, so tests see them.
var client = &http.Client{
	Timeout:       30 * time.Second,
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

type response struct {
	Status int
	Header http.Header
	Body   string
}

func (r response) json(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(r.Body), v); err != nil {
		t.Fatalf("body is not JSON: %v\n%s", err, r.Body)
	}
}

func do(t *testing.T, method, path, body string, header map[string]string) response {
	t.Helper()
	req, err := http.NewRequest(method, cloud.AppURL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	res, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return response{Status: res.StatusCode, Header: res.Header, Body: string(b)}
}

func recruiter(extra ...string) map[string]string {
	h := map[string]string{"Authorization": "Bearer " + cloud.RecruiterToken, "Content-Type": "application/json"}
	for i := 0; i+1 < len(extra); i += 2 {
		h[extra[i]] = extra[i+1]
	}
	return h
}

var browser = map[string]string{"Accept": "text/html,application/xhtml+xml", "User-Agent": "Mozilla/5.0 (test)"}

var problemJSON = map[string]string{"Accept": "application/json"}

func uniqueEmail(t *testing.T) string {
	return fmt.Sprintf("%s-%d@example.com", strings.ToLower(regexp.MustCompile(`[^A-Za-z0-9]+`).ReplaceAllString(t.Name(), "-")), time.Now().UnixNano())
}

func register(t *testing.T, email, locale string) string {
	t.Helper()
	res := do(t, "POST", "/api/candidates", fmt.Sprintf(`{"name":"Ada Lovelace","email":%q,"locale":%q}`, email, locale), recruiter())
	if res.Status != http.StatusCreated {
		t.Fatalf("register: %d %s", res.Status, res.Body)
	}
	var out struct{ ID string }
	res.json(t, &out)
	if out.ID == "" {
		t.Fatalf("register: no id in %s", res.Body)
	}
	return out.ID
}

func requestConsent(t *testing.T, candidateID string, purposes ...string) string {
	t.Helper()
	b, _ := json.Marshal(map[string]any{"purposes": purposes})
	res := do(t, "POST", "/api/candidates/"+candidateID+"/consent-requests", string(b), recruiter())
	if res.Status != http.StatusAccepted {
		t.Fatalf("request consent: %d %s", res.Status, res.Body)
	}
	var out struct{ RequestID string }
	res.json(t, &out)
	return out.RequestID
}

type consentState struct {
	Purpose, State, NoticeVersion, RequestID, ReceiptID string
}

func consents(t *testing.T, candidateID string) map[string]consentState {
	t.Helper()
	res := do(t, "GET", "/api/candidates/"+candidateID+"/consents", "", recruiter())
	if res.Status != http.StatusOK {
		t.Fatalf("consents: %d %s", res.Status, res.Body)
	}
	var out struct{ Consents []consentState }
	res.json(t, &out)
	m := map[string]consentState{}
	for _, c := range out.Consents {
		m[c.Purpose] = c
	}
	return m
}

// email waits for the email to a recipient whose subject matches.
func email(t *testing.T, to, subject string) ses.Email {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for {
		emails, err := cloud.Outbox.Emails(ctx, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range emails {
			if len(e.Destination.To) > 0 && e.Destination.To[0] == to && strings.Contains(e.Subject, subject) {
				return e
			}
		}
		select {
		case <-ctx.Done():
			t.Fatalf("no email to %s with subject %q (have %d emails)", to, subject, len(emails))
		case <-time.After(50 * time.Millisecond):
		}
	}
}

var linkRE = regexp.MustCompile(`/c/([A-Za-z0-9_-]{43})`)

func link(t *testing.T, e ses.Email) string {
	t.Helper()
	m := linkRE.FindStringSubmatch(e.Body.Text)
	if m == nil {
		t.Fatalf("no consent link in email:\n%s", e.Body.Text)
	}
	return "/c/" + m[1]
}

// snapshot reads both tables whole, to prove a request changed nothing.
// snapshot is every item of both tables, sorted, once what earlier tests
// set in motion (a workflow step, an upload's event) has settled: two scans
// 100 ms apart agree.
func snapshot(t *testing.T) []string {
	t.Helper()
	last := scan(t)
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); {
		time.Sleep(100 * time.Millisecond)
		next := scan(t)
		if reflect.DeepEqual(last, next) {
			return next
		}
		last = next
	}
	return last
}

func scan(t *testing.T) []string {
	t.Helper()
	db := dynamodb.New(dynamodb.Options{Region: local.Region, BaseEndpoint: aws.String(cloud.Endpoints["DYNAMODB"]), Credentials: aws.AnonymousCredentials{}})
	var items []string
	for _, table := range []topology.Table{topology.App.Table, topology.App.Audit} {
		pages := dynamodb.NewScanPaginator(db, &dynamodb.ScanInput{TableName: aws.String(local.TableName(table))})
		for pages.HasMorePages() {
			out, err := pages.NextPage(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			for _, it := range out.Items {
				b, _ := json.Marshal(it)
				items = append(items, string(b))
			}
		}
	}
	sort.Strings(items)
	return items
}

func form(values map[string]string) string {
	v := url.Values{}
	for k, s := range values {
		v.Set(k, s)
	}
	return v.Encode()
}

func formHeader() map[string]string {
	h := map[string]string{"Content-Type": "application/x-www-form-urlencoded"}
	for k, v := range browser {
		h[k] = v
	}
	return h
}

func TestConsentRequestEndToEnd(t *testing.T) {
	to := uniqueEmail(t)
	id := register(t, to, "en")
	requestID := requestConsent(t, id, "talent_pool")

	invite := email(t, to, "asks for your consent")
	path := link(t, invite)

	if got := consents(t, id)["talent_pool"]; got.State != "requested" || got.RequestID != requestID {
		t.Fatalf("before the answer: %+v, want requested by %s", got, requestID)
	}

	// The page says who, what, which data, how long, which notice, and how to withdraw.
	before := snapshot(t)
	page := do(t, "GET", path, "", browser)
	if page.Status != http.StatusOK || !strings.HasPrefix(page.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("page: %d %s", page.Status, page.Header.Get("Content-Type"))
	}
	for _, want := range []string{
		`<html lang="en">`, "Example Recruiting Ltd", "Talent pool", "CV", "730 days", "version 2026-11-01",
		"withdraw your consent at any time", "privacy@example.com", `name="talent_pool" value="grant"`,
	} {
		if !strings.Contains(page.Body, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	if page.Header.Get("Referrer-Policy") != "no-referrer" || page.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("page headers leak the token: %v", page.Header)
	}
	// A GET (a mail scanner, a second look) changes nothing.
	do(t, "GET", path, "", browser)
	do(t, "GET", path, "", problemJSON)
	if after := snapshot(t); !reflect.DeepEqual(before, after) {
		t.Fatalf("GET changed stored data")
	}

	// The emailed link carries the candidate's language; the answer goes
	// back to the page in the language it was given in.
	if !strings.Contains(invite.Body.Text, path+"?lang=en") {
		t.Errorf("the link does not carry the candidate's language:\n%s", invite.Body.Text)
	}
	answer := do(t, "POST", path, form(map[string]string{"talent_pool": "grant"}), formHeader())
	if answer.Status != http.StatusSeeOther || answer.Header.Get("Location") != path+"?lang=en" {
		t.Fatalf("answer: %d %v %s", answer.Status, answer.Header, answer.Body)
	}
	done := do(t, "GET", path, "", browser)
	if done.Status != http.StatusOK || !strings.Contains(done.Body, "your answer is recorded") || !strings.Contains(done.Body, "You gave your consent") {
		t.Fatalf("page after answer: %d\n%s", done.Status, done.Body)
	}

	receipt := email(t, to, "consent receipt")
	given := consents(t, id)["talent_pool"]
	if given.State != "given" || given.ReceiptID == "" || given.NoticeVersion != "2026-11-01" {
		t.Fatalf("after the answer: %+v", given)
	}
	for _, want := range []string{
		given.ReceiptID, "Example Recruiting Ltd", "Talent pool: given", "730 days", "2026-11-01", "https://example.com/privacy",
		"withdraw your consent at any time", "/.well-known/jwks.json",
	} {
		if !strings.Contains(receipt.Body.Text, want) {
			t.Errorf("receipt lacks %q:\n%s", want, receipt.Body.Text)
		}
	}
	doc, _ := receiptOf(t, receipt)
	for _, want := range []string{
		`"consentReceiptID":"` + given.ReceiptID + `"`, `"piiController":"Example Recruiting Ltd"`, `"purpose":"talent_pool"`,
		`"legalBasis":"GDPR Art. 6(1)(a) consent"`, `"cv"`, `"retentionDays":730`, `"noticeVersion":"2026-11-01"`,
		`"policyUrl":"https://example.com/privacy"`, `"dpvState":"dpv:ConsentGiven"`, `"version":"KI-CR-v1.1.0"`,
	} {
		if !strings.Contains(string(doc), want) {
			t.Errorf("attached receipt lacks %s:\n%s", want, doc)
		}
	}

	// The workflow finished: it took the answer and sent the receipt.
	waitForExecution(t, requestID, "SUCCEEDED")
}

func waitForExecution(t *testing.T, requestID, status string) {
	t.Helper()
	client := sfn.New(sfn.Options{Region: local.Region, BaseEndpoint: aws.String(cloud.Endpoints["SFN"]), Credentials: aws.AnonymousCredentials{}})
	arn := fmt.Sprintf("arn:aws:states:%s:%s:execution:%s:%s", local.Region, local.AccountID, topology.ConsentRequestWorkflow, requestID)
	deadline := time.Now().Add(30 * time.Second)
	for {
		out, err := client.DescribeExecution(context.Background(), &sfn.DescribeExecutionInput{ExecutionArn: aws.String(arn)})
		if err != nil {
			t.Fatal(err)
		}
		if string(out.Status) == status {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("execution %s is %s, want %s (error %s: %s)", requestID, out.Status, status, aws.ToString(out.Error), aws.ToString(out.Cause))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestDeclineIsRecordedWithAReceipt(t *testing.T) {
	to := uniqueEmail(t)
	id := register(t, to, "de")
	requestConsent(t, id, "talent_pool", "interview_recording")
	path := link(t, email(t, to, "bittet um Ihre Einwilligung"))
	page := do(t, "GET", path, "", browser)
	if !strings.Contains(page.Body, `<html lang="de">`) || !strings.Contains(page.Body, "Aufzeichnung des Interviews") {
		t.Fatalf("page is not in German:\n%s", page.Body)
	}
	// An answer that does not say grant or not is refused, never taken as a no.
	before := snapshot(t)
	res := do(t, "POST", path, `{"decisions":[{"purpose":"talent_pool"},{"purpose":"interview_recording","grant":true}]}`,
		map[string]string{"Content-Type": "application/json"})
	if res.Status != http.StatusUnprocessableEntity || res.Header.Get("Content-Type") != "application/problem+json" {
		t.Fatalf("answer without grant: %d %s", res.Status, res.Body)
	}
	if after := snapshot(t); !reflect.DeepEqual(before, after) {
		t.Fatal("an answer without grant changed stored data")
	}
	res = do(t, "POST", path, `{"decisions":[{"purpose":"talent_pool","grant":false},{"purpose":"interview_recording","grant":true}]}`,
		map[string]string{"Content-Type": "application/json"})
	if res.Status != http.StatusOK {
		t.Fatalf("answer: %d %s", res.Status, res.Body)
	}
	receipt := email(t, to, "Einwilligungsbestätigung")
	doc, _ := receiptOf(t, receipt)
	if !strings.Contains(string(doc), `"dpv:ConsentRefused"`) || !strings.Contains(string(doc), `"dpv:ConsentGiven"`) ||
		!strings.Contains(string(doc), `"language":"de"`) || !strings.Contains(receipt.Body.Text, "Talentpool: abgelehnt") {
		t.Fatalf("receipt:\n%s\n%s", receipt.Body.Text, doc)
	}
	got := consents(t, id)
	if got["talent_pool"].State != "refused" || got["interview_recording"].State != "given" {
		t.Fatalf("consents = %+v", got)
	}
}

type problem struct {
	Type   string
	Title  string
	Status int
	Detail string
}

func TestBadInputGetsAProblemAndChangesNothing(t *testing.T) {
	to := uniqueEmail(t)
	id := register(t, to, "en")
	requestConsent(t, id, "talent_pool")
	path := link(t, email(t, to, "asks for your consent"))
	if res := do(t, "POST", path, `{"decisions":[{"purpose":"talent_pool","grant":true}]}`, map[string]string{"Content-Type": "application/json"}); res.Status != http.StatusOK {
		t.Fatalf("first answer: %d %s", res.Status, res.Body)
	}
	email(t, to, "consent receipt")

	tests := []struct {
		name, method, path, body string
		header                   map[string]string
		status                   int
	}{
		{"unknown candidate", "POST", "/api/candidates/NOSUCHCANDIDATE/consent-requests", `{"purposes":["talent_pool"]}`, recruiter(), 404},
		{"unknown candidate's consents", "GET", "/api/candidates/NOSUCHCANDIDATE/consents", "", recruiter(), 404},
		{"malformed JSON", "POST", "/api/candidates", `{"name":"Ada",`, recruiter(), 400},
		{"unknown field", "POST", "/api/candidates", `{"name":"Ada","email":"a@example.com","locale":"en","age":3}`, recruiter(), 400},
		{"bad email", "POST", "/api/candidates", `{"name":"Ada","email":"not-an-email","locale":"en"}`, recruiter(), 422},
		{"unsupported locale", "POST", "/api/candidates", `{"name":"Ada","email":"a@example.com","locale":"xx"}`, recruiter(), 422},
		{"non-ASCII email", "POST", "/api/candidates", `{"name":"Jürgen","email":"j@exämple.de","locale":"de"}`, recruiter(), 422},
		{"over-long candidate ID", "GET", "/api/candidates/" + strings.Repeat("A", 3000) + "/consents", "", recruiter(), 404},
		{"unknown purpose", "POST", "/api/candidates/" + id + "/consent-requests", `{"purposes":["marketing"]}`, recruiter(), 422},
		{"no purposes", "POST", "/api/candidates/" + id + "/consent-requests", `{"purposes":[]}`, recruiter(), 422},
		{"not JSON", "POST", "/api/candidates", `name=Ada`, recruiter("Content-Type", "application/x-www-form-urlencoded"), 415},
		// Hostile input (issue 7): each refused with a problem, nothing stored.
		{"name with CR/LF and a link", "POST", "/api/candidates", `{"name":"Ada\r\nhttps://evil.example/withdraw","email":"a@example.com","locale":"en"}`, recruiter(), 422},
		{"name with a bidi override", "POST", "/api/candidates", `{"name":"Ada \u202egnp.exe","email":"a@example.com","locale":"en"}`, recruiter(), 422},
		{"invisible name", "POST", "/api/candidates", `{"name":"\u200b\u200d","email":"a@example.com","locale":"en"}`, recruiter(), 422},
		{"name not UTF-8", "POST", "/api/candidates", "{\"name\":\"Ada \xff\",\"email\":\"a@example.com\",\"locale\":\"en\"}", recruiter(), 422},
		{"email at localhost", "POST", "/api/candidates", `{"name":"Ada","email":"a@localhost","locale":"en"}`, recruiter(), 422},
		{"email at an address literal", "POST", "/api/candidates", `{"name":"Ada","email":"a@[127.0.0.1]","locale":"en"}`, recruiter(), 422},
		{"position with a bidi override", "POST", "/api/candidates/" + id + "/applications", `{"position":"Engineer \u202egnp.exe"}`, recruiter(), 422},
		{"position with CR/LF and a link", "POST", "/api/candidates/" + id + "/applications", `{"position":"Engineer\r\nhttps://evil.example/withdraw"}`, recruiter(), 422},
		{"invisible position", "POST", "/api/candidates/" + id + "/applications", `{"position":"\u200b\u3164"}`, recruiter(), 422},
		{"withdrawal note with an escape", "POST", "/api/candidates/" + id + "/consents/talent_pool/withdraw", `{"channel":"phone","note":"called \u001b[2J"}`, recruiter(), 422},
		{"rectification reason with a bidi isolate", "POST", "/api/candidates/" + id + "/rectifications/" + consent.NewID(), `{"decision":"decline","reason":"see \u2067evil\u2069"}`, recruiter(), 422},
		{"case-variant keys", "POST", "/api/candidates", `{"name":"First","NAME":"Second","email":"a@example.com","locale":"en"}`, recruiter("Content-Type", "Application/JSON"), 422},
		{"no Content-Type", "POST", "/api/candidates", `{"name":"Ada","email":"a@example.com","locale":"en"}`, recruiter("Content-Type", ""), 415},
		{"5 MB of JSON", "POST", "/api/candidates", `{"name":"` + strings.Repeat("a", 5<<20) + `","email":"a@example.com","locale":"en"}`, recruiter(), 413},
		{"unknown token", "GET", "/c/" + strings.Repeat("A", 43), "", problemJSON, 404},
		{"garbage token", "GET", "/c/not-a-token", "", problemJSON, 404},
		{"answer to unknown token", "POST", "/c/" + strings.Repeat("B", 43), `{"decisions":[]}`, map[string]string{"Content-Type": "application/json"}, 404},
		{"replayed decision", "POST", path, `{"decisions":[{"purpose":"talent_pool","grant":false}]}`, map[string]string{"Content-Type": "application/json"}, 409},
		{"replayed form post", "POST", path, form(map[string]string{"talent_pool": "decline"}), map[string]string{"Content-Type": "application/x-www-form-urlencoded"}, 409},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := snapshot(t)
			res := do(t, tt.method, tt.path, tt.body, tt.header)
			if res.Status != tt.status {
				t.Fatalf("status %d, want %d: %s", res.Status, tt.status, res.Body)
			}
			if ct := res.Header.Get("Content-Type"); ct != "application/problem+json" {
				t.Fatalf("Content-Type %q, want application/problem+json", ct)
			}
			var p problem
			res.json(t, &p)
			if p.Status != tt.status || p.Type == "" || p.Title == "" || p.Detail == "" {
				t.Fatalf("problem body %+v is incomplete", p)
			}
			if after := snapshot(t); !reflect.DeepEqual(before, after) {
				t.Fatalf("stored data changed")
			}
		})
	}
	if got := consents(t, id)["talent_pool"].State; got != "given" {
		t.Fatalf("after the bad requests the consent is %s, want given", got)
	}
}

func TestRecruiterAPINeedsAToken(t *testing.T) {
	for _, h := range []map[string]string{
		{"Content-Type": "application/json"},
		{"Content-Type": "application/json", "Authorization": "Bearer wrong"},
	} {
		res := do(t, "POST", "/api/candidates", `{"name":"Ada","email":"a@example.com","locale":"en"}`, h)
		if res.Status != http.StatusUnauthorized {
			t.Fatalf("status %d, want 401", res.Status)
		}
	}
}

func TestRegisteringTwiceWithOneIdempotencyKeyMakesOneCandidate(t *testing.T) {
	body := fmt.Sprintf(`{"name":"Grace Hopper","email":%q,"locale":"fr"}`, uniqueEmail(t))
	key := "key-" + t.Name() + fmt.Sprint(time.Now().UnixNano())
	first := do(t, "POST", "/api/candidates", body, recruiter("Idempotency-Key", key))
	second := do(t, "POST", "/api/candidates", body, recruiter("Idempotency-Key", key))
	if first.Status != http.StatusCreated || second.Status != http.StatusOK {
		t.Fatalf("statuses %d, %d; want 201, 200", first.Status, second.Status)
	}
	var a, b struct{ ID string }
	first.json(t, &a)
	second.json(t, &b)
	if a.ID != b.ID {
		t.Fatalf("two candidates %s and %s for one key", a.ID, b.ID)
	}
}

func TestAnUnansweredRequestExpiresWithItsLink(t *testing.T) {
	to := uniqueEmail(t)
	id := register(t, to, "en")
	requestID := requestConsent(t, id, "talent_pool")
	path := link(t, email(t, to, "asks for your consent"))
	waitForTimer(t)
	// The workflow waits for the answer as long as the link is valid (30 days).
	cloud.Clock.Advance(31 * 24 * time.Hour)
	waitForExecution(t, requestID, "SUCCEEDED")
	if got := consents(t, id)["talent_pool"].State; got != "expired" {
		t.Fatalf("state %s, want expired", got)
	}
	res := do(t, "GET", path, "", problemJSON)
	if res.Status != http.StatusGone || res.Header.Get("Content-Type") != "application/problem+json" {
		t.Fatalf("expired link: %d %s", res.Status, res.Body)
	}
	res = do(t, "POST", path, form(map[string]string{"talent_pool": "grant"}), formHeader())
	if res.Status != http.StatusGone || !strings.Contains(res.Body, "This link has expired") {
		t.Fatalf("answer to expired link: %d %s", res.Status, res.Body)
	}
	if got := consents(t, id)["talent_pool"].State; got != "expired" {
		t.Fatalf("state after a late answer %s, want expired", got)
	}
}

// waitForTimer waits until some workflow waits on the clock (the link timeout).
func waitForTimer(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := cloud.Clock.BlockUntil(ctx, 1); err != nil {
		t.Fatal("no workflow started waiting:", err)
	}
}

// An answer recorded while its hand-over to the workflow failed (here: the
// decision is written straight to the table and the workflow never hears
// of it) still gets its receipt when the workflow's wait times out.
func TestAnAnswerTheWorkflowNeverHeardOfStillGetsAReceipt(t *testing.T) {
	ctx := context.Background()
	to := uniqueEmail(t)
	id := register(t, to, "en")
	requestID := requestConsent(t, id, "talent_pool")
	token := strings.TrimPrefix(link(t, email(t, to, "asks for your consent")), "/c/")
	waitForTimer(t)

	db := dynamodb.New(dynamodb.Options{Region: local.Region, BaseEndpoint: aws.String(cloud.Endpoints["DYNAMODB"]), Credentials: aws.AnonymousCredentials{}})
	st := store.New(db, local.TableName(topology.App.Table), local.TableName(topology.App.Audit))
	req, _, err := st.RequestByLink(ctx, consent.HashLinkToken(token), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.RecordDecision(ctx, req, []consent.Decision{{Purpose: consent.TalentPool, Grant: true}}, consent.Evidence{Language: "en"}, time.Now()); err != nil {
		t.Fatal(err)
	}
	cloud.Clock.Advance(31 * 24 * time.Hour)
	receipt := email(t, to, "consent receipt")
	if doc, _ := receiptOf(t, receipt); !strings.Contains(string(doc), `"dpv:ConsentGiven"`) {
		t.Fatalf("receipt:\n%s", doc)
	}
	waitForExecution(t, requestID, "SUCCEEDED")
	if got := consents(t, id)["talent_pool"].State; got != "given" {
		t.Fatalf("state %s, want given", got)
	}
}

// When email cannot be sent, the workflow retries, then closes the request,
// so the candidate's consent does not stay "requested" for ever.
func TestARequestThatCannotBeDeliveredIsClosed(t *testing.T) {
	ctx := context.Background()
	root, _ := filepath.Abs(filepath.Join("..", ".."))
	own, err := local.Start(ctx, topology.App, local.Config{Root: root, Bootstraps: bootstraps})
	if err != nil {
		t.Fatal(err)
	}
	defer own.Close()
	app := func(method, path, body string) response {
		req, _ := http.NewRequest(method, own.AppURL+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+own.RecruiterToken)
		req.Header.Set("Content-Type", "application/json")
		res, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return response{Status: res.StatusCode, Body: string(b)}
	}
	res := app("POST", "/api/candidates", `{"name":"Ada","email":"ada@example.com","locale":"en"}`)
	var c struct{ ID string }
	res.json(t, &c)
	if err := own.Outbox.Close(); err != nil { // SES is down from here on
		t.Fatal(err)
	}
	res = app("POST", "/api/candidates/"+c.ID+"/consent-requests", `{"purposes":["talent_pool"]}`)
	var r struct{ RequestID string }
	res.json(t, &r)

	machines := sfn.New(sfn.Options{Region: local.Region, BaseEndpoint: aws.String(own.Endpoints["SFN"]), Credentials: aws.AnonymousCredentials{}})
	arn := fmt.Sprintf("arn:aws:states:%s:%s:execution:%s:%s", local.Region, local.AccountID, topology.ConsentRequestWorkflow, r.RequestID)
	deadline := time.Now().Add(60 * time.Second)
	for {
		out, err := machines.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: aws.String(arn)})
		if err != nil {
			t.Fatal(err)
		}
		if out.Status != "RUNNING" {
			if out.Status != "FAILED" || aws.ToString(out.Error) != "ConsentRequestFailed" {
				t.Fatalf("execution %s (%s), want FAILED with ConsentRequestFailed", out.Status, aws.ToString(out.Error))
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the workflow never gave up")
		}
		// Retry delays pass at once; the 30-day wait for an answer does not.
		if ds := own.Clock.Deadlines(); len(ds) > 0 && ds[0].Sub(own.Clock.Now()) < time.Hour {
			own.Clock.AdvanceToNext()
		}
		time.Sleep(5 * time.Millisecond)
	}
	res = app("GET", "/api/candidates/"+c.ID+"/consents", "")
	if !strings.Contains(res.Body, `"state":"expired"`) || !strings.Contains(res.Body, `"reason":"failed","failure":"MailUnavailable"`) {
		t.Fatalf("consents after the workflow gave up, want expired and why: %s", res.Body)
	}
}

// The local DynamoDB answers with DynamoDB's X-Amz-Crc32 header, so the SDK
// in every function validates responses instead of warning on each call.
func TestLocalDynamoDBSignsItsResponsesWithCRC32(t *testing.T) {
	req, _ := http.NewRequest("POST", cloud.Endpoints["DYNAMODB"], strings.NewReader(`{"TableName":"consent"}`))
	req.Header.Set("X-Amz-Target", "DynamoDB_20120810.DescribeTable")
	req.Header.Set("Content-Type", "application/x-amz-json-1.0")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	if want := fmt.Sprint(crc32.ChecksumIEEE(body)); res.Header.Get("X-Amz-Crc32") != want || res.StatusCode != http.StatusOK {
		t.Fatalf("status %d, X-Amz-Crc32 %q, want %s", res.StatusCode, res.Header.Get("X-Amz-Crc32"), want)
	}
}
