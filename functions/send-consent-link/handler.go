package main

import (
	"context"
	"log/slog"
	"net/url"

	"github.com/consentflow/consentflow/shared/consent"
	"github.com/consentflow/consentflow/shared/mail"
	"github.com/consentflow/consentflow/shared/managelink"
	"github.com/consentflow/consentflow/shared/workflow"
)

// LinkStore attaches links to requests.
type LinkStore interface {
	Request(ctx context.Context, id string) (consent.Request, error)
	Candidate(ctx context.Context, id string) (consent.Candidate, error)
	AttachLink(ctx context.Context, requestID, linkHash, taskToken string) error
	managelink.Store
}

// Handler sends consent links.
type Handler struct {
	Store  LinkStore
	Mailer *mail.Mailer
	Policy consent.Policy
	Log    *slog.Logger
}

// Input and Output are the step's, typed in package workflow.
type (
	Input  = workflow.SendLinkInput
	Output = workflow.SendLinkOutput
)

// Handle makes a new link token, stores only its hash with the task token,
// and emails the link. On a retry the new link replaces the old one.
func (h *Handler) Handle(ctx context.Context, in Input) (Output, error) {
	if in.RequestID == "" || in.CandidateID == "" || in.TaskToken == "" {
		return Output{}, workflow.Error(&consent.ValidationError{Field: "input", Reason: "requestId, candidateId and taskToken are required"})
	}
	req, err := h.Store.Request(ctx, in.RequestID)
	if err != nil {
		return Output{}, workflow.Error(err)
	}
	c, err := h.Store.Candidate(ctx, in.CandidateID)
	if err != nil {
		return Output{}, workflow.Error(err)
	}
	token := consent.NewLinkToken()
	if err := h.Store.AttachLink(ctx, req.ID, consent.HashLinkToken(token), in.TaskToken); err != nil {
		return Output{}, workflow.Error(err)
	}
	// The link carries the candidate's language, so that even a page shown
	// without the stored locale (an expired or unknown link) speaks it.
	link := h.Policy.LinkURL(token) + "?lang=" + url.QueryEscape(c.Locale)
	manage, err := managelink.New(ctx, h.Store, h.Policy, c, req.CreatedAt)
	if err != nil {
		return Output{}, workflow.Error(err)
	}
	id, err := h.Mailer.Send(ctx, h.Mailer.Invitation(c, req, link, manage))
	if err != nil {
		h.Log.ErrorContext(ctx, "consent link not sent", "requestId", req.ID, "error", err.Error())
		return Output{}, workflow.Error(err)
	}
	h.Log.InfoContext(ctx, "consent link sent", "requestId", req.ID, "candidateId", c.ID, "messageId", id)
	return Output{MessageID: id}, nil
}
