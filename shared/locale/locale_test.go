package locale

import (
	"testing"
	"time"
)

func TestEveryLocaleIsComplete(t *testing.T) {
	if err := Check(); err != nil {
		t.Fatal(err)
	}
}

func TestDatesAreWrittenTheLocalWay(t *testing.T) {
	at := time.Date(2026, 3, 2, 9, 5, 0, 0, time.FixedZone("CET", 3600))
	for lang, want := range map[string]string{
		"en": "2 March 2026, 08:05 UTC",
		"de": "2. März 2026, 08:05 Uhr UTC",
		"fr": "2 mars 2026 à 08:05 UTC",
	} {
		if got := For(lang).Date(at); got != want {
			t.Errorf("%s: %q, want %q", lang, got, want)
		}
	}
	if got := (Messages{}).Date(at); got != "2026-03-02 08:05 UTC" {
		t.Errorf("without month names: %q", got)
	}
}
