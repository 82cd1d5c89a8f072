package main

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/consentflow/consentflow/shared/consent"
	"github.com/consentflow/consentflow/shared/httpapi"
	"github.com/consentflow/consentflow/shared/store"
)

type unreadable struct{}

func (unreadable) AuthorizeRecording(context.Context, consent.Artifact, string) (store.GateOutcome, error) {
	return store.GateOutcome{}, &store.UnavailableError{Err: errors.New("DynamoDB: 503 ServiceUnavailable")}
}

// The gate fails closed: when the consent cannot be read, 503 and no upload.
func TestTheGateFailsClosedWhenConsentCannotBeRead(t *testing.T) {
	h := &Handler{Store: unreadable{}, Log: slog.New(slog.NewJSONHandler(io.Discard, nil)), Now: time.Now, NoticeVersion: "v1"}
	req := httpapi.Request{
		PathParameters: map[string]string{"id": consent.NewID()},
		Headers:        map[string]string{"content-type": "application/json"},
		Body:           `{"kind":"interview","reference":"meet-1"}`,
		RequestContext: events.APIGatewayV2HTTPRequestContext{Authorizer: &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{
			JWT: &events.APIGatewayV2HTTPRequestContextAuthorizerJWTDescription{Claims: map[string]string{"sub": "recruiter-1"}},
		}},
	}
	res, err := h.Handle(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != http.StatusServiceUnavailable || strings.Contains(res.Body, "upload") || strings.Contains(res.Body, "http") {
		t.Fatalf("consent unreadable: %d %s, want 503 without an upload", res.StatusCode, res.Body)
	}
}
