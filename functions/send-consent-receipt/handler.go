package main

import (
	"context"
	"log/slog"

	"github.com/consentflow/consentflow/shared/consent"
	"github.com/consentflow/consentflow/shared/mail"
	"github.com/consentflow/consentflow/shared/signature"
	"github.com/consentflow/consentflow/shared/store"
	"github.com/consentflow/consentflow/shared/workflow"
)

// AnswerStore reads recorded answers.
type AnswerStore interface {
	Candidate(ctx context.Context, id string) (consent.Candidate, error)
	Request(ctx context.Context, id string) (consent.Request, error)
	RecordedAnswer(ctx context.Context, requestID string) (store.Answer, error)
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
}

// Input is the step's input. The answer handed to the workflow is not
// trusted: the receipt is built from the answer recorded in the table.
type Input struct {
	RequestID   string `json:"requestId"`
	CandidateID string `json:"candidateId"`
}

// Output names the receipt and the email that carried it.
type Output struct {
	MessageID string `json:"messageId"`
	ReceiptID string `json:"receiptId"`
}

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
	id, err := h.Mailer.Send(ctx, h.Mailer.Receipt(c, receipt, signed, h.Policy.JWKSURL()))
	if err != nil {
		h.Log.ErrorContext(ctx, "receipt not sent", "requestId", in.RequestID, "error", err.Error())
		return Output{}, workflow.Error(err)
	}
	h.Log.InfoContext(ctx, "receipt sent", "requestId", in.RequestID, "receiptId", ans.ReceiptID, "messageId", id)
	return Output{MessageID: id, ReceiptID: ans.ReceiptID}, nil
}
