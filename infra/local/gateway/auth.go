package gateway

import (
	"crypto/subtle"
	"net/http"
	"strings"

	"github.com/consentflow/consentflow/shared/signin"
)

// StaticToken lets through a request carrying "Authorization: Bearer
// <Token>" with Claims and refuses anything else: a fixed authorizer for
// tests of the front itself. The local cloud uses JWT.
type StaticToken struct {
	Token  string
	Claims map[string]string
}

// LocalRecruiter is the claims the local recruiter token carries.
var LocalRecruiter = map[string]string{
	"sub":   "local-recruiter",
	"email": "recruiter@example.com",
	"iss":   "https://local.consentflow.invalid",
	"scope": "consent/recruiter",
}

// Authorize checks the bearer token. Like API Gateway's JWT authorizer it
// accepts the token with or without the "Bearer " prefix.
func (s StaticToken) Authorize(r *http.Request) (map[string]string, bool) {
	if s.Token == "" {
		return nil, false
	}
	got := strings.TrimSpace(r.Header.Get("Authorization"))
	if len(got) > 7 && strings.EqualFold(got[:7], "bearer ") {
		got = strings.TrimSpace(got[7:])
	}
	if subtle.ConstantTimeCompare([]byte(got), []byte(s.Token)) != 1 {
		return nil, false
	}
	claims := make(map[string]string, len(s.Claims))
	for k, v := range s.Claims {
		claims[k] = v
	}
	return claims, true
}

// JWT is API Gateway's JWT authorizer: the bearer token (with or without
// the "Bearer " prefix) must be a JWT the Verifier accepts (signature by the
// issuer's keys, issuer, audience, expiry), and its claims go to the
// function as requestContext.authorizer.jwt.claims.
type JWT struct {
	Verifier *signin.Verifier
}

// Authorize checks the request's bearer token.
func (j JWT) Authorize(r *http.Request) (map[string]string, bool) {
	got := strings.TrimSpace(r.Header.Get("Authorization"))
	if len(got) > 7 && strings.EqualFold(got[:7], "bearer ") {
		got = strings.TrimSpace(got[7:])
	}
	if got == "" || j.Verifier == nil {
		return nil, false
	}
	claims, err := j.Verifier.Verify(r.Context(), got)
	if err != nil {
		return nil, false
	}
	return claims, true
}
