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

// Store reads the candidate and what was erased, and records each email of
// an execution so that a retry sends it at most once.
type Store interface {
	Candidate(ctx context.Context, id string) (consent.Candidate, error)
	Artifact(ctx context.Context, candidateID, id string) (consent.Artifact, error)
	ClaimNotice(ctx context.Context, candidateID, execution, role string, at time.Time) (bool, error)
	NoticeSent(ctx context.Context, candidateID, execution, role, messageID string, at time.Time) error
	ReleaseNotice(ctx context.Context, candidateID, execution, role string) error
	managelink.Store
}

// The recipients of an erasure's emails, as their records name them.
const (
	toCandidate = "candidate"
	toTeam      = "team"
)

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
//
// Each email is claimed in the store before it is sent (keyed by the
// execution and the recipient), so a retry after a partial send (the
// candidate's went out, the team's failed) sends only what is missing.
// MessageIDs lists the emails this attempt sent.
func (h *Handler) Handle(ctx context.Context, in Input) (Output, error) {
	if !consent.ValidID(in.CandidateID) {
		return Output{}, workflow.Error(&consent.ValidationError{Field: "candidateId", Reason: "not an id"})
	}
	if in.Execution == "" {
		return Output{}, workflow.Error(&consent.ValidationError{Field: "execution", Reason: "missing: the erasure execution's name"})
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
	// The candidate's manage link is minted (which replaces the one mailed
	// before) only for the email that carries it.
	candidateMsg := func() (mail.Message, error) {
		manage, err := managelink.New(ctx, h.Store, h.Policy, c, at)
		if err != nil {
			return mail.Message{}, err
		}
		return h.Mail.Erased(c, kinds, in.Reason, in.Full, at, manage), nil
	}
	teamMsg := func() (mail.Message, error) {
		return h.Mail.ErasureNotice(h.Team, c.ID, h.Base+"/console/candidates/"+c.ID, kinds, in.Reason, in.Full, at), nil
	}
	for _, n := range []struct {
		role string
		msg  func() (mail.Message, error)
	}{{toCandidate, candidateMsg}, {toTeam, teamMsg}} {
		id, err := h.sendOnce(ctx, in, n.role, n.msg)
		if err != nil {
			return Output{}, workflow.Error(err)
		}
		if id != "" {
			out.MessageIDs = append(out.MessageIDs, id)
		}
	}
	h.Log.InfoContext(ctx, "erasure notices sent", "candidateId", in.CandidateID, "artifacts", len(kinds), "full", in.Full)
	return out, nil
}

// sendOnce sends the email to role unless an earlier attempt of this
// execution claimed it, and records it as sent; "" when it sent nothing. A
// failed send gives the claim up, so that the next attempt sends it.
func (h *Handler) sendOnce(ctx context.Context, in Input, role string, msg func() (mail.Message, error)) (string, error) {
	claimed, err := h.Store.ClaimNotice(ctx, in.CandidateID, in.Execution, role, h.Now())
	if err != nil || !claimed {
		if err == nil {
			h.Log.InfoContext(ctx, "erasure notice sent before", "candidateId", in.CandidateID, "to", role)
		}
		return "", err
	}
	m, err := msg()
	var id string
	if err == nil {
		id, err = h.Mail.Send(ctx, m)
	}
	if err != nil {
		if rerr := h.Store.ReleaseNotice(ctx, in.CandidateID, in.Execution, role); rerr != nil {
			h.Log.ErrorContext(ctx, "erasure notice neither sent nor released: a retry will not send it", "candidateId", in.CandidateID, "to", role, "error", rerr)
		}
		return "", err
	}
	if err := h.Store.NoticeSent(ctx, in.CandidateID, in.Execution, role, id, h.Now()); err != nil {
		// Sent: the claim stands, so no retry sends it again.
		h.Log.WarnContext(ctx, "erasure notice sent, its message id not recorded", "candidateId", in.CandidateID, "to", role, "error", err)
	}
	return id, nil
}
