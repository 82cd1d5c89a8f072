package main

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/consentflow/consentflow/shared/consent"
	"github.com/consentflow/consentflow/shared/dataexport"
	"github.com/consentflow/consentflow/shared/httpapi"
	"github.com/consentflow/consentflow/shared/store"
)

var (
	now       = time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	candidate = consent.Candidate{ID: consent.NewID(), Name: "Ada Lovelace", Email: "ada@example.com", Locale: "en", CreatedAt: now.Add(-time.Hour)}
	cv        = consent.Artifact{ID: consent.NewID(), CandidateID: candidate.ID, Kind: consent.KindCV, Status: consent.ArtifactUploaded,
		Bucket: "cv-bucket", Key: "cvs/c/d", VersionIDs: []string{"v1", "v2"}, Size: 900}
	pending = consent.Artifact{ID: consent.NewID(), CandidateID: candidate.ID, Kind: consent.KindRecording, Status: consent.ArtifactAuthorized,
		Bucket: "recording-bucket", Key: "recordings/c/r"}
)

// exports is a fake store: it answers with export (or err) and remembers
// what it was asked.
type exports struct {
	export store.Export
	err    error
	calls  []string // candidate id, actor, time
}

func (f *exports) Export(_ context.Context, candidateID, actor string, at time.Time) (store.Export, error) {
	f.calls = append(f.calls, candidateID+" "+actor+" "+at.Format(time.RFC3339))
	return f.export, f.err
}

// presigner signs nothing: its URL names what it was asked, and how long
// the link works.
type presigner struct{}

func (presigner) PresignGetObject(_ context.Context, in *s3.GetObjectInput, opts ...func(*s3.PresignOptions)) (*v4.PresignedHTTPRequest, error) {
	var o s3.PresignOptions
	for _, f := range opts {
		f(&o)
	}
	q := url.Values{"versionId": {aws.ToString(in.VersionId)}, "expires": {o.Expires.String()}}
	return &v4.PresignedHTTPRequest{URL: "https://s3.test/" + aws.ToString(in.Bucket) + "/" + aws.ToString(in.Key) + "?" + q.Encode(), Method: "GET"}, nil
}

func handler(st Exports) *Handler {
	return &Handler{
		Store: st, Log: slog.New(slog.NewJSONHandler(io.Discard, nil)), Now: func() time.Time { return now },
		Links: dataexport.Signer{Presigner: presigner{}, Buckets: map[consent.ArtifactKind]string{consent.KindCV: "cv-bucket", consent.KindRecording: "recording-bucket"}},
	}
}

func get(id string, token bool) httpapi.Request {
	req := httpapi.Request{PathParameters: map[string]string{"id": id}}
	if token {
		req.RequestContext = events.APIGatewayV2HTTPRequestContext{Authorizer: &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{
			JWT: &events.APIGatewayV2HTTPRequestContextAuthorizerJWTDescription{Claims: map[string]string{"sub": "recruiter-1"}},
		}}
	}
	return req
}

func TestTheExportHasADownloadLinkOfEachUploadedArtifactsRegisteredVersion(t *testing.T) {
	st := &exports{export: store.Export{Format: store.ExportFormat, ExportedAt: now, Candidate: candidate, Artifacts: []consent.Artifact{cv, pending}}}
	res, err := handler(st).Handle(context.Background(), get(candidate.ID, true))
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != http.StatusOK || res.Headers["Cache-Control"] != "no-store" || !strings.Contains(res.Headers["Content-Disposition"], candidate.ID) {
		t.Fatalf("%d %v %s", res.StatusCode, res.Headers, res.Body)
	}
	if want := candidate.ID + " recruiter-1 " + now.Format(time.RFC3339); len(st.calls) != 1 || st.calls[0] != want {
		t.Fatalf("store calls %v, want the candidate, the recruiter and the time: %s", st.calls, want)
	}
	var doc struct {
		Format     string
		ExportedAt time.Time
		Candidate  consent.Candidate
		Artifacts  []struct {
			ID       string
			Status   string
			Download *struct {
				URL       string
				ExpiresAt time.Time
			}
		}
	}
	if err := json.Unmarshal([]byte(res.Body), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Format != store.ExportFormat || !doc.ExportedAt.Equal(now) || doc.Candidate != candidate || len(doc.Artifacts) != 2 {
		t.Fatalf("export: %s", res.Body)
	}
	link := doc.Artifacts[0].Download
	if doc.Artifacts[0].ID != cv.ID || link == nil || !link.ExpiresAt.Equal(now.Add(15*time.Minute)) ||
		link.URL != "https://s3.test/cv-bucket/cvs/c/d?expires=15m0s&versionId=v2" {
		t.Fatalf("the CV's link: %+v, want the registered version v2 for 15 minutes", link)
	}
	if doc.Artifacts[1].ID != pending.ID || doc.Artifacts[1].Download != nil {
		t.Fatalf("an upload that never arrived has a link: %+v", doc.Artifacts[1])
	}
	if strings.Contains(res.Body, `"versionIds"`) || strings.Contains(res.Body, "recordings/c/r") {
		t.Fatalf("the export shows storage internals: %s", res.Body)
	}
}

func TestExportErrors(t *testing.T) {
	for name, tc := range map[string]struct {
		id     string
		token  bool
		export store.Export
		err    error
		want   int
		calls  int
	}{
		"no recruiter":      {id: candidate.ID, want: http.StatusUnauthorized},
		"not an id":         {id: "..%2Fetc", token: true, want: http.StatusNotFound},
		"unknown candidate": {id: candidate.ID, token: true, err: &consent.NotFoundError{What: "candidate", ID: candidate.ID}, want: http.StatusNotFound, calls: 1},
		"store unavailable": {id: candidate.ID, token: true, err: &store.UnavailableError{Err: errors.New("503")}, want: http.StatusServiceUnavailable, calls: 1},
		"a file in a bucket this function may not read": {id: candidate.ID, token: true, calls: 1, want: http.StatusInternalServerError,
			export: store.Export{Candidate: candidate, Artifacts: []consent.Artifact{{ID: cv.ID, Kind: consent.KindCV, Status: consent.ArtifactUploaded, Bucket: "elsewhere", Key: "k"}}}},
	} {
		t.Run(name, func(t *testing.T) {
			st := &exports{export: tc.export, err: tc.err}
			res, err := handler(st).Handle(context.Background(), get(tc.id, tc.token))
			if err != nil {
				t.Fatal(err)
			}
			if res.StatusCode != tc.want || res.Headers["Content-Type"] != "application/problem+json" || len(st.calls) != tc.calls {
				t.Fatalf("%d %s after %d store calls, want a %d problem after %d", res.StatusCode, res.Body, len(st.calls), tc.want, tc.calls)
			}
			if strings.Contains(res.Body, "https://") || strings.Contains(res.Body, "Ada") {
				t.Fatalf("a failed export shows data: %s", res.Body)
			}
		})
	}
}
