package consent

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Policy is what a deployment promises candidates: who the controller is,
// which notice they consent under, how long data is kept and how long a link
// stays valid. Functions read it once from their environment.
type Policy struct {
	Controller        string
	ControllerContact string
	// ControllerAddress and ControllerPhone are the controller's postal
	// address and phone number, as receipts name them (may be empty).
	ControllerAddress string
	ControllerPhone   string
	// SupervisoryAuthority and SupervisoryAuthorityURL name the authority
	// a candidate can complain to (GDPR Art. 77), on every candidate page
	// and email; empty, nothing is said.
	SupervisoryAuthority    string
	SupervisoryAuthorityURL string
	NoticeVersion           string
	NoticeURL               string
	// PublicBaseURL is where candidate links point, without a trailing slash.
	PublicBaseURL string
	LinkValidity  time.Duration
	Retention     map[Purpose]time.Duration
}

// MaxLinkValidityDays keeps the wait for an answer, with its retries and the
// steps around it, well inside the one year a Standard workflow may run.
const MaxLinkValidityDays = 300

// PolicyFromEnv reads a Policy from the environment variables the topology
// gives the functions, failing on the first missing or malformed one.
func PolicyFromEnv(getenv func(string) string) (Policy, error) {
	p := Policy{
		Controller:        getenv("CONTROLLER_NAME"),
		ControllerContact: getenv("CONTROLLER_CONTACT"),
		ControllerAddress: getenv("CONTROLLER_ADDRESS"),
		ControllerPhone:   getenv("CONTROLLER_PHONE"),
		NoticeVersion:     getenv("NOTICE_VERSION"),
		NoticeURL:         getenv("NOTICE_URL"),
		PublicBaseURL:     strings.TrimRight(getenv("PUBLIC_BASE_URL"), "/"),

		SupervisoryAuthority:    getenv("SUPERVISORY_AUTHORITY"),
		SupervisoryAuthorityURL: getenv("SUPERVISORY_AUTHORITY_URL"),
	}
	for name, v := range map[string]string{
		"CONTROLLER_NAME": p.Controller, "CONTROLLER_CONTACT": p.ControllerContact,
		"NOTICE_VERSION": p.NoticeVersion, "NOTICE_URL": p.NoticeURL, "PUBLIC_BASE_URL": p.PublicBaseURL,
	} {
		if v == "" {
			return Policy{}, fmt.Errorf("environment variable %s is not set", name)
		}
	}
	if u, err := url.Parse(p.PublicBaseURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return Policy{}, fmt.Errorf("PUBLIC_BASE_URL %q is not an absolute http(s) URL", p.PublicBaseURL)
	}
	if p.SupervisoryAuthorityURL != "" {
		if u, err := url.Parse(p.SupervisoryAuthorityURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return Policy{}, fmt.Errorf("SUPERVISORY_AUTHORITY_URL %q is not an absolute http(s) URL", p.SupervisoryAuthorityURL)
		}
	}
	days, err := strconv.Atoi(getenv("LINK_VALIDITY_DAYS"))
	if err != nil || days < 1 || days > MaxLinkValidityDays {
		return Policy{}, fmt.Errorf("LINK_VALIDITY_DAYS %q must be a whole number of days from 1 to %d", getenv("LINK_VALIDITY_DAYS"), MaxLinkValidityDays)
	}
	p.LinkValidity = time.Duration(days) * 24 * time.Hour
	if p.Retention, err = ParseRetention(getenv("RETENTION_DAYS")); err != nil {
		return Policy{}, fmt.Errorf("RETENTION_DAYS: %w", err)
	}
	return p, nil
}

// ParseRetention reads "talent_pool=730,interview_recording=180". Every known
// purpose must have a retention.
func ParseRetention(s string) (map[Purpose]time.Duration, error) {
	m := map[Purpose]time.Duration{}
	for _, pair := range strings.Split(s, ",") {
		pair = strings.TrimSpace(pair)
		if pair == "" {
			continue
		}
		name, value, ok := strings.Cut(pair, "=")
		if !ok {
			return nil, fmt.Errorf("%q is not purpose=days", pair)
		}
		p, err := ParsePurpose(strings.TrimSpace(name))
		if err != nil {
			return nil, err
		}
		days, err := strconv.Atoi(strings.TrimSpace(value))
		if err != nil || days < 1 || days > 3650 {
			return nil, fmt.Errorf("retention of %s must be 1 to 3650 days, got %q", p, value)
		}
		m[p] = time.Duration(days) * 24 * time.Hour
	}
	for _, p := range Purposes() {
		if _, ok := m[p]; !ok {
			return nil, fmt.Errorf("no retention for purpose %s", p)
		}
	}
	return m, nil
}

// RetentionDays is the retention of p in whole days.
func (p Policy) RetentionDays(purpose Purpose) int {
	return int(p.Retention[purpose] / (24 * time.Hour))
}

// NewRequest is a pending request made now under this policy: the notice
// and the retentions it promises are fixed in the request.
func (p Policy) NewRequest(id, candidateID, requestedBy string, purposes []Purpose, now time.Time) Request {
	retention := make(map[Purpose]int, len(purposes))
	for _, pu := range purposes {
		retention[pu] = p.RetentionDays(pu)
	}
	now = now.UTC()
	return Request{
		ID: id, CandidateID: candidateID, Purposes: purposes, Status: Pending,
		NoticeVersion: p.NoticeVersion, NoticeURL: p.NoticeURL, Retention: retention, RequestedBy: requestedBy, Controller: p.Controller,
		CreatedAt: now, ExpiresAt: now.Add(p.LinkValidity),
	}
}

// JWKSPath is where the app publishes the public keys of receipt signatures.
const JWKSPath = "/.well-known/jwks.json"

// JWKSURL is the JWKS of receipt signatures on the app's origin.
func (p Policy) JWKSURL() string {
	return p.PublicBaseURL + JWKSPath
}

// LinkURL is the candidate's personal link for a token.
func (p Policy) LinkURL(token string) string {
	return p.PublicBaseURL + "/c/" + token
}

// ManagePath is the path of a candidate's manage page for a token.
func ManagePath(token string) string { return "/m/" + token }

// ManageURL is the candidate's personal manage page for a token.
func (p Policy) ManageURL(token string) string {
	return p.PublicBaseURL + ManagePath(token)
}

// JoinPath is the path of a join-time link for a token: the page on which
// a candidate answers whether an interview may be recorded.
func JoinPath(token string) string { return "/j/" + token }

// JoinURL is a candidate's join-time link for a token.
func (p Policy) JoinURL(token string) string { return p.PublicBaseURL + JoinPath(token) }

// JoinQRURL is where the QR code of a join-time link is served.
func (p Policy) JoinQRURL(token string) string { return p.JoinURL(token) + "/qr.svg" }
