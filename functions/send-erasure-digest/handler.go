package main

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/consentflow/consentflow/shared/consent"
	"github.com/consentflow/consentflow/shared/mail"
	"github.com/consentflow/consentflow/shared/store"
)

// PendingStore lists artifacts due within a window; *store.Store satisfies it.
type PendingStore interface {
	DueBetween(ctx context.Context, shard int, after, until time.Time, limit int32, start map[string]types.AttributeValue) ([]store.PendingErasure, map[string]types.AttributeValue, error)
}

// PageSize is how many artifacts of a shard the digest reads at a time.
const PageSize = 100

// ConsolePath is the console's page of a candidate (serve-console).
const ConsolePath = "/console/candidates/"

// Input is what the schedule sends: the time it was due.
type Input struct {
	ScheduledTime time.Time `json:"scheduledTime"`
}

// Output says what the digest announced.
type Output struct {
	Artifacts int    `json:"artifacts"`           // artifacts due within the window
	MessageID string `json:"messageId,omitempty"` // the digest email; none when nothing is due
}

// Handler emails the controller's privacy contact, once a run, what will be
// erased within the window after the scheduled time.
type Handler struct {
	Store  PendingStore
	Mailer *mail.Mailer
	// To is the privacy contact (setting controllerContact).
	To string
	// Window is how far ahead the digest looks (setting erasureDigestDays).
	Window time.Duration
	// BaseURL is where the console is (setting publicBaseUrl), without a
	// trailing slash.
	BaseURL string
	Log     *slog.Logger
}

// Handle reads, over every shard of the due index, the artifacts due after
// the scheduled time and by the end of the window, and emails them as one
// digest; with nothing due it sends nothing. The time is the schedule's,
// never the function's clock.
func (h *Handler) Handle(ctx context.Context, in Input) (Output, error) {
	if in.ScheduledTime.IsZero() {
		return Output{}, &consent.ValidationError{Field: "scheduledTime", Reason: "the schedule's time is required"}
	}
	until := in.ScheduledTime.Add(h.Window)
	var pending []mail.Pending
	read := func(ctx context.Context, shard int, start map[string]types.AttributeValue) ([]store.PendingErasure, map[string]types.AttributeValue, error) {
		return h.Store.DueBetween(ctx, shard, in.ScheduledTime, until, PageSize, start)
	}
	if _, err := store.EachPage(ctx, store.DueShards, read, func(page []store.PendingErasure) (bool, error) {
		for _, p := range page {
			pending = append(pending, mail.Pending{
				CandidateID: p.CandidateID, ArtifactID: p.ArtifactID, Kind: p.Kind, DeleteBy: p.DeleteBy,
				ConsoleURL: h.BaseURL + ConsolePath + p.CandidateID,
			})
		}
		return true, nil
	}); err != nil {
		return Output{}, fmt.Errorf("list artifacts due: %w", err)
	}
	out := Output{Artifacts: len(pending)}
	if len(pending) == 0 {
		h.Log.InfoContext(ctx, "nothing due within the window; no digest", "scheduledTime", in.ScheduledTime, "until", until)
		return out, nil
	}
	id, err := h.Mailer.Send(ctx, h.Mailer.ErasureDigest(h.To, in.ScheduledTime, h.Window, pending))
	if err != nil {
		return out, fmt.Errorf("send erasure digest: %w", err)
	}
	out.MessageID = id
	h.Log.InfoContext(ctx, "erasure digest sent", "scheduledTime", in.ScheduledTime, "until", until, "artifacts", len(pending), "messageId", id)
	return out, nil
}
