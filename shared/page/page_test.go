package page

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/consentflow/consentflow/shared/consent"
	"github.com/consentflow/consentflow/shared/httpapi"
	"github.com/consentflow/consentflow/shared/locale"
)

func TestParseDecisions(t *testing.T) {
	r := consent.Request{Purposes: []consent.Purpose{consent.TalentPool, consent.InterviewRecording}}
	tests := []struct {
		body string
		want string // "" when invalid
	}{
		{"talent_pool=grant&interview_recording=decline", "talent_pool:true,interview_recording:false"},
		{"interview_recording=grant&talent_pool=grant", "talent_pool:true,interview_recording:true"},
		{"talent_pool=grant", ""},
		{"talent_pool=grant&interview_recording=maybe", ""},
		{"talent_pool=grant&talent_pool=decline&interview_recording=grant", ""},
		{"talent_pool=grant&interview_recording=grant&marketing=grant", ""},
		{"%zz", ""},
		{"", ""},
	}
	for _, tt := range tests {
		got, err := ParseDecisions([]byte(tt.body), r)
		if tt.want == "" {
			if err == nil {
				t.Errorf("%q: no error, got %v", tt.body, got)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q: %v", tt.body, err)
			continue
		}
		var parts []string
		for _, d := range got {
			parts = append(parts, string(d.Purpose)+":"+map[bool]string{true: "true", false: "false"}[d.Grant])
		}
		if strings.Join(parts, ",") != tt.want {
			t.Errorf("%q = %v, want %s", tt.body, parts, tt.want)
		}
	}
}

func TestFormIsAccessibleAndLocalized(t *testing.T) {
	p := consent.Policy{Controller: "Renamed since", ControllerContact: "privacy@acme.example", NoticeURL: "https://acme.example/privacy-v8",
		Retention: map[consent.Purpose]time.Duration{consent.TalentPool: 999 * 24 * time.Hour}}
	c := consent.Candidate{Locale: "de"}
	// The page shows what the request promised, not today's settings.
	r := consent.Request{Purposes: []consent.Purpose{consent.TalentPool}, NoticeVersion: "v7", NoticeURL: "https://acme.example/privacy-v7",
		Controller: "ACME <GmbH>", Retention: map[consent.Purpose]int{consent.TalentPool: 730}}
	res := Render(http.StatusOK, NewForm(p, c, r, "/c/tok"))
	for _, want := range []string{
		`<html lang="de">`, `<fieldset>`, `<legend>Talentpool</legend>`, `name="talent_pool" value="grant" required`,
		`ACME &lt;GmbH&gt;`, "Version v7", `href="https://acme.example/privacy-v7"`, "730 Tage", `method="post" action="/c/tok"`, "Widerruf",
	} {
		if !strings.Contains(res.Body, want) {
			t.Errorf("form lacks %q", want)
		}
	}
	if res.Headers["X-Frame-Options"] != "DENY" || !strings.Contains(res.Headers["Content-Security-Policy"], "frame-ancestors 'none'") {
		t.Errorf("form can be framed: %v", res.Headers)
	}
}

func TestErrorsForBrowsersAndClients(t *testing.T) {
	m := locale.For("en")
	browser := httpapi.Request{Headers: map[string]string{"accept": "text/html"}}
	client := httpapi.Request{Headers: map[string]string{"accept": "application/json"}}
	for _, tt := range []struct {
		err    error
		status int
		text   string
	}{
		{&consent.NotFoundError{What: "link"}, 404, m.NotFound},
		{&consent.LinkExpiredError{}, 410, m.Expired},
		{&consent.ConflictError{Reason: "answered"}, 409, m.AlreadyAnswered},
	} {
		page := Error(t.Context(), nil, browser, m, tt.err)
		if page.StatusCode != tt.status || !strings.Contains(page.Body, tt.text) || page.Headers["Content-Type"] != Headers["Content-Type"] {
			t.Errorf("%T as a page: %d %s", tt.err, page.StatusCode, page.Body)
		}
		problem := Error(t.Context(), nil, client, m, tt.err)
		if problem.StatusCode != tt.status || problem.Headers["Content-Type"] != "application/problem+json" {
			t.Errorf("%T as a problem: %d %v", tt.err, problem.StatusCode, problem.Headers)
		}
	}
}
