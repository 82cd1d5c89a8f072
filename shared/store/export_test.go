package store_test

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/consentflow/consentflow/shared/consent"
	"github.com/consentflow/consentflow/shared/store"
	"github.com/consentflow/consentflow/shared/store/storetest"
)

// held is what a test stored about one candidate, by id.
type held struct {
	candidate  consent.Candidate
	app        string
	requests   []string // answered first, then expired
	receipt    string
	cv         string
	recording  string
	identities []string // every id, and the name and email
}

// holdEverything stores a candidate with an application, a CV, a request
// answered with a receipt sent, a request that expired unanswered, and an
// uploaded interview recording.
func holdEverything(t *testing.T, s *store.Store, name, email string) held {
	t.Helper()
	ctx := context.Background()
	c, err := consent.NewCandidate(name, email, "en", t0)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.CreateCandidate(ctx, c, ""); err != nil {
		t.Fatal(err)
	}
	h := held{candidate: c}
	app := consent.Application{ID: consent.NewID(), CandidateID: c.ID, Position: "Engineer", Status: consent.ApplicationOpen, OpenedAt: t0}
	if err := s.OpenApplication(ctx, app, "recruiter-1"); err != nil {
		t.Fatal(err)
	}
	h.app = app.ID
	h.cv = cv(t, s, c, app.ID, t0.Add(time.Minute)).ID

	req, _ := linked(t, s, c, consent.TalentPool, consent.InterviewRecording)
	ans, err := s.RecordDecision(ctx, req, []consent.Decision{{Purpose: consent.TalentPool, Grant: true}, {Purpose: consent.InterviewRecording, Grant: true}},
		consent.Evidence{IPHash: "net-hash", UserAgent: "test", Language: "en"}, t0.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.ReceiptSent(ctx, req.ID, "ses-"+req.ID, t0.Add(time.Hour+time.Minute)); err != nil {
		t.Fatal(err)
	}
	h.requests, h.receipt = append(h.requests, req.ID), ans.ReceiptID

	lapsed := policy.NewRequest(consent.NewID(), c.ID, "recruiter-1", []consent.Purpose{consent.CallRecording}, t0.Add(2*time.Hour))
	if _, err := s.RecordRequest(ctx, lapsed); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.ExpireRequest(ctx, lapsed.ID, consent.ReasonUnanswered, "", lapsed.ExpiresAt); err != nil {
		t.Fatal(err)
	}
	h.requests = append(h.requests, lapsed.ID)

	id := consent.NewID()
	at := t0.Add(3 * time.Hour)
	gate, err := s.AuthorizeRecording(ctx, consent.Artifact{
		ID: id, CandidateID: c.ID, Kind: consent.KindRecording, Status: consent.ArtifactAuthorized, Bucket: "recordings",
		Key: store.ArtifactKey(consent.KindRecording, c.ID, id), RecordingKind: "interview", Purpose: consent.InterviewRecording,
		Reference: "meet-" + id, AuthorizedBy: "recruiter-1", AuthorizedAt: at, UploadExpires: at.Add(15 * time.Minute),
	}, policy.NoticeVersion)
	if err != nil || gate.Gate != consent.GateAuthorized {
		t.Fatalf("recording gate: %+v %v", gate, err)
	}
	arr, err := s.RegisterUpload(ctx, store.Object{Bucket: "recordings", Key: gate.Artifact.Key, Size: 5000, VersionID: "rv1", At: at.Add(time.Minute)},
		map[string]consent.ArtifactKind{"recordings": consent.KindRecording})
	if err != nil || !arr.Accepted {
		t.Fatalf("register recording: %+v %v", arr, err)
	}
	h.recording = id
	h.identities = append([]string{c.ID, c.Name, c.Email, h.app, h.receipt, h.cv, h.recording}, h.requests...)
	return h
}

func ids[T any](items []T, id func(T) string) []string {
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = id(it)
	}
	return out
}

