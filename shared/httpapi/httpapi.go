// Package httpapi turns API Gateway HTTP API (payload format 2.0) requests
// into typed input and domain results into responses, with RFC 9457 problem
// details for every error.
package httpapi

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/aws/aws-lambda-go/events"

	"github.com/consentflow/consentflow/shared/consent"
	"github.com/consentflow/consentflow/shared/signature"
)

// Request and Response are the API Gateway HTTP API payload 2.0 shapes.
type (
	Request  = events.APIGatewayV2HTTPRequest
	Response = events.APIGatewayV2HTTPResponse
)

// maxBody bounds request bodies the handlers read.
const maxBody = 64 << 10

// Problem is an RFC 9457 problem detail.
type Problem struct {
	Type     string `json:"type"`
	Title    string `json:"title"`
	Status   int    `json:"status"`
	Detail   string `json:"detail,omitempty"`
	Instance string `json:"instance,omitempty"`
	// Field names the input field at fault, for validation problems.
	Field string `json:"field,omitempty"`
}

// ProblemType is the type URI of a problem slug.
func ProblemType(slug string) string { return "/problems/" + slug }

// JSON responds with v as JSON.
func JSON(status int, v any) Response {
	b, err := json.Marshal(v)
	if err != nil {
		return Fail(fmt.Errorf("encode response: %w", err))
	}
	return Response{StatusCode: status, Headers: map[string]string{
		"Content-Type": "application/json", "Cache-Control": "no-store",
	}, Body: string(b)}
}

// ProblemResponse responds with a problem detail.
func ProblemResponse(p Problem) Response {
	b, _ := json.Marshal(p)
	return Response{StatusCode: p.Status, Headers: map[string]string{
		"Content-Type": "application/problem+json", "Cache-Control": "no-store",
	}, Body: string(b)}
}

// Error maps a domain error to its problem response. Unexpected errors are
// logged and answered with a 500 that reveals nothing.
func Error(ctx context.Context, log *slog.Logger, err error) Response {
	var (
		bad      *BadRequestError
		invalid  *consent.ValidationError
		notFound *consent.NotFoundError
		conflict *consent.ConflictError
		expired  *consent.LinkExpiredError
		gone     *consent.GoneError
		replaced *consent.LinkReplacedError
		// temporary is a dependency that may answer on a retry (the
		// store's UnavailableError): 503, so that nothing fails open.
		temporary interface{ Temporary() bool }
		unsigned  *signature.UnavailableError
		receipt   *signature.InvalidError
	)
	switch {
	case errors.As(err, &bad):
		return ProblemResponse(bad.Problem())
	case errors.As(err, &invalid):
		return ProblemResponse(Problem{Type: ProblemType("invalid-input"), Title: "Invalid input", Status: http.StatusUnprocessableEntity, Detail: invalid.Reason, Field: invalid.Field})
	case errors.As(err, &notFound):
		return ProblemResponse(Problem{Type: ProblemType("not-found"), Title: "Not found", Status: http.StatusNotFound, Detail: notFound.Error()})
	case errors.As(err, &conflict):
		return ProblemResponse(Problem{Type: ProblemType("conflict"), Title: "Conflict", Status: http.StatusConflict, Detail: conflict.Reason})
	case errors.As(err, &expired):
		return ProblemResponse(Problem{Type: ProblemType("link-expired"), Title: "Link expired", Status: http.StatusGone, Detail: "This link has expired. Ask the recruiter for a new one."})
	case errors.As(err, &replaced):
		return ProblemResponse(Problem{Type: ProblemType("link-replaced"), Title: "Link replaced", Status: http.StatusGone, Detail: "This link was replaced by a newer one. Use the link in your latest email."})
	case errors.As(err, &gone):
		return ProblemResponse(Problem{Type: ProblemType("erased"), Title: "Erased", Status: http.StatusGone,
			Detail: "This candidate's data was erased at their request. Only the pseudonymous audit trail is kept."})
	case errors.As(err, &temporary) && temporary.Temporary(), errors.Is(err, context.DeadlineExceeded):
		log.WarnContext(ctx, "dependency unavailable", "error", err.Error())
		res := ProblemResponse(Problem{Type: ProblemType("unavailable"), Title: "Service unavailable", Status: http.StatusServiceUnavailable,
			Detail: "A service we depend on did not answer. Nothing was allowed or changed; please try again."})
		res.Headers["Retry-After"] = "1"
		return res
	case errors.As(err, &receipt):
		return ProblemResponse(Problem{Type: ProblemType("invalid-receipt"), Title: "Not a receipt and its signature", Status: http.StatusUnprocessableEntity, Detail: receipt.Reason})
	case errors.As(err, &unsigned):
		log.ErrorContext(ctx, "signing key unavailable", "error", err.Error())
		return ProblemResponse(Problem{Type: ProblemType("signing-key-unavailable"), Title: "Signing key unavailable", Status: http.StatusServiceUnavailable,
			Detail: "The key that signs receipts cannot be reached right now. Please try again shortly."})
	}
	log.ErrorContext(ctx, "request failed", "error", err.Error())
	return Fail(err)
}

