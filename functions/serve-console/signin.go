package main

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/consentflow/consentflow/shared/httpapi"
	"github.com/consentflow/consentflow/shared/signin"
)

// csrfToken ties a form to the session: it is derived from the session's
// token, which only the browser holds (HttpOnly) and another site cannot
// read, so it needs no server-side state.
func csrfToken(session string) string {
	sum := sha256.Sum256([]byte("consentflow console csrf\x00" + session))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

func (h *Handler) startSignIn() httpapi.Response {
	a := signin.NewAttempt()
	res := redirect(h.SignIn.AuthorizeURLFor(a, h.callbackURL()))
	res.Cookies = []string{(&http.Cookie{
		Name: attemptCookie, Value: a.State + "." + a.Verifier, Path: "/console/callback", MaxAge: 600,
		Secure: true, HttpOnly: true, SameSite: http.SameSiteLaxMode,
	}).String()}
	return res
}

func (h *Handler) finishSignIn(ctx context.Context, req httpapi.Request) httpapi.Response {
	q := req.QueryStringParameters
	state, verifier, _ := strings.Cut(cookie(req, attemptCookie), ".")
	failed := func(status int, detail string) httpapi.Response {
		res := h.render(status, messagePage{Title: "Sign-in did not work", Detail: detail, SignIn: true})
		res.Cookies = []string{expiredCookie(attemptCookie, "/console/callback")}
		return res
	}
	if q["error"] != "" {
		return failed(http.StatusUnauthorized, "The sign-in page did not sign you in. Try again.")
	}
	if state == "" || q["code"] == "" || subtle.ConstantTimeCompare([]byte(q["state"]), []byte(state)) != 1 {
		return failed(http.StatusBadRequest, "This sign-in was not started here or took too long. Try again.")
	}
	sess, err := h.SignIn.Exchange(ctx, signin.Attempt{State: state, Verifier: verifier}, q["code"], h.callbackURL(), nil)
	if err != nil {
		h.Log.WarnContext(ctx, "sign-in failed", "error", err.Error())
		if errors.Is(err, signin.ErrSignIn) {
			return failed(http.StatusUnauthorized, "The sign-in provider refused this sign-in. Try again.")
		}
		return failed(http.StatusBadGateway, "The sign-in provider could not be reached. Try again in a moment.")
	}
	if _, err := h.Verifier.Verify(ctx, sess.AccessToken); err != nil {
		h.Log.WarnContext(ctx, "sign-in token refused", "error", err.Error())
		return failed(http.StatusUnauthorized, "The sign-in provider's token was not accepted. Try again.")
	}
	maxAge := int(time.Until(sess.Expiry).Seconds())
	if sess.Expiry.IsZero() || maxAge <= 0 {
		maxAge = 3600
	}
	res := redirect("/console")
	res.Cookies = []string{
		(&http.Cookie{Name: sessionCookie, Value: sess.AccessToken, Path: "/console", MaxAge: maxAge,
			Secure: true, HttpOnly: true, SameSite: http.SameSiteLaxMode}).String(),
		expiredCookie(attemptCookie, "/console/callback"),
	}
	return res
}
