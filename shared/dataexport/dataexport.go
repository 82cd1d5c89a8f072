// Package dataexport turns the store's export of a candidate into the
// document they (or a recruiter for them) receive: the store's Export with
// a short-lived download link of each uploaded file's registered version.
package dataexport

import (
	"context"
	"fmt"
	"time"

	"github.com/consentflow/consentflow/shared/consent"
	"github.com/consentflow/consentflow/shared/store"
	"github.com/consentflow/consentflow/shared/upload"
)

// Document is the export as answered: the store's, with its Artifacts in
// the place of the store's (encoding/json takes the shallower field), each
// with a download link once uploaded.
type Document struct {
	store.Export
	Artifacts []Artifact `json:"artifacts"`
	// Links counts the download links (not part of the document).
	Links int `json:"-"`
}

// Artifact is an artifact's metadata with its download link.
type Artifact struct {
	consent.Artifact
	Download *Download `json:"download,omitempty"`
}

// Download is a presigned GET of the version that was registered.
type Download struct {
	URL       string    `json:"url"`
	ExpiresAt time.Time `json:"expiresAt"`
}

// Signer signs download links of the buckets a function may read.
type Signer struct {
	Presigner upload.GetPresigner
	// Buckets is the bucket of each kind of artifact: links are signed for
	// these only.
	Buckets map[consent.ArtifactKind]string
}

// Document adds a link valid for validity from now to each uploaded
// artifact of x.
func (s Signer) Document(ctx context.Context, x store.Export, now time.Time, validity time.Duration) (Document, error) {
	doc := Document{Export: x, Artifacts: make([]Artifact, len(x.Artifacts))}
	for i, a := range x.Artifacts {
		doc.Artifacts[i] = Artifact{Artifact: a}
		if a.Status != consent.ArtifactUploaded {
			continue
		}
		if bucket := s.Buckets[a.Kind]; a.Bucket != bucket {
			return Document{}, fmt.Errorf("export candidate %s: artifact %s is stored in bucket %q, not the %s bucket %q", x.Candidate.ID, a.ID, a.Bucket, a.Kind, bucket)
		}
		url, err := upload.Get(ctx, s.Presigner, a.Bucket, a.Key, a.RegisteredVersion(), validity)
		if err != nil {
			return Document{}, fmt.Errorf("export candidate %s: artifact %s: %w", x.Candidate.ID, a.ID, err)
		}
		doc.Artifacts[i].Download = &Download{URL: url, ExpiresAt: now.Add(validity)}
		doc.Links++
	}
	return doc, nil
}

// FileName is the name of a candidate's export file.
func FileName(candidateID string) string {
	return "consentflow-export-" + candidateID + ".json"
}
