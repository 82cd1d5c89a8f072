package main

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"log/slog"

	"github.com/aws/aws-lambda-go/events"
)

// Request and Response are the HTTP API's Lambda authorizer payload 2.0 and
// its simple response.
type (
	Request  = events.APIGatewayV2CustomAuthorizerV2Request
	Response = events.APIGatewayV2CustomAuthorizerSimpleResponse
)

// Secret gives the value CloudFront sends; *secret.Cached satisfies it.
type Secret interface {
	Value(ctx context.Context) ([]byte, error)
}

// Handler authorizes requests by the edge's origin header.
type Handler struct {
	Secret Secret
	Log    *slog.Logger
}

// Handle authorizes a request whose one identity source (the origin header,
// which API Gateway passes without the authorizer having to know its name)
// equals the secret, compared in constant time. Any other value is refused
// (isAuthorized false: API Gateway answers 403, and caches the refusal of
// that value). When the secret cannot be read it returns an error, which
// API Gateway answers with a 500 and does not cache: the request is refused
// either way, and the right header works again once the secret can be read.
// A request without the header never gets here (API Gateway answers 401).
func (h *Handler) Handle(ctx context.Context, req Request) (Response, error) {
	want, err := h.Secret.Value(ctx)
	if err != nil {
		h.Log.ErrorContext(ctx, "origin secret unavailable", "requestId", req.RequestContext.RequestID, "error", err.Error())
		return Response{}, fmt.Errorf("origin secret unavailable: %w", err)
	}
	if len(req.IdentitySource) != 1 {
		// The authorizer has one identity source; anything else is a
		// configuration this code was not written for.
		h.Log.ErrorContext(ctx, "unexpected identity sources", "requestId", req.RequestContext.RequestID, "count", len(req.IdentitySource))
		return Response{}, errors.New("want exactly one identity source, the origin header")
	}
	if !equal([]byte(req.IdentitySource[0]), want) {
		// The value is not logged: it may be a guess at the secret.
		h.Log.WarnContext(ctx, "origin header refused", "requestId", req.RequestContext.RequestID, "routeKey", req.RouteKey)
		return Response{IsAuthorized: false}, nil
	}
	return Response{IsAuthorized: true}, nil
}

// equal compares got and want in time that depends on neither's content nor
// length: it compares their SHA-256 digests.
func equal(got, want []byte) bool {
	g, w := sha256.Sum256(got), sha256.Sum256(want)
	return subtle.ConstantTimeCompare(g[:], w[:]) == 1
}
