package page

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"

	"github.com/consentflow/consentflow/shared/consent"
	"github.com/consentflow/consentflow/shared/httpapi"
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

// LanguageFor is the language of a page: the one chosen with the switcher
// (?lang=, which the emailed link also carries with the candidate's stored
// locale), else the candidate's stored locale when known (stored), else the
// browser's.
func LanguageFor(req httpapi.Request, stored string) string {
	if l := req.QueryStringParameters["lang"]; slices.Contains(consent.Locales, l) {
		return l
	}
	if slices.Contains(consent.Locales, stored) {
		return stored
	}
	return Language(req)
}

// Error answers an error as a page for browsers and as a problem for others.
// A dead end (unknown, expired or answered link) names the controller, how
// to reach them, and what to do next.
func Error(ctx context.Context, log *slog.Logger, req httpapi.Request, v Visit, err error) httpapi.Response {
	if !WantsHTML(req) {
		return httpapi.Error(ctx, log, err)
	}
	var (
		notFound *consent.NotFoundError
		expired  *consent.LinkExpiredError
		replaced *consent.LinkReplacedError
		gone     *consent.GoneError
		conflict *consent.ConflictError
		invalid  *consent.ValidationError
		bad      *httpapi.BadRequestError
	)
	m := v.M
	status, out := 0, Outcome{}
	switch {
	case errors.As(err, &notFound):
		status, out = http.StatusNotFound, v.Outcome(m.NotFound, m.NotFoundDetail)
		out.Next = fmt.Sprintf(m.NotFoundNext, v.Contact)
	case errors.As(err, &replaced):
		status, out = http.StatusGone, v.Outcome(m.Manage.Replaced, m.Manage.ReplacedDetail)
	case errors.As(err, &gone):
		status, out = http.StatusGone, v.Outcome(m.Manage.Erased, m.Manage.ErasedDetail)
	case errors.As(err, &expired):
		status, out = http.StatusGone, v.Outcome(m.Expired, m.ExpiredDetail)
		out.Next = fmt.Sprintf(m.ExpiredNext, v.Contact)
	case errors.As(err, &conflict):
		status, out = http.StatusConflict, v.Outcome(m.AlreadyAnswered, "")
		out.Next = fmt.Sprintf(m.AnsweredNext, v.Contact)
	case errors.As(err, &invalid):
		status, out = http.StatusUnprocessableEntity, v.Outcome(m.InvalidAnswer, m.TryAgain)
	case errors.As(err, &bad):
		status, out = bad.Status, v.Outcome(m.InvalidAnswer, m.TryAgain)
	default:
		res := httpapi.Error(ctx, log, err) // logs it
		status, out = res.StatusCode, v.Outcome(m.InvalidAnswer, m.TryAgain)
	}
	return Render(status, out)
}
