package gateway

import (
	"crypto/subtle"
	"net/http"
	"strings"
)

// StaticToken is the local stand-in for API Gateway's JWT authorizer: a
// request carrying "Authorization: Bearer <Token>" is let through with
// Claims; anything else is refused.
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
