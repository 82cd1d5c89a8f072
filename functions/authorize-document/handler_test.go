package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/consentflow/consentflow/shared/consent"
	"github.com/consentflow/consentflow/shared/httpapi"
	"github.com/consentflow/consentflow/shared/store"
	"github.com/consentflow/consentflow/shared/store/storetest"
)

var now = time.Date(2026, 12, 2, 15, 0, 0, 0, time.UTC)

const console = "https://app.example/console/"

// presigner stands in for S3's presign client: it keeps what it was asked
// to sign.
type presigner struct {
	keys    []string
	buckets []string
	opts    []s3.PresignPostOptions
	fail    bool
}

func (p *presigner) PresignPostObject(_ context.Context, in *s3.PutObjectInput, optFns ...func(*s3.PresignPostOptions)) (*s3.PresignedPostRequest, error) {
	if p.fail {
		return nil, errors.New("no credentials")
	}
	var o s3.PresignPostOptions
	for _, f := range optFns {
		f(&o)
	}
	p.keys, p.buckets, p.opts = append(p.keys, aws.ToString(in.Key)), append(p.buckets, aws.ToString(in.Bucket)), append(p.opts, o)
	return &s3.PresignedPostRequest{URL: "https://cvs.s3.example/", Values: map[string]string{"key": aws.ToString(in.Key), "policy": "signed"}}, nil
}

