package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	dbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"

	"github.com/consentflow/consentflow/shared/consent"
	"github.com/consentflow/consentflow/shared/locale"
	"github.com/consentflow/consentflow/shared/mail"
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
	kinds = map[string]consent.ArtifactKind{cvBucket: consent.KindCV, recBucket: consent.KindRecording}
)

const (
	cvBucket  = "consentflow-cvs"
	recBucket = "consentflow-recordings"
)

// version is one stored version of an object.
type version struct {
	id, contentType string
	size            int64
}

// bucket stands in for S3: versions per bucket/key, and what was deleted.
type bucket struct {
	objects map[string][]version
	deleted []string // bucket/key@version
}

func newBucket() *bucket { return &bucket{objects: map[string][]version{}} }

func (b *bucket) put(bkt, key string, v version) {
	b.objects[bkt+"/"+key] = append(b.objects[bkt+"/"+key], v)
}

func (b *bucket) HeadObject(_ context.Context, in *s3.HeadObjectInput, _ ...func(*s3.Options)) (*s3.HeadObjectOutput, error) {
	for _, v := range b.objects[aws.ToString(in.Bucket)+"/"+aws.ToString(in.Key)] {
		if in.VersionId == nil || aws.ToString(in.VersionId) == v.id {
			return &s3.HeadObjectOutput{ContentType: aws.String(v.contentType), ContentLength: aws.Int64(v.size), VersionId: aws.String(v.id)}, nil
		}
	}
	return nil, &s3types.NotFound{}
}

func (b *bucket) ListObjectVersions(_ context.Context, in *s3.ListObjectVersionsInput, _ ...func(*s3.Options)) (*s3.ListObjectVersionsOutput, error) {
	out := &s3.ListObjectVersionsOutput{}
	for k, vs := range b.objects {
		bkt, key, _ := strings.Cut(k, "/")
		if bkt != aws.ToString(in.Bucket) || !strings.HasPrefix(key, aws.ToString(in.Prefix)) {
			continue
		}
		for _, v := range vs {
			out.Versions = append(out.Versions, s3types.ObjectVersion{Key: aws.String(key), VersionId: aws.String(v.id)})
		}
	}
	return out, nil
}

func (b *bucket) DeleteObject(_ context.Context, in *s3.DeleteObjectInput, _ ...func(*s3.Options)) (*s3.DeleteObjectOutput, error) {
	k := aws.ToString(in.Bucket) + "/" + aws.ToString(in.Key)
	b.objects[k] = slices.DeleteFunc(b.objects[k], func(v version) bool { return v.id == aws.ToString(in.VersionId) })
	b.deleted = append(b.deleted, k+"@"+aws.ToString(in.VersionId))
	return &s3.DeleteObjectOutput{}, nil
}

// outbox stands in for SES: it keeps what it is handed.
type outbox struct{ sent []*sesv2.SendEmailInput }

func (o *outbox) SendEmail(_ context.Context, in *sesv2.SendEmailInput, _ ...func(*sesv2.Options)) (*sesv2.SendEmailOutput, error) {
	o.sent = append(o.sent, in)
	return &sesv2.SendEmailOutput{MessageId: aws.String(fmt.Sprintf("msg-%d", len(o.sent)))}, nil
}

type fixture struct {
	s   *store.Store
	db  *dynamodb.Client
	s3  *bucket
	ses *outbox
	h   *Handler
	c   consent.Candidate
}

func newFixture(t *testing.T, lang string) *fixture {
	t.Helper()
	s, db := storetest.New(t)
	c, _ := consent.NewCandidate("Jürgen <script>alert(1)</script>", "juergen@example.com", lang, t0)
	if _, _, err := s.CreateCandidate(context.Background(), c, ""); err != nil {
		t.Fatal(err)
	}
	f := &fixture{s: s, db: db, s3: newBucket(), ses: &outbox{}, c: c}
	f.h = &Handler{Store: s, S3: f.s3, Mail: mail.New(f.ses, "consent@acme.example", policy), Kinds: kinds, Policy: policy, Log: slog.New(slog.DiscardHandler)}
	return f
}

// consented records the candidate's consent to the interview's recording.
func (f *fixture) consented(t *testing.T, grant bool) {
	t.Helper()
	ctx := context.Background()
	req := policy.NewRequest(consent.NewID(), f.c.ID, "recruiter-1", []consent.Purpose{consent.InterviewRecording}, t0)
	if _, err := f.s.RecordRequest(ctx, req); err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.RecordDecision(ctx, req, []consent.Decision{{Purpose: consent.InterviewRecording, Grant: grant}}, consent.Evidence{}, t0); err != nil {
		t.Fatal(err)
	}
}

