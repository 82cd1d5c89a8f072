package main

import (
	"context"
	"fmt"
	"log/slog"
	"mime"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/consentflow/consentflow/shared/consent"
	"github.com/consentflow/consentflow/shared/httpapi"
	"github.com/consentflow/consentflow/shared/store"
	"github.com/consentflow/consentflow/shared/upload"
)

// Documents records authorized CV uploads.
type Documents interface {
	AuthorizeCV(ctx context.Context, a consent.Artifact) (consent.Artifact, error)
}

// UploadValidity is how long a CV upload form may be used.
const UploadValidity = 15 * time.Minute

// Handler allows one CV upload.
type Handler struct {
	Store     Documents
	Presigner upload.PostPresigner
	Bucket    string
	// ConsoleURL is this deployment's console ("<base>/console/"): the
	// only place an upload may redirect the browser to.
	ConsoleURL string
	Log        *slog.Logger
	Now        func() time.Time
}

type input struct {
	Kind          string `json:"kind"`
	ContentType   string `json:"contentType"`
	Size          int64  `json:"size"`
	ApplicationID string `json:"applicationId"`
	// Redirect (optional) is a console page S3 sends the browser to after
	// the upload, for a form posted straight from a browser.
	Redirect string `json:"redirect,omitempty"`
}

type output struct {
	DocumentID string      `json:"documentId"`
	Upload     upload.Form `json:"upload"`
	ExpiresAt  time.Time   `json:"expiresAt"`
	DeleteBy   *time.Time  `json:"deleteBy"`
}

// Handle records the authorization (with its deadline and event) and answers
// 201 with a presigned POST for exactly one key, the declared size at most
// and the declared content type only.
func (h *Handler) Handle(ctx context.Context, req httpapi.Request) (httpapi.Response, error) {
	recruiter, candidateID, err := httpapi.RecruiterOnCandidate(req)
	if err != nil {
		return httpapi.Error(ctx, h.Log, err), nil
	}
	var in input
	if err := httpapi.DecodeJSON(req, &in); err != nil {
		return httpapi.Error(ctx, h.Log, err), nil
	}
	contentType, err := validate(in)
	if err != nil {
		return httpapi.Error(ctx, h.Log, err), nil
	}
	if in.Redirect != "" && (h.ConsoleURL == "" || !strings.HasPrefix(in.Redirect, h.ConsoleURL)) {
		// Only back to this deployment's console: never an open redirect.
		return httpapi.Error(ctx, h.Log, &consent.ValidationError{Field: "redirect", Reason: "a redirect after the upload must be a page of this deployment's console"}), nil
	}
	now := h.Now().UTC()
	id := consent.NewID()
	a, err := h.Store.AuthorizeCV(ctx, consent.Artifact{
		ID: id, CandidateID: candidateID, Kind: consent.KindCV, Status: consent.ArtifactAuthorized, Bucket: h.Bucket,
		Key: store.ArtifactKey(consent.KindCV, candidateID, id), ApplicationID: in.ApplicationID,
		ContentType: contentType, DeclaredSize: in.Size, AuthorizedBy: recruiter, AuthorizedAt: now,
		UploadExpires: now.Add(UploadValidity),
	})
	if err != nil {
		return httpapi.Error(ctx, h.Log, err), nil
	}
	form, err := upload.Post(ctx, h.Presigner, h.Bucket, a.Key, upload.Limits{ContentType: contentType, MaxSize: in.Size, Valid: UploadValidity, Redirect: in.Redirect})
	if err != nil {
		return httpapi.Error(ctx, h.Log, err), nil
	}
	h.Log.InfoContext(ctx, "CV upload authorized", "candidateId", candidateID, "documentId", id)
	res := httpapi.JSON(http.StatusCreated, output{DocumentID: id, Upload: form, ExpiresAt: a.UploadExpires, DeleteBy: a.DeleteBy})
	res.Headers["Location"] = "/api/candidates/" + candidateID + "/documents/" + id
	return res, nil
}

func validate(in input) (string, error) {
	if in.Kind != string(consent.KindCV) {
		return "", &consent.ValidationError{Field: "kind", Reason: `the kind must be "cv"`}
	}
	mt, params, err := mime.ParseMediaType(in.ContentType)
	if err != nil || len(params) > 0 || !slices.Contains(consent.CVContentTypes, mt) {
		return "", &consent.ValidationError{Field: "contentType", Reason: "a CV must be PDF, DOCX, ODT or plain text (application/pdf, application/vnd.openxmlformats-officedocument.wordprocessingml.document, application/vnd.oasis.opendocument.text, text/plain)"}
	}
	if in.Size < 1 || in.Size > consent.MaxCVSize {
		return "", &consent.ValidationError{Field: "size", Reason: fmt.Sprintf("the size must be 1 to %d bytes (20 MB)", consent.MaxCVSize)}
	}
	if !consent.ValidID(in.ApplicationID) {
		return "", &consent.ValidationError{Field: "applicationId", Reason: "the id of one of the candidate's applications is required"}
	}
	return mt, nil
}
