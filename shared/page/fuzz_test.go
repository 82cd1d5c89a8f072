package page

import (
	"errors"
	"slices"
	"testing"

	"github.com/consentflow/consentflow/shared/consent"
	"github.com/consentflow/consentflow/shared/httpapi"
)

// FuzzParseDecisions: a form body yields exactly one decision per purpose
// asked, in the request's order, or a validation error; never anything else.
func FuzzParseDecisions(f *testing.F) {
	for _, s := range []string{
		"talent_pool=grant&interview_recording=decline", "talent_pool=grant", "talent_pool=grant&talent_pool=decline",
		"interview_recording=grant&talent_pool=grant&marketing=grant", "%zz", "", "talent_pool=%67rant&interview_recording=decline",
		"talent_pool=grant;interview_recording=grant", "talent_pool=grant&interview_recording=decline&",
	} {
		f.Add(s)
	}
	r := consent.Request{Purposes: []consent.Purpose{consent.TalentPool, consent.InterviewRecording}}
	f.Fuzz(func(t *testing.T, body string) {
		got, err := ParseDecisions([]byte(body), r)
		if err != nil {
			var v *consent.ValidationError
			if !errors.As(err, &v) || v.Field == "" {
				t.Fatalf("%q: error %v is not a validation error naming a field", body, err)
			}
			return
		}
		if len(got) != len(r.Purposes) {
			t.Fatalf("%q: %d decisions for %d purposes", body, len(got), len(r.Purposes))
		}
		for i, d := range got {
			if d.Purpose != r.Purposes[i] {
				t.Fatalf("%q: decision %d is for %s, want %s", body, i, d.Purpose, r.Purposes[i])
			}
		}
	})
}

// FuzzLanguage: whatever Accept-Language a browser sends, the page is in a
// supported language.
func FuzzLanguage(f *testing.F) {
	for _, s := range []string{"de-AT,de;q=0.9,en;q=0.8", "sk", "cs-CZ;q=0.5, *;q=0.1", "", ",,,;", "es, fr-CA", "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, header string) {
		lang := Language(httpapi.Request{Headers: map[string]string{"accept-language": header}})
		if !slices.Contains(consent.Locales, lang) {
			t.Fatalf("Language(%q) = %q, not a supported locale", header, lang)
		}
	})
}