// Fail is the 500 response; the error itself is never shown.
func Fail(error) Response {
	return ProblemResponse(Problem{Type: ProblemType("internal"), Title: "Internal error", Status: http.StatusInternalServerError,
		Detail: "Something went wrong on our side. Nothing was changed; please try again."})
}

// BadRequestError is input the handler cannot read at all.
type BadRequestError struct {
	Status int
	Slug   string
	Title  string
	Detail string
}

func (e *BadRequestError) Error() string { return e.Title + ": " + e.Detail }

// Problem is the problem detail the error is answered with.
func (e *BadRequestError) Problem() Problem {
	return Problem{Type: ProblemType(e.Slug), Title: e.Title, Status: e.Status, Detail: e.Detail}
}

// Body returns the request body, decoded from base64 when API Gateway encoded it.
func Body(req Request) ([]byte, error) {
	if !req.IsBase64Encoded {
		return []byte(req.Body), nil
	}
	b, err := base64.StdEncoding.DecodeString(req.Body)
	if err != nil {
		return nil, &BadRequestError{Status: http.StatusBadRequest, Slug: "malformed-body", Title: "Malformed body", Detail: "the body is not valid base64"}
	}
	return b, nil
}

// Header returns a request header; API Gateway lower-cases header names.
func Header(req Request, name string) string {
	return req.Headers[strings.ToLower(name)]
}

// MediaType returns the request's media type, lower-cased and without
// parameters ("Application/JSON; charset=UTF-8" → "application/json"), or ""
// when the request has no Content-Type or one that does not parse.
func MediaType(req Request) string {
	mt, _, err := mime.ParseMediaType(Header(req, "Content-Type"))
	if err != nil {
		return ""
	}
	return mt // ParseMediaType lower-cases it
}

// IsJSON reports whether a media type is JSON (application/json or a
// +json suffix).
func IsJSON(mt string) bool { return mt == "application/json" || strings.HasSuffix(mt, "+json") }

// UnsupportedMediaType is the 415 for a body of a type the route does not
// read (or of no stated type); want lists what it reads.
func UnsupportedMediaType(want string) *BadRequestError {
	return &BadRequestError{Status: http.StatusUnsupportedMediaType, Slug: "unsupported-media-type", Title: "Unsupported media type",
		Detail: "send the body with Content-Type: " + want}
}

// TooLarge is the 413 for a body over limit bytes: the functions' answer,
// and the candidate edge's (its web ACL answers the same problem).
func TooLarge(limit int) *BadRequestError {
	return &BadRequestError{Status: http.StatusRequestEntityTooLarge, Slug: "body-too-large", Title: "Body too large", Detail: fmt.Sprintf("the body is larger than %d bytes", limit)}
}

// limitedBody returns the body, refusing it with a 413 when it is larger
// than limit bytes (checked before a base64 body is decoded).
func limitedBody(req Request, limit int) ([]byte, error) {
	if req.IsBase64Encoded && base64.StdEncoding.DecodedLen(len(req.Body)) > limit+3 || !req.IsBase64Encoded && len(req.Body) > limit {
		return nil, TooLarge(limit)
	}
	body, err := Body(req)
	if err != nil {
		return nil, err
	}
	if len(body) > limit {
		return nil, TooLarge(limit)
	}
	return body, nil
}

