package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/consentflow/consentflow/shared/secret"
)

const value = "Q2hlY2tlZEJ5VGhlQXV0aG9yaXplck9ubHlGcm9tQ2xvdWRGcm9udDEyMzQ1Njc4OTA"

// secrets is Secrets Manager with one secret, failing while err is set.
type secrets struct {
	err   error
	calls int
}

func (s *secrets) GetSecretValue(_ context.Context, in *secretsmanager.GetSecretValueInput, _ ...func(*secretsmanager.Options)) (*secretsmanager.GetSecretValueOutput, error) {
	s.calls++
	if s.err != nil {
		return nil, s.err
	}
	if aws.ToString(in.SecretId) != "arn:aws:secretsmanager:us-east-1:000000000000:secret:edge-origin-abcdef" {
		return nil, errors.New("ResourceNotFoundException")
	}
	return &secretsmanager.GetSecretValueOutput{SecretString: aws.String(value)}, nil
}

func newHandler(sm *secrets, log *bytes.Buffer) *Handler {
	return &Handler{
		Secret: secret.New(sm, "arn:aws:secretsmanager:us-east-1:000000000000:secret:edge-origin-abcdef"),
		Log:    slog.New(slog.NewJSONHandler(log, nil)),
	}
}

func request(identity ...string) Request {
	return Request{
		Version: "2.0", Type: "REQUEST", RouteKey: "POST /c/{token}", RawPath: "/c/secret-link-token",
		IdentitySource: identity,
		Headers:        map[string]string{"x-consentflow-edge": strings.Join(identity, ",")},
		RequestContext: events.APIGatewayV2HTTPRequestContext{RequestID: "req-1"},
	}
}

// The header CloudFront sends gets through; any other value is refused
// (403 by API Gateway, cached), and neither the value tried nor the secret
// nor the link in the path is ever logged.
func TestOnlyTheEdgeHeaderGetsThrough(t *testing.T) {
	var log bytes.Buffer
	sm := &secrets{}
	h := newHandler(sm, &log)
	res, err := h.Handle(context.Background(), request(value))
	if err != nil || !res.IsAuthorized {
		t.Fatalf("the secret's value: %+v, %v; want authorized", res, err)
	}
	for _, tried := range []string{
		"", "x", value[:len(value)-1], value + "x", strings.ToLower(value), " " + value, value[1:] + "A",
	} {
		res, err := h.Handle(context.Background(), request(tried))
		if err != nil || res.IsAuthorized {
			t.Errorf("header %q: %+v, %v; want refused, no error", tried, res, err)
		}
	}
	if sm.calls != 1 {
		t.Errorf("Secrets Manager asked %d times, want once for the container's life", sm.calls)
	}
	for _, line := range strings.Split(strings.TrimSpace(log.String()), "\n") {
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Errorf("log line is not JSON: %s", line)
		}
	}
	if !strings.Contains(log.String(), `"msg":"origin header refused"`) || !strings.Contains(log.String(), `"requestId":"req-1"`) {
		t.Errorf("refusals are not logged with the request id: %s", log.String())
	}
	for _, secretish := range []string{value[:16], "secret-link-token", value[1:17]} {
		if strings.Contains(log.String(), secretish) {
			t.Errorf("the log holds %q: %s", secretish, log.String())
		}
	}
}

// When the secret cannot be read the request is refused with an error (500
// by API Gateway, not cached), and the next request asks again.
func TestAnUnreadableSecretRefusesWithoutCachingTheRefusal(t *testing.T) {
	var log bytes.Buffer
	sm := &secrets{err: errors.New("ThrottlingException")}
	h := newHandler(sm, &log)
	if res, err := h.Handle(context.Background(), request(value)); err == nil || res.IsAuthorized {
		t.Fatalf("secret unavailable: %+v, %v; want an error and no authorization", res, err)
	}
	if !strings.Contains(log.String(), `"level":"ERROR"`) || strings.Contains(log.String(), value[:16]) {
		t.Errorf("log: %s", log.String())
	}
	sm.err = nil
	if res, err := h.Handle(context.Background(), request(value)); err != nil || !res.IsAuthorized {
		t.Fatalf("secret readable again: %+v, %v; want authorized", res, err)
	}
}

// The authorizer has one identity source: none or several is a
// configuration it refuses to guess about.
func TestAnythingButOneIdentitySourceIsRefused(t *testing.T) {
	var log bytes.Buffer
	h := newHandler(&secrets{}, &log)
	for _, ids := range [][]string{nil, {value, value}} {
		if res, err := h.Handle(context.Background(), request(ids...)); err == nil || res.IsAuthorized {
			t.Errorf("identity sources %d: %+v, %v; want an error and no authorization", len(ids), res, err)
		}
	}
}

// The simple response is what API Gateway reads: {"isAuthorized": ...}.
func TestTheResponseIsTheSimpleFormat(t *testing.T) {
	b, err := json.Marshal(Response{IsAuthorized: true})
	if err != nil || string(b) != `{"isAuthorized":true}` {
		t.Errorf("response JSON %s, %v", b, err)
	}
}
