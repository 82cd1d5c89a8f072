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
	"github.com/consentflow/consentflow/shared/store"
	"github.com/consentflow/consentflow/shared/store/storetest"
)

var (
	now    = time.Date(2026, 12, 2, 15, 0, 0, 0, time.UTC)
	policy = consent.Policy{
		Controller: "ACME s.r.o.", ControllerContact: "privacy@acme.example", NoticeVersion: "2026-11-01",
		NoticeURL: "https://acme.example/privacy", PublicBaseURL: "https://consent.acme.example", LinkValidity: 30 * 24 * time.Hour,
		Retention: map[consent.Purpose]time.Duration{consent.TalentPool: 730 * 24 * time.Hour, consent.InterviewRecording: 180 * 24 * time.Hour,
			consent.CallRecording: 180 * 24 * time.Hour},
	}
)

func registered(t *testing.T, s *store.Store) string {
	t.Helper()
	return storetest.Candidate(t, s, now.Add(-72*time.Hour)).ID
}

// consented records the candidate's consent to the purposes.
func consented(t *testing.T, s *store.Store, id string, at time.Time, purposes ...consent.Purpose) {
	t.Helper()
	ctx := context.Background()
	req := policy.NewRequest(consent.NewID(), id, "recruiter-1", purposes, at)
	if _, err := s.RecordRequest(ctx, req); err != nil {
		t.Fatal(err)
	}
	var ds []consent.Decision
	for _, p := range purposes {
		ds = append(ds, consent.Decision{Purpose: p, Grant: true})
	}
	if _, err := s.RecordDecision(ctx, req, ds, consent.Evidence{Language: "en"}, at.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
}

// recording passes the recording gate for one recording.
func recording(t *testing.T, s *store.Store, id, kind, reference string, at time.Time) consent.Artifact {
	t.Helper()
	p, err := consent.RecordingPurpose(kind)
	if err != nil {
		t.Fatal(err)
	}
	aid := consent.NewID()
	out, err := s.AuthorizeRecording(context.Background(), consent.Artifact{ID: aid, CandidateID: id, Kind: consent.KindRecording,
		Status: consent.ArtifactAuthorized, Bucket: "recordings", Key: store.ArtifactKey(consent.KindRecording, id, aid), RecordingKind: kind,
		Purpose: p, Reference: reference, AuthorizedBy: "recruiter-1", AuthorizedAt: at, UploadExpires: at.Add(time.Hour)}, policy.NoticeVersion)
	if err != nil || out.Gate != consent.GateAuthorized {
		t.Fatalf("gate %+v %v", out, err)
	}
	return out.Artifact
}

func request(candidateID string) httpapi.Request {
	return httpapi.Request{
		PathParameters: map[string]string{"id": candidateID},
		RequestContext: events.APIGatewayV2HTTPRequestContext{Authorizer: &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{
			JWT: &events.APIGatewayV2HTTPRequestContextAuthorizerJWTDescription{Claims: map[string]string{"sub": "recruiter-1"}},
		}},
	}
}

type listed struct {
	CandidateID string `json:"candidateId"`
	Recordings  []struct {
		RecordingID  string                 `json:"recordingId"`
		Reference    string                 `json:"reference"`
		Kind         string                 `json:"kind"`
		Status       consent.ArtifactStatus `json:"status"`
		Size         int64                  `json:"size"`
		AuthorizedAt time.Time              `json:"authorizedAt"`
		UploadedAt   *time.Time             `json:"uploadedAt"`
		DeleteBy     *time.Time             `json:"deleteBy"`
	} `json:"recordings"`
}

// Each recording is listed, oldest first, with its reference, kind,
// status, size and deadline; an erased one keeps its id and dates only.
// CVs are not recordings.
func TestEachRecordingIsListedWithItsStatusAndDeadline(t *testing.T) {
	ctx := context.Background()
	s, _ := storetest.New(t)
	id := registered(t, s)
	consented(t, s, id, now.Add(-48*time.Hour), consent.InterviewRecording, consent.CallRecording)
	app := consent.Application{ID: consent.NewID(), CandidateID: id, Position: "Backend engineer", Status: consent.ApplicationOpen, OpenedAt: now.Add(-48 * time.Hour)}
	if err := s.OpenApplication(ctx, app, "recruiter-1"); err != nil {
		t.Fatal(err)
	}
	cv := consent.NewID()
	if _, err := s.AuthorizeCV(ctx, consent.Artifact{ID: cv, CandidateID: id, Kind: consent.KindCV, Status: consent.ArtifactAuthorized,
		Bucket: "cvs", Key: store.ArtifactKey(consent.KindCV, id, cv), ApplicationID: app.ID, ContentType: "application/pdf",
		DeclaredSize: 1000, AuthorizedBy: "recruiter-1", AuthorizedAt: now.Add(-47 * time.Hour), UploadExpires: now}); err != nil {
		t.Fatal(err)
	}
	// Authorized in the opposite order of their references' names, so that
	// the order shown is by time.
	call := recording(t, s, id, "call", "call-1", now.Add(-30*time.Hour))
	uploaded := recording(t, s, id, "interview", "iv-2", now.Add(-24*time.Hour))
	erased := recording(t, s, id, "interview", "iv-3", now.Add(-20*time.Hour))
	arrived := now.Add(-24*time.Hour + 30*time.Minute)
	if arr, err := s.RegisterUpload(ctx, store.Object{Bucket: "recordings", Key: uploaded.Key, Size: 4096, VersionID: "v1", At: arrived},
		map[string]consent.ArtifactKind{"recordings": consent.KindRecording}); err != nil || !arr.Accepted {
		t.Fatalf("upload %+v %v", arr, err)
	}
	if _, err := s.Withdraw(ctx, id, consent.CallRecording, "phone", "", "recruiter-1", now.Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}
	// Withdrawn, the recordings are due at once; iv-3's erasure ran.
	if _, err := s.Withdraw(ctx, id, consent.InterviewRecording, "phone", "", "recruiter-1", now.Add(-30*time.Minute)); err != nil {
		t.Fatal(err)
	}
	if b, err := s.BeginErasure(ctx, id, erased.ID, consent.ErasureWithdrawn, now.Add(-20*time.Minute)); err != nil || !b.Erase {
		t.Fatalf("begin %+v %v", b, err)
	}
	if _, err := s.CompleteErasure(ctx, id, erased.ID, nil, policy.NoticeVersion, now.Add(-10*time.Minute)); err != nil {
		t.Fatal(err)
	}

	h := &Handler{Store: s, Log: slog.New(slog.DiscardHandler)}
	res, err := h.Handle(ctx, request(id))
	if err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("%d %s %v", res.StatusCode, res.Body, err)
	}
	var got listed
	if err := json.Unmarshal([]byte(res.Body), &got); err != nil {
		t.Fatal(err)
	}
	if got.CandidateID != id || len(got.Recordings) != 3 {
		t.Fatalf("listed %s, want the three recordings and no CV", res.Body)
	}
	first, second, third := got.Recordings[0], got.Recordings[1], got.Recordings[2]
	if first.RecordingID != call.ID || first.Status != consent.ArtifactAuthorized || first.Reference != "call-1" || first.Kind != "call" || first.UploadedAt != nil ||
		!first.AuthorizedAt.Equal(call.AuthorizedAt) || first.DeleteBy == nil || first.DeleteBy.After(now) {
		t.Errorf("the call recording: %+v", first)
	}
	if second.RecordingID != uploaded.ID || second.Status != consent.ArtifactUploaded || second.Reference != "iv-2" || second.Kind != "interview" || second.Size != 4096 ||
		second.UploadedAt == nil || !second.UploadedAt.Equal(arrived) || second.DeleteBy == nil || !second.DeleteBy.Equal(now.Add(-30*time.Minute)) {
		t.Errorf("the uploaded interview: %+v", second)
	}
	if third.RecordingID != erased.ID || third.Status != consent.ArtifactErased || third.Reference != "" || third.Size != 0 {
		t.Errorf("the erased interview: %+v, want erased with nothing about its content", third)
	}
}

