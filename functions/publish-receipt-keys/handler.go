package main

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"

	"github.com/go-jose/go-jose/v4"

	"github.com/consentflow/consentflow/shared/httpapi"
)

// KeySource gives the published keys; *signature.KeySet satisfies it.
type KeySource interface {
	Keys(ctx context.Context) (jose.JSONWebKeySet, error)
}

// Handler publishes the JWKS.
type Handler struct {
	Keys KeySource
	Log  *slog.Logger
}

// Handle answers with the public keys. They may be cached: a key's public
// half never changes, and a new key is added beside the old ones.
func (h *Handler) Handle(ctx context.Context, req httpapi.Request) (httpapi.Response, error) {
	keys, err := h.Keys.Keys(ctx)
	if err != nil {
		return httpapi.Error(ctx, h.Log, err), nil
	}
	b, err := json.Marshal(keys)
	if err != nil {
		return httpapi.Error(ctx, h.Log, err), nil
	}
	return httpapi.Response{StatusCode: http.StatusOK, Headers: map[string]string{
		"Content-Type": "application/jwk-set+json", "Cache-Control": "public, max-age=3600",
		"Access-Control-Allow-Origin": "*",
	}, Body: string(b)}, nil
}
