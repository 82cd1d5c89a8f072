package consent

import (
	"net/mail"
	"strings"
	"unicode"
	"unicode/utf8"
)

// checkName refuses names that could not be shown as they were typed, or
// that could change what an email or a page around them says: broken UTF-8,
// control characters (a CR/LF would put a line of the attacker's choosing
// into an email, an ESC drives terminals), bidirectional overrides and
// isolates (they reorder the text that follows), line separators, and names
// with nothing visible in them.
func checkName(name string) error {
	invalid := func(reason string) error { return &ValidationError{Field: "name", Reason: reason} }
	switch {
	case name == "":
		return invalid("a name is required")
	case !utf8.ValidString(name):
		return invalid("the name is not valid UTF-8")
	case utf8.RuneCountInString(name) > 200:
		return invalid("a name is at most 200 characters")
	}
	visible := false
	for _, r := range name {
		switch {
		case r == utf8.RuneError:
			return invalid("the name holds U+FFFD, the mark of text whose encoding was broken; send it as UTF-8")
		case unicode.IsControl(r):
			return invalid("a name may not hold control characters (line breaks, tabs, escapes)")
		case bidiControl(r):
			return invalid("a name may not hold bidirectional override or isolate characters")
		case r == '\u2028' || r == '\u2029':
			return invalid("a name may not hold line or paragraph separators")
		case invisible(r):
		case unicode.IsLetter(r) || unicode.IsNumber(r):
			visible = true
		}
	}
	if !visible {
		return invalid("a name needs at least one visible letter")
	}
	return nil
}

// bidiControl reports the explicit embeddings, overrides and isolates of the
// Unicode bidirectional algorithm (UAX #9). The implicit marks (LRM, RLM,
// ALM) are allowed: they only nudge neutral characters.
func bidiControl(r rune) bool {
	return r >= '\u202A' && r <= '\u202E' || r >= '\u2066' && r <= '\u2069'
}

// invisible reports characters that show nothing by themselves: format
// characters (zero-width spaces and joiners, marks, BOM, soft hyphen),
// spaces, and the letters that render blank (the Hangul fillers).
func invisible(r rune) bool {
	switch r {
	case '\u115F', '\u1160', '\u3164', '\uFFA0', '\u2800':
		return true
	}
	return unicode.Is(unicode.Cf, r) || unicode.IsSpace(r)
}

// checkEmail accepts a plain ASCII address whose domain is a public name:
// dotted labels, not an address literal ([127.0.0.1]), not a bare host
// (localhost), not a dotted-quad IP.
func checkEmail(email string) error {
	addr, err := mail.ParseAddress(email)
	if err != nil || addr.Address != email || len(email) > 254 {
		return &ValidationError{Field: "email", Reason: "a plain email address such as ada@example.com is required"}
	}
	if !ascii(email) {
		// SES sends only to ASCII addresses: an internationalized domain
		// must be given in its punycode form (xn--...).
		return &ValidationError{Field: "email", Reason: "the address must be ASCII; write an internationalized domain in its xn-- (punycode) form"}
	}
	if !publicDomain(email[strings.LastIndexByte(email, '@')+1:]) {
		return &ValidationError{Field: "email", Reason: "the address needs a domain name with a dot, such as example.com (not localhost or an IP address)"}
	}
	return nil
}

// publicDomain reports whether d is a DNS name of at least two labels, each
// of letters, digits and inner hyphens, with a top-level label that is not
// all digits.
func publicDomain(d string) bool {
	labels := strings.Split(d, ".")
	if len(labels) < 2 || len(d) > 253 {
		return false
	}
	for _, l := range labels {
		if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return false
		}
		for i := 0; i < len(l); i++ {
			c := l[i]
			if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-') {
				return false
			}
		}
	}
	tld := labels[len(labels)-1]
	return strings.Trim(tld, "0123456789") != ""
}
