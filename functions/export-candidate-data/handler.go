package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/consentflow/consentflow/shared/consent"
	"github.com/consentflow/consentflow/shared/httpapi"
	"github.com/consentflow/consentflow/shared/store"
	"github.com/consentflow/consentflow/shared/upload"
)

// Exports reads everything held about a candidate and records that it was
// exported, by whom.
type Exports interface {
	Export(ctx context.Context, candidateID, actor string, at time.Time) (store.Export, error)
}

// DownloadValidity is how long the export's download links work.
const DownloadValidity = 15 * time.Minute

// Handler answers a candidate's data export.
type Handler struct {
	Store     Exports
	Presigner upload.GetPresigner
	// Buckets is the bucket of each kind of artifact, the ones this
	// function may read: links are signed for these only.
	Buckets map[consent.ArtifactKind]string
	Log     *slog.Logger
	Now     func() time.Time
}

// document is the export as answered: the store's, with its Artifacts in
// the place of the store's (encoding/json takes the shallower field), each
// with a download link once uploaded.
type document struct {
	store.Export
	Artifacts []artifact `json:"artifacts"`
}

type artifact struct {
	consent.Artifact
	Download *download `json:"download,omitempty"`
}

// download is a presigned GET of the version that was registered.
type download struct {
	URL       string    `json:"url"`
	ExpiresAt time.Time `json:"expiresAt"`
}

// Handle answers 200 with the export; an unknown candidate, or an id that
// cannot be one, is 404. The export is in the candidate's audit trail
// before it is answered.
func (h *Handler) Handle(ctx context.Context, req httpapi.Request) (httpapi.Response, error) {
	recruiter, err := httpapi.Recruiter(req)
	if err != nil {
		return httpapi.Error(ctx, h.Log, err), nil
	}
	id := req.PathParameters["id"]
	if !consent.ValidID(id) {
		return httpapi.Error(ctx, h.Log, &consent.NotFoundError{What: "candidate", ID: id}), nil
	}
	now := h.Now().UTC()
	x, err := h.Store.Export(ctx, id, recruiter, now)
	if err != nil {
		return httpapi.Error(ctx, h.Log, err), nil
	}
	doc := document{Export: x, Artifacts: make([]artifact, len(x.Artifacts))}
	links := 0
	for i, a := range x.Artifacts {
		doc.Artifacts[i] = artifact{Artifact: a}
		if a.Status != consent.ArtifactUploaded {
			continue
		}
		if bucket := h.Buckets[a.Kind]; a.Bucket != bucket {
			return httpapi.Error(ctx, h.Log, fmt.Errorf("export candidate %s: artifact %s is stored in bucket %q, not the %s bucket %q", id, a.ID, a.Bucket, a.Kind, bucket)), nil
		}
		url, err := upload.Get(ctx, h.Presigner, a.Bucket, a.Key, a.RegisteredVersion(), DownloadValidity)
		if err != nil {
			return httpapi.Error(ctx, h.Log, fmt.Errorf("export candidate %s: artifact %s: %w", id, a.ID, err)), nil
		}
		doc.Artifacts[i].Download = &download{URL: url, ExpiresAt: now.Add(DownloadValidity)}
		links++
	}
	h.Log.InfoContext(ctx, "candidate data exported", "candidateId", id, "artifacts", len(x.Artifacts), "downloadLinks", links)
	res := httpapi.JSON(http.StatusOK, doc)
	if res.StatusCode == http.StatusOK {
		res.Headers["Content-Disposition"] = fmt.Sprintf(`attachment; filename="consentflow-export-%s.json"`, id)
	}
	return res, nil
}
