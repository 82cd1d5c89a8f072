package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/consentflow/consentflow/shared/consent"
	"github.com/consentflow/consentflow/shared/mail"
	"github.com/consentflow/consentflow/shared/managelink"
	"github.com/consentflow/consentflow/shared/signature"
	"github.com/consentflow/consentflow/shared/store"
	"github.com/consentflow/consentflow/shared/workflow"
)

// AnswerStore reads recorded answers.
type AnswerStore interface {
	Candidate(ctx context.Context, id string) (consent.Candidate, error)
	Request(ctx context.Context, id string) (consent.Request, error)
	RecordedAnswer(ctx context.Context, requestID string) (store.Answer, error)
	ReceiptSent(ctx context.Context, requestID, messageID string, at time.Time) error
	managelink.Store
}

// Signer signs receipts; *signature.Signer satisfies it.
type Signer interface {
	Sign(ctx context.Context, v any) (signature.Signed, error)
}

// Handler sends receipts.
type Handler struct {
	Store  AnswerStore
	Signer Signer
	Mailer *mail.Mailer
	Policy consent.Policy
	Log    *slog.Logger
	Now    func() time.Time
}

func (h *Handler) now() time.Time {
	if h.Now == nil {
		return time.Now()
	}
	return h.Now()
}

// Input and Output are the step's, typed in package workflow.
type (
	Input  = workflow.SendReceiptInput
	Output = workflow.SendReceiptOutput
)

// Handle emails the receipt of the request's recorded answer.
func (h *Handler) Handle(ctx context.Context, in Input) (Output, error) {
	if in.RequestID == "" || in.CandidateID == "" {
		return Output{}, workflow.Error(&consent.ValidationError{Field: "input", Reason: "requestId and candidateId are required"})
	}
	ans, err := h.Store.RecordedAnswer(ctx, in.RequestID)
	if err != nil {
		return Output{}, workflow.Error(err)
	}
	c, err := h.Store.Candidate(ctx, in.CandidateID)
	if err != nil {
		return Output{}, workflow.Error(err)
	}
	req, err := h.Store.Request(ctx, in.RequestID)
	if err != nil {
		return Output{}, workflow.Error(err)
	}
	receipt := consent.NewReceipt(h.Policy.Terms(req), c, req, ans.ReceiptID, ans.AnsweredAt, ans.Outcomes)
	signed, err := h.Signer.Sign(ctx, receipt)
	if err != nil {
		h.Log.ErrorContext(ctx, "receipt not signed", "requestId", in.RequestID, "error", err.Error())
		return Output{}, workflow.Error(err)
	}
	manage, err := managelink.New(ctx, h.Store, h.Policy, c, h.now())
	if err != nil {
		return Output{}, workflow.Error(err)
	}
	id, err := h.Mailer.Send(ctx, h.Mailer.Receipt(c, receipt, signed, h.Policy.JWKSURL(), manage))
	if err != nil {
		h.Log.ErrorContext(ctx, "receipt not sent", "requestId", in.RequestID, "error", err.Error())
		return Output{}, workflow.Error(err)
	}
	// The receipt is no longer owed. A failure here retries the step, which
	// may send the receipt twice: a duplicate, never a loss.
	if err := h.Store.ReceiptSent(ctx, in.RequestID, id, h.now()); err != nil {
		return Output{}, workflow.Error(err)
	}
	h.Log.InfoContext(ctx, "receipt sent", "requestId", in.RequestID, "receiptId", ans.ReceiptID, "messageId", id)
	return Output{MessageID: id, ReceiptID: ans.ReceiptID}, nil
}
