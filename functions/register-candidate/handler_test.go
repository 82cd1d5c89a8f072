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

	"github.com/consentflow/consentflow/shared/consent"
	"github.com/consentflow/consentflow/shared/httpapi"
	"github.com/consentflow/consentflow/shared/store"
	"github.com/consentflow/consentflow/shared/store/storetest"
)

var now = time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)

// counting is the real store, counting the writes the handler asks for.
type counting struct {
	*store.Store
	creates int
}

func (c *counting) CreateCandidate(ctx context.Context, cand consent.Candidate, key string) (consent.Candidate, bool, error) {
	c.creates++
	return c.Store.CreateCandidate(ctx, cand, key)
}

func newHandler(t *testing.T) (*Handler, *counting) {
	t.Helper()
	s, _ := storetest.New(t)
	st := &counting{Store: s}
	return &Handler{Store: st, Log: slog.New(slog.DiscardHandler), Now: func() time.Time { return now }}, st
}

// post is a recruiter's POST /api/candidates; recruiter "" sends no
// verified token.
func post(recruiter, body string, headers map[string]string) httpapi.Request {
	h := map[string]string{"content-type": "application/json"}
	for k, v := range headers {
		h[k] = v
	}
	req := httpapi.Request{Headers: h, Body: body}
	if recruiter != "" {
		req.RequestContext = events.APIGatewayV2HTTPRequestContext{Authorizer: &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{
			JWT: &events.APIGatewayV2HTTPRequestContextAuthorizerJWTDescription{Claims: map[string]string{"sub": recruiter}},
		}}
	}
	return req
}

func problem(t *testing.T, res httpapi.Response) httpapi.Problem {
	t.Helper()
	var p httpapi.Problem
	if res.Headers["Content-Type"] != "application/problem+json" || json.Unmarshal([]byte(res.Body), &p) != nil {
		t.Fatalf("not a problem (%d %q): %s", res.StatusCode, res.Headers["Content-Type"], res.Body)
	}
	return p
}

// A registration answers 201 with the stored candidate and where it lives;
// the details are stored as sent, trimmed, with the locale's language.
func TestRegistersACandidate(t *testing.T) {
	h, st := newHandler(t)
	res, err := h.Handle(context.Background(), post("recruiter-1", `{"name":"  Ľudmila Nováková ","email":"ludmila@example.com","locale":"sk-SK"}`, nil))
	if err != nil || res.StatusCode != http.StatusCreated {
		t.Fatalf("%d %v: %s", res.StatusCode, err, res.Body)
	}
	var got consent.Candidate
	if err := json.Unmarshal([]byte(res.Body), &got); err != nil {
		t.Fatal(err)
	}
	if !consent.ValidID(got.ID) || res.Headers["Location"] != "/api/candidates/"+got.ID {
		t.Fatalf("id %q, Location %q", got.ID, res.Headers["Location"])
	}
	stored, err := st.Candidate(context.Background(), got.ID)
	if err != nil {
		t.Fatal(err)
	}
	if stored.Name != "Ľudmila Nováková" || stored.Email != "ludmila@example.com" || stored.Locale != "sk" || !stored.CreatedAt.Equal(now) {
		t.Fatalf("stored %+v", stored)
	}
}

