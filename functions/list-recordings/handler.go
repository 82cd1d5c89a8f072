package main

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/consentflow/consentflow/shared/consent"
	"github.com/consentflow/consentflow/shared/httpapi"
)

// Recordings reads a candidate's recordings.
type Recordings interface {
	Candidate(ctx context.Context, id string) (consent.Candidate, error)
	Artifacts(ctx context.Context, candidateID string, kind consent.ArtifactKind) ([]consent.Artifact, error)
}

// Handler lists a candidate's recordings.
type Handler struct {
	Store Recordings
	Log   *slog.Logger
}

type recordingView struct {
	RecordingID  string                 `json:"recordingId"`
	Reference    string                 `json:"reference"`
	Kind         string                 `json:"kind"`
	Status       consent.ArtifactStatus `json:"status"`
	Size         int64                  `json:"size"`
	AuthorizedAt time.Time              `json:"authorizedAt"`
	UploadedAt   *time.Time             `json:"uploadedAt,omitempty"`
	DeleteBy     *time.Time             `json:"deleteBy"`
}

type output struct {
	CandidateID string          `json:"candidateId"`
	Recordings  []recordingView `json:"recordings"`
}

// Handle answers 200 with each recording: reference, kind, status, size and
// deadline, oldest first.
func (h *Handler) Handle(ctx context.Context, req httpapi.Request) (httpapi.Response, error) {
	if _, err := httpapi.Recruiter(req); err != nil {
		return httpapi.Error(ctx, h.Log, err), nil
	}
	id := req.PathParameters["id"]
	if !consent.ValidID(id) {
		return httpapi.Error(ctx, h.Log, &consent.NotFoundError{What: "candidate", ID: id}), nil
	}
	if _, err := h.Store.Candidate(ctx, id); err != nil {
		return httpapi.Error(ctx, h.Log, err), nil
	}
	all, err := h.Store.Artifacts(ctx, id, consent.KindRecording)
	if err != nil {
		return httpapi.Error(ctx, h.Log, err), nil
	}
	out := output{CandidateID: id, Recordings: make([]recordingView, 0, len(all))}
	for _, a := range all {
		out.Recordings = append(out.Recordings, recordingView{RecordingID: a.ID, Reference: a.Reference, Kind: a.RecordingKind,
			Status: a.Status, Size: a.Size, AuthorizedAt: a.AuthorizedAt, UploadedAt: a.UploadedAt, DeleteBy: a.DeleteBy})
	}
	return httpapi.JSON(http.StatusOK, out), nil
}
