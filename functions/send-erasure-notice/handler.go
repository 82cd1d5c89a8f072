package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/consentflow/consentflow/shared/consent"
	"github.com/consentflow/consentflow/shared/mail"
	"github.com/consentflow/consentflow/shared/managelink"
	"github.com/consentflow/consentflow/shared/workflow"
)

// Store reads the candidate and what was erased.
type Store interface {
	Candidate(ctx context.Context, id string) (consent.Candidate, error)
	Artifact(ctx context.Context, candidateID, id string) (consent.Artifact, error)
	managelink.Store
}

// Mailer writes and sends the notices.
type Mailer interface {
	Erased(c consent.Candidate, kinds []consent.ArtifactKind, reason string, full bool, at time.Time, manage string) mail.Message
	ErasureNotice(to, candidateID, consoleURL string, kinds []consent.ArtifactKind, reason string, full bool, at time.Time) mail.Message
	Send(ctx context.Context, msg mail.Message) (string, error)
}

// Handler sends the notices of an erasure.
type Handler struct {
	Store Store
	Mail  Mailer
	// Team is the recruiting team's address (the controller's contact),
	// told to stop using copies; Base is the public base URL, for the
	// console link.
	Team, Base string
	// Policy makes the candidate's manage link, which their notice carries
	// (after a full erasure it says that everything was erased).
	Policy consent.Policy
	Log    *slog.Logger
	Now    func() time.Time
}

// Input and Output are the step's, typed in package workflow.
type (
	Input  = workflow.SendErasureNoticeInput
	Output = workflow.SendErasureNoticeOutput
)

// Handle emails the candidate and the team about the artifacts this
// execution erased (each erased once, so told once); nothing when it erased
// none. A full erasure is told even with no artifacts: the profile goes
// next, and the candidate's address with it.
func (h *Handler) Handle(ctx context.Context, in Input) (Output, error) {
	if !consent.ValidID(in.CandidateID) {
		return Output{}, workflow.Error(&consent.ValidationError{Field: "candidateId", Reason: "not an id"})
	}
	var kinds []consent.ArtifactKind
	at := time.Time{}
	for _, r := range in.Results {
		if !r.Erased {
			continue
		}
		a, err := h.Store.Artifact(ctx, in.CandidateID, r.ArtifactID)
		if err != nil {
			return Output{}, workflow.Error(err)
		}
		kinds = append(kinds, a.Kind)
		if a.ErasedAt != nil && a.ErasedAt.After(at) {
			at = *a.ErasedAt
		}
	}
	out := Output{MessageIDs: []string{}}
	if len(kinds) == 0 && !in.Full {
		return out, nil
	}
	if at.IsZero() {
		at = h.Now()
	}
	c, err := h.Store.Candidate(ctx, in.CandidateID)
	if err != nil {
		return Output{}, workflow.Error(err)
	}
	manage, err := managelink.New(ctx, h.Store, h.Policy, c, at)
	if err != nil {
		return Output{}, workflow.Error(err)
	}
	for _, msg := range []mail.Message{
		h.Mail.Erased(c, kinds, in.Reason, in.Full, at, manage),
		h.Mail.ErasureNotice(h.Team, c.ID, h.Base+"/console/candidates/"+c.ID, kinds, in.Reason, in.Full, at),
	} {
		id, err := h.Mail.Send(ctx, msg)
		if err != nil {
			return Output{}, workflow.Error(err)
		}
		out.MessageIDs = append(out.MessageIDs, id)
	}
	h.Log.InfoContext(ctx, "erasure notices sent", "candidateId", in.CandidateID, "artifacts", len(kinds), "full", in.Full)
	return out, nil
}
