package main

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/consentflow/consentflow/shared/consent"
	"github.com/consentflow/consentflow/shared/httpapi"
	"github.com/consentflow/consentflow/shared/store"
	"github.com/consentflow/consentflow/shared/store/storetest"
)

var (
	t0     = time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)
	policy = consent.Policy{
		Controller: "ACME s.r.o.", ControllerContact: "privacy@acme.example", NoticeVersion: "2026-11-01",
		NoticeURL: "https://acme.example/privacy", PublicBaseURL: "https://consent.acme.example", LinkValidity: 30 * 24 * time.Hour,
		Retention: map[consent.Purpose]time.Duration{consent.InterviewRecording: 180 * 24 * time.Hour},
	}
)

const bucket = "consentflow-cvs"

// presigner signs offline, as the real client does, with fixed credentials.
func presigner() *s3.PresignClient {
	return s3.NewPresignClient(s3.New(s3.Options{Region: "us-east-1", UsePathStyle: true, BaseEndpoint: aws.String("https://s3.example"),
		Credentials: credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", "")}))
}

type fixture struct {
	s    *store.Store
	c    consent.Candidate
	app  consent.Application
	cv   consent.Artifact // uploaded, version v1
	wait consent.Artifact // authorized, not uploaded yet
}

func cvFixture(t *testing.T) fixture {
	t.Helper()
	ctx := context.Background()
	s, _ := storetest.New(t)
	c, _ := consent.NewCandidate("Ada Lovelace", "ada@example.com", "en", t0)
	if _, _, err := s.CreateCandidate(ctx, c, ""); err != nil {
		t.Fatal(err)
	}
	app := consent.Application{ID: consent.NewID(), CandidateID: c.ID, Position: "Engineer", Status: consent.ApplicationOpen, OpenedAt: t0}
	if err := s.OpenApplication(ctx, app, "recruiter-1"); err != nil {
		t.Fatal(err)
	}
	f := fixture{s: s, c: c, app: app}
	f.cv = authorizeCV(t, s, c.ID, app.ID)
	arr, err := s.RegisterUpload(ctx, store.Object{Bucket: bucket, Key: f.cv.Key, Size: 900, VersionID: "v1", ContentType: "application/pdf", At: t0.Add(time.Minute)},
		map[string]consent.ArtifactKind{bucket: consent.KindCV})
	if err != nil || !arr.Accepted {
		t.Fatalf("register: %+v %v", arr, err)
	}
	f.cv = arr.Artifact
	f.wait = authorizeCV(t, s, c.ID, app.ID)
	return f
}

func authorizeCV(t *testing.T, s *store.Store, candidateID, applicationID string) consent.Artifact {
	t.Helper()
	id := consent.NewID()
	a, err := s.AuthorizeCV(context.Background(), consent.Artifact{
		ID: id, CandidateID: candidateID, Kind: consent.KindCV, Status: consent.ArtifactAuthorized, Bucket: bucket,
		Key: store.ArtifactKey(consent.KindCV, candidateID, id), ApplicationID: applicationID, ContentType: "application/pdf",
		DeclaredSize: 1000, AuthorizedBy: "recruiter-1", AuthorizedAt: t0, UploadExpires: t0.Add(15 * time.Minute),
	})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func handler(s Documents, now time.Time) *Handler {
	return &Handler{Store: s, Presigner: presigner(), Log: slog.New(slog.DiscardHandler), Now: func() time.Time { return now }}
}

// get is GET /api/candidates/{id}/documents/{documentId}; token false
// sends no verified token.
func get(candidateID, documentID string, token bool) httpapi.Request {
	req := httpapi.Request{PathParameters: map[string]string{"id": candidateID, "documentId": documentID}}
	if token {
		req.RequestContext = events.APIGatewayV2HTTPRequestContext{Authorizer: &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{
			JWT: &events.APIGatewayV2HTTPRequestContextAuthorizerJWTDescription{Claims: map[string]string{"sub": "recruiter-1"}},
		}}
	}
	return req
}

func problem(t *testing.T, res httpapi.Response, status int, slug string) {
	t.Helper()
	var p httpapi.Problem
	if err := json.Unmarshal([]byte(res.Body), &p); err != nil || res.StatusCode != status || p.Type != httpapi.ProblemType(slug) ||
		res.Headers["Content-Type"] != "application/problem+json" {
		t.Fatalf("%d %s, want %d %s", res.StatusCode, res.Body, status, slug)
	}
}

// An uploaded CV with a basis is handed out as a five-minute link to the
// version that was registered, not to whatever the key holds now.
func TestAnUploadedCVIsALinkToItsRegisteredVersion(t *testing.T) {
	f := cvFixture(t)
	now := t0.Add(time.Hour)
	res, err := handler(f.s, now).Handle(context.Background(), get(f.c.ID, f.cv.ID, true))
	if err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("%d %v: %s", res.StatusCode, err, res.Body)
	}
	var out output
	if err := json.Unmarshal([]byte(res.Body), &out); err != nil {
		t.Fatal(err)
	}
	if out.DocumentID != f.cv.ID || out.Status != consent.ArtifactUploaded || out.ContentType != "application/pdf" || out.Size != 900 ||
		!out.ExpiresAt.Equal(now.Add(5*time.Minute)) || out.UploadedAt == nil || !out.UploadedAt.Equal(t0.Add(time.Minute)) {
		t.Fatalf("answered %+v", out)
	}
	u, err := url.Parse(out.URL)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	if u.Path != "/"+bucket+"/"+f.cv.Key || q.Get("versionId") != "v1" || q.Get("X-Amz-Expires") != "300" || q.Get("X-Amz-Signature") == "" {
		t.Fatalf("download link %s", out.URL)
	}
}

// Before the upload arrived there is nothing to hand out: 409.
func TestACVNotYetUploadedIsAConflict(t *testing.T) {
	f := cvFixture(t)
	res, _ := handler(f.s, t0.Add(time.Hour)).Handle(context.Background(), get(f.c.ID, f.wait.ID, true))
	problem(t, res, http.StatusConflict, "conflict")
}

// Once its application closed, a CV is kept six months and handed out
// until then; from its deadline it is 410, even before the sweep erased
// it, and after.
func TestACVPastItsDeadlineIsGone(t *testing.T) {
	f := cvFixture(t)
	ctx := context.Background()
	closed := t0.Add(24 * time.Hour)
	if _, err := f.s.CloseApplication(ctx, f.c.ID, f.app.ID, "rejected", "recruiter-1", closed); err != nil {
		t.Fatal(err)
	}
	a, err := f.s.Artifact(ctx, f.c.ID, f.cv.ID)
	if err != nil || a.DeleteBy == nil || !a.DeleteBy.Equal(closed.AddDate(0, 6, 0)) {
		t.Fatalf("deadline %v %v, want six months after the close", a.DeleteBy, err)
	}
	if res, _ := handler(f.s, a.DeleteBy.Add(-time.Second)).Handle(ctx, get(f.c.ID, f.cv.ID, true)); res.StatusCode != http.StatusOK {
		t.Fatalf("a second before its deadline: %d %s", res.StatusCode, res.Body)
	}
	res, _ := handler(f.s, *a.DeleteBy).Handle(ctx, get(f.c.ID, f.cv.ID, true))
	problem(t, res, http.StatusGone, "erased")

	if b, err := f.s.BeginErasure(ctx, f.c.ID, f.cv.ID, consent.ErasureRetentionEnded, *a.DeleteBy); err != nil || !b.Erase {
		t.Fatalf("begin: %+v %v", b, err)
	}
	res, _ = handler(f.s, a.DeleteBy.Add(time.Minute)).Handle(ctx, get(f.c.ID, f.cv.ID, true))
	problem(t, res, http.StatusGone, "erased")
	if done, err := f.s.CompleteErasure(ctx, f.c.ID, f.cv.ID, []string{"v1"}, policy.NoticeVersion, a.DeleteBy.Add(time.Minute)); err != nil || !done {
		t.Fatalf("complete: %v %v", done, err)
	}
	res, _ = handler(f.s, a.DeleteBy.Add(time.Hour)).Handle(ctx, get(f.c.ID, f.cv.ID, true))
	problem(t, res, http.StatusGone, "erased")
}

// While processing is restricted (GDPR Art. 18) the CV is kept but not
// handed out: 403 with the reason.
func TestARestrictedCandidatesCVIsNotHandedOut(t *testing.T) {
	f := cvFixture(t)
	ctx := context.Background()
	if _, err := f.s.Restrict(ctx, f.c.ID, "recruiter-1", "email", t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	res, _ := handler(f.s, t0.Add(2*time.Hour)).Handle(ctx, get(f.c.ID, f.cv.ID, true))
	problem(t, res, http.StatusForbidden, "restricted")
	var body map[string]any
	if err := json.Unmarshal([]byte(res.Body), &body); err != nil || body["reason"] != consent.GateReasonRestricted {
		t.Fatalf("reason %v: %s", body["reason"], res.Body)
	}
	if _, err := f.s.LiftRestriction(ctx, f.c.ID, "recruiter-1", "email", t0.Add(3*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if res, _ := handler(f.s, t0.Add(4*time.Hour)).Handle(ctx, get(f.c.ID, f.cv.ID, true)); res.StatusCode != http.StatusOK {
		t.Fatalf("after the restriction was lifted: %d %s", res.StatusCode, res.Body)
	}
}

// A document is found only under its own candidate: another candidate's
// id in the path, a recording's id, ids that cannot be ids and a request
// without a recruiter's token are refused, and no link is made.
func TestOnlyThisCandidatesCVIsHandedOut(t *testing.T) {
	f := cvFixture(t)
	ctx := context.Background()
	other, _ := consent.NewCandidate("Eve", "eve@example.com", "en", t0)
	if _, _, err := f.s.CreateCandidate(ctx, other, ""); err != nil {
		t.Fatal(err)
	}
	// A recording of this candidate, authorized under a given consent.
	req := policy.NewRequest(consent.NewID(), f.c.ID, "recruiter-1", []consent.Purpose{consent.InterviewRecording}, t0)
	if _, err := f.s.RecordRequest(ctx, req); err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.RecordDecision(ctx, req, []consent.Decision{{Purpose: consent.InterviewRecording, Grant: true}}, consent.Evidence{}, t0); err != nil {
		t.Fatal(err)
	}
	recID := consent.NewID()
	gate, err := f.s.AuthorizeRecording(ctx, consent.Artifact{ID: recID, CandidateID: f.c.ID, Kind: consent.KindRecording, Status: consent.ArtifactAuthorized,
		Bucket: "consentflow-recordings", Key: store.ArtifactKey(consent.KindRecording, f.c.ID, recID), RecordingKind: "interview",
		Purpose: consent.InterviewRecording, Reference: "meet/1", AuthorizedBy: "recruiter-1", AuthorizedAt: t0, UploadExpires: t0.Add(time.Hour)}, policy.NoticeVersion)
	if err != nil || gate.Gate != consent.GateAuthorized {
		t.Fatalf("recording gate: %+v %v", gate, err)
	}

	h := handler(f.s, t0.Add(time.Hour))
	for name, tt := range map[string]struct {
		req    httpapi.Request
		status int
		slug   string
	}{
		"no token":                     {get(f.c.ID, f.cv.ID, false), http.StatusUnauthorized, "unauthorized"},
		"another candidate's path":     {get(other.ID, f.cv.ID, true), http.StatusNotFound, "not-found"},
		"an unknown candidate's path":  {get(consent.NewID(), f.cv.ID, true), http.StatusNotFound, "not-found"},
		"a recording":                  {get(f.c.ID, recID, true), http.StatusNotFound, "not-found"},
		"an unknown document":          {get(f.c.ID, consent.NewID(), true), http.StatusNotFound, "not-found"},
		"a document id that is a path": {get(f.c.ID, "../"+f.cv.ID, true), http.StatusNotFound, "not-found"},
		"a candidate id that is not":   {get("ada", f.cv.ID, true), http.StatusNotFound, "not-found"},
	} {
		t.Run(name, func(t *testing.T) {
			res, err := h.Handle(ctx, tt.req)
			if err != nil {
				t.Fatal(err)
			}
			problem(t, res, tt.status, tt.slug)
		})
	}
}

// After a full erasure the candidate's routes answer 410.
func TestAnErasedCandidatesCVIsGone(t *testing.T) {
	f := cvFixture(t)
	ctx := context.Background()
	at := t0.Add(time.Hour)
	if _, err := f.s.RequestErasure(ctx, f.c.ID, "candidate_request", "recruiter-1", "recruiter", at); err != nil {
		t.Fatal(err)
	}
	for _, a := range []consent.Artifact{f.cv, f.wait} {
		if b, err := f.s.BeginErasure(ctx, f.c.ID, a.ID, consent.ErasureRequested, at); err != nil || !b.Erase {
			t.Fatalf("begin %s: %+v %v", a.ID, b, err)
		}
		if _, err := f.s.CompleteErasure(ctx, f.c.ID, a.ID, nil, policy.NoticeVersion, at); err != nil {
			t.Fatal(err)
		}
	}
	if done, err := f.s.EraseProfile(ctx, f.c.ID, at); err != nil || !done {
		t.Fatalf("erase profile: %v %v", done, err)
	}
	res, _ := handler(f.s, at.Add(time.Minute)).Handle(ctx, get(f.c.ID, f.cv.ID, true))
	problem(t, res, http.StatusGone, "erased")
}
