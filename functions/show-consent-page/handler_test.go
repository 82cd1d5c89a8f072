package main

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/consentflow/consentflow/shared/consent"
	"github.com/consentflow/consentflow/shared/httpapi"
	"github.com/consentflow/consentflow/shared/store/storetest"
)

var now = time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)

// TestTheJSONViewShowsTheRequestsFixedTerms: the deployment's controller
// and notice changed after the request was made; the candidate still sees
// the terms they were asked under.
func TestTheJSONViewShowsTheRequestsFixedTerms(t *testing.T) {
	ctx := context.Background()
	s, _ := storetest.New(t)
	then := consent.Policy{
		Controller: "Old Controller GmbH", ControllerContact: "privacy@old.example", NoticeVersion: "2026-01-01",
		NoticeURL: "https://old.example/privacy", PublicBaseURL: "http://127.0.0.1:8080", LinkValidity: 30 * 24 * time.Hour,
		Retention: map[consent.Purpose]time.Duration{consent.TalentPool: 730 * 24 * time.Hour},
	}
	today := then
	today.Controller, today.NoticeVersion, today.NoticeURL = "New Controller Ltd", "2026-11-01", "https://new.example/privacy"

	c, _ := consent.NewCandidate("Ada", "ada@example.com", "en", now)
	if _, _, err := s.CreateCandidate(ctx, c, ""); err != nil {
		t.Fatal(err)
	}
	req := then.NewRequest(consent.NewID(), c.ID, "recruiter-1", []consent.Purpose{consent.TalentPool}, now)
	if _, err := s.RecordRequest(ctx, req); err != nil {
		t.Fatal(err)
	}
	token := consent.NewLinkToken()
	if err := s.AttachLink(ctx, req.ID, consent.HashLinkToken(token), "task-token"); err != nil {
		t.Fatal(err)
	}
	h := &Handler{Store: s, Policy: today, Log: slog.New(slog.DiscardHandler), Now: func() time.Time { return now.Add(time.Hour) }}
	res, err := h.Handle(ctx, httpapi.Request{
		RawPath: "/c/" + token, PathParameters: map[string]string{"token": token},
		Headers:        map[string]string{"accept": "application/json"},
		RequestContext: events.APIGatewayV2HTTPRequestContext{HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: "GET", Path: "/c/" + token}},
	})
	if err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("response %d %v: %s", res.StatusCode, err, res.Body)
	}
	var v View
	if err := json.Unmarshal([]byte(res.Body), &v); err != nil {
		t.Fatal(err)
	}
	if v.Controller != then.Controller || v.NoticeURL != then.NoticeURL || v.NoticeVersion != then.NoticeVersion {
		t.Fatalf("view shows %q %q %q, want the request's terms %q %q %q",
			v.Controller, v.NoticeURL, v.NoticeVersion, then.Controller, then.NoticeURL, then.NoticeVersion)
	}
}