// recording authorizes a recording of the interview under the candidate's
// consent, as the recording gate does, and returns it.
func (f *fixture) recording(t *testing.T) consent.Artifact {
	t.Helper()
	id := consent.NewID()
	out, err := f.s.AuthorizeRecording(context.Background(), consent.Artifact{ID: id, CandidateID: f.c.ID, Kind: consent.KindRecording,
		Status: consent.ArtifactAuthorized, Bucket: recBucket, Key: store.ArtifactKey(consent.KindRecording, f.c.ID, id), RecordingKind: "interview",
		Purpose: consent.InterviewRecording, Reference: "meet/abc", AuthorizedBy: "recruiter-1", AuthorizedAt: t0, UploadExpires: t0.Add(time.Hour)}, policy.NoticeVersion)
	if err != nil || out.Gate != consent.GateAuthorized {
		t.Fatalf("recording gate: %+v %v", out, err)
	}
	return out.Artifact
}

// arrive puts a version into S3 and hands the handler its "Object
// Created" event.
func (f *fixture) arrive(t *testing.T, bkt, key string, v version, at time.Time) error {
	t.Helper()
	f.s3.put(bkt, key, v)
	return f.h.Handle(context.Background(), event(bkt, key, v.id, v.size, at))
}

func event(bkt, key, versionID string, size int64, at time.Time) events.EventBridgeEvent {
	d := map[string]any{"bucket": map[string]any{"name": bkt}, "object": map[string]any{"key": key, "size": size, "version-id": versionID}, "reason": "PutObject"}
	raw, _ := json.Marshal(d)
	return events.EventBridgeEvent{Source: "aws.s3", DetailType: "Object Created", Time: at, Detail: raw}
}

// events returns the types of the candidate's audit events after the
// first n.
func (f *fixture) events(t *testing.T) []consent.Event {
	t.Helper()
	evs, err := f.s.Events(context.Background(), f.c.ID)
	if err != nil {
		t.Fatal(err)
	}
	return evs
}

func last(evs []consent.Event) consent.Event { return evs[len(evs)-1] }

// A recording the candidate consented to is registered when it arrives,
// with its event, and the candidate is told in their language, once: a
// redelivered event changes nothing more.
func TestAConsentedRecordingIsRegisteredAndTheCandidateTold(t *testing.T) {
	f := newFixture(t, "de")
	f.consented(t, true)
	rec := f.recording(t)
	at := t0.Add(30 * time.Minute)
	v := version{id: "v1", contentType: "video/mp4", size: 5 << 20}
	if err := f.arrive(t, recBucket, rec.Key, v, at); err != nil {
		t.Fatal(err)
	}
	a, err := f.s.Artifact(context.Background(), f.c.ID, rec.ID)
	if err != nil || a.Status != consent.ArtifactUploaded || a.Size != 5<<20 || a.RegisteredVersion() != "v1" || a.DeleteBy == nil {
		t.Fatalf("artifact %+v %v", a, err)
	}
	evs := f.events(t)
	if e := last(evs); e.Type != consent.EventUploadRegistered || e.ArtifactID != rec.ID || !slices.Equal(e.VersionIDs, []string{"v1"}) {
		t.Fatalf("last event %+v", e)
	}
	if len(f.s3.deleted) != 0 {
		t.Fatalf("deleted %v", f.s3.deleted)
	}
	if len(f.ses.sent) != 1 {
		t.Fatalf("%d emails", len(f.ses.sent))
	}
	m := locale.For("de")
	msg := f.ses.sent[0]
	text, html := *msg.Content.Simple.Body.Text.Data, *msg.Content.Simple.Body.Html.Data
	kept := fmt.Sprintf(m.RecordingKept, a.DeleteBy.UTC().Format("2006-01-02"))
	if msg.Destination.ToAddresses[0] != f.c.Email || *msg.Content.Simple.Subject.Data != fmt.Sprintf(m.RecordingSubject, policy.Controller) ||
		!strings.Contains(text, kept) || !strings.Contains(text, "/m/") {
		t.Fatalf("email to %v, %q:\n%s", msg.Destination.ToAddresses, *msg.Content.Simple.Subject.Data, text)
	}
	if strings.Contains(html, "<script>") || !strings.Contains(html, "&lt;script&gt;") {
		t.Fatalf("the candidate's name is not escaped in the HTML:\n%s", html)
	}

	if err := f.h.Handle(context.Background(), event(recBucket, rec.Key, "v1", 5<<20, at)); err != nil {
		t.Fatal(err)
	}
	if len(f.ses.sent) != 1 || len(f.events(t)) != len(evs) || len(f.s3.deleted) != 0 {
		t.Fatalf("a redelivered event: %d emails, %d events (was %d), deleted %v", len(f.ses.sent), len(f.events(t)), len(evs), f.s3.deleted)
	}
}

