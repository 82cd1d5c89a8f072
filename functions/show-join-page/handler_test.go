package main

import (
	"context"
	"encoding/json"
	"html"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/consentflow/consentflow/shared/consent"
	"github.com/consentflow/consentflow/shared/httpapi"
	"github.com/consentflow/consentflow/shared/locale"
	"github.com/consentflow/consentflow/shared/store"
	"github.com/consentflow/consentflow/shared/store/storetest"
)

var (
	now    = time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)
	policy = consent.Policy{
		Controller: "Dvořák & Syn <s.r.o.>", ControllerContact: "privacy@dvorak.example", NoticeVersion: "2026-11-01",
		NoticeURL: "https://dvorak.example/privacy", PublicBaseURL: "https://consent.dvorak.example", LinkValidity: 30 * 24 * time.Hour,
		Retention: map[consent.Purpose]time.Duration{consent.InterviewRecording: 180 * 24 * time.Hour},
	}
)

type joined struct {
	s     *store.Store
	c     consent.Candidate
	req   consent.Request
	token string
}

// join stores a Czech-speaking candidate, a pending request about
// recording the interview (its workflow waiting with a task token) and a
// join-time link to it valid for two hours. record false leaves the
// request unrecorded, as in the moments before its workflow records it.
func join(t *testing.T, record bool) joined {
	t.Helper()
	ctx := context.Background()
	s, _ := storetest.New(t)
	c, _ := consent.NewCandidate("Jana Nováková", "jana@example.com", "cs", now)
	if _, _, err := s.CreateCandidate(ctx, c, ""); err != nil {
		t.Fatal(err)
	}
	req := policy.NewRequest(consent.NewID(), c.ID, "recruiter-1", []consent.Purpose{consent.InterviewRecording}, now)
	if record {
		if _, err := s.RecordRequest(ctx, req); err != nil {
			t.Fatal(err)
		}
		if err := s.AttachLink(ctx, req.ID, consent.HashLinkToken(consent.NewLinkToken()), "task-1"); err != nil {
			t.Fatal(err)
		}
	}
	token := consent.NewLinkToken()
	if err := s.MintJoinLink(ctx, consent.HashLinkToken(token), store.JoinLink{CandidateID: c.ID, RequestID: req.ID,
		Purpose: consent.InterviewRecording, IssuedAt: now, ExpiresAt: now.Add(2 * time.Hour)}); err != nil {
		t.Fatal(err)
	}
	return joined{s: s, c: c, req: req, token: token}
}

func handler(s JoinStore, at time.Time) *Handler {
	return &Handler{Store: s, Policy: policy, Log: slog.New(slog.DiscardHandler), Now: func() time.Time { return at }}
}

// browse is a browser's GET /j/{token}, with ?lang= when lang is set.
func browse(token, lang, acceptLanguage string) httpapi.Request {
	r := httpapi.Request{RawPath: "/j/" + token, RouteKey: "GET /j/{token}", PathParameters: map[string]string{"token": token},
		Headers: map[string]string{"accept": "text/html", "accept-language": acceptLanguage}}
	if lang != "" {
		r.QueryStringParameters = map[string]string{"lang": lang}
	}
	return r
}

func qrCode(token string) httpapi.Request {
	return httpapi.Request{RawPath: "/j/" + token + "/qr.svg", RouteKey: QRRoute, PathParameters: map[string]string{"token": token}}
}

func contains(t *testing.T, res httpapi.Response, status int, want ...string) {
	t.Helper()
	if res.StatusCode != status {
		t.Fatalf("%d, want %d: %s", res.StatusCode, status, res.Body)
	}
	for _, w := range want {
		if !strings.Contains(html.UnescapeString(res.Body), w) {
			t.Errorf("the page lacks %q", w)
		}
	}
}

// The page asks, in the candidate's language whatever the browser
// prefers, whether this interview may be recorded, with Record and Don't
// record posting back to the link; ?lang= switches it. It changes nothing.
func TestThePageAsksInTheCandidatesLanguage(t *testing.T) {
	j := join(t, true)
	h := handler(j.s, now.Add(time.Hour))
	for _, tt := range []struct{ query, browser, want string }{
		{"", "en-GB,en;q=0.9", "cs"},
		{"de", "en", "de"},
	} {
		res, err := h.Handle(context.Background(), browse(j.token, tt.query, tt.browser))
		if err != nil {
			t.Fatal(err)
		}
		m := locale.For(tt.want)
		contains(t, res, http.StatusOK, `<html lang="`+tt.want+`">`, m.Join.Title, m.Join.Record, m.Join.DontRecord,
			`action="/j/`+j.token+`?lang=`+tt.want+`"`)
	}
	res, _ := h.Handle(context.Background(), browse(j.token, "", ""))
	if strings.Contains(res.Body, "Dvořák & Syn <s.r.o.>") || !strings.Contains(res.Body, "Dvořák &amp; Syn &lt;s.r.o.&gt;") {
		t.Errorf("the controller's name is not escaped:\n%s", res.Body)
	}
	if r, err := j.s.Request(context.Background(), j.req.ID); err != nil || r.Status != consent.Pending {
		t.Fatalf("after the visits the request is %s %v", r.Status, err)
	}
}

