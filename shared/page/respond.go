package page

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"

	"github.com/consentflow/consentflow/shared/consent"
	"github.com/consentflow/consentflow/shared/httpapi"
	"github.com/consentflow/consentflow/shared/locale"
)

// WantsHTML reports whether the client is a browser (it accepts text/html).
// Other clients get JSON, and RFC 9457 problem details for errors.
func WantsHTML(req httpapi.Request) bool {
	return strings.Contains(httpapi.Header(req, "Accept"), "text/html")
}

// Token returns the link token of a /c/{token} request, or a
// *consent.NotFoundError when it cannot be a token we issued.
func Token(req httpapi.Request) (string, error) {
	t := req.PathParameters["token"]
	if !consent.ValidLinkToken(t) {
		return "", &consent.NotFoundError{What: "link"}
	}
	return t, nil
}

// Language is the language of the browser's first supported preference, for
// pages shown before the candidate is known.
func Language(req httpapi.Request) string {
	for _, part := range strings.Split(httpapi.Header(req, "Accept-Language"), ",") {
		tag, _, _ := strings.Cut(strings.TrimSpace(part), ";")
		if lang, err := consent.ParseLocale(tag); err == nil {
			return lang
		}
	}
	return "en"
}

// Error answers an error as a page for browsers and as a problem for others.
func Error(ctx context.Context, log *slog.Logger, req httpapi.Request, m locale.Messages, err error) httpapi.Response {
	if !WantsHTML(req) {
		return httpapi.Error(ctx, log, err)
	}
	var (
		notFound *consent.NotFoundError
		expired  *consent.LinkExpiredError
		conflict *consent.ConflictError
		invalid  *consent.ValidationError
		bad      *httpapi.BadRequestError
	)
	switch {
	case errors.As(err, &notFound):
		return Message(http.StatusNotFound, m, m.NotFound, m.NotFoundDetail)
	case errors.As(err, &expired):
		return Message(http.StatusGone, m, m.Expired, m.ExpiredDetail)
	case errors.As(err, &conflict):
		return Message(http.StatusConflict, m, m.AlreadyAnswered, "")
	case errors.As(err, &invalid):
		return Message(http.StatusUnprocessableEntity, m, m.InvalidAnswer, m.TryAgain)
	case errors.As(err, &bad):
		return Message(bad.Status, m, m.InvalidAnswer, m.TryAgain)
	}
	res := httpapi.Error(ctx, log, err) // logs it
	return Message(res.StatusCode, m, m.InvalidAnswer, m.TryAgain)
}