// An object nobody authorized for this candidate and this recording is
// removed, every version, with an event saying why, and nobody is told of
// a recording.
func TestARecordingWithoutThisCandidatesAuthorizationIsRemoved(t *testing.T) {
	f := newFixture(t, "en")
	f.consented(t, true)
	rec := f.recording(t)
	ctx := context.Background()
	eve, _ := consent.NewCandidate("Eve", "eve@example.com", "en", t0)
	if _, _, err := f.s.CreateCandidate(ctx, eve, ""); err != nil {
		t.Fatal(err)
	}
	for name, tt := range map[string]struct {
		bucket, key, reason string
		candidate           string
	}{
		"an id nobody authorized":                {recBucket, store.ArtifactKey(consent.KindRecording, f.c.ID, consent.NewID()), store.RemoveUnknownKey, f.c.ID},
		"this recording under another candidate": {recBucket, store.ArtifactKey(consent.KindRecording, eve.ID, rec.ID), store.RemoveUnknownKey, eve.ID},
		"a recording's key in the CV bucket":     {cvBucket, rec.Key, store.RemoveWrongBucket, f.c.ID},
		"as a CV of this recording's id":         {recBucket, store.ArtifactKey(consent.KindCV, f.c.ID, rec.ID), store.RemoveUnknownKey, f.c.ID},
	} {
		t.Run(name, func(t *testing.T) {
			before, err := f.s.Events(ctx, tt.candidate)
			if err != nil {
				t.Fatal(err)
			}
			f.s3.deleted = nil
			f.s3.put(tt.bucket, tt.key, version{id: "x1", contentType: "video/mp4", size: 10})
			if err := f.arrive(t, tt.bucket, tt.key, version{id: "x2", contentType: "video/mp4", size: 10}, t0.Add(time.Minute)); err != nil {
				t.Fatal(err)
			}
			if len(f.s3.objects[tt.bucket+"/"+tt.key]) != 0 || len(f.s3.deleted) != 2 {
				t.Fatalf("left %v, deleted %v", f.s3.objects[tt.bucket+"/"+tt.key], f.s3.deleted)
			}
			after, _ := f.s.Events(ctx, tt.candidate)
			if len(after) != len(before)+1 {
				t.Fatalf("%d events written", len(after)-len(before))
			}
			if e := last(after); e.Type != consent.EventUploadRemoved || e.Reason != tt.reason || e.ObjectKey != tt.key || len(e.VersionIDs) != 2 {
				t.Fatalf("event %+v", e)
			}
		})
	}
	a, _ := f.s.Artifact(ctx, f.c.ID, rec.ID)
	if a.Status != consent.ArtifactAuthorized || len(f.ses.sent) != 0 {
		t.Fatalf("the authorization is now %s; %d emails", a.Status, len(f.ses.sent))
	}
}

