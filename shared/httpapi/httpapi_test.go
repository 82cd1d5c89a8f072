package httpapi

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/consentflow/consentflow/shared/consent"
)

func TestDecodeJSON(t *testing.T) {
	type in struct {
		Name string `json:"name"`
	}
	tests := []struct {
		name, contentType, body string
		base64                  bool
		status                  int // 0 when it decodes
	}{
		{"object", "application/json", `{"name":"Ada"}`, false, 0},
		{"charset parameter", "application/json; charset=utf-8", `{"name":"Ada"}`, false, 0},
		{"problem+json suffix", "application/merge-patch+json", `{"name":"Ada"}`, false, 0},
		{"base64 body", "application/json", base64.StdEncoding.EncodeToString([]byte(`{"name":"Ada"}`)), true, 0},
		{"no content type", "", `{"name":"Ada"}`, false, 0},
		{"form", "application/x-www-form-urlencoded", `name=Ada`, false, 415},
		{"truncated", "application/json", `{"name":`, false, 400},
		{"empty", "application/json", ``, false, 400},
		{"unknown field", "application/json", `{"name":"Ada","admin":true}`, false, 400},
		{"wrong type", "application/json", `{"name":3}`, false, 400},
		{"two values", "application/json", `{"name":"Ada"}{}`, false, 400},
		{"bad base64", "application/json", `***`, true, 400},
		{"too large", "application/json", `{"name":"` + strings.Repeat("a", maxBody) + `"}`, false, 413},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := Request{Headers: map[string]string{}, Body: tt.body, IsBase64Encoded: tt.base64}
			if tt.contentType != "" {
				req.Headers["content-type"] = tt.contentType
			}
			var v in
			err := DecodeJSON(req, &v)
			if tt.status == 0 {
				if err != nil || v.Name != "Ada" {
					t.Fatalf("got %+v, %v", v, err)
				}
				return
			}
			var bad *BadRequestError
			if !errors.As(err, &bad) || bad.Status != tt.status || bad.Detail == "" {
				t.Fatalf("err = %v, want a %d with a detail", err, tt.status)
			}
		})
	}
}

func TestErrorResponses(t *testing.T) {
	tests := []struct {
		err    error
		status int
		field  string
	}{
		{&consent.ValidationError{Field: "email", Reason: "bad"}, 422, "email"},
		{&consent.NotFoundError{What: "candidate", ID: "X"}, 404, ""},
		{&consent.ConflictError{Reason: "answered"}, 409, ""},
		{&consent.LinkExpiredError{}, 410, ""},
		{errors.New("dynamodb is down"), 500, ""},
	}
	for _, tt := range tests {
		res := Error(t.Context(), discard(), tt.err)
		var p Problem
		if err := json.Unmarshal([]byte(res.Body), &p); err != nil {
			t.Fatal(err)
		}
		if res.StatusCode != tt.status || p.Status != tt.status || p.Field != tt.field || res.Headers["Content-Type"] != "application/problem+json" {
			t.Errorf("%v → %d %+v", tt.err, res.StatusCode, p)
		}
		if strings.Contains(res.Body, "dynamodb") {
			t.Errorf("a 500 must not reveal its cause: %s", res.Body)
		}
	}
}

func TestRecruiterFailsClosed(t *testing.T) {
	if _, err := Recruiter(Request{}); err == nil {
		t.Fatal("a request without authorizer claims must be refused")
	}
	req := Request{RequestContext: events.APIGatewayV2HTTPRequestContext{Authorizer: &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{
		JWT: &events.APIGatewayV2HTTPRequestContextAuthorizerJWTDescription{Claims: map[string]string{"sub": "r-1"}},
	}}}
	if sub, err := Recruiter(req); err != nil || sub != "r-1" {
		t.Fatalf("Recruiter = %q, %v", sub, err)
	}
}

func discard() *slog.Logger { return slog.New(slog.DiscardHandler) }
