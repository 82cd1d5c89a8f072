package consent

import (
	"encoding/base64"
	"errors"
	"slices"
	"testing"
)

// FuzzValidLinkToken: whatever reaches /c/{token}, a token is accepted only
// when it has NewLinkToken's shape: 43 URL-safe base64 characters that
// decode to 256 bits.
func FuzzValidLinkToken(f *testing.F) {
	f.Add(NewLinkToken())
	f.Add("")
	f.Add("../../etc/passwd")
	f.Add("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")
	f.Fuzz(func(t *testing.T, s string) {
		if !ValidLinkToken(s) {
			return
		}
		b, err := base64.RawURLEncoding.DecodeString(s)
		if len(s) != 43 || err != nil || len(b) != 32 {
			t.Fatalf("accepted %q: %d characters, %d bytes, %v", s, len(s), len(b), err)
		}
		for _, c := range []byte(s) {
			if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
				t.Fatalf("accepted %q with %q", s, c)
			}
		}
	})
}

// FuzzParseLocale: a locale is either one we have translations for, stable
// when parsed again, or a validation error on the field "locale".
func FuzzParseLocale(f *testing.F) {
	for _, s := range []string{"en", "de-AT", "FR_ca", "sk-SK", "cs", "es", "", "-", "de\x00", "\u0130t"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, tag string) {
		lang, err := ParseLocale(tag)
		if err != nil {
			var v *ValidationError
			if !errors.As(err, &v) || v.Field != "locale" {
				t.Fatalf("ParseLocale(%q): %v, want a validation error on locale", tag, err)
			}
			return
		}
		if !slices.Contains(Locales, lang) {
			t.Fatalf("ParseLocale(%q) = %q, not a supported locale", tag, lang)
		}
		if again, err := ParseLocale(lang); err != nil || again != lang {
			t.Fatalf("ParseLocale(%q) = %q, %v; want it stable", lang, again, err)
		}
	})
}
