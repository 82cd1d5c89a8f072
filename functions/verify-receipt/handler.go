package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"

	"github.com/go-jose/go-jose/v4"

	"github.com/consentflow/consentflow/shared/consent"
	"github.com/consentflow/consentflow/shared/httpapi"
	"github.com/consentflow/consentflow/shared/signature"
)

// KeySource gives the published keys; *signature.KeySet satisfies it.
type KeySource interface {
	Keys(ctx context.Context) (jose.JSONWebKeySet, error)
}

// Handler verifies receipts.
type Handler struct {
	Keys KeySource
	Log  *slog.Logger
}

// Input is a receipt, as the candidate has it (any JSON form), and the
// detached JWS that came with it.
type Input struct {
	Receipt   json.RawMessage `json:"receipt"`
	Signature string          `json:"signature"`
}

// Output is the verdict.
type Output struct {
	Genuine bool `json:"genuine"`
	// ReceiptID and ConsentTimestamp name the receipt that was checked.
	ReceiptID        string `json:"consentReceiptID,omitempty"`
	ConsentTimestamp int64  `json:"consentTimestamp,omitempty"`
	// KeyID is the key that signed a genuine receipt.
	KeyID string `json:"keyId,omitempty"`
	// Reason says why a receipt is not genuine.
	Reason string `json:"reason,omitempty"`
}

// Handle answers 200 with the verdict, genuine or not; 4xx problems for a
// body that is not a receipt and a signature; 503 while KMS cannot be read.
// It reads and stores nothing about the candidate.
func (h *Handler) Handle(ctx context.Context, req httpapi.Request) (httpapi.Response, error) {
	var in Input
	if err := httpapi.DecodeJSON(req, &in); err != nil {
		return httpapi.Error(ctx, h.Log, err), nil
	}
	trimmed := bytes.TrimSpace(in.Receipt)
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return httpapi.Error(ctx, h.Log, &consent.ValidationError{Field: "receipt", Reason: "the receipt is required, as the JSON object of the receipt's .json attachment"}), nil
	}
	if in.Signature == "" {
		return httpapi.Error(ctx, h.Log, &consent.ValidationError{Field: "signature", Reason: "the signature is required, as the text of the receipt's .jws attachment"}), nil
	}
	var named struct {
		ID string `json:"consentReceiptID"`
		At int64  `json:"consentTimestamp"`
	}
	_ = json.Unmarshal(trimmed, &named) // only to name the receipt; the check is on the bytes
	keys, err := h.Keys.Keys(ctx)
	if err != nil {
		return httpapi.Error(ctx, h.Log, err), nil
	}
	out := Output{ReceiptID: named.ID, ConsentTimestamp: named.At}
	switch err := signature.Verify(trimmed, in.Signature, keys); {
	case err == nil:
		out.Genuine, out.KeyID = true, keyID(in.Signature)
	case errors.Is(err, signature.ErrNotGenuine):
		out.Reason = err.Error()
	default:
		return httpapi.Error(ctx, h.Log, err), nil
	}
	h.Log.InfoContext(ctx, "receipt checked", "receiptId", named.ID, "genuine", out.Genuine)
	return httpapi.JSON(http.StatusOK, out), nil
}

func keyID(jws string) string {
	obj, err := jose.ParseDetached(jws, []byte("{}"), []jose.SignatureAlgorithm{signature.Algorithm})
	if err != nil || len(obj.Signatures) == 0 {
		return ""
	}
	return obj.Signatures[0].Header.KeyID
}
