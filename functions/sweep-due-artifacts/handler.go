package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/consentflow/consentflow/shared/consent"
	"github.com/consentflow/consentflow/shared/erasure"
	"github.com/consentflow/consentflow/shared/store"
)

// Store reads what is due.
type Store interface {
	DueBy(ctx context.Context, shard int, until time.Time, limit int32, start map[string]types.AttributeValue) (store.DuePage, error)
	OpenErasures(ctx context.Context, before time.Time, limit int32) ([]store.ErasureRequest, error)
}

// Erasures starts erasures; *erasure.Starter satisfies it.
type Erasures interface {
	Artifacts(ctx context.Context, due []store.DueArtifact, reason string) (int, error)
	Candidate(ctx context.Context, name, candidateID string, artifacts []store.DueArtifact) error
}

// Handler sweeps the due index.
type Handler struct {
	Store   Store
	Erasure Erasures
	Log     *slog.Logger
	Now     func() time.Time // only for metric timestamps, never for what is due
}

// Input is what the schedule sends: the time it was due.
type Input struct {
	ScheduledTime time.Time `json:"scheduledTime"`
}

// Output says what the sweep did.
type Output struct {
	Due     int `json:"due"`     // artifacts due by the scheduled time
	Started int `json:"started"` // erasures started (or started before)
	// Read is how many items DynamoDB read: it grows with what is due,
	// never with the table.
	Read int `json:"read"`
	// Stalled requests to erase everything restarted; Overdue ones open
	// for longer than OverdueAfter (the alarm's metric).
	Stalled int `json:"stalled"`
	Overdue int `json:"overdue"`
}

// Sweep settings: a page of the due index, how long a request to erase
// everything may run before the sweep restarts it, and when one is
// overdue (GDPR Art. 12(3) allows one month; the alarm fires at 25 days).
const (
	PageSize     = 100
	StalledAfter = time.Hour
	OverdueAfter = 25 * 24 * time.Hour
)

// Handle starts an erasure, with its deterministic name, for every artifact
// of every shard due by the scheduled time (taken from the event, so a
// clock moved on by 200 days erases what falls due in them). Two sweeps
// over one deadline start one erasure. A failed start is left due, for the
// next sweep, and fails the run so that Scheduler retries it.
func (h *Handler) Handle(ctx context.Context, in Input) (Output, error) {
	if in.ScheduledTime.IsZero() {
		return Output{}, &consent.ValidationError{Field: "scheduledTime", Reason: "the schedule's time is required"}
	}
	var out Output
	var errs []error
	byCandidate := map[string][]store.DueArtifact{}
	read := func(ctx context.Context, shard int, start map[string]types.AttributeValue) ([]store.DueArtifact, map[string]types.AttributeValue, error) {
		page, err := h.Store.DueBy(ctx, shard, in.ScheduledTime, PageSize, start)
		out.Read += page.Read
		return page.Items, page.Next, err
	}
	if _, err := store.EachPage(ctx, store.DueShards, read, func(page []store.DueArtifact) (bool, error) {
		out.Due += len(page)
		for _, d := range page {
			byCandidate[d.CandidateID] = append(byCandidate[d.CandidateID], d)
		}
		n, err := h.Erasure.Artifacts(ctx, page, consent.ErasureRetentionEnded)
		out.Started += n
		if err != nil {
			errs = append(errs, err)
		}
		return true, nil
	}); err != nil {
		return out, fmt.Errorf("read due artifacts: %w", err)
	}
	stalled, err := h.Store.OpenErasures(ctx, in.ScheduledTime.Add(-StalledAfter), PageSize)
	if err != nil {
		return out, fmt.Errorf("read open erasures: %w", err)
	}
	for _, r := range stalled {
		if r.RequestedAt.Before(in.ScheduledTime.Add(-OverdueAfter)) {
			out.Overdue++
		}
		name := erasure.CandidateName(r.CandidateID, r.RequestedAt, in.ScheduledTime.Unix())
		// Its artifacts not erased yet are due: erased again by this
		// execution, then the profile.
		if err := h.Erasure.Candidate(ctx, name, r.CandidateID, byCandidate[r.CandidateID]); err != nil {
			errs = append(errs, err)
			continue
		}
		out.Stalled++
	}
	h.Log.InfoContext(ctx, "due artifacts swept", "scheduledTime", in.ScheduledTime,
		"due", out.Due, "started", out.Started, "read", out.Read, "stalled", out.Stalled, "overdue", out.Overdue,
		slog.Any("_aws", map[string]any{
			"Timestamp": h.Now().UnixMilli(),
			"CloudWatchMetrics": []map[string]any{{
				"Namespace": "Consentflow", "Dimensions": [][]string{{}},
				"Metrics": []map[string]string{
					{"Name": "DueArtifacts", "Unit": "Count"},
					{"Name": "OverdueErasureRequests", "Unit": "Count"},
				},
			}},
		}), slog.Int("DueArtifacts", out.Due), slog.Int("OverdueErasureRequests", out.Overdue))
	if err := errors.Join(errs...); err != nil {
		return out, fmt.Errorf("%d of %d erasures not started: %w", out.Due-out.Started, out.Due, err)
	}
	return out, nil
}
