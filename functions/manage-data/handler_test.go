package main

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/consentflow/consentflow/shared/consent"
	"github.com/consentflow/consentflow/shared/httpapi"
	"github.com/consentflow/consentflow/shared/mail"
	"github.com/consentflow/consentflow/shared/store"
)

type fakeStore struct {
	hash        string
	candidate   consent.Candidate
	withdrawn   map[consent.Purpose]bool
	exports     int
	confirms    []string
	erasures    int
	requestedAt *time.Time

	rectifications []string
	objections     int
}

func (f *fakeStore) ManageByLink(_ context.Context, hash string) (store.ManageLink, error) {
	if hash != f.hash {
		return store.ManageLink{}, &consent.NotFoundError{What: "link"}
	}
	return store.ManageLink{Candidate: f.candidate, ErasureRequestedAt: f.requestedAt}, nil
}

func (f *fakeStore) ErasureConfirmationByLink(ctx context.Context, manageHash, confirmHash string, _ time.Time) (store.ManageLink, error) {
	for _, c := range f.confirms {
		if c == confirmHash {
			return f.ManageByLink(ctx, manageHash)
		}
	}
	return store.ManageLink{}, &consent.NotFoundError{What: "link"}
}

func (f *fakeStore) MintErasureConfirmation(_ context.Context, _, hash string, _, _ time.Time) error {
	f.confirms = append(f.confirms, hash)
	return nil
}

func (f *fakeStore) Withdraw(_ context.Context, id string, p consent.Purpose, method, _, actor string, _ time.Time) (store.Withdrawal, error) {
	if method != consent.CollectedByWebForm || actor != consent.ActorCandidate {
		return store.Withdrawal{}, &consent.ValidationError{Field: "method", Reason: method + " " + actor}
	}
	if f.withdrawn[p] {
		return store.Withdrawal{}, nil
	}
	f.withdrawn[p] = true
	return store.Withdrawal{Recorded: true, Due: []store.DueArtifact{{CandidateID: id, ArtifactID: "R1"}}}, nil
}

func (f *fakeStore) Export(_ context.Context, id, _ string, at time.Time) (store.Export, error) {
	f.exports++
	return store.Export{Format: store.ExportFormat, ExportedAt: at, Candidate: f.candidate}, nil
}

func (f *fakeStore) RequestErasure(_ context.Context, id, ground, actor, method string, at time.Time) (store.ErasureRequest, error) {
	f.erasures++
	f.requestedAt = &at
	return store.ErasureRequest{CandidateID: id, Ground: ground, RequestedAt: at, Recorded: true}, nil
}

type fakeErasures struct{ artifacts, candidates int }

func (f *fakeErasures) Artifacts(_ context.Context, due []store.DueArtifact, _ string) (int, error) {
	f.artifacts += len(due)
	return len(due), nil
}

func (f *fakeErasures) Candidate(context.Context, string, string, []store.DueArtifact) error {
	f.candidates++
	return nil
}

type outbox struct {
	*mail.Mailer
	sent []mail.Message
}

func (o *outbox) Send(_ context.Context, m mail.Message) (string, error) {
	o.sent = append(o.sent, m)
	return "msg-1", nil
}

var now = time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)

func setup() (*Handler, *fakeStore, *fakeErasures, *outbox, string) {
	token := consent.NewLinkToken()
	policy := consent.Policy{Controller: "Example Recruiting Ltd", ControllerContact: "privacy@example.com", PublicBaseURL: "https://consent.example.com"}
	st := &fakeStore{hash: consent.HashLinkToken(token), withdrawn: map[consent.Purpose]bool{},
		candidate: consent.Candidate{ID: "C1", Name: "Ada", Email: "ada@example.com", Locale: "de"}}
	er := &fakeErasures{}
	out := &outbox{Mailer: mail.New(nil, "consent@example.com", policy)}
	h := &Handler{Store: st, Erasure: er, Mail: out, Policy: policy,
		Log: slog.New(slog.NewJSONHandler(io.Discard, nil)), Now: func() time.Time { return now }}
	return h, st, er, out, token
}

func post(path map[string]string, body string) httpapi.Request {
	return httpapi.Request{PathParameters: path, Body: body,
		Headers: map[string]string{"content-type": "application/x-www-form-urlencoded", "accept": "text/html"}}
}

func TestAWithdrawalRedirectsBackAndAReplayChangesNothing(t *testing.T) {
	h, st, er, _, token := setup()
	req := post(map[string]string{"token": token}, "action=withdraw&purpose=interview_recording")
	for i := 0; i < 2; i++ {
		res, err := h.Handle(context.Background(), req)
		if err != nil || res.StatusCode != http.StatusSeeOther ||
			res.Headers["Location"] != "/m/"+token+"?done=withdrawn&lang=de&purpose=interview_recording" {
			t.Fatalf("withdraw %d: %d %v %v", i, res.StatusCode, res.Headers, err)
		}
	}
	if !st.withdrawn[consent.InterviewRecording] || er.artifacts != 1 {
		t.Errorf("withdrawn %v, erasures started %d; want withdrawn and one erasure", st.withdrawn, er.artifacts)
	}
	if res, _ := h.Handle(context.Background(), post(map[string]string{"token": token}, "action=withdraw&purpose=nope")); res.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("an unknown purpose: %d, want 422", res.StatusCode)
	}
	if res, _ := h.Handle(context.Background(), post(map[string]string{"token": token}, "action=dance")); res.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("an unknown action: %d, want 422", res.StatusCode)
	}
}

