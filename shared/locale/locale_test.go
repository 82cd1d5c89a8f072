package locale

import (
	"fmt"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"time"

	"github.com/consentflow/consentflow/shared/consent"
)

func TestEveryLocaleIsComplete(t *testing.T) {
	if err := Check(); err != nil {
		t.Fatal(err)
	}
}

// Every translation takes the same arguments as the English sentence, in
// the same order: a lost or extra %s would print "%!s(MISSING)" to a
// candidate.
func TestTranslationsTakeTheSameArguments(t *testing.T) {
	verbs := regexp.MustCompile(`%[a-z]`)
	en := reflect.ValueOf(For("en"))
	for _, lang := range consent.Locales {
		m := reflect.ValueOf(For(lang))
		for i := 0; i < m.NumField(); i++ {
			if m.Field(i).Kind() != reflect.String {
				continue
			}
			want := strings.Join(verbs.FindAllString(en.Field(i).String(), -1), " ")
			if got := strings.Join(verbs.FindAllString(m.Field(i).String(), -1), " "); got != want {
				t.Errorf("%s.%s takes %q, English takes %q", lang, m.Type().Field(i).Name, got, want)
			}
		}
	}
}

// Slovak and Czech are written with their own letters (not stripped to
// ASCII), precomposed (no combining accents, which some mail clients and
// fonts render apart from their letter).
func TestSlovakAndCzechKeepTheirDiacritics(t *testing.T) {
	for lang, want := range map[string]string{"sk": "Váš súhlas", "cs": "Váš souhlas"} {
		m := For(lang)
		if m.Lang != lang || m.PageTitle != want {
			t.Errorf("%s: %q %q", lang, m.Lang, m.PageTitle)
		}
		all := fmt.Sprint(m)
		if !utf8.ValidString(all) || strings.ContainsFunc(all, func(r rune) bool { return unicode.Is(unicode.Mn, r) }) {
			t.Errorf("%s: messages are not precomposed UTF-8", lang)
		}
	}
	if !strings.Contains(For("sk").Intro, "osobných údajov") || !strings.Contains(For("cs").Intro, "osobních údajů") {
		t.Error("Slovak or Czech intro lost its diacritics")
	}
}

func TestDatesAreWrittenTheLocalWay(t *testing.T) {
	at := time.Date(2026, 3, 2, 9, 5, 0, 0, time.FixedZone("CET", 3600))
	for lang, want := range map[string]string{
		"en": "2 March 2026, 08:05 UTC",
		"de": "2. März 2026, 08:05 Uhr UTC",
		"fr": "2 mars 2026 à 08:05 UTC",
		"sk": "2. marca 2026, 08:05 UTC",
		"cs": "2. března 2026, 08:05 UTC",
	} {
		if got := For(lang).Date(at); got != want {
			t.Errorf("%s: %q, want %q", lang, got, want)
		}
	}
	if got := (Messages{}).Date(at); got != "2026-03-02 08:05 UTC" {
		t.Errorf("without month names: %q", got)
	}
}
