package local_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/consentflow/consentflow/infra/local"
	"github.com/consentflow/consentflow/infra/topology"
)

// ownCloud starts a local cloud for one test, with settings of its own, and
// makes it the package's cloud until the test ends, so the helpers reach
// it. Its clock moves years ahead without disturbing the other tests'.
func ownCloud(t *testing.T, settings map[string]string) *local.Cloud {
	t.Helper()
	root, _ := filepath.Abs(filepath.Join("..", ".."))
	c, err := local.Start(context.Background(), topology.App, local.Config{Root: root, Bootstraps: bootstraps, Settings: settings})
	if err != nil {
		t.Fatal(err)
	}
	shared := cloud
	cloud = c
	t.Cleanup(func() {
		cloud = shared
		c.Close()
	})
	return c
}

// advanceUntil moves the clock step by step until done, giving the
// schedules time to notice each step.
func advanceUntil(t *testing.T, step time.Duration, done func() bool) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for !done() {
		if time.Now().After(deadline) {
			t.Fatal("not done after the schedules ran")
		}
		cloud.Clock.Advance(step)
		time.Sleep(300 * time.Millisecond)
	}
}

// A candidate in the talent pool is asked to renew 30 days before their
// consent expires, once; the privacy contact gets a digest of a CV due
// within the week, with the candidate's id and console link and no name.
func TestRenewalReminderAndErasureDigest(t *testing.T) {
	ownCloud(t, map[string]string{topology.SettingApplicationRetention: "P2D"})
	contact := cloud.Settings[topology.SettingControllerContact]

	// A CV whose application closes now: due in two days.
	cvTo := uniqueEmail(t)
	cvOwner := register(t, cvTo, "en")
	app := openApplication(t, cvOwner)
	docID := uploadCV(t, cvOwner, app, []byte("%PDF-1.4 a CV"))
	if res := do(t, "POST", "/api/candidates/"+cvOwner+"/applications/"+app+"/close", `{"outcome":"rejected"}`, recruiter()); res.Status/100 != 2 {
		t.Fatalf("close application: %d %s", res.Status, res.Body)
	}

	// A candidate who joins the talent pool (730 days).
	poolTo := uniqueEmail(t)
	pool := register(t, poolTo, "de")
	requestConsent(t, pool, "talent_pool")
	answer(t, poolTo, "talent_pool", true)
	if got := consents(t, pool)["talent_pool"].State; got != "given" {
		t.Fatalf("talent pool %s, want given", got)
	}

	// The first daily run: the digest lists the CV, and no renewal is due.
	advanceUntil(t, 6*time.Hour, func() bool { return len(emailsTo(t, contact, "to be erased")) > 0 })
	digest := emailsTo(t, contact, "to be erased")
	if len(digest) != 1 {
		t.Fatalf("%d digests, want 1", len(digest))
	}
	d := digest[0]
	for _, want := range []string{"1 file", docID, "1 CV", "/console/candidates/" + cvOwner} {
		if !strings.Contains(d.Subject+d.Body.Text, want) || d.Body.HTML == "" {
			t.Errorf("digest lacks %q:\n%s\n%s", want, d.Subject, d.Body.Text)
		}
	}
	if strings.Contains(d.Body.Text+d.Body.HTML, "Ada") || strings.Contains(d.Body.Text+d.Body.HTML, cvTo) {
		t.Errorf("the digest names the candidate:\n%s", d.Body.Text)
	}
	if n := len(emailsTo(t, poolTo, "erneuern")); n != 0 {
		t.Fatalf("%d renewal invitations two years early", n)
	}

	// 701 days on, within 30 days of the expiry: one renewal invitation,
	// in the candidate's language, saying when the consent expires.
	cloud.Clock.Advance(700 * 24 * time.Hour)
	advanceUntil(t, 6*time.Hour, func() bool { return len(emailsTo(t, poolTo, "erneuern")) > 0 })
	inv := emailsTo(t, poolTo, "erneuern")[0]
	if !strings.Contains(inv.Body.Text, "Talentpool") || !strings.Contains(inv.Body.Text, "läuft am") || link(t, inv) == "" {
		t.Fatalf("renewal invitation:\n%s", inv.Body.Text)
	}
	if got := consents(t, pool)["talent_pool"].State; got != "given" {
		t.Fatalf("talent pool %s while the renewal is pending, want given", got)
	}

	// Later sweeps send nothing more.
	cloud.Clock.Advance(2 * 24 * time.Hour)
	time.Sleep(time.Second)
	if n := len(emailsTo(t, poolTo, "erneuern")); n != 1 {
		t.Fatalf("%d renewal invitations after a second sweep, want 1", n)
	}
}
