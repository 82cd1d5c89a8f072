package main

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/consentflow/consentflow/shared/consent"
	"github.com/consentflow/consentflow/shared/httpapi"
	"github.com/consentflow/consentflow/shared/upload"
)

// Documents reads artifacts.
type Documents interface {
	Artifact(ctx context.Context, candidateID, id string) (consent.Artifact, error)
	Candidate(ctx context.Context, id string) (consent.Candidate, error)
}

// DownloadValidity is how long a download link works.
const DownloadValidity = 5 * time.Minute

// Handler gives a download link of a CV.
type Handler struct {
	Store     Documents
	Presigner upload.GetPresigner
	Log       *slog.Logger
	Now       func() time.Time
}

type output struct {
	DocumentID  string                 `json:"documentId"`
	Status      consent.ArtifactStatus `json:"status"`
	ContentType string                 `json:"contentType"`
	Size        int64                  `json:"size"`
	UploadedAt  *time.Time             `json:"uploadedAt"`
	DeleteBy    *time.Time             `json:"deleteBy"`
	URL         string                 `json:"url"`
	ExpiresAt   time.Time              `json:"expiresAt"`
}

// Handle answers 200 with a short-lived link to the uploaded version, 409
// before the upload arrived, and 410 once the CV is erased or due: a due
// CV is no longer handed out, even before the sweep erases it.
func (h *Handler) Handle(ctx context.Context, req httpapi.Request) (httpapi.Response, error) {
	if _, err := httpapi.Recruiter(req); err != nil {
		return httpapi.Error(ctx, h.Log, err), nil
	}
	candidateID, id := req.PathParameters["id"], req.PathParameters["documentId"]
	if !consent.ValidID(candidateID) || !consent.ValidID(id) {
		return httpapi.Error(ctx, h.Log, &consent.NotFoundError{What: "document", ID: id}), nil
	}
	a, err := h.Store.Artifact(ctx, candidateID, id)
	if err != nil {
		return httpapi.Error(ctx, h.Log, err), nil
	}
	c, err := h.Store.Candidate(ctx, candidateID)
	if err != nil {
		return httpapi.Error(ctx, h.Log, err), nil
	}
	if c.RestrictedAt != nil {
		return httpapi.ProblemWith(httpapi.Problem{Type: httpapi.ProblemType("restricted"), Title: "Processing restricted", Status: http.StatusForbidden,
			Detail: "Processing of the candidate's data is restricted (GDPR Art. 18): the CV is kept but not handed out."},
			map[string]string{"reason": consent.GateReasonRestricted}), nil
	}
	if a.Kind != consent.KindCV {
		return httpapi.Error(ctx, h.Log, &consent.NotFoundError{What: "document", ID: id}), nil
	}
	now := h.Now().UTC()
	switch {
	case a.Status == consent.ArtifactAuthorized:
		return httpapi.Error(ctx, h.Log, &consent.ConflictError{Reason: "the CV has not been uploaded yet"}), nil
	case a.Status != consent.ArtifactUploaded || (a.DeleteBy != nil && !now.Before(*a.DeleteBy)):
		return httpapi.ProblemResponse(httpapi.Problem{Type: httpapi.ProblemType("erased"), Title: "Erased", Status: http.StatusGone,
			Detail: "This CV has no legal basis any more: it is erased or due for erasure, and is not handed out."}), nil
	}
	url, err := upload.Get(ctx, h.Presigner, a.Bucket, a.Key, a.RegisteredVersion(), DownloadValidity)
	if err != nil {
		return httpapi.Error(ctx, h.Log, err), nil
	}
	h.Log.InfoContext(ctx, "CV download link issued", "candidateId", candidateID, "documentId", id)
	return httpapi.JSON(http.StatusOK, output{DocumentID: id, Status: a.Status, ContentType: a.ContentType, Size: a.Size,
		UploadedAt: a.UploadedAt, DeleteBy: a.DeleteBy, URL: url, ExpiresAt: now.Add(DownloadValidity)}), nil
}
