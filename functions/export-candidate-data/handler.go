package main

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/consentflow/consentflow/shared/consent"
	"github.com/consentflow/consentflow/shared/dataexport"
	"github.com/consentflow/consentflow/shared/httpapi"
	"github.com/consentflow/consentflow/shared/store"
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
	Store Exports
	// Links signs the download links, for the buckets this function may
	// read only.
	Links dataexport.Signer
	Log   *slog.Logger
	Now   func() time.Time
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
	doc, err := h.Links.Document(ctx, x, now, DownloadValidity)
	if err != nil {
		return httpapi.Error(ctx, h.Log, err), nil
	}
	h.Log.InfoContext(ctx, "candidate data exported", "candidateId", id, "artifacts", len(x.Artifacts), "downloadLinks", doc.Links)
	res := httpapi.JSON(http.StatusOK, doc)
	if res.StatusCode == http.StatusOK {
		res.Headers["Content-Disposition"] = `attachment; filename="` + dataexport.FileName(id) + `"`
	}
	return res, nil
}