// An upload that is late, larger than declared, of another type, or a
// second one to a registered artifact is removed, except the version that
// was registered; a CV is not announced to the candidate.
func TestUploadsThatDoNotMatchTheirAuthorizationAreRemoved(t *testing.T) {
	f := newFixture(t, "en")
	ctx := context.Background()
	app := consent.Application{ID: consent.NewID(), CandidateID: f.c.ID, Position: "Engineer", Status: consent.ApplicationOpen, OpenedAt: t0}
	if err := f.s.OpenApplication(ctx, app, "recruiter-1"); err != nil {
		t.Fatal(err)
	}
	cv := func() consent.Artifact {
		id := consent.NewID()
		a, err := f.s.AuthorizeCV(ctx, consent.Artifact{ID: id, CandidateID: f.c.ID, Kind: consent.KindCV, Status: consent.ArtifactAuthorized, Bucket: cvBucket,
			Key: store.ArtifactKey(consent.KindCV, f.c.ID, id), ApplicationID: app.ID, ContentType: "application/pdf",
			DeclaredSize: 1000, AuthorizedBy: "recruiter-1", AuthorizedAt: t0, UploadExpires: t0.Add(15 * time.Minute)})
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	pdf := version{id: "v1", contentType: "application/pdf", size: 900}
	for name, tt := range map[string]struct {
		v      version
		at     time.Time
		reason string
	}{
		"late":         {pdf, t0.Add(16 * time.Minute), store.RemoveExpired},
		"too large":    {version{id: "v1", contentType: "application/pdf", size: 1001}, t0.Add(time.Minute), store.RemoveTooLarge},
		"another type": {version{id: "v1", contentType: "text/html", size: 900}, t0.Add(time.Minute), store.RemoveContentType},
	} {
		t.Run(name, func(t *testing.T) {
			a := cv()
			if err := f.arrive(t, cvBucket, a.Key, tt.v, tt.at); err != nil {
				t.Fatal(err)
			}
			got, _ := f.s.Artifact(ctx, f.c.ID, a.ID)
			if e := last(f.events(t)); e.Type != consent.EventUploadRemoved || e.Reason != tt.reason || got.Status != consent.ArtifactAuthorized ||
				len(f.s3.objects[cvBucket+"/"+a.Key]) != 0 {
				t.Fatalf("event %s %s, artifact %s, left %v", e.Type, e.Reason, got.Status, f.s3.objects[cvBucket+"/"+a.Key])
			}
		})
	}

	a := cv()
	if err := f.arrive(t, cvBucket, a.Key, pdf, t0.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if err := f.arrive(t, cvBucket, a.Key, version{id: "v2", contentType: "application/pdf", size: 10}, t0.Add(2*time.Minute)); err != nil {
		t.Fatal(err)
	}
	got, _ := f.s.Artifact(ctx, f.c.ID, a.ID)
	left := f.s3.objects[cvBucket+"/"+a.Key]
	if e := last(f.events(t)); e.Type != consent.EventUploadRemoved || e.Reason != store.RemoveAlreadyThere || !slices.Equal(e.VersionIDs, []string{"v2"}) ||
		got.Status != consent.ArtifactUploaded || got.RegisteredVersion() != "v1" || len(left) != 1 || left[0].id != "v1" {
		t.Fatalf("a second upload: event %+v, artifact %s %s, left %v", e, got.Status, got.RegisteredVersion(), left)
	}
	if len(f.ses.sent) != 0 {
		t.Fatalf("%d emails about a CV", len(f.ses.sent))
	}
}

// Events that are not uploads to an artifact bucket are typed errors
// (retrying cannot help) and touch nothing; an object gone before it was
// read is nothing to do.
func TestEventsThatAreNoUploadsAreRefused(t *testing.T) {
	f := newFixture(t, "en")
	ctx := context.Background()
	key := store.ArtifactKey(consent.KindRecording, f.c.ID, consent.NewID())
	deleted := event(recBucket, key, "v1", 1, t0)
	deleted.DetailType = "Object Deleted"
	for name, ev := range map[string]events.EventBridgeEvent{
		"another source": {Source: "aws.ec2", DetailType: "Object Created", Detail: event(recBucket, key, "v1", 1, t0).Detail},
		"a deletion":     deleted,
		"no detail":      {Source: "aws.s3", DetailType: "Object Created", Detail: json.RawMessage(`{}`)},
		"broken detail":  {Source: "aws.s3", DetailType: "Object Created", Detail: json.RawMessage(`{"bucket":`)},
		"another bucket": event("someone-elses-bucket", key, "v1", 1, t0),
	} {
		var invalid *InvalidEventError
		if err := f.h.Handle(ctx, ev); !errors.As(err, &invalid) {
			t.Errorf("%s: %v, want an InvalidEventError", name, err)
		}
	}
	if err := f.h.Handle(ctx, event(recBucket, key, "v1", 1, t0)); err != nil {
		t.Fatalf("an object already gone: %v", err)
	}
	if evs := f.events(t); len(evs) != 0 || len(f.s3.deleted) != 0 {
		t.Fatalf("%d events, deleted %v", len(evs), f.s3.deleted)
	}
}

// A recording whose consent was withdrawn after the gate authorized it,
// but before the file arrived, is not registered: the consent that
// covered it is gone.
func TestARecordingArrivingAfterTheWithdrawalIsRemoved(t *testing.T) {
	f := newFixture(t, "en")
	f.consented(t, true)
	rec := f.recording(t)
	ctx := context.Background()
	if _, err := f.s.Withdraw(ctx, f.c.ID, consent.InterviewRecording, "phone", "", "recruiter-1", t0.Add(10*time.Minute)); err != nil {
		t.Fatal(err)
	}
	if err := f.arrive(t, recBucket, rec.Key, version{id: "v1", contentType: "video/mp4", size: 10}, t0.Add(20*time.Minute)); err != nil {
		t.Fatal(err)
	}
	a, _ := f.s.Artifact(ctx, f.c.ID, rec.ID)
	e := last(f.events(t))
	if a.Status == consent.ArtifactUploaded || len(f.ses.sent) != 0 || len(f.s3.objects[recBucket+"/"+rec.Key]) != 0 || e.Type != consent.EventUploadRemoved || e.Reason != store.RemoveNoBasis {
		t.Fatalf("status %s, %d emails, left %v, last event %s %s", a.Status, len(f.ses.sent), f.s3.objects[recBucket+"/"+rec.Key], e.Type, e.Reason)
	}
}

// A file that arrives for a candidate whose erasure was asked for, or is
// done, is removed all the same, and its removal logged with the bucket's:
// nothing of an erased candidate stays in a bucket because the candidate
// is gone. A version registered before the request stays for the erasure
// to delete and record.
func TestAnUploadForAnErasedCandidateIsRemoved(t *testing.T) {
	for name, tt := range map[string]struct {
		uploadedBefore, profileErased bool
		left                          []string
	}{
		"erasure asked, recording erased":  {},
		"profile erased":                   {profileErased: true},
		"erasure asked, recording not yet": {uploadedBefore: true, left: []string{"v1"}},
	} {
		t.Run(name, func(t *testing.T) {
			f := newFixture(t, "en")
			f.consented(t, true)
			rec := f.recording(t)
			ctx := context.Background()
			if tt.uploadedBefore {
				if err := f.arrive(t, recBucket, rec.Key, version{id: "v1", contentType: "video/mp4", size: 10}, t0.Add(5*time.Minute)); err != nil {
					t.Fatal(err)
				}
				f.ses.sent = nil
			}
			at := t0.Add(10 * time.Minute)
			if _, err := f.s.RequestErasure(ctx, f.c.ID, "candidate_request", "recruiter-1", "recruiter", at); err != nil {
				t.Fatal(err)
			}
			if !tt.uploadedBefore {
				if b, err := f.s.BeginErasure(ctx, f.c.ID, rec.ID, consent.ErasureRequested, at); err != nil || !b.Erase {
					t.Fatalf("begin: %+v %v", b, err)
				}
				if _, err := f.s.CompleteErasure(ctx, f.c.ID, rec.ID, nil, policy.NoticeVersion, at); err != nil {
					t.Fatal(err)
				}
			}
			if tt.profileErased {
				if done, err := f.s.EraseProfile(ctx, f.c.ID, at); err != nil || !done {
					t.Fatalf("erase profile: %v %v", done, err)
				}
			}
			before := len(f.events(t))
			if err := f.arrive(t, recBucket, rec.Key, version{id: "v2", contentType: "video/mp4", size: 10}, t0.Add(20*time.Minute)); err != nil {
				t.Fatalf("the upload was not handled: %v", err)
			}
			var left []string
			for _, v := range f.s3.objects[recBucket+"/"+rec.Key] {
				left = append(left, v.id)
			}
			if !slices.Equal(left, tt.left) || len(f.ses.sent) != 0 {
				t.Fatalf("left %v in the bucket, want %v; %d emails", left, tt.left, len(f.ses.sent))
			}
			if evs := f.events(t); len(evs) != before {
				t.Fatalf("%d events written to the erased candidate's trail", len(evs)-before)
			}
			res, err := f.db.Query(ctx, &dynamodb.QueryInput{TableName: aws.String(storetest.Table), KeyConditionExpression: aws.String("pk = :pk"),
				ExpressionAttributeValues: map[string]dbtypes.AttributeValue{":pk": &dbtypes.AttributeValueMemberS{Value: "REMOVED#" + recBucket}}})
			if err != nil {
				t.Fatal(err)
			}
			var logged []consent.Event
			if err := attributevalue.UnmarshalListOfMaps(res.Items, &logged); err != nil {
				t.Fatal(err)
			}
			if len(logged) != 1 || logged[0].Reason != store.RemoveErased || logged[0].ObjectKey != rec.Key || !slices.Equal(logged[0].VersionIDs, []string{"v2"}) {
				t.Fatalf("the bucket's removal log: %+v", logged)
			}
		})
	}
}