func TestAnExportHoldsEverythingAboutItsCandidateAndNothingAboutAnother(t *testing.T) {
	s, _ := newStore(t)
	ctx := context.Background()
	ada := holdEverything(t, s, "Ada Lovelace", "ada@example.com")
	grace := holdEverything(t, s, "Grace Hopper", "grace.hopper@example.org")
	at := t0.Add(24 * time.Hour)

	x, err := s.Export(ctx, ada.candidate.ID, "recruiter-7", at)
	if err != nil {
		t.Fatal(err)
	}
	if x.Format != store.ExportFormat || !x.ExportedAt.Equal(at) || x.Candidate != ada.candidate {
		t.Fatalf("export header: %q %v %+v", x.Format, x.ExportedAt, x.Candidate)
	}
	if got := ids(x.Applications, func(a consent.Application) string { return a.ID }); !slices.Equal(got, []string{ada.app}) {
		t.Errorf("applications %v, want %v", got, ada.app)
	}
	if len(x.Consents) != 3 {
		t.Errorf("consents: %+v, want talent pool and interview recording given, call recording expired", x.Consents)
	}
	for _, c := range x.Consents {
		given := c.Purpose == consent.TalentPool || c.Purpose == consent.InterviewRecording
		if c.NoticeVersion != policy.NoticeVersion || given != (c.State == consent.Given) || given != (c.ExpiresAt != nil) {
			t.Errorf("consent %+v", c)
		}
	}
	if got := ids(x.Requests, func(r store.ExportedRequest) string { return r.ID }); !slices.Equal(got, ada.requests) {
		t.Errorf("requests %v, want %v", got, ada.requests)
	}
	if r := x.Requests[0]; r.Status != consent.Answered || r.ReceiptID != ada.receipt || r.AnsweredAt == nil || len(r.Outcomes) != 2 || r.NoticeVersion != policy.NoticeVersion {
		t.Errorf("answered request: %+v", r)
	}
	if r := x.Requests[1]; r.Status != consent.Lapsed || r.Reason != consent.ReasonUnanswered || r.ReceiptID != "" {
		t.Errorf("expired request: %+v", r)
	}
	if len(x.Receipts) != 1 || x.Receipts[0].ReceiptID != ada.receipt || x.Receipts[0].RequestID != ada.requests[0] ||
		x.Receipts[0].SentAt == nil || x.Receipts[0].MessageID != "ses-"+ada.requests[0] || x.Receipts[0].Owed {
		t.Errorf("receipts: %+v", x.Receipts)
	}
	if got := ids(x.Artifacts, func(a consent.Artifact) string { return a.ID }); !slices.Equal(got, []string{ada.cv, ada.recording}) {
		t.Errorf("artifacts %v, want the CV and the recording %v %v", got, ada.cv, ada.recording)
	}
	for _, a := range x.Artifacts {
		if a.Status != consent.ArtifactUploaded || a.RegisteredVersion() == "" || a.Bucket == "" || a.Key == "" {
			t.Errorf("artifact: %+v", a)
		}
	}

	trail, err := s.AuditTrail(ctx, ada.candidate.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(x.Events) != len(trail.Events) || !x.Verification.Intact {
		t.Fatalf("%d events (%+v), the trail has %d", len(x.Events), x.Verification, len(trail.Events))
	}
	last := x.Events[len(x.Events)-1]
	if last.Type != consent.EventDataExported || last.Actor != "recruiter-7" || !last.At.Equal(at) || last.Seq != int64(len(x.Events)) {
		t.Fatalf("the export's own event: %+v", last)
	}
	for _, e := range x.Events {
		if e.CandidateID != ada.candidate.ID {
			t.Errorf("event of another candidate: %+v", e)
		}
	}
	b, err := json.Marshal(last)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), "Ada") || strings.Contains(string(b), "ada@") {
		t.Errorf("the data_exported event names the candidate: %s", b)
	}

	doc, err := json.Marshal(x)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range ada.identities {
		if !strings.Contains(string(doc), v) {
			t.Errorf("the export does not hold %q", v)
		}
	}
	for _, v := range grace.identities {
		if strings.Contains(string(doc), v) {
			t.Errorf("the export holds %q of another candidate", v)
		}
	}
	for _, v := range []string{"task-token", "taskToken", "linkHash"} {
		if strings.Contains(string(doc), v) {
			t.Errorf("the export holds the credential %q", v)
		}
	}

	// The other candidate's trail knows nothing of this export.
	others, err := s.Events(ctx, grace.candidate.ID)
	if err != nil || len(others) == 0 {
		t.Fatalf("the other candidate's trail: %d events, %v", len(others), err)
	}
	for _, e := range others {
		if e.Type == consent.EventDataExported {
			t.Errorf("the other candidate has a data_exported event: %+v", e)
		}
	}
}

func TestExportingAnUnknownCandidateIsNotFound(t *testing.T) {
	s, _ := newStore(t)
	_, err := s.Export(context.Background(), consent.NewID(), "recruiter-1", t0)
	var nf *consent.NotFoundError
	if !errors.As(err, &nf) || nf.What != "candidate" {
		t.Fatalf("err = %v, want a candidate not found", err)
	}
}

// midway runs a change once, on the first query of the audit table: a
// change that commits while an export is reading.
type midway struct {
	store.DynamoDB
	audit  string
	once   sync.Once
	change func()
}

func (m *midway) Query(ctx context.Context, in *dynamodb.QueryInput, opts ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error) {
	if aws.ToString(in.TableName) == m.audit {
		m.once.Do(m.change)
	}
	return m.DynamoDB.Query(ctx, in, opts...)
}

// A change that commits while the export reads makes it read again: the
// export describes one committed state, here the one with the new
// application and its event.
func TestAnExportReadsAgainWhenAChangeCommitsMeanwhile(t *testing.T) {
	plain, db := storetest.New(t)
	ctx := context.Background()
	c := candidate(t, plain)
	app := consent.Application{ID: consent.NewID(), CandidateID: c.ID, Position: "Engineer", Status: consent.ApplicationOpen, OpenedAt: t0}
	m := &midway{DynamoDB: db, audit: storetest.Audit, change: func() {
		if err := plain.OpenApplication(ctx, app, "recruiter-2"); err != nil {
			t.Error(err)
		}
	}}
	x, err := store.New(m, storetest.Table, storetest.Audit).Export(ctx, c.ID, "recruiter-1", t0.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if len(x.Applications) != 1 || x.Applications[0].ID != app.ID {
		t.Fatalf("applications %+v, want the one opened during the export", x.Applications)
	}
	types := ids(x.Events, func(e consent.Event) string { return string(e.Type) })
	if !slices.Equal(types, []string{string(consent.EventDataExported), string(consent.EventApplicationOpened)}) || !x.Verification.Intact {
		t.Fatalf("events %v (%+v), want the export's and the application's", types, x.Verification)
	}
}
