package mail

import (
	"strings"
	"testing"
	"time"

	"github.com/consentflow/consentflow/shared/consent"
)

func TestARenewalInvitationSaysItIsARenewalAndWhenConsentExpires(t *testing.T) {
	m := New(nil, "consent@example.com", policy)
	expires := time.Date(2028, 11, 27, 9, 0, 0, 0, time.UTC)
	plain := consent.Request{Controller: "Example Recruiting Ltd", ExpiresAt: time.Date(2028, 10, 28, 9, 0, 0, 0, time.UTC),
		Purposes: []consent.Purpose{consent.TalentPool}}
	renewal := plain
	renewal.RenewsUntil = &expires
	for lang, want := range map[string][]string{
		"en": {"asks you to renew your consent", "expires on 27 November 2028, 09:00 UTC", "If you do not answer"},
		"de": {"bittet Sie, Ihre Einwilligung zu erneuern", "läuft am 27. November 2028, 09:00 Uhr UTC ab"},
		"fr": {"renouveler votre consentement", "expire le 27 novembre 2028 à 09:00 UTC"},
		"sk": {"obnovenie súhlasu", "vyprší 27. novembra 2028, 09:00 UTC"},
		"cs": {"obnovení souhlasu", "vyprší 27. listopadu 2028, 09:00 UTC"},
	} {
		c := consent.Candidate{Name: "Ada", Email: "ada@example.com", Locale: lang}
		msg := m.Invitation(c, renewal, "https://consent.example.com/c/tok", "https://consent.example.com/m/tok")
		if !strings.Contains(msg.Subject, want[0]) {
			t.Errorf("%s: subject %q lacks %q", lang, msg.Subject, want[0])
		}
		for _, body := range []string{msg.Text, msg.HTML} {
			for _, w := range want[1:] {
				if !strings.Contains(body, w) {
					t.Errorf("%s: body lacks %q:\n%s", lang, w, body)
				}
			}
		}
		if first := m.Invitation(c, plain, "https://consent.example.com/c/tok", "https://consent.example.com/m/tok"); first.Subject == msg.Subject || strings.Contains(first.Text, want[1]) {
			t.Errorf("%s: a first request reads like a renewal: %q", lang, first.Subject)
		}
	}
}

func TestTheErasureDigestListsEachDayWithIdsAndConsoleLinksOnly(t *testing.T) {
	m := New(nil, "consent@example.com", policy)
	from := time.Date(2026, 12, 1, 6, 0, 0, 0, time.UTC)
	day2, day5 := from.Add(26*time.Hour), from.Add(4*24*time.Hour+time.Hour)
	msg := m.ErasureDigest("privacy@example.com", from, 7*24*time.Hour, []Pending{
		{CandidateID: "CAND2", ArtifactID: "REC1", Kind: consent.KindRecording, DeleteBy: day5, ConsoleURL: "https://app.example.com/console/candidates/CAND2"},
		{CandidateID: "CAND1", ArtifactID: "CV1", Kind: consent.KindCV, DeleteBy: day2, ConsoleURL: "https://app.example.com/console/candidates/CAND1"},
		{CandidateID: "CAND1", ArtifactID: "CV2", Kind: consent.KindCV, DeleteBy: day2, ConsoleURL: "https://app.example.com/console/candidates/CAND1"},
	})
	if msg.To != "privacy@example.com" || !strings.Contains(msg.Subject, "3 files to be erased by 2026-12-08") {
		t.Fatalf("message %q to %s", msg.Subject, msg.To)
	}
	for _, want := range []string{"2026-12-02: 2 CVs", "2026-12-05: 1 recording", "- CV CV1 at 08:00 UTC, candidate CAND1: https://app.example.com/console/candidates/CAND1"} {
		if !strings.Contains(msg.Text, want) {
			t.Errorf("text lacks %q:\n%s", want, msg.Text)
		}
	}
	if i, j := strings.Index(msg.Text, "2026-12-02"), strings.Index(msg.Text, "2026-12-05"); i > j {
		t.Errorf("days out of order:\n%s", msg.Text)
	}
	if !strings.Contains(msg.HTML, `<a href="https://app.example.com/console/candidates/CAND2">CAND2</a>`) || !strings.Contains(msg.HTML, "2026-12-05: 1 recording") {
		t.Errorf("HTML:\n%s", msg.HTML)
	}
}
