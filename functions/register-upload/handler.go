package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/consentflow/consentflow/shared/consent"
	"github.com/consentflow/consentflow/shared/mail"
	"github.com/consentflow/consentflow/shared/managelink"
	"github.com/consentflow/consentflow/shared/objects"
	"github.com/consentflow/consentflow/shared/store"
)

// Store registers uploads and records removals.
type Store interface {
	Candidate(ctx context.Context, id string) (consent.Candidate, error)
	RegisterUpload(ctx context.Context, obj store.Object, bucketKind map[string]consent.ArtifactKind) (store.Arrival, error)
	RecordRemoval(ctx context.Context, obj store.Object, arr store.Arrival, versions []string) error
	managelink.Store
}

// S3 is the part of the S3 API the registrar uses; *s3.Client satisfies it.
type S3 interface {
	HeadObject(context.Context, *s3.HeadObjectInput, ...func(*s3.Options)) (*s3.HeadObjectOutput, error)
	ListObjectVersions(context.Context, *s3.ListObjectVersionsInput, ...func(*s3.Options)) (*s3.ListObjectVersionsOutput, error)
	DeleteObject(context.Context, *s3.DeleteObjectInput, ...func(*s3.Options)) (*s3.DeleteObjectOutput, error)
}

// Mailer writes and sends the candidate's email.
type Mailer interface {
	RecordingArrived(c consent.Candidate, kind string, recordedAt, keptUntil time.Time, manage string) mail.Message
	Send(ctx context.Context, msg mail.Message) (string, error)
}

// Handler registers uploads from S3 "Object Created" events.
type Handler struct {
	Store Store
	S3    S3
	Mail  Mailer
	Kinds map[string]consent.ArtifactKind // bucket name → what it holds
	// Policy makes the candidate's manage link, which the notice carries.
	Policy consent.Policy
	Log    *slog.Logger
}

// Detail is the detail of an S3 "Object Created" event on EventBridge.
type Detail struct {
	Bucket struct {
		Name string `json:"name"`
	} `json:"bucket"`
	Object struct {
		Key       string `json:"key"`
		Size      int64  `json:"size"`
		VersionID string `json:"version-id"`
	} `json:"object"`
	Reason string `json:"reason"`
}

// InvalidEventError is an event this function cannot read; retrying it
// cannot help.
type InvalidEventError struct{ Reason string }

func (e *InvalidEventError) Error() string { return "invalid event: " + e.Reason }

// Handle registers the object as its artifact's upload when an unexpired
// authorization matches it (and tells the candidate of a recording), and
// otherwise removes it, every version the authorization does not hold, and
// records the removal. A redelivered event changes nothing more.
func (h *Handler) Handle(ctx context.Context, ev events.EventBridgeEvent) error {
	if ev.Source != "aws.s3" || ev.DetailType != "Object Created" {
		return &InvalidEventError{Reason: "not an S3 Object Created event"}
	}
	var d Detail
	if err := json.Unmarshal(ev.Detail, &d); err != nil || d.Bucket.Name == "" || d.Object.Key == "" {
		return &InvalidEventError{Reason: "the detail has no bucket or key"}
	}
	if _, ours := h.Kinds[d.Bucket.Name]; !ours {
		return &InvalidEventError{Reason: "not one of the artifact buckets"}
	}
	obj := store.Object{Bucket: d.Bucket.Name, Key: d.Object.Key, Size: d.Object.Size, VersionID: d.Object.VersionID, At: ev.Time.UTC()}
	head := &s3.HeadObjectInput{Bucket: aws.String(obj.Bucket), Key: aws.String(obj.Key)}
	if obj.VersionID != "" {
		head.VersionId = aws.String(obj.VersionID)
	}
	out, err := h.S3.HeadObject(ctx, head)
	var nf *types.NotFound
	switch {
	case errors.As(err, &nf):
		h.Log.InfoContext(ctx, "object already gone", "bucket", obj.Bucket)
		return nil
	case err != nil:
		return fmt.Errorf("head object: %w", err)
	}
	obj.ContentType = aws.ToString(out.ContentType)
	if out.ContentLength != nil {
		obj.Size = *out.ContentLength
	}
	arr, err := h.Store.RegisterUpload(ctx, obj, h.Kinds)
	if err != nil {
		return err
	}
	if arr.Accepted {
		if arr.Repeated {
			return nil
		}
		h.Log.InfoContext(ctx, "upload registered", "candidateId", arr.CandidateID, "artifactId", arr.Artifact.ID, "kind", arr.Artifact.Kind)
		if arr.Artifact.Kind == consent.KindRecording {
			return h.tell(ctx, arr)
		}
		return nil
	}
	keep := map[string]bool{}
	if arr.Artifact.Status == consent.ArtifactUploaded {
		for _, v := range arr.Artifact.VersionIDs {
			keep[v] = true
		}
	}
	removed, err := objects.DeleteVersions(ctx, h.S3, obj.Bucket, obj.Key, keep)
	if err != nil {
		return err
	}
	if err := h.Store.RecordRemoval(ctx, obj, arr, removed); err != nil {
		return err
	}
	h.Log.InfoContext(ctx, "unauthorized object removed", "candidateId", arr.CandidateID, "reason", arr.Reason, "versions", len(removed))
	return nil
}

// tell emails the candidate what was recorded, when, until when it is kept
// and how to withdraw, in their language.
func (h *Handler) tell(ctx context.Context, arr store.Arrival) error {
	c, err := h.Store.Candidate(ctx, arr.CandidateID)
	if err != nil {
		return err
	}
	a := arr.Artifact
	if a.UploadedAt == nil || a.DeleteBy == nil {
		return nil
	}
	manage, err := managelink.New(ctx, h.Store, h.Policy, c, *a.UploadedAt)
	if err != nil {
		return err
	}
	if _, err := h.Mail.Send(ctx, h.Mail.RecordingArrived(c, a.RecordingKind, *a.UploadedAt, *a.DeleteBy, manage)); err != nil {
		return err
	}
	h.Log.InfoContext(ctx, "recording notice sent", "candidateId", c.ID, "artifactId", a.ID)
	return nil
}
