package consent

import (
	"fmt"
	"net/mail"
	"strings"
	"unicode"
	"unicode/utf8"
)

// checkName refuses names that could not be shown as they were typed, or
// that could change what an email or a page around them says (see
// CheckLine).
func checkName(name string) error { return CheckLine("name", name, 200) }

// CheckLine checks one line of text that someone typed and others are
// shown, in pages and emails (a name, a position). It refuses what could
// not be shown as it was typed, or could change what the text around it
// says: broken UTF-8, control characters (a CR/LF would put a line of the
// sender's choosing into an email, an ESC drives terminals), bidirectional
// overrides and isolates (they reorder the text that follows), line
// separators, and text with nothing visible in it. field names the input
// in the error.
func CheckLine(field, s string, max int) error {
	if s == "" {
		return &ValidationError{Field: field, Reason: "a " + field + " is required"}
	}
	if err := checkText(field, s, max, false); err != nil {
		return err
	}
	for _, r := range s {
		if !invisible(r) && (unicode.IsLetter(r) || unicode.IsNumber(r)) {
			return nil
		}
	}
	return &ValidationError{Field: field, Reason: "a " + field + " needs at least one visible letter"}
}

// CheckText checks free text of one or more lines that others are shown (a
// note, a reason): as CheckLine, except that it may be empty or blank and
// may hold line breaks and tabs.
func CheckText(field, s string, max int) error { return checkText(field, s, max, true) }

func checkText(field, s string, max int, lines bool) error {
	invalid := func(reason string) error { return &ValidationError{Field: field, Reason: reason} }
	switch {
	case !utf8.ValidString(s):
		return invalid("the " + field + " is not valid UTF-8")
	case utf8.RuneCountInString(s) > max:
		return invalid(fmt.Sprintf("a %s is at most %d characters", field, max))
	}
	for _, r := range s {
		switch {
		case r == utf8.RuneError:
			return invalid("the " + field + " holds U+FFFD, the mark of text whose encoding was broken; send it as UTF-8")
		case lines && (r == '\n' || r == '\r' || r == '\t'):
		case unicode.IsControl(r):
			if lines {
				return invalid("a " + field + " may not hold control characters other than line breaks and tabs")
			}
			return invalid("a " + field + " may not hold control characters (line breaks, tabs, escapes)")
		case bidiControl(r):
			return invalid("a " + field + " may not hold bidirectional override or isolate characters")
		case r == '\u2028' || r == '\u2029':
			return invalid("a " + field + " may not hold line or paragraph separators")
		}
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
