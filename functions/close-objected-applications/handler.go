package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/consentflow/consentflow/shared/consent"
	"github.com/consentflow/consentflow/shared/locale"
	"github.com/consentflow/consentflow/shared/mail"
	"github.com/consentflow/consentflow/shared/store"
)

// Store reads open rights requests and upholds objections; *store.Store
// satisfies it.
type Store interface {
	OpenRights(ctx context.Context, list string, until time.Time, limit int32) ([]consent.RightsRequest, error)
	UpholdObjection(ctx context.Context, candidateID, id string, at time.Time) (store.Decision, error)
}

// Mailer writes and sends the candidate's emails; *mail.Mailer satisfies it.
type Mailer interface {
	Rights(c consent.Candidate, paragraph func(t locale.RightsMessages) string, manage string) mail.Message
	Send(ctx context.Context, msg mail.Message) (string, error)
}

// Handler is the objection sweep.
type Handler struct {
	Store Store
	Mail  Mailer
	// Grace is how long the recruiter has to record compelling grounds
	// (objectionGraceDays): an objection asked more than OverdueAfter ago
	// ends its grace period by the scheduled time plus Grace-OverdueAfter.
	Grace time.Duration
	Log   *slog.Logger
	Now   func() time.Time // only for metric timestamps, never for what is due
}

// Input is what the schedule sends: the time it was due.
type Input struct {
	ScheduledTime time.Time `json:"scheduledTime"`
}

// Output says what the sweep did.
type Output struct {
	Due     int `json:"due"`     // objections whose grace period ended
	Closed  int `json:"closed"`  // upheld by this run (not by an earlier one)
	Emailed int `json:"emailed"` // candidates told
	// Overdue rights requests (rectifications and objections) are still
	// open more than OverdueAfter after they were asked: the alarm's
	// metric.
	Overdue int `json:"overdue"`
}

// Sweep settings: a page of each list (the sweep runs hourly; what one
// run leaves, the next reads), and when a request is overdue (GDPR Art.
// 12(3) allows one month; the alarm fires at 25 days).
const (
	PageSize     = 100
	OverdueAfter = 25 * 24 * time.Hour
)

// Handle upholds every open objection whose grace period ended by the
// scheduled time (taken from the event, never the clock): its application
// is closed and the candidate emailed. An objection upheld by an earlier
// run changes nothing and is not emailed again, so a rerun is harmless.
// A failed uphold is left open for the next run and fails this one.
func (h *Handler) Handle(ctx context.Context, in Input) (Output, error) {
	if in.ScheduledTime.IsZero() {
		return Output{}, &consent.ValidationError{Field: "scheduledTime", Reason: "the schedule's time is required"}
	}
	at := in.ScheduledTime.UTC()
	overdueBefore := at.Add(-OverdueAfter)
	var out Output
	// The objections list is sorted by the end of the grace period: read up
	// to the later of the scheduled time and the grace end of an objection
	// asked OverdueAfter ago, so that the overdue ones are counted too.
	until := at
	if h.Grace > OverdueAfter {
		until = at.Add(h.Grace - OverdueAfter)
	}
	objections, err := h.Store.OpenRights(ctx, store.OpenObjectionsList, until, PageSize)
	if err != nil {
		return out, err
	}
	var errs []error
	for _, r := range objections {
		if r.GraceEnds == nil || r.GraceEnds.After(at) {
			if r.RequestedAt.Before(overdueBefore) {
				out.Overdue++
			}
			continue
		}
		out.Due++
		d, err := h.Store.UpholdObjection(ctx, r.CandidateID, r.ID, at)
		if err != nil {
			h.Log.ErrorContext(ctx, "objection not upheld", "candidateId", r.CandidateID, "requestId", r.ID, "error", err.Error())
			errs = append(errs, err)
			if r.RequestedAt.Before(overdueBefore) {
				out.Overdue++
			}
			continue
		}
		h.Log.InfoContext(ctx, "objection upheld", "candidateId", r.CandidateID, "requestId", r.ID,
			"applicationId", r.ApplicationID, "recorded", d.Recorded)
		if !d.Recorded {
			continue
		}
		out.Closed++
		if h.tell(ctx, d.Candidate) {
			out.Emailed++
		}
	}
	// Rectifications are sorted by when they were asked.
	rectifications, err := h.Store.OpenRights(ctx, store.OpenRectificationsList, overdueBefore, PageSize)
	if err != nil {
		return out, err
	}
	out.Overdue += len(rectifications)
	h.Log.InfoContext(ctx, "objections swept", "scheduledTime", in.ScheduledTime,
		"due", out.Due, "closed", out.Closed, "emailed", out.Emailed, "overdue", out.Overdue,
		slog.Any("_aws", map[string]any{
			"Timestamp": h.Now().UnixMilli(),
			"CloudWatchMetrics": []map[string]any{{
				"Namespace": "Consentflow", "Dimensions": [][]string{{}},
				"Metrics": []map[string]string{{"Name": "OverdueRightsRequests", "Unit": "Count"}},
			}},
		}), slog.Int("OverdueRightsRequests", out.Overdue))
	if err := errors.Join(errs...); err != nil {
		return out, fmt.Errorf("%d of %d objections not upheld: %w", len(errs), out.Due, err)
	}
	return out, nil
}

// tell emails the candidate the outcome; a failed send is logged (the
// outcome is recorded, and the manage page shows it).
func (h *Handler) tell(ctx context.Context, c consent.Candidate) bool {
	id, err := h.Mail.Send(ctx, h.Mail.Rights(c, func(t locale.RightsMessages) string { return t.ObjectionUpheld }, ""))
	if err != nil {
		h.Log.WarnContext(ctx, "objection outcome not emailed", "candidateId", c.ID, "error", err.Error())
		return false
	}
	h.Log.InfoContext(ctx, "objection outcome emailed", "candidateId", c.ID, "messageId", id)
	return true
}
