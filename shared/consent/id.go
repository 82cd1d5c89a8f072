package consent

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/base64"
	"encoding/hex"
	"net/netip"
)

// NewID returns a random 128-bit identifier in base32 (26 characters), safe
// in URLs, DynamoDB keys and Step Functions execution names.
func NewID() string { return rand.Text() }

// ValidID reports whether s has the shape of an ID from NewID or IDFromKey,
// so that a malformed ID is "not found" before any lookup.
func ValidID(s string) bool {
	if len(s) != 26 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c >= 'A' && c <= 'Z' || c >= '2' && c <= '7') {
			return false
		}
	}
	return true
}

// NewLinkToken returns a random 256-bit candidate link token. Only its hash
// (HashLinkToken) is ever stored.
func NewLinkToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go ≥ 1.24)
	return base64.RawURLEncoding.EncodeToString(b)
}

// HashLinkToken is the stored form of a link token.
func HashLinkToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// ValidLinkToken reports whether s has the shape of a token from NewLinkToken,
// so that garbage is rejected before any lookup.
// The decoder alone is not enough: it skips CR and LF, so it would take a
// token with line breaks in it; and Strict refuses the variants that differ
// only in the last character's unused bits.
func ValidLinkToken(s string) bool {
	if len(s) != 43 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	b, err := base64.RawURLEncoding.Strict().DecodeString(s)
	return err == nil && len(b) == 32
}

// NetworkOf cuts the host part off an IP address (IPv4 to its /24, IPv6 to
// its /48), so that what is kept points to a network, never to a device.
// Anything that is not an address becomes "".
func NetworkOf(ip string) string {
	addr, err := netip.ParseAddr(ip)
	if err != nil {
		return ""
	}
	bits := 48
	if addr.Unmap().Is4() {
		addr, bits = addr.Unmap(), 24
	}
	prefix, _ := addr.Prefix(bits)
	return prefix.String()
}

// Pseudonym is a keyed hash of personal data (an IP address, an email) for
// audit records and logs, so they never hold the value itself.
func Pseudonym(key []byte, value string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(value))
	return hex.EncodeToString(m.Sum(nil))[:32]
}

// IDFromKey derives an ID from a caller's idempotency key and its scope, so
// that a retried request maps to the same ID. It has NewID's shape.
func IDFromKey(parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(h.Sum(nil)[:16])
}
