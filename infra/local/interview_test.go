package local_test

import (
	"fmt"
	"net/http"
	"testing"
	"time"
)

// An interview scheduled three days ahead is asked about the day before,
// once: no email before, one consent request for the recording after, and
// a later sweep sends no second one. A candidate who already consented to
// recording is not asked again for their next interview.
func TestAScheduledInterviewIsAskedAboutTheDayBefore(t *testing.T) {
	ownCloud(t, nil)
	to := uniqueEmail(t)
	id := register(t, to, "en")
	at := cloud.Clock.Now().Add(72 * time.Hour).UTC()
	res := do(t, "POST", "/api/candidates/"+id+"/interviews", fmt.Sprintf(`{"at":%q,"reference":"meet-day-before"}`, at.Format(time.RFC3339)), recruiter())
	if res.Status != http.StatusCreated {
		t.Fatalf("schedule: %d %s", res.Status, res.Body)
	}

	// Two days on: still more than a day before the interview, nobody asked.
	cloud.Clock.Advance(47 * time.Hour)
	time.Sleep(500 * time.Millisecond)
	if n := len(emailsTo(t, to, "asks for your consent")); n != 0 {
		t.Fatalf("%d consent emails two days before the interview, want none yet", n)
	}
	// Into the last day: the hourly sweep asks.
	advanceUntil(t, time.Hour, func() bool { return len(emailsTo(t, to, "asks for your consent")) > 0 })
	if now := cloud.Clock.Now(); !now.Before(at) || now.Before(at.Add(-26*time.Hour)) {
		t.Fatalf("asked at %s, want within the day before the interview at %s", now, at)
	}
	if got := consents(t, id)["interview_recording"].State; got != "requested" {
		t.Fatalf("interview recording %s, want requested", got)
	}
	cloud.Clock.Advance(2 * time.Hour)
	time.Sleep(500 * time.Millisecond)
	if n := len(emailsTo(t, to, "asks for your consent")); n != 1 {
		t.Fatalf("%d consent emails after a later sweep, want 1", n)
	}

	// The candidate consents; their next interview asks nothing.
	answer(t, to, "interview_recording", true)
	next := cloud.Clock.Now().Add(48 * time.Hour).UTC()
	if res := do(t, "POST", "/api/candidates/"+id+"/interviews", fmt.Sprintf(`{"at":%q,"reference":"meet-second"}`, next.Format(time.RFC3339)), recruiter()); res.Status != http.StatusCreated {
		t.Fatalf("schedule the second: %d %s", res.Status, res.Body)
	}
	cloud.Clock.Advance(30 * time.Hour)
	time.Sleep(800 * time.Millisecond)
	if n := len(emailsTo(t, to, "asks for your consent")); n != 1 {
		t.Fatalf("%d consent emails after the second interview's day before, want still 1 (consent is given)", n)
	}
}
