package page

import (
	"fmt"
	"html"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/consentflow/consentflow/shared/consent"
	"github.com/consentflow/consentflow/shared/httpapi"
	"github.com/consentflow/consentflow/shared/locale"
	"github.com/consentflow/consentflow/shared/store"
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
	// The page shows what the request promised, not today's settings.
	r := consent.Request{Purposes: []consent.Purpose{consent.TalentPool}, NoticeVersion: "v7", NoticeURL: "https://acme.example/privacy-v7",
		Controller: "ACME <GmbH>", Retention: map[consent.Purpose]int{consent.TalentPool: 730}}
	res := Render(http.StatusOK, NewForm(p, locale.For("de"), r, "/c/tok"))
	for _, want := range []string{
		`<html lang="de">`, `<fieldset>`, `<legend>Talentpool</legend>`, `name="talent_pool" value="grant" required`,
		`ACME &lt;GmbH&gt;`, "Version v7", `href="https://acme.example/privacy-v7"`, "730 Tage", `method="post" action="/c/tok?lang=de"`, "Widerruf",
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
		v := Visit{M: m, Controller: "ACME", Contact: "privacy@acme.example"}
		page := Error(t.Context(), nil, browser, v, tt.err)
		if page.StatusCode != tt.status || !strings.Contains(page.Body, tt.text) || page.Headers["Content-Type"] != Headers["Content-Type"] {
			t.Errorf("%T as a page: %d %s", tt.err, page.StatusCode, page.Body)
		}
		problem := Error(t.Context(), nil, client, v, tt.err)
		if problem.StatusCode != tt.status || problem.Headers["Content-Type"] != "application/problem+json" {
			t.Errorf("%T as a problem: %d %v", tt.err, problem.StatusCode, problem.Headers)
		}
	}
}

// Every page offers the other languages as plain links to the same page,
// the current one marked, each named in its own language.
func TestLanguageSwitcher(t *testing.T) {
	r := consent.Request{Purposes: []consent.Purpose{consent.TalentPool}, Controller: "ACME", Retention: map[consent.Purpose]int{consent.TalentPool: 730}}
	form := Render(http.StatusOK, NewForm(consent.Policy{}, locale.For("sk"), r, "/c/tok"))
	for _, want := range []string{
		`<html lang="sk">`, `<nav class="langs" aria-label="Jazyk">`,
		`<a href="/c/tok?lang=sk" hreflang="sk" lang="sk" aria-current="page">Slovenčina</a>`,
		`<a href="/c/tok?lang=cs" hreflang="cs" lang="cs">Čeština</a>`, `<a href="/c/tok?lang=de" hreflang="de" lang="de">Deutsch</a>`,
		`<a href="/c/tok?lang=fr" hreflang="fr" lang="fr">Français</a>`, `<a href="/c/tok?lang=en" hreflang="en" lang="en">English</a>`,
		"Databáza talentov", "Súhlasím",
	} {
		if !strings.Contains(form.Body, want) {
			t.Errorf("Slovak form lacks %q", want)
		}
	}
	if strings.Contains(form.Body, "<script") {
		t.Error("the switcher needs no script")
	}
	// A page whose link is not ours has no switcher to send anywhere.
	if p := Error(t.Context(), nil, httpapi.Request{Headers: map[string]string{"accept": "text/html"}}, Visit{M: locale.For("en")},
		&consent.NotFoundError{What: "link"}); strings.Contains(p.Body, "<nav") {
		t.Error("a switcher on a page without a link")
	}
}

func TestLanguageFor(t *testing.T) {
	req := func(query, acceptLanguage string) httpapi.Request {
		r := httpapi.Request{Headers: map[string]string{"accept-language": acceptLanguage}}
		if query != "" {
			r.QueryStringParameters = map[string]string{"lang": query}
		}
		return r
	}
	for _, tt := range []struct {
		query, stored, browser, want string
	}{
		{"cs", "sk", "de", "cs"},   // chosen with the switcher
		{"", "sk", "de", "sk"},     // the candidate's stored locale
		{"", "", "de-AT,en", "de"}, // the browser's, before the link is known
		{"xx", "fr", "de", "fr"},   // an unknown choice is ignored
		{"CS", "", "", "en"},       // exact codes only, as the switcher writes them
		{"", "", "", "en"},
	} {
		if got := LanguageFor(req(tt.query, tt.browser), tt.stored); got != tt.want {
			t.Errorf("LanguageFor(lang=%q, stored %q, Accept-Language %q) = %q, want %q", tt.query, tt.stored, tt.browser, got, tt.want)
		}
	}
}

