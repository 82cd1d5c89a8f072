package browser

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// api calls the recruiter API with the local recruiter's bearer token and
// decodes the JSON answer into out (when not nil).
func api(t *testing.T, method, path string, body any, out any) int {
	t.Helper()
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, cloud.AppURL+path, r)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+cloud.RecruiterToken)
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if out != nil && len(b) > 0 {
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatalf("%s %s: %d %s", method, path, res.StatusCode, b)
		}
	}
	return res.StatusCode
}

// registerCandidate registers a candidate through the API and returns
// their id.
func registerCandidate(t *testing.T, name, email, locale string) string {
	t.Helper()
	var out struct{ ID string }
	if st := api(t, "POST", "/api/candidates", map[string]string{"name": name, "email": email, "locale": locale}, &out); st != http.StatusCreated {
		t.Fatalf("register: %d", st)
	}
	return out.ID
}

// emailLink waits for an email to a candidate whose subject contains
// subject and returns the first match of re in its text.
func emailLink(t *testing.T, to, subject string, re *regexp.Regexp) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for {
		emails, err := cloud.Outbox.Emails(ctx, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range emails {
			if len(e.Destination.To) > 0 && e.Destination.To[0] == to && strings.Contains(e.Subject, subject) {
				if m := re.FindString(e.Body.Text); m != "" {
					return m
				}
			}
		}
		select {
		case <-ctx.Done():
			t.Fatalf("no email %q with a link to %s", subject, to)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// scrollsSideways reports whether the page is wider than a viewport of the
// given width.
func scrollsSideways(t *testing.T, ctx context.Context, width int64) bool {
	t.Helper()
	must(t, ctx, chromedp.EmulateViewport(width, 800))
	return get(t, ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > document.documentElement.clientWidth`))
}

// A candidate who granted consent opens the manage link from their receipt
// on a phone and withdraws one consent with one click; the page says so and
// offers no second withdrawal, while the other consent stays given.
func TestCandidateWithdrawsOnTheManagePage(t *testing.T) {
	to := fmt.Sprintf("ada.%d@example.com", time.Now().UnixNano())
	id := registerCandidate(t, "Ada Lovelace", to, "en")
	if st := api(t, "POST", "/api/candidates/"+id+"/consent-requests", map[string]any{"purposes": []string{"talent_pool", "interview_recording"}}, nil); st != http.StatusAccepted {
		t.Fatalf("request consent: %d", st)
	}

	// The candidate grants both on their phone.
	cand := newBrowser(t)
	must(t, cand, chromedp.EmulateViewport(360, 800), chromedp.Navigate(consentLink(t, to)),
		chromedp.WaitVisible(chromedp.CSS(`form`)),
		chromedp.Click(chromedp.CSS(`input[name=talent_pool][value=grant]`)),
		chromedp.Click(chromedp.CSS(`input[name=interview_recording][value=grant]`)),
	)
	submit(t, cand, `button[type=submit]`)

	// The receipt carries the manage link.
	manage := emailLink(t, to, "Your consent receipt", regexp.MustCompile(`https?://[^\s"]+/m/[A-Za-z0-9_-]{43}`))
	must(t, cand, chromedp.EmulateViewport(360, 800), chromedp.Navigate(manage), chromedp.WaitVisible(chromedp.CSS(`h1`)))
	for _, want := range []string{"Talent pool", "Interview recording", "given"} {
		if got := text(t, cand, "main"); !strings.Contains(got, want) {
			t.Fatalf("the manage page does not show %q:\n%s", want, got)
		}
	}
	withdraw := `form:has(input[name=purpose][value=talent_pool]) button[type=submit]`
	if n := get(t, cand, chromedp.Evaluate[int](`document.querySelectorAll('input[name=action][value=withdraw]').length`)); n != 2 {
		t.Fatalf("the page offers %d withdrawals, want one per given consent", n)
	}
	if scrollsSideways(t, cand, 320) {
		t.Error("the manage page at 320 px scrolls sideways")
	}
	checkAccessible(t, cand, "manage page at 320 px")
	shoot(t, cand, "candidate-manage")

	// One click withdraws.
	must(t, cand, chromedp.EmulateViewport(360, 800))
	submit(t, cand, withdraw)
	if got := text(t, cand, `[role=status]`); !strings.Contains(got, "withdrawn") {
		t.Fatalf("after Withdraw the page says %q", got)
	}
	if state := text(t, cand, `section:has(#p-talent_pool) dd`); state != "withdrawn" {
		t.Errorf("talent pool shows %q after the withdrawal, want withdrawn", state)
	}
	if state := text(t, cand, `section:has(#p-interview_recording) dd`); !strings.HasPrefix(state, "given") {
		t.Errorf("interview recording shows %q, want it still given", state)
	}
	if n := get(t, cand, chromedp.Evaluate[int](`document.querySelectorAll('input[name=purpose][value=talent_pool]').length`)); n != 0 {
		t.Error("the withdrawn consent still offers Withdraw")
	}
	if scrollsSideways(t, cand, 320) {
		t.Error("the withdrawn page at 320 px scrolls sideways")
	}
	shoot(t, cand, "candidate-manage-withdrawn")

	// The recruiter's API agrees.
	var out struct {
		Consents []struct{ Purpose, State string }
	}
	api(t, "GET", "/api/candidates/"+id+"/consents", nil, &out)
	for _, c := range out.Consents {
		if c.Purpose == "talent_pool" && c.State != "withdrawn" {
			t.Errorf("the API says talent_pool is %s", c.State)
		}
	}
}
