package httpapi

import (
	"context"
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
		{"media type in another case", "Application/JSON; Charset=UTF-8", `{"name":"Ada"}`, false, 0},
		{"no content type", "", `{"name":"Ada"}`, false, 415},
		{"unparseable content type", "application/json;;", `{"name":"Ada"}`, false, 415},
		{"duplicate key", "application/json", `{"name":"Ada","name":"Eve"}`, false, 422},
		{"case-variant key", "application/json", `{"name":"Ada","NAME":"Eve"}`, false, 422},
		{"invalid UTF-8", "application/json", "{\"name\":\"Ada \xff\"}", false, 422},
		{"lone surrogate escape", "application/json", `{"name":"Ada \ud800"}`, false, 422},
		{"large base64 body", "application/json", base64.StdEncoding.EncodeToString([]byte(strings.Repeat(" ", 5<<20) + `{"name":"Ada"}`)), true, 413},
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
			if err == nil {
				t.Fatalf("decoded the body (name of %d bytes), want a %d problem", len(v.Name), tt.status)
			}
			if got := Error(context.Background(), slog.New(slog.DiscardHandler), err); got.StatusCode != tt.status ||
				got.Headers["Content-Type"] != "application/problem+json" || !strings.Contains(got.Body, `"detail"`) {
				t.Fatalf("err = %v answered %d %s, want a %d problem with a detail", err, got.StatusCode, got.Body, tt.status)
			}
		})
	}
}

func TestDuplicateKeysNameTheField(t *testing.T) {
	type decision struct {
		Purpose string `json:"purpose"`
		Grant   *bool  `json:"grant"`
	}
	var v struct {
		Decisions []decision `json:"decisions"`
	}
	tests := map[string]string{
		`{"decisions":[{"purpose":"talent_pool","grant":true},{"purpose":"x","grant":false,"Grant":true}]}`: "decisions[1].Grant",
		`{"decisions":[],"Decisions":[]}`:                        "Decisions",
		`{"decisions":[{"purpose":"talent_pool\udfff"}]}`:        "decisions[0].purpose",
		`{"decisions":[[{"a":1}],{"b":{"c":1,"C":2}}]}`:          "decisions[1].b.C",
		"{\"decisions\":[{\"purpose\":\"ok\",\"gr\xc3\":true}]}": "decisions[0].gr\ufffd",
	}
	for body, field := range tests {
		req := Request{Headers: map[string]string{"content-type": "application/json"}, Body: body}
		var invalid *consent.ValidationError
		if err := DecodeJSON(req, &v); !errors.As(err, &invalid) || invalid.Field != field {
			t.Errorf("%s: err = %v, want a validation error on %s", body, err, field)
		}
	}
	// Distinct keys in distinct objects are fine.
	req := Request{Headers: map[string]string{"content-type": "application/json"},
		Body: `{"decisions":[{"purpose":"talent_pool","grant":true},{"purpose":"interview_recording","grant":false}]}`}
	if err := DecodeJSON(req, &v); err != nil || len(v.Decisions) != 2 {
		t.Errorf("got %+v, %v", v, err)
	}
}

func TestFormBody(t *testing.T) {
	tests := []struct {
		name, contentType, body string
		base64                  bool
		status                  int
	}{
		{"form", "application/x-www-form-urlencoded", "talent_pool=grant", false, 0},
		{"form in another case", "Application/X-WWW-Form-Urlencoded; charset=UTF-8", "talent_pool=grant", false, 0},
		{"base64 form", "application/x-www-form-urlencoded", base64.StdEncoding.EncodeToString([]byte("talent_pool=grant")), true, 0},
		{"no content type", "", "talent_pool=grant", false, 415},
		{"JSON", "application/json", `{}`, false, 415},
		{"multipart", "multipart/form-data; boundary=x", "--x--", false, 415},
		{"too large", "application/x-www-form-urlencoded", "talent_pool=" + strings.Repeat("a", maxForm), false, 413},
		{"too large in base64", "application/x-www-form-urlencoded", base64.StdEncoding.EncodeToString([]byte(strings.Repeat("a", 5<<20))), true, 413},
		{"not UTF-8", "application/x-www-form-urlencoded", "talent_pool=\xff", false, 422},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := Request{Headers: map[string]string{}, Body: tt.body, IsBase64Encoded: tt.base64}
			if tt.contentType != "" {
				req.Headers["content-type"] = tt.contentType
			}
			body, err := FormBody(req)
			if tt.status == 0 {
				if err != nil || string(body) != "talent_pool=grant" {
					t.Fatalf("got %q, %v", body, err)
				}
				return
			}
			if err == nil {
				t.Fatalf("read %d bytes, want a %d problem", len(body), tt.status)
			}
			if got := Error(context.Background(), slog.New(slog.DiscardHandler), err); got.StatusCode != tt.status {
				t.Fatalf("err = %v answered %d, want %d", err, got.StatusCode, tt.status)
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