// An expired, unknown or answered link is not a dead end: the page names
// the controller, how to reach them and what to do next, in the visit's
// language.
func TestDeadEndsSayWhatToDoNext(t *testing.T) {
	browser := httpapi.Request{Headers: map[string]string{"accept": "text/html"}}
	for _, lang := range consent.Locales {
		m := locale.For(lang)
		v := Visit{M: m, Path: "/c/tok", Controller: "ACME s.r.o.", Contact: "privacy@acme.example"}
		for _, tt := range []struct {
			err   error
			title string
			next  string
		}{
			{&consent.LinkExpiredError{}, m.Expired, m.ExpiredNext},
			{&consent.NotFoundError{What: "link"}, m.NotFound, m.NotFoundNext},
			{&consent.ConflictError{Reason: "answered"}, m.AlreadyAnswered, m.AnsweredNext},
		} {
			res := Error(t.Context(), nil, browser, v, tt.err)
			body := html.UnescapeString(res.Body)
			for _, want := range []string{`<html lang="` + lang + `">`, tt.title, fmt.Sprintf(tt.next, "privacy@acme.example"),
				fmt.Sprintf(m.ContactLine, "ACME s.r.o.", "privacy@acme.example"), `aria-current="page">` + m.LanguageName} {
				if !strings.Contains(body, want) {
					t.Errorf("%s %T page lacks %q", lang, tt.err, want)
				}
			}
		}
	}
}

// The outcome page of an answered request says how to withdraw later.
func TestOutcomeSaysHowToWithdraw(t *testing.T) {
	v := Visit{M: locale.For("cs"), Path: "/c/tok", Controller: "ACME", Contact: "privacy@acme.example"}
	out := v.Outcome(v.M.Thanks, v.M.ThanksDetail)
	out.Withdraw = "privacy@acme.example"
	out.Decisions = []DecisionView{{Name: v.M.PurposeNames[consent.TalentPool], State: consent.Given}}
	body := html.UnescapeString(Render(http.StatusOK, out).Body)
	for _, want := range []string{"Odvolání souhlasu", fmt.Sprintf(v.M.WithdrawHow, "privacy@acme.example"), "Databáze talentů: Souhlas jste udělili"} {
		if !strings.Contains(body, want) {
			t.Errorf("outcome lacks %q:\n%s", want, body)
		}
	}
}

// Long words (German compounds, URLs) wrap instead of widening the page,
// and the label/value grid becomes one column on narrow screens, so that
// nothing scrolls sideways from 320 px.
func TestNarrowScreensDoNotScrollSideways(t *testing.T) {
	r := consent.Request{Purposes: []consent.Purpose{consent.TalentPool}, Controller: "ACME", Retention: map[consent.Purpose]int{consent.TalentPool: 730}}
	body := Render(http.StatusOK, NewForm(consent.Policy{}, locale.For("de"), r, "/c/tok")).Body
	for _, want := range []string{`name="viewport" content="width=device-width, initial-scale=1"`, "overflow-wrap: anywhere", "hyphens: auto",
		"@media (max-width: 30rem) { dl { grid-template-columns: minmax(0, 1fr); }"} {
		if !strings.Contains(body, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	if strings.Contains(body, "max-content 1fr") {
		t.Error("a max-content column can push the page wider than the screen")
	}
}

// Every candidate page names the supervisory authority (GDPR Art. 77),
// linked, beside the controller's contact, in the page's language.
func TestEveryPageNamesTheSupervisoryAuthority(t *testing.T) {
	const name, url = "Úrad na ochranu osobných údajov Slovenskej republiky", "https://dataprotection.gov.sk"
	p := consent.Policy{Controller: "ACME", ControllerContact: "privacy@acme.example", SupervisoryAuthority: name, SupervisoryAuthorityURL: url}
	browser := httpapi.Request{Headers: map[string]string{"accept": "text/html"}}
	r := consent.Request{Purposes: []consent.Purpose{consent.InterviewRecording}, Controller: "ACME",
		Retention: map[consent.Purpose]int{consent.InterviewRecording: 180}}
	for _, lang := range consent.Locales {
		m := locale.For(lang)
		v := Visit{M: m, Path: "/m/tok", Controller: "ACME", Contact: "privacy@acme.example", Authority: name, AuthorityURL: url}
		pages := map[string]string{
			"consent": Render(http.StatusOK, NewForm(p, m, r, "/c/tok")).Body,
			"join":    Render(http.StatusOK, NewJoin(p, m, r, consent.InterviewRecording, "/j/tok", time.Now())).Body,
			"manage":  Render(http.StatusOK, NewManage(v, store.Holdings{}, false, time.Now())).Body,
			"erasing": Render(http.StatusOK, NewManage(v, store.Holdings{}, true, time.Now())).Body,
			"confirm": Render(http.StatusOK, NewConfirm(v, "/m/tok")).Body,
			"outcome": Render(http.StatusOK, v.Outcome("Done", "")).Body,
			"error":   Error(t.Context(), nil, browser, v, &consent.NotFoundError{What: "link"}).Body,
		}
		for page, body := range pages {
			body = html.UnescapeString(body)
			for _, want := range []string{m.Complaint, `<a href="` + url + `" rel="noreferrer">` + name + `</a>`, "privacy@acme.example"} {
				if !strings.Contains(body, want) {
					t.Errorf("%s %s page lacks %q", lang, page, want)
				}
			}
		}
	}
}