// A candidate never recorded has an empty list (not null).
func TestNoRecordingsIsAnEmptyList(t *testing.T) {
	s, _ := storetest.New(t)
	id := registered(t, s)
	res, err := (&Handler{Store: s, Log: slog.New(slog.DiscardHandler)}).Handle(context.Background(), request(id))
	if err != nil || res.StatusCode != http.StatusOK || res.Body != `{"candidateId":"`+id+`","recordings":[]}` {
		t.Fatalf("%d %s %v", res.StatusCode, res.Body, err)
	}
}

func TestListRecordingsErrors(t *testing.T) {
	ctx := context.Background()
	s, _ := storetest.New(t)
	id := registered(t, s)
	gone := storetest.Erased(t, s, now)
	noToken := request(id)
	noToken.RequestContext = events.APIGatewayV2HTTPRequestContext{}
	h := &Handler{Store: s, Log: slog.New(slog.DiscardHandler)}
	for name, tc := range map[string]struct {
		req    httpapi.Request
		status int
		slug   string
	}{
		"no recruiter's token": {noToken, http.StatusUnauthorized, "unauthorized"},
		"not a candidate id":   {request("../x"), http.StatusNotFound, "not-found"},
		"unknown candidate":    {request(consent.NewID()), http.StatusNotFound, "not-found"},
		"erased candidate":     {request(gone), http.StatusGone, "erased"},
	} {
		res, err := h.Handle(ctx, tc.req)
		var p httpapi.Problem
		json.Unmarshal([]byte(res.Body), &p)
		if err != nil || res.StatusCode != tc.status || p.Type != httpapi.ProblemType(tc.slug) {
			t.Errorf("%s: %d %s %v, want %d %s", name, res.StatusCode, res.Body, err, tc.status, tc.slug)
		}
	}
}