// applied stores a candidate with an open and a closed application, on a
// fresh local table.
func applied(t *testing.T) (s *store.Store, candidateID, open, closed string) {
	t.Helper()
	ctx := context.Background()
	s, _ = storetest.New(t)
	c, err := consent.NewCandidate("Ada Lovelace", "ada@example.com", "en", now.Add(-72*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.CreateCandidate(ctx, c, ""); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for range 2 {
		app := consent.Application{ID: consent.NewID(), CandidateID: c.ID, Position: "Backend engineer", Status: consent.ApplicationOpen, OpenedAt: now.Add(-48 * time.Hour)}
		if err := s.OpenApplication(ctx, app, "recruiter-1"); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, app.ID)
	}
	if _, err := s.CloseApplication(ctx, c.ID, ids[1], "rejected", "recruiter-1", now.Add(-24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	return s, c.ID, ids[0], ids[1]
}

func request(candidateID, body string) httpapi.Request {
	return httpapi.Request{
		Body:           body,
		Headers:        map[string]string{"content-type": "application/json"},
		PathParameters: map[string]string{"id": candidateID},
		RequestContext: events.APIGatewayV2HTTPRequestContext{Authorizer: &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{
			JWT: &events.APIGatewayV2HTTPRequestContextAuthorizerJWTDescription{Claims: map[string]string{"sub": "recruiter-1"}},
		}},
	}
}

func cv(appID, contentType string, size int64, extra string) string {
	return fmt.Sprintf(`{"kind":"cv","contentType":%q,"size":%d,"applicationId":%q%s}`, contentType, size, appID, extra)
}

func handler(s Documents, p *presigner) *Handler {
	return &Handler{Store: s, Presigner: p, Bucket: "cvs", ConsoleURL: console, Log: slog.New(slog.DiscardHandler), Now: func() time.Time { return now }}
}

type answer struct {
	DocumentID string `json:"documentId"`
	Upload     struct {
		Method string            `json:"method"`
		URL    string            `json:"url"`
		Fields map[string]string `json:"fields"`
	} `json:"upload"`
	ExpiresAt time.Time  `json:"expiresAt"`
	DeleteBy  *time.Time `json:"deleteBy"`
}

// One upload is allowed: the CV is recorded as authorized with its event,
// and the form is signed for exactly its key, at most the declared size,
// of the declared type only, for 15 minutes. While the application is
// open the CV has no deadline.
func TestOneUploadIsAllowedForExactlyOneKey(t *testing.T) {
	s, id, open, _ := applied(t)
	ctx := context.Background()
	p := &presigner{}
	res, err := handler(s, p).Handle(ctx, request(id, cv(open, "application/pdf", 1000, "")))
	if err != nil || res.StatusCode != http.StatusCreated {
		t.Fatalf("%d %s %v", res.StatusCode, res.Body, err)
	}
	var a answer
	if err := json.Unmarshal([]byte(res.Body), &a); err != nil {
		t.Fatal(err)
	}
	key := store.ArtifactKey(consent.KindCV, id, a.DocumentID)
	if !consent.ValidID(a.DocumentID) || a.Upload.Method != "POST" || a.Upload.URL != "https://cvs.s3.example/" ||
		a.Upload.Fields["key"] != key || a.Upload.Fields["Content-Type"] != "application/pdf" || a.DeleteBy != nil || !a.ExpiresAt.Equal(now.Add(UploadValidity)) {
		t.Fatalf("answered %s", res.Body)
	}
	if _, redirect := a.Upload.Fields["success_action_redirect"]; redirect {
		t.Errorf("a form without a redirect carries one: %v", a.Upload.Fields)
	}
	if loc := res.Headers["Location"]; loc != "/api/candidates/"+id+"/documents/"+a.DocumentID {
		t.Errorf("Location %q", loc)
	}
	if len(p.keys) != 1 || p.keys[0] != key || p.buckets[0] != "cvs" || p.opts[0].Expires != UploadValidity {
		t.Fatalf("presigned %v in %v, %+v", p.keys, p.buckets, p.opts)
	}
	conds := fmt.Sprint(p.opts[0].Conditions)
	for _, want := range []string{"[content-length-range 1 1000]", "map[Content-Type:application/pdf]"} {
		if !slices.Contains(conditions(p.opts[0]), want) {
			t.Errorf("the policy's conditions %s lack %s", conds, want)
		}
	}
	stored, err := s.Artifact(ctx, id, a.DocumentID)
	if err != nil || stored.Status != consent.ArtifactAuthorized || stored.Kind != consent.KindCV || stored.ApplicationID != open ||
		stored.ContentType != "application/pdf" || stored.DeclaredSize != 1000 || stored.DeleteBy != nil || !stored.UploadExpires.Equal(now.Add(UploadValidity)) {
		t.Fatalf("stored %+v %v", stored, err)
	}
	events, err := s.Events(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	last := events[len(events)-1]
	if last.Type != consent.EventUploadAuthorized || last.ArtifactID != a.DocumentID || last.ApplicationID != open || last.Actor != "recruiter-1" ||
		last.ObjectKey != key || last.Result != string(consent.GateAuthorized) {
		t.Fatalf("last event %+v, want the upload's authorization", last)
	}
}

func conditions(o s3.PresignPostOptions) []string {
	var out []string
	for _, c := range o.Conditions {
		out = append(out, fmt.Sprint(c))
	}
	return out
}

// A CV for a closed application carries the application's retention as
// its deadline from the start; a media type given in capitals is signed
// lower-cased.
func TestACVForAClosedApplicationHasItsDeadline(t *testing.T) {
	s, id, _, closed := applied(t)
	p := &presigner{}
	res, _ := handler(s, p).Handle(context.Background(), request(id, cv(closed, "Text/Plain", 10, "")))
	var a answer
	json.Unmarshal([]byte(res.Body), &a)
	want := consent.DefaultRetention.AfterClose.After(now.Add(-24 * time.Hour))
	if res.StatusCode != http.StatusCreated || a.DeleteBy == nil || !a.DeleteBy.Equal(want) || a.Upload.Fields["Content-Type"] != "text/plain" {
		t.Fatalf("%d %s, want deleteBy %v", res.StatusCode, res.Body, want)
	}
}

// A browser's form may send S3's answer back to this deployment's console,
// signed into the policy; anywhere else is refused before anything is
// recorded or signed, and without a console URL every redirect is.
func TestTheUploadRedirectsOnlyToTheConsole(t *testing.T) {
	s, id, open, _ := applied(t)
	ctx := context.Background()
	p := &presigner{}
	back := console + "candidates/" + id + "?uploaded=1"
	res, _ := handler(s, p).Handle(ctx, request(id, cv(open, "application/pdf", 1000, `,"redirect":"`+back+`"`)))
	var a answer
	json.Unmarshal([]byte(res.Body), &a)
	if res.StatusCode != http.StatusCreated || a.Upload.Fields["success_action_redirect"] != back ||
		!slices.Contains(conditions(p.opts[0]), "map[success_action_redirect:"+back+"]") {
		t.Fatalf("%d %s, conditions %v", res.StatusCode, res.Body, p.opts)
	}

	s, id, open, _ = applied(t)
	p = &presigner{}
	for _, elsewhere := range []string{
		"https://evil.example/console/",
		"https://app.example.evil.example/console/",
		"https://app.example/consolation",
		"http://app.example/console/",
		"//evil.example/console/",
		"/console/",
	} {
		res, err := handler(s, p).Handle(ctx, request(id, cv(open, "application/pdf", 1000, `,"redirect":"`+elsewhere+`"`)))
		var pr httpapi.Problem
		json.Unmarshal([]byte(res.Body), &pr)
		if err != nil || res.StatusCode != http.StatusUnprocessableEntity || pr.Field != "redirect" {
			t.Errorf("redirect to %s: %d %s %v, want 422 on redirect", elsewhere, res.StatusCode, res.Body, err)
		}
	}
	noConsole := handler(s, p)
	noConsole.ConsoleURL = ""
	if res, _ := noConsole.Handle(ctx, request(id, cv(open, "application/pdf", 1000, `,"redirect":"`+console+`"`))); res.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("no console configured: %d %s, want 422", res.StatusCode, res.Body)
	}
	if arts, err := s.Artifacts(ctx, id, ""); err != nil || len(arts) != 0 || len(p.keys) != 0 {
		t.Fatalf("refused redirects stored %+v (%v) and signed %v", arts, err, p.keys)
	}
}

func TestAuthorizeDocumentErrors(t *testing.T) {
	s, id, open, _ := applied(t)
	ctx := context.Background()
	gone, err := consent.NewCandidate("Gone", "gone@example.com", "en", now.Add(-time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.CreateCandidate(ctx, gone, ""); err != nil {
		t.Fatal(err)
	}
	goneApp := consent.Application{ID: consent.NewID(), CandidateID: gone.ID, Position: "Backend engineer", Status: consent.ApplicationOpen, OpenedAt: now.Add(-time.Hour)}
	if err := s.OpenApplication(ctx, goneApp, "recruiter-1"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.RequestErasure(ctx, gone.ID, "candidate_request", "recruiter-1", "email", now.Add(-time.Minute)); err != nil {
		t.Fatal(err)
	}
	noToken := request(id, cv(open, "application/pdf", 1000, ""))
	noToken.RequestContext = events.APIGatewayV2HTTPRequestContext{}
	for name, tc := range map[string]struct {
		req    httpapi.Request
		status int
		slug   string
		field  string
	}{
		"no recruiter's token":  {noToken, http.StatusUnauthorized, "unauthorized", ""},
		"not a candidate id":    {request("../x", cv(open, "application/pdf", 1000, "")), http.StatusNotFound, "not-found", ""},
		"unknown candidate":     {request(consent.NewID(), cv(open, "application/pdf", 1000, "")), http.StatusNotFound, "not-found", ""},
		"erased candidate":      {request(gone.ID, cv(goneApp.ID, "application/pdf", 1000, "")), http.StatusGone, "erased", ""},
		"malformed JSON":        {request(id, `{"kind":"cv"`), http.StatusBadRequest, "malformed-json", ""},
		"unknown field":         {request(id, cv(open, "application/pdf", 1000, `,"bucket":"other"`)), http.StatusBadRequest, "malformed-json", ""},
		"not a CV":              {request(id, `{"kind":"recording","contentType":"application/pdf","size":1000,"applicationId":"`+open+`"}`), http.StatusUnprocessableEntity, "invalid-input", "kind"},
		"an image":              {request(id, cv(open, "image/png", 1000, "")), http.StatusUnprocessableEntity, "invalid-input", "contentType"},
		"HTML":                  {request(id, cv(open, "text/html", 1000, "")), http.StatusUnprocessableEntity, "invalid-input", "contentType"},
		"media type parameters": {request(id, cv(open, "text/plain; charset=utf-8", 1000, "")), http.StatusUnprocessableEntity, "invalid-input", "contentType"},
		"no media type":         {request(id, cv(open, "", 1000, "")), http.StatusUnprocessableEntity, "invalid-input", "contentType"},
		"empty":                 {request(id, cv(open, "application/pdf", 0, "")), http.StatusUnprocessableEntity, "invalid-input", "size"},
		"over 20 MB":            {request(id, cv(open, "application/pdf", consent.MaxCVSize+1, "")), http.StatusUnprocessableEntity, "invalid-input", "size"},
		"no application":        {request(id, `{"kind":"cv","contentType":"application/pdf","size":1000}`), http.StatusUnprocessableEntity, "invalid-input", "applicationId"},
		"unknown application":   {request(id, cv(consent.NewID(), "application/pdf", 1000, "")), http.StatusUnprocessableEntity, "invalid-input", "applicationId"},
		"another's application": {request(id, cv(goneApp.ID, "application/pdf", 1000, "")), http.StatusUnprocessableEntity, "invalid-input", "applicationId"},
	} {
		p := &presigner{}
		res, err := handler(s, p).Handle(ctx, tc.req)
		var pr httpapi.Problem
		json.Unmarshal([]byte(res.Body), &pr)
		if err != nil || res.StatusCode != tc.status || pr.Type != httpapi.ProblemType(tc.slug) || pr.Field != tc.field {
			t.Errorf("%s: %d %s %v, want %d %s on %q", name, res.StatusCode, res.Body, err, tc.status, tc.slug, tc.field)
		}
		if len(p.keys) != 0 {
			t.Errorf("%s: an upload was signed for %v", name, p.keys)
		}
	}
	if arts, err := s.Artifacts(ctx, id, ""); err != nil || len(arts) != 0 {
		t.Fatalf("refused requests stored %+v (%v)", arts, err)
	}
	// The largest CV allowed is exactly 20 MB.
	if res, _ := handler(s, &presigner{}).Handle(ctx, request(id, cv(open, "application/pdf", consent.MaxCVSize, ""))); res.StatusCode != http.StatusCreated {
		t.Fatalf("20 MB: %d %s", res.StatusCode, res.Body)
	}
}

// unavailable is a store that DynamoDB does not answer.
type unavailable struct{}

func (unavailable) AuthorizeCV(context.Context, consent.Artifact) (consent.Artifact, error) {
	return consent.Artifact{}, &store.UnavailableError{Err: errors.New("ServiceUnavailable")}
}

// Nothing is signed unless the authorization was recorded: a store that
// does not answer is a 503 to retry, and a form that cannot be signed a
// 500, never a form.
func TestNoFormWithoutARecordedAuthorization(t *testing.T) {
	ctx := context.Background()
	p := &presigner{}
	res, _ := handler(unavailable{}, p).Handle(ctx, request(consent.NewID(), cv(consent.NewID(), "application/pdf", 1000, "")))
	var pr httpapi.Problem
	json.Unmarshal([]byte(res.Body), &pr)
	if res.StatusCode != http.StatusServiceUnavailable || pr.Type != httpapi.ProblemType("unavailable") || res.Headers["Retry-After"] == "" || len(p.keys) != 0 {
		t.Fatalf("store down: %d %s, signed %v", res.StatusCode, res.Body, p.keys)
	}
	s, id, open, _ := applied(t)
	res, _ = handler(s, &presigner{fail: true}).Handle(ctx, request(id, cv(open, "application/pdf", 1000, "")))
	json.Unmarshal([]byte(res.Body), &pr)
	if res.StatusCode != http.StatusInternalServerError || pr.Type != httpapi.ProblemType("internal") {
		t.Fatalf("presigning failed: %d %s", res.StatusCode, res.Body)
	}
}