// DecodeJSON reads a JSON object body into v. It refuses other media types
// and a missing Content-Type (415), oversized bodies (413), malformed JSON,
// unknown fields and trailing data (400), and keys given twice or in two
// cases, and strings that are not valid UTF-8 (422, naming the field).
func DecodeJSON(req Request, v any) error {
	if !IsJSON(MediaType(req)) {
		return UnsupportedMediaType("application/json")
	}
	body, err := limitedBody(req, maxBody)
	if err != nil {
		return err
	}
	if err := checkJSON(body); err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return &BadRequestError{Status: http.StatusBadRequest, Slug: "malformed-json", Title: "Malformed JSON", Detail: jsonDetail(err)}
	}
	if _, err := dec.Token(); err != io.EOF {
		return &BadRequestError{Status: http.StatusBadRequest, Slug: "malformed-json", Title: "Malformed JSON", Detail: "the body holds more than one JSON value"}
	}
	return nil
}

// maxForm bounds form bodies: a consent form's answer is a few dozen bytes.
const maxForm = 8 << 10

// FormBody returns an application/x-www-form-urlencoded body, refusing
// other media types (415), bodies over 8 KiB (413) and bodies that are not
// valid UTF-8 (422).
func FormBody(req Request) ([]byte, error) {
	if MediaType(req) != "application/x-www-form-urlencoded" {
		return nil, UnsupportedMediaType("application/x-www-form-urlencoded")
	}
	body, err := limitedBody(req, maxForm)
	if err != nil {
		return nil, err
	}
	if !utf8.Valid(body) {
		return nil, &consent.ValidationError{Field: "body", Reason: "the form is not valid UTF-8"}
	}
	return body, nil
}

func jsonDetail(err error) string {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.Is(err, io.EOF):
		return "the body is empty; send a JSON object"
	case errors.As(err, &syntax):
		return fmt.Sprintf("the body is not valid JSON (at byte %d)", syntax.Offset)
	case errors.As(err, &typ):
		return fmt.Sprintf("field %q must be a %s", typ.Field, typ.Type.Kind())
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return "unknown field " + strings.TrimPrefix(err.Error(), "json: unknown field ")
	}
	return "the body is not a valid JSON object"
}

// Recruiter returns the subject of the recruiter's verified token. API
// Gateway's JWT authorizer verifies the token and passes its claims; a
// request without them is refused (fail closed), whatever the route says.
func Recruiter(req Request) (string, error) {
	if a := req.RequestContext.Authorizer; a != nil && a.JWT != nil {
		if sub := a.JWT.Claims["sub"]; sub != "" {
			return sub, nil
		}
	}
	return "", &BadRequestError{Status: http.StatusUnauthorized, Slug: "unauthorized", Title: "Unauthorized", Detail: "a recruiter's bearer token is required"}
}

// IdempotencyKey returns the request's Idempotency-Key header, if any.
func IdempotencyKey(req Request) (string, error) {
	key := Header(req, "Idempotency-Key")
	if len(key) > 255 {
		return "", &BadRequestError{Status: http.StatusBadRequest, Slug: "invalid-idempotency-key", Title: "Invalid Idempotency-Key", Detail: "an Idempotency-Key is at most 255 characters"}
	}
	return key, nil
}

// ProblemWith responds with a problem detail and extension members (RFC 9457
// §3.2), such as the consent request a recruiter should wait for.
func ProblemWith(p Problem, ext map[string]string) Response {
	m := map[string]any{"type": p.Type, "title": p.Title, "status": p.Status}
	if p.Detail != "" {
		m["detail"] = p.Detail
	}
	for k, v := range ext {
		if _, taken := m[k]; !taken {
			m[k] = v
		}
	}
	b, _ := json.Marshal(m)
	return Response{StatusCode: p.Status, Headers: map[string]string{
		"Content-Type": "application/problem+json", "Cache-Control": "no-store",
	}, Body: string(b)}
}

// RecruiterOnCandidate returns the recruiter of a recruiter route and the
// candidate id in its path: 401 without a verified token, 404 for an id
// that cannot be a candidate's.
func RecruiterOnCandidate(req Request) (recruiter, candidateID string, err error) {
	recruiter, err = Recruiter(req)
	if err != nil {
		return "", "", err
	}
	candidateID = req.PathParameters["id"]
	if !consent.ValidID(candidateID) {
		return "", "", &consent.NotFoundError{What: "candidate", ID: candidateID}
	}
	return recruiter, candidateID, nil
}