func TestTheExportIsEmailedAsAnAttachment(t *testing.T) {
	h, st, _, out, token := setup()
	res, err := h.Handle(context.Background(), post(map[string]string{"token": token}, "action=export"))
	if err != nil || res.StatusCode != http.StatusOK || !strings.Contains(res.Body, "Ihre Daten sind unterwegs") {
		t.Fatalf("export: %d %v\n%s", res.StatusCode, err, res.Body)
	}
	if st.exports != 1 || len(out.sent) != 1 {
		t.Fatalf("exports %d, emails %d", st.exports, len(out.sent))
	}
	m := out.sent[0]
	if m.To != "ada@example.com" || len(m.Attachments) != 1 || m.Attachments[0].Name != "consentflow-export-C1.json" ||
		!strings.Contains(string(m.Attachments[0].Data), `"consentflow.export/1"`) || !strings.Contains(m.Text, "/m/"+token+"?lang=de") {
		t.Errorf("the export email: %+v", m)
	}
}

func TestErasureNeedsTheEmailedConfirmation(t *testing.T) {
	h, st, er, out, token := setup()
	res, _ := h.Handle(context.Background(), post(map[string]string{"token": token}, "action=erase"))
	if res.StatusCode != http.StatusOK || st.erasures != 0 || len(out.sent) != 1 {
		t.Fatalf("asking to erase: %d, erasures %d, emails %d", res.StatusCode, st.erasures, len(out.sent))
	}
	i := strings.Index(out.sent[0].Text, "/erase/")
	if i < 0 {
		t.Fatalf("no confirmation link in\n%s", out.sent[0].Text)
	}
	confirm := out.sent[0].Text[i+len("/erase/") : i+len("/erase/")+43]
	if res, _ := h.Handle(context.Background(), post(map[string]string{"token": token, "confirm": consent.NewLinkToken()}, "")); res.StatusCode != http.StatusNotFound {
		t.Errorf("another confirmation: %d, want 404", res.StatusCode)
	}
	res, _ = h.Handle(context.Background(), post(map[string]string{"token": token, "confirm": confirm}, ""))
	if res.StatusCode != http.StatusOK || st.erasures != 1 || er.candidates != 1 || !strings.Contains(res.Body, "Ihre Daten werden gelöscht") {
		t.Errorf("confirmed: %d, erasures %d, started %d\n%s", res.StatusCode, st.erasures, er.candidates, res.Body)
	}
	// Once erasing, the page's forms change nothing.
	res, _ = h.Handle(context.Background(), post(map[string]string{"token": token}, "action=export"))
	if res.StatusCode != http.StatusSeeOther || st.exports != 0 {
		t.Errorf("an export while erasing: %d, exports %d", res.StatusCode, st.exports)
	}
}

func (f *fakeStore) Restrict(_ context.Context, id, actor, method string, at time.Time) (store.Restriction, error) {
	if f.candidate.RestrictedAt != nil {
		return store.Restriction{Candidate: f.candidate}, nil
	}
	f.candidate.RestrictedAt = &at
	return store.Restriction{Candidate: f.candidate, Recorded: true}, nil
}

func (f *fakeStore) LiftRestriction(_ context.Context, id, actor, method string, at time.Time) (store.Restriction, error) {
	if f.candidate.RestrictedAt == nil {
		return store.Restriction{Candidate: f.candidate}, nil
	}
	f.candidate.RestrictedAt = nil
	return store.Restriction{Candidate: f.candidate, Recorded: true}, nil
}

func (f *fakeStore) RequestRectification(_ context.Context, id, field, value string, at time.Time) (consent.RightsRequest, error) {
	f.rectifications = append(f.rectifications, field+"="+value)
	return consent.RightsRequest{ID: "R1", CandidateID: id, Field: field, Value: value, RequestedAt: at}, nil
}

func (f *fakeStore) Object(_ context.Context, id, appID string, at, graceEnds time.Time) (consent.RightsRequest, error) {
	f.objections++
	return consent.RightsRequest{ID: "O1", CandidateID: id, ApplicationID: appID, RequestedAt: at, GraceEnds: &graceEnds}, nil
}

func TestRestrictionRectificationAndObjectionFromTheManagePage(t *testing.T) {
	h, st, _, out, token := setup()
	h.ObjectionGrace = 30 * 24 * time.Hour
	for _, tc := range []struct {
		body  string
		check func() bool
		mails int
	}{
		{"action=restrict", func() bool { return st.candidate.RestrictedAt != nil }, 1},
		{"action=restrict", func() bool { return st.candidate.RestrictedAt != nil }, 0},
		{"action=lift", func() bool { return st.candidate.RestrictedAt == nil }, 1},
		{"action=rectify&field=name&value=Ada+King", func() bool { return len(st.rectifications) == 1 }, 0},
		{"action=object&application=" + consent.NewID(), func() bool { return st.objections == 1 }, 2},
	} {
		before := len(out.sent)
		res, err := h.Handle(context.Background(), post(map[string]string{"token": token}, tc.body))
		if err != nil || res.StatusCode != http.StatusSeeOther || !tc.check() || len(out.sent)-before != tc.mails {
			t.Fatalf("%s: %d %v, mails %d", tc.body, res.StatusCode, err, len(out.sent)-before)
		}
	}
	if m := out.sent[len(out.sent)-1]; m.To != "privacy@example.com" || strings.Contains(m.Text, "Ada") {
		t.Fatalf("the controller's objection email: %+v", m)
	}
	for _, body := range []string{"action=rectify&field=salary&value=1", "action=rectify&field=email&value=nope", "action=object&application=x"} {
		res, _ := h.Handle(context.Background(), post(map[string]string{"token": token}, body))
		if res.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("%s: %d", body, res.StatusCode)
		}
	}
}