// A retry with the same Idempotency-Key answers 200 with the candidate
// registered the first time, and stores no second one; the same key with
// other details is a conflict; another recruiter's key is theirs alone.
func TestARetriedRegistrationRegistersOnce(t *testing.T) {
	h, _ := newHandler(t)
	ctx := context.Background()
	body := `{"name":"Ada Lovelace","email":"ada@example.com","locale":"en"}`
	key := map[string]string{"idempotency-key": "form-42"}

	first, _ := h.Handle(ctx, post("recruiter-1", body, key))
	again, _ := h.Handle(ctx, post("recruiter-1", body, key))
	if first.StatusCode != http.StatusCreated || again.StatusCode != http.StatusOK {
		t.Fatalf("first %d, retry %d: %s", first.StatusCode, again.StatusCode, again.Body)
	}
	var a, b consent.Candidate
	_ = json.Unmarshal([]byte(first.Body), &a)
	_ = json.Unmarshal([]byte(again.Body), &b)
	if a.ID == "" || a.ID != b.ID || again.Headers["Location"] != first.Headers["Location"] {
		t.Fatalf("the retry answered candidate %q, the first %q", b.ID, a.ID)
	}

	other, _ := h.Handle(ctx, post("recruiter-1", `{"name":"Grace Hopper","email":"grace@example.com","locale":"en"}`, key))
	if p := problem(t, other); other.StatusCode != http.StatusConflict || p.Type != httpapi.ProblemType("conflict") {
		t.Fatalf("the key reused for someone else: %d %+v", other.StatusCode, p)
	}

	theirs, _ := h.Handle(ctx, post("recruiter-2", body, key))
	var c consent.Candidate
	_ = json.Unmarshal([]byte(theirs.Body), &c)
	if theirs.StatusCode != http.StatusCreated || c.ID == a.ID {
		t.Fatalf("another recruiter's same key: %d, candidate %q (the first is %q)", theirs.StatusCode, c.ID, a.ID)
	}
}

// Input that is no candidate is refused with its RFC 9457 problem and
// nothing is stored.
func TestBadRegistrationsAreRefused(t *testing.T) {
	valid := `{"name":"Ada","email":"ada@example.com","locale":"en"}`
	for name, tt := range map[string]struct {
		recruiter, body string
		headers         map[string]string
		status          int
		slug, field     string
	}{
		"no token":            {"", valid, nil, http.StatusUnauthorized, "unauthorized", ""},
		"not JSON":            {"r", `{"name":"Ada",`, nil, http.StatusBadRequest, "malformed-json", ""},
		"an unknown field":    {"r", `{"name":"Ada","email":"ada@example.com","locale":"en","role":"admin"}`, nil, http.StatusBadRequest, "malformed-json", ""},
		"a form":              {"r", "name=Ada", map[string]string{"content-type": "application/x-www-form-urlencoded"}, http.StatusUnsupportedMediaType, "unsupported-media-type", ""},
		"no name":             {"r", `{"name":"  ","email":"ada@example.com","locale":"en"}`, nil, http.StatusUnprocessableEntity, "invalid-input", "name"},
		"a bad email":         {"r", `{"name":"Ada","email":"Ada <ada@example.com>","locale":"en"}`, nil, http.StatusUnprocessableEntity, "invalid-input", "email"},
		"a localhost email":   {"r", `{"name":"Ada","email":"ada@localhost","locale":"en"}`, nil, http.StatusUnprocessableEntity, "invalid-input", "email"},
		"an unknown locale":   {"r", `{"name":"Ada","email":"ada@example.com","locale":"tlh"}`, nil, http.StatusUnprocessableEntity, "invalid-input", "locale"},
		"a key too long":      {"r", valid, map[string]string{"idempotency-key": strings.Repeat("k", 256)}, http.StatusBadRequest, "invalid-idempotency-key", ""},
		"the key given twice": {"r", `{"name":"Ada","name":"Eve","email":"ada@example.com","locale":"en"}`, nil, http.StatusUnprocessableEntity, "invalid-input", "name"},
	} {
		t.Run(name, func(t *testing.T) {
			h, st := newHandler(t)
			res, err := h.Handle(context.Background(), post(tt.recruiter, tt.body, tt.headers))
			if err != nil {
				t.Fatal(err)
			}
			p := problem(t, res)
			if res.StatusCode != tt.status || p.Status != tt.status || tt.slug != "" && p.Type != httpapi.ProblemType(tt.slug) || p.Field != tt.field {
				t.Fatalf("%d %+v, want %d %s field %q", res.StatusCode, p, tt.status, tt.slug, tt.field)
			}
			if st.creates != 0 {
				t.Fatalf("%d candidates stored", st.creates)
			}
		})
	}
}
