package main

import (
	"context"
	"html"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	localdynamodb "github.com/consentflow/consentflow/infra/local/dynamodb"

	"github.com/consentflow/consentflow/shared/consent"
	"github.com/consentflow/consentflow/shared/httpapi"
	"github.com/consentflow/consentflow/shared/locale"
	"github.com/consentflow/consentflow/shared/store"
)

var (
	now    = time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)
	policy = consent.Policy{
		Controller: "ACME s.r.o.", ControllerContact: "privacy@acme.example", NoticeVersion: "2026-11-01",
		NoticeURL: "https://acme.example/privacy", PublicBaseURL: "https://consent.acme.example", LinkValidity: 30 * 24 * time.Hour,
		Retention: map[consent.Purpose]time.Duration{consent.TalentPool: 730 * 24 * time.Hour, consent.InterviewRecording: 180 * 24 * time.Hour},
	}
)

// linked stores a candidate with the given locale and a pending request
// with its link, on a fresh local table.
func linked(t *testing.T, lang string) (*store.Store, string) {
	t.Helper()
	srv := httptest.NewServer(localdynamodb.New())
	t.Cleanup(srv.Close)
	db := dynamodb.New(dynamodb.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL), Credentials: aws.AnonymousCredentials{}})
	ctx := context.Background()
	_, err := db.CreateTable(ctx, &dynamodb.CreateTableInput{
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
	c, err := consent.NewCandidate("Ľudmila Nováková", "ludmila@example.com", lang, now)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.CreateCandidate(ctx, c, ""); err != nil {
		t.Fatal(err)
	}
	req := policy.NewRequest(consent.NewID(), c.ID, "recruiter-1", []consent.Purpose{consent.TalentPool}, now)
	if _, err := s.RecordRequest(ctx, req); err != nil {
		t.Fatal(err)
	}
	token := consent.NewLinkToken()
	if err := s.AttachLink(ctx, req.ID, consent.HashLinkToken(token), "task-token"); err != nil {
		t.Fatal(err)
	}
	return s, token
}

func browse(token, query, acceptLanguage string) httpapi.Request {
	r := httpapi.Request{
		Headers:        map[string]string{"accept": "text/html", "accept-language": acceptLanguage},
		PathParameters: map[string]string{"token": token},
	}
	if query != "" {
		r.QueryStringParameters = map[string]string{"lang": query}
	}
	return r
}

// The page speaks the candidate's stored language whatever the browser
// prefers; the switcher changes it for the page (and its form posts it).
func TestThePageSpeaksTheCandidatesLanguage(t *testing.T) {
	s, token := linked(t, "sk")
	h := &Handler{Store: s, Policy: policy, Log: slog.New(slog.DiscardHandler), Now: func() time.Time { return now }}
	for _, tt := range []struct {
		query, browser, want string
	}{
		{"", "de-DE,de;q=0.9", "sk"},
		{"cs", "de-DE", "cs"},
		{"en", "", "en"},
		{"klingon", "fr", "sk"},
	} {
		res, err := h.Handle(context.Background(), browse(token, tt.query, tt.browser))
		if err != nil || res.StatusCode != http.StatusOK {
			t.Fatalf("lang=%q: %d %v", tt.query, res.StatusCode, err)
		}
		m := locale.For(tt.want)
		for _, want := range []string{`<html lang="` + tt.want + `">`, m.PurposeNames[consent.TalentPool], m.Submit,
			`action="/c/` + token + `?lang=` + tt.want + `"`, `aria-current="page">` + m.LanguageName + `</a>`} {
			if !strings.Contains(html.UnescapeString(res.Body), want) {
				t.Errorf("lang=%q, Accept-Language %q: page lacks %q", tt.query, tt.browser, want)
			}
		}
	}
}

// An expired link, reached from the email (which carries the stored
// language), is answered in that language, naming the controller, the
// contact and what to do next; an unknown link likewise, in the browser's
// language when nothing else is known.
func TestDeadEndsInTheCandidatesLanguage(t *testing.T) {
	s, token := linked(t, "cs")
	late := &Handler{Store: s, Policy: policy, Log: slog.New(slog.DiscardHandler), Now: func() time.Time { return now.Add(31 * 24 * time.Hour) }}
	res, _ := late.Handle(context.Background(), browse(token, "cs", "en"))
	m := locale.For("cs")
	body := html.UnescapeString(res.Body)
	for _, want := range []string{`<html lang="cs">`, m.Expired, "ACME s.r.o.", "privacy@acme.example", strings.SplitN(m.ExpiredNext, "%s", 2)[0]} {
		if res.StatusCode != http.StatusGone || !strings.Contains(body, want) {
			t.Errorf("expired page (%d) lacks %q", res.StatusCode, want)
		}
	}
	res, _ = late.Handle(context.Background(), browse(consent.NewLinkToken(), "", "sk-SK,sk;q=0.9"))
	m = locale.For("sk")
	body = html.UnescapeString(res.Body)
	for _, want := range []string{`<html lang="sk">`, m.NotFound, "ACME s.r.o.", "privacy@acme.example", strings.SplitN(m.NotFoundNext, "%s", 2)[0]} {
		if res.StatusCode != http.StatusNotFound || !strings.Contains(body, want) {
			t.Errorf("unknown-link page (%d) lacks %q", res.StatusCode, want)
		}
	}
}

// Once answered, the page shows the answer in the candidate's language and
// how to withdraw it later.
func TestTheAnsweredPageSaysHowToWithdraw(t *testing.T) {
	s, token := linked(t, "de")
	ctx := context.Background()
	r, _, err := s.RequestByLink(ctx, consent.HashLinkToken(token), now)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.RecordDecision(ctx, r, []consent.Decision{{Purpose: consent.TalentPool, Grant: true}}, consent.Evidence{Language: "de"}, now); err != nil {
		t.Fatal(err)
	}
	h := &Handler{Store: s, Policy: policy, Log: slog.New(slog.DiscardHandler), Now: func() time.Time { return now }}
	res, _ := h.Handle(ctx, browse(token, "", "en"))
	m := locale.For("de")
	body := html.UnescapeString(res.Body)
	for _, want := range []string{`<html lang="de">`, m.YouGave, m.Withdraw, "privacy@acme.example", strings.SplitN(m.WithdrawHow, "%s", 2)[0]} {
		if res.StatusCode != http.StatusOK || !strings.Contains(body, want) {
			t.Errorf("answered page (%d) lacks %q", res.StatusCode, want)
		}
	}
}
