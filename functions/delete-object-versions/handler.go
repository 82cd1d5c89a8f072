package main

import (
	"context"
	"log/slog"

	"github.com/consentflow/consentflow/shared/consent"
	"github.com/consentflow/consentflow/shared/objects"
	"github.com/consentflow/consentflow/shared/workflow"
)

// Handler deletes an object's versions.
type Handler struct {
	S3  objects.S3
	Log *slog.Logger
}

// Input and Output are the step's, typed in package workflow.
type (
	Input  = workflow.DeleteVersionsInput
	Output = workflow.DeleteVersionsOutput
)

// Handle deletes every version and delete marker of the object and lists
// again; versions still listed fail the step (VersionsRemain), so that the
// workflow retries and never records an erasure that did not happen. A
// second call finds nothing left and deletes nothing.
func (h *Handler) Handle(ctx context.Context, in Input) (Output, error) {
	if in.Bucket == "" || in.Key == "" {
		return Output{}, workflow.Error(&consent.ValidationError{Field: "key", Reason: "the bucket and key are required"})
	}
	deleted, err := objects.DeleteVersions(ctx, h.S3, in.Bucket, in.Key, nil)
	if err != nil {
		h.Log.WarnContext(ctx, "object versions not all deleted", "key", in.Key, "deleted", len(deleted), "error", err.Error())
		return Output{}, workflow.Error(err)
	}
	h.Log.InfoContext(ctx, "object versions deleted", "key", in.Key, "deleted", len(deleted))
	return Output{VersionIDs: append([]string{}, deleted...)}, nil
}