// Once answered, the page says what was decided, in the candidate's
// language, and how to withdraw.
func TestTheAnsweredPageSaysWhatWasDecided(t *testing.T) {
	for _, grant := range []bool{true, false} {
		j := join(t, true)
		ctx := context.Background()
		r, err := j.s.Request(ctx, j.req.ID)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := j.s.RecordDecision(ctx, r, []consent.Decision{{Purpose: consent.InterviewRecording, Grant: grant}}, consent.Evidence{Language: "cs"}, now); err != nil {
			t.Fatal(err)
		}
		res, _ := handler(j.s, now.Add(time.Minute)).Handle(ctx, browse(j.token, "", "en"))
		m := locale.For("cs")
		want, not := m.Join.Recorded, m.Join.NotKept
		if !grant {
			want, not = not, want
		}
		contains(t, res, http.StatusOK, `<html lang="cs">`, want, policy.ControllerContact)
		if strings.Contains(html.UnescapeString(res.Body), not) || strings.Contains(res.Body, `name="decision"`) {
			t.Errorf("grant %v: the page also says %q or still asks", grant, not)
		}
	}
}

// A link past its hours, a token never issued, a consent link's token and
// an erased candidate's link are dead ends that name the controller and
// its contact, in the browser's language (the link says nothing else); a
// client that is no browser gets the RFC 9457 problem.
func TestDeadEnds(t *testing.T) {
	j := join(t, true)
	ctx := context.Background()
	consentToken := consent.NewLinkToken()
	other := policy.NewRequest(consent.NewID(), j.c.ID, "recruiter-1", []consent.Purpose{consent.TalentPool}, now)
	if _, err := j.s.RecordRequest(ctx, other); err != nil {
		t.Fatal(err)
	}
	if err := j.s.AttachLink(ctx, other.ID, consent.HashLinkToken(consentToken), "task-2"); err != nil {
		t.Fatal(err)
	}
	gone := join(t, true)
	if _, err := gone.s.RequestErasure(ctx, gone.c.ID, "candidate_request", "recruiter-1", "recruiter", now); err != nil {
		t.Fatal(err)
	}
	if done, err := gone.s.EraseProfile(ctx, gone.c.ID, now); err != nil || !done {
		t.Fatalf("erase: %v %v", done, err)
	}
	m := locale.For("sk")
	for name, tt := range map[string]struct {
		h      *Handler
		token  string
		status int
		slug   string
		title  string
	}{
		"expired":          {handler(j.s, now.Add(2*time.Hour)), j.token, http.StatusGone, "link-expired", m.Expired},
		"never issued":     {handler(j.s, now), consent.NewLinkToken(), http.StatusNotFound, "not-found", m.NotFound},
		"not a token":      {handler(j.s, now), "not-a-token", http.StatusNotFound, "not-found", m.NotFound},
		"a consent link":   {handler(j.s, now), consentToken, http.StatusNotFound, "not-found", m.NotFound},
		"erased candidate": {handler(gone.s, now), gone.token, http.StatusGone, "erased", m.Manage.Erased},
	} {
		t.Run(name, func(t *testing.T) {
			res, err := tt.h.Handle(ctx, browse(tt.token, "", "sk-SK,sk;q=0.9"))
			if err != nil {
				t.Fatal(err)
			}
			contains(t, res, tt.status, `<html lang="sk">`, tt.title, "privacy@dvorak.example")
			api := browse(tt.token, "", "")
			api.Headers = map[string]string{"accept": "application/json"}
			res, _ = tt.h.Handle(ctx, api)
			var p httpapi.Problem
			if err := json.Unmarshal([]byte(res.Body), &p); err != nil || res.StatusCode != tt.status || p.Type != httpapi.ProblemType(tt.slug) {
				t.Fatalf("as JSON: %d %s, want %d %s", res.StatusCode, res.Body, tt.status, tt.slug)
			}
		})
	}
}

// The QR code of a valid link is served at once, even
// while its request is still being recorded (when the page itself asks to
// try again); an unknown or expired link has none.
func TestTheQRCodeIsServedForAValidLink(t *testing.T) {
	ctx := context.Background()
	early := join(t, false)
	h := handler(early.s, now)
	res, err := h.Handle(ctx, qrCode(early.token))
	if err != nil || res.StatusCode != http.StatusOK || res.Headers["Content-Type"] != "image/svg+xml" || !strings.Contains(res.Body, "<svg") ||
		res.Headers["Referrer-Policy"] != "no-referrer" {
		t.Fatalf("QR code: %d %v %v", res.StatusCode, err, res.Headers)
	}
	if res, _ := h.Handle(ctx, browse(early.token, "", "")); res.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("the page of a request not recorded yet: %d", res.StatusCode)
	}
	j := join(t, true)
	if res, _ := handler(j.s, now).Handle(ctx, qrCode(j.token)); res.StatusCode != http.StatusOK || !strings.Contains(res.Body, "<svg") {
		t.Fatalf("QR code of a recorded request: %d", res.StatusCode)
	}
	for name, tt := range map[string]struct {
		h     *Handler
		token string
	}{
		"expired": {handler(j.s, now.Add(3*time.Hour)), j.token},
		"unknown": {handler(j.s, now), consent.NewLinkToken()},
	} {
		if res, _ := tt.h.Handle(ctx, qrCode(tt.token)); res.StatusCode == http.StatusOK || strings.Contains(res.Body, "<svg") {
			t.Errorf("%s: %d, a QR code", name, res.StatusCode)
		}
	}
}
