package main

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/consentflow/consentflow/shared/consent"
	"github.com/consentflow/consentflow/shared/erasure"
	"github.com/consentflow/consentflow/shared/httpapi"
	"github.com/consentflow/consentflow/shared/store"
)

// fakeConsents holds one candidate's consents: given ones withdraw once.
type fakeConsents struct {
	candidateID string
	given       map[consent.Purpose]bool
	withdrawn   map[consent.Purpose]bool
	due         []store.DueArtifact
	method      string
	note        string
}

func (f *fakeConsents) Withdraw(_ context.Context, candidateID string, p consent.Purpose, method, note, _ string, _ time.Time) (store.Withdrawal, error) {
	switch {
	case candidateID != f.candidateID:
		return store.Withdrawal{}, &consent.NotFoundError{What: "candidate", ID: candidateID}
	case f.withdrawn[p]:
		return store.Withdrawal{Consent: consent.Consent{Purpose: p, State: consent.Withdrawn}}, nil
	case !f.given[p]:
		return store.Withdrawal{}, &consent.ConflictError{Reason: "there is no given consent to withdraw"}
	}
	f.withdrawn[p], f.method, f.note = true, method, note
	return store.Withdrawal{Consent: consent.Consent{Purpose: p, State: consent.Withdrawn}, Recorded: true, Due: f.due}, nil
}

type fakeErasures struct {
	started []store.DueArtifact
	reason  string
	fail    bool
}

func (f *fakeErasures) Artifacts(_ context.Context, due []store.DueArtifact, reason string) (int, error) {
	if f.fail {
		return 0, &erasure.UnavailableError{Err: errors.New("ServiceUnavailable")}
	}
	f.started, f.reason = append(f.started, due...), reason
	return len(due), nil
}

func request(candidateID, purpose, body string) httpapi.Request {
	return httpapi.Request{
		Body:           body,
		Headers:        map[string]string{"content-type": "application/json"},
		PathParameters: map[string]string{"id": candidateID, "purpose": purpose},
		RequestContext: events.APIGatewayV2HTTPRequestContext{Authorizer: &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{
			JWT: &events.APIGatewayV2HTTPRequestContextAuthorizerJWTDescription{Claims: map[string]string{"sub": "recruiter-1"}},
		}},
	}
}

func setup() (*Handler, *fakeConsents, *fakeErasures) {
	st := &fakeConsents{candidateID: consent.NewID(), given: map[consent.Purpose]bool{consent.InterviewRecording: true, consent.TalentPool: true},
		withdrawn: map[consent.Purpose]bool{}, due: []store.DueArtifact{{ArtifactID: consent.NewID()}}}
	er := &fakeErasures{}
	return &Handler{Store: st, Erasure: er, Log: slog.New(slog.DiscardHandler), Now: time.Now}, st, er
}

func result(t *testing.T, res httpapi.Response) Result {
	t.Helper()
	var r Result
	if err := json.Unmarshal([]byte(res.Body), &r); err != nil {
		t.Fatalf("%d %s: %v", res.StatusCode, res.Body, err)
	}
	return r
}

func TestAWithdrawalIsRecordedOnceAndStartsTheErasureOfWhatIsDue(t *testing.T) {
	h, st, er := setup()
	body := `{"channel":"phone","note":"called on Monday"}`
	res, _ := h.Handle(context.Background(), request(st.candidateID, "interview_recording", body))
	r := result(t, res)
	if res.StatusCode != http.StatusOK || !r.Recorded || r.Consent.State != consent.Withdrawn || r.ErasuresStarted != 1 || r.ErasuresPending != 0 {
		t.Fatalf("withdrawal: %d %s", res.StatusCode, res.Body)
	}
	if st.method != "phone" || st.note != "called on Monday" || er.reason != consent.ErasureWithdrawn || len(er.started) != 1 {
		t.Fatalf("recorded %q %q, erasures %v for %q", st.method, st.note, er.started, er.reason)
	}
	again, _ := h.Handle(context.Background(), request(st.candidateID, "interview_recording", body))
	if r := result(t, again); again.StatusCode != http.StatusOK || r.Recorded || r.ErasuresStarted != 0 || len(er.started) != 1 {
		t.Fatalf("replay: %d %s, want 200, recorded:false and no second erasure", again.StatusCode, again.Body)
	}
}

func TestAWithdrawalWhoseErasureDidNotStartIsStillRecorded(t *testing.T) {
	h, st, er := setup()
	er.fail = true
	res, _ := h.Handle(context.Background(), request(st.candidateID, "interview_recording", `{"channel":"letter"}`))
	if r := result(t, res); res.StatusCode != http.StatusOK || !r.Recorded || r.ErasuresStarted != 0 || r.ErasuresPending != 1 {
		t.Fatalf("%d %s, want 200 with the erasure pending for the sweep", res.StatusCode, res.Body)
	}
}

func TestWithdrawalErrors(t *testing.T) {
	h, st, _ := setup()
	id := st.candidateID
	for name, tc := range map[string]struct {
		req  httpapi.Request
		want int
	}{
		"not JSON":             {request(id, "talent_pool", `channel=email`), http.StatusBadRequest},
		"unknown channel":      {request(id, "talent_pool", `{"channel":"pigeon"}`), http.StatusUnprocessableEntity},
		"note too long":        {request(id, "talent_pool", `{"channel":"email","note":"`+strings.Repeat("x", MaxNote+1)+`"}`), http.StatusUnprocessableEntity},
		"unknown purpose":      {request(id, "newsletter", `{"channel":"email"}`), http.StatusNotFound},
		"unknown candidate":    {request(consent.NewID(), "talent_pool", `{"channel":"email"}`), http.StatusNotFound},
		"not a candidate id":   {request("../x", "talent_pool", `{"channel":"email"}`), http.StatusNotFound},
		"consent not given":    {request(id, "call_recording", `{"channel":"email"}`), http.StatusConflict},
		"no recruiter's token": {httpapi.Request{PathParameters: map[string]string{"id": id, "purpose": "talent_pool"}, Body: `{"channel":"email"}`}, http.StatusUnauthorized},
	} {
		tc.req.Headers = map[string]string{"content-type": "application/json"}
		if res, _ := h.Handle(context.Background(), tc.req); res.StatusCode != tc.want {
			t.Errorf("%s: %d %s, want %d", name, res.StatusCode, res.Body, tc.want)
		}
	}
	if len(st.withdrawn) != 0 {
		t.Fatalf("a refused request withdrew %v", st.withdrawn)
	}
}
