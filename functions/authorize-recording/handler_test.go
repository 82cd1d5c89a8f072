package main

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"

	"github.com/consentflow/consentflow/shared/consent"
	"github.com/consentflow/consentflow/shared/httpapi"
	"github.com/consentflow/consentflow/shared/store"
)

type unreadable struct{}

func (unreadable) AuthorizeRecording(context.Context, consent.Artifact, string) (store.GateOutcome, error) {
	return store.GateOutcome{}, &store.UnavailableError{Err: errors.New("DynamoDB: 503 ServiceUnavailable")}
}

func (unreadable) Request(context.Context, string) (consent.Request, error) {
	return consent.Request{}, errors.New("not read")
}

// awaiting answers the gate with "awaiting consent": the consent is
// pending under a request about purposes.
type awaiting struct{ purposes []consent.Purpose }

func (a awaiting) AuthorizeRecording(_ context.Context, art consent.Artifact, _ string) (store.GateOutcome, error) {
	return store.GateOutcome{Gate: consent.GateAwaiting, Consent: &consent.Consent{Purpose: art.Purpose, State: consent.Requested, RequestID: "PENDING"}}, nil
}

func (a awaiting) Request(_ context.Context, id string) (consent.Request, error) {
	return consent.Request{ID: id, Purposes: a.purposes}, nil
}

type starts struct{ names []string }

func (s *starts) StartExecution(_ context.Context, in *sfn.StartExecutionInput, _ ...func(*sfn.Options)) (*sfn.StartExecutionOutput, error) {
	s.names = append(s.names, aws.ToString(in.Name))
	return &sfn.StartExecutionOutput{}, nil
}

type links struct{ minted []store.JoinLink }

func (l *links) MintJoinLink(_ context.Context, _ string, j store.JoinLink) error {
	l.minted = append(l.minted, j)
	return nil
}

// A pending request about the recording alone is the one the join-time
// link answers; one that also asked about the talent pool cannot be
// answered for the recording alone, so the gate asks for it on its own:
// one start per such request, whatever the number of calls.
func TestTheJoinLinkAnswersARequestAboutTheRecordingAlone(t *testing.T) {
	candidateID := consent.NewID()
	call := func(store Recordings) (*starts, *links, map[string]any) {
		wf, l := &starts{}, &links{}
		h := &Handler{Store: store, Workflows: wf, Links: l, JoinLinkValidity: time.Hour, NoticeVersion: "v1",
			Policy: consent.Policy{PublicBaseURL: "https://app.example"}, Log: slog.New(slog.DiscardHandler), Now: time.Now}
		res, err := h.Handle(context.Background(), gateRequest(candidateID))
		if err != nil || res.StatusCode != http.StatusConflict {
			t.Fatalf("gate: %d %v", res.StatusCode, err)
		}
		var body map[string]any
		if err := json.Unmarshal([]byte(res.Body), &body); err != nil {
			t.Fatal(err)
		}
		return wf, l, body
	}
	wf, l, body := call(awaiting{purposes: []consent.Purpose{consent.InterviewRecording}})
	if len(wf.names) != 0 || body["requestId"] != "PENDING" || len(l.minted) != 1 || l.minted[0].RequestID != "PENDING" {
		t.Fatalf("single-purpose pending request: started %v, body %v, links %+v", wf.names, body, l.minted)
	}
	both := awaiting{purposes: []consent.Purpose{consent.TalentPool, consent.InterviewRecording}}
	wf, l, body = call(both)
	if len(wf.names) != 1 || body["requestId"] == "PENDING" || body["requestId"] != wf.names[0] || l.minted[0].RequestID != wf.names[0] {
		t.Fatalf("two-purpose pending request: started %v, body %v, links %+v", wf.names, body, l.minted)
	}
	wf2, _, body2 := call(both)
	if body2["requestId"] != body["requestId"] || wf2.names[0] != wf.names[0] {
		t.Fatalf("a second call asks under another name: %v, %v", wf2.names, wf.names)
	}
}

func gateRequest(candidateID string) httpapi.Request {
	return httpapi.Request{
		PathParameters: map[string]string{"id": candidateID},
		Headers:        map[string]string{"content-type": "application/json"},
		Body:           `{"kind":"interview","reference":"meet-1"}`,
		RequestContext: events.APIGatewayV2HTTPRequestContext{Authorizer: &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{
			JWT: &events.APIGatewayV2HTTPRequestContextAuthorizerJWTDescription{Claims: map[string]string{"sub": "recruiter-1"}},
		}},
	}
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
