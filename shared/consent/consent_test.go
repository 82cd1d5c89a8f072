package consent

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

var t0 = time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)

func TestNewCandidate(t *testing.T) {
	tests := []struct {
		name, cname, email, locale string
		field                      string // "" when valid
		wantLocale                 string
	}{
		{"valid", "Ada Lovelace", "ada@example.com", "en", "", "en"},
		{"region subtag", "Ada", "ada@example.com", "de-AT", "", "de"},
		{"underscore and case", "Ada", "ada@example.com", "FR_ca", "", "fr"},
		{"name trimmed to nothing", "   ", "ada@example.com", "en", "name", ""},
		{"name too long", strings.Repeat("a", 201), "ada@example.com", "en", "name", ""},
		{"not an email", "Ada", "ada", "en", "email", ""},
		{"display name form", "Ada", "Ada <ada@example.com>", "en", "email", ""},
		{"non-ASCII domain", "Jürgen", "juergen@exämple.de", "de", "email", ""},
		{"punycode domain", "Jürgen", "juergen@xn--exmple-cua.de", "de", "", "de"},
		{"unsupported locale", "Ada", "ada@example.com", "es", "locale", ""},
		{"no locale", "Ada", "ada@example.com", "", "locale", ""},
		// Hostile names: each could change what an email or page says.
		{"CR/LF and a fake link", "Ada\r\nhttps://evil.example/withdraw", "ada@example.com", "en", "name", ""},
		{"line feed", "Ada\nLovelace", "ada@example.com", "en", "name", ""},
		{"NUL", "Ada\x00", "ada@example.com", "en", "name", ""},
		{"ANSI escape", "\x1b[31mAda\x1b[0m", "ada@example.com", "en", "name", ""},
		{"C1 control", "Ada\u0085Lovelace", "ada@example.com", "en", "name", ""},
		{"tab", "Ada\tLovelace", "ada@example.com", "en", "name", ""},
		{"bidi override", "Ada \u202Egnp.exe", "ada@example.com", "en", "name", ""},
		{"bidi isolate", "\u2066Ada\u2069", "ada@example.com", "en", "name", ""},
		{"line separator", "Ada\u2028Lovelace", "ada@example.com", "en", "name", ""},
		{"zero-width only", "\u200B\u200C\u200D\u2060\uFEFF", "ada@example.com", "en", "name", ""},
		{"Hangul filler only", "\u3164\u3164", "ada@example.com", "en", "name", ""},
		{"invalid UTF-8", "Ada \xff\xfe", "ada@example.com", "en", "name", ""},
		{"replacement character", "Ada \uFFFD", "ada@example.com", "en", "name", ""},
		{"accents and a joiner", "Zoë Ľudmila Dvořák-Šťastná", "zoe@example.com", "de", "", "de"},
		{"right-to-left name", "ليلى", "layla@example.com", "en", "", "en"},
		{"Persian with ZWNJ", "می\u200cخواهم", "m@example.com", "en", "", "en"},
		{"CJK", "毛泽", "mao@example.com", "en", "", "en"},
		// Addresses mail must not go to.
		{"localhost", "Ada", "a@localhost", "en", "email", ""},
		{"address literal", "Ada", "a@[127.0.0.1]", "en", "email", ""},
		{"dotted quad", "Ada", "a@127.0.0.1", "en", "email", ""},
		{"trailing dot", "Ada", "a@example.com.", "en", "email", ""},
		{"empty label", "Ada", "a@example..com", "en", "email", ""},
		{"hyphen edge", "Ada", "a@-example.com", "en", "email", ""},
		{"subdomain", "Ada", "a@mail.example.co.uk", "en", "", "en"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := NewCandidate(tt.cname, tt.email, tt.locale, t0)
			if tt.field == "" {
				if err != nil {
					t.Fatal(err)
				}
				if c.Locale != tt.wantLocale || len(c.ID) != 26 || !c.CreatedAt.Equal(t0) {
					t.Fatalf("candidate %+v", c)
				}
				return
			}
			var v *ValidationError
			if !errors.As(err, &v) || v.Field != tt.field {
				t.Fatalf("err = %v, want a ValidationError on %s", err, tt.field)
			}
		})
	}
}

func TestParsePurposes(t *testing.T) {
	tests := []struct {
		in   []string
		want []Purpose
		ok   bool
	}{
		{[]string{"talent_pool"}, []Purpose{TalentPool}, true},
		{[]string{"interview_recording", "talent_pool"}, []Purpose{InterviewRecording, TalentPool}, true},
		{nil, nil, false},
		{[]string{"marketing"}, nil, false},
		{[]string{"talent_pool", "talent_pool"}, nil, false},
		{[]string{"Talent_Pool"}, nil, false},
	}
	for _, tt := range tests {
		got, err := ParsePurposes(tt.in)
		if (err == nil) != tt.ok {
			t.Errorf("ParsePurposes(%v) err = %v, want ok=%v", tt.in, err, tt.ok)
			continue
		}
		if tt.ok && strings.Join(toStrings(got), ",") != strings.Join(toStrings(tt.want), ",") {
			t.Errorf("ParsePurposes(%v) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func toStrings(ps []Purpose) []string {
	s := make([]string, len(ps))
	for i, p := range ps {
		s[i] = string(p)
	}
	return s
}

func TestRequestAnswer(t *testing.T) {
	r := Request{Purposes: []Purpose{TalentPool, InterviewRecording}}
	tests := []struct {
		name      string
		decisions []Decision
		ok        bool
	}{
		{"every purpose once", []Decision{{TalentPool, true}, {InterviewRecording, false}}, true},
		{"order does not matter", []Decision{{InterviewRecording, true}, {TalentPool, true}}, true},
		{"one missing", []Decision{{TalentPool, true}}, false},
		{"one twice", []Decision{{TalentPool, true}, {TalentPool, false}}, false},
		{"one not asked", []Decision{{TalentPool, true}, {"marketing", true}}, false},
		{"none", nil, false},
	}
	for _, tt := range tests {
		if err := r.Answer(tt.decisions); (err == nil) != tt.ok {
			t.Errorf("%s: err = %v, want ok=%v", tt.name, err, tt.ok)
		}
	}
}

func TestRequestOpen(t *testing.T) {
	r := Request{Status: Pending, ExpiresAt: t0}
	if !r.Open(t0.Add(-time.Nanosecond)) || r.Open(t0) {
		t.Fatal("a pending request is open strictly before its expiry")
	}
	r.Status = Answered
	if r.Open(t0.Add(-time.Hour)) {
		t.Fatal("an answered request is not open")
	}
}

func TestStateAt(t *testing.T) {
	until := t0.Add(24 * time.Hour)
	tests := []struct {
		c    Consent
		at   time.Time
		want State
	}{
		{Consent{State: Given, ExpiresAt: &until}, t0, Given},
		{Consent{State: Given, ExpiresAt: &until}, until, Expired},
		{Consent{State: Refused}, until.Add(time.Hour), Refused},
		{Consent{State: Requested}, until, Requested},
	}
	for _, tt := range tests {
		if got := tt.c.StateAt(tt.at); got != tt.want {
			t.Errorf("%+v at %s = %s, want %s", tt.c, tt.at, got, tt.want)
		}
	}
}

func TestStatesHaveDPVTerms(t *testing.T) {
	for s, want := range map[State]string{
		Requested: "dpv:ConsentRequested", Given: "dpv:ConsentGiven", Refused: "dpv:ConsentRefused",
		Withdrawn: "dpv:ConsentWithdrawn", Expired: "dpv:ConsentExpired", "bogus": "dpv:ConsentUnknown",
	} {
		if got := s.DPV(); got != want {
			t.Errorf("%s.DPV() = %s, want %s", s, got, want)
		}
	}
}

func TestLinkTokens(t *testing.T) {
	a, b := NewLinkToken(), NewLinkToken()
	if a == b || !ValidLinkToken(a) || len(a) != 43 {
		t.Fatalf("tokens %q %q", a, b)
	}
	if HashLinkToken(a) == HashLinkToken(b) || len(HashLinkToken(a)) != 64 || strings.Contains(HashLinkToken(a), a) {
		t.Fatal("hashes must differ per token and not contain it")
	}
	for _, bad := range []string{"", "short", strings.Repeat("A", 42), strings.Repeat("A", 42) + "!", strings.Repeat("A", 44),
		"00\r" + strings.Repeat("0", 40), strings.Repeat("A", 40) + "\nAA", strings.Repeat("A", 42) + "B"} {
		if ValidLinkToken(bad) {
			t.Errorf("ValidLinkToken(%q) = true", bad)
		}
	}
}

func TestIDFromKeyIsStableAndScoped(t *testing.T) {
	a := IDFromKey("candidate", "recruiter-1", "key")
	if a != IDFromKey("candidate", "recruiter-1", "key") || len(a) != 26 {
		t.Fatalf("not stable: %s", a)
	}
	for _, other := range []string{IDFromKey("candidate", "recruiter-2", "key"), IDFromKey("candidate", "recruiter-1key", ""), IDFromKey("request", "recruiter-1", "key")} {
		if other == a {
			t.Fatal("keys of other scopes must not collide")
		}
	}
}

func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func validEnv() map[string]string {
	return map[string]string{
		"CONTROLLER_NAME": "Example Recruiting Ltd", "CONTROLLER_CONTACT": "privacy@example.com",
		"NOTICE_VERSION": "2026-11-01", "NOTICE_URL": "https://example.com/privacy",
		"PUBLIC_BASE_URL": "https://consent.example.com/", "LINK_VALIDITY_DAYS": "30",
		"RETENTION_DAYS": "talent_pool=730, interview_recording=180, call_recording=90",
	}
}

func TestPolicyFromEnv(t *testing.T) {
	p, err := PolicyFromEnv(env(validEnv()))
	if err != nil {
		t.Fatal(err)
	}
	if p.LinkURL("tok") != "https://consent.example.com/c/tok" || p.LinkValidity != 30*24*time.Hour ||
		p.RetentionDays(TalentPool) != 730 || p.RetentionDays(InterviewRecording) != 180 {
		t.Fatalf("policy %+v", p)
	}
	for name, change := range map[string][2]string{
		"missing controller":     {"CONTROLLER_NAME", ""},
		"relative base URL":      {"PUBLIC_BASE_URL", "/consent"},
		"zero validity":          {"LINK_VALIDITY_DAYS", "0"},
		"validity not a number":  {"LINK_VALIDITY_DAYS", "thirty"},
		"retention missing one":  {"RETENTION_DAYS", "talent_pool=730"},
		"retention bad purpose":  {"RETENTION_DAYS", "talent_pool=730,interview_recording=180,marketing=1"},
		"retention not a number": {"RETENTION_DAYS", "talent_pool=x,interview_recording=180"},
		"retention no pair":      {"RETENTION_DAYS", "talent_pool"},
	} {
		e := validEnv()
		e[change[0]] = change[1]
		if _, err := PolicyFromEnv(env(e)); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func TestReceiptCarriesTheRecordFields(t *testing.T) {
	p, _ := PolicyFromEnv(env(validEnv()))
	c := Candidate{ID: "CAND", Locale: "de"}
	req := p.NewRequest("REQ", "CAND", "recruiter-1", []Purpose{TalentPool, InterviewRecording}, t0)
	// A later change of the deployment's notice does not change the receipt.
	p.NoticeURL, p.NoticeVersion, p.Retention[TalentPool], p.Controller = "https://example.com/privacy-v2", "2027-01-01", time.Hour, "Other Ltd"
	r := NewReceipt(p.Terms(req), c, req, "RCPT", t0, []Outcome{{TalentPool, Given}, {InterviewRecording, Refused}})
	if r.ConsentReceiptID != "RCPT" || r.ConsentTimestamp != t0.Unix() || r.PIIPrincipalID != "CAND" ||
		len(r.PIIControllers) != 1 || r.PIIControllers[0].PIIController != "Example Recruiting Ltd" || r.PIIControllers[0].Email != "privacy@example.com" ||
		r.Extension.NoticeVersion != "2026-11-01" || r.PolicyURL != "https://example.com/privacy" || r.Language != "de" ||
		!strings.Contains(r.Extension.WithdrawalMethod, "privacy@example.com") || r.Version != ReceiptVersion ||
		r.Extension.Event != ReceiptConsent || r.Extension.RequestID != "REQ" || r.Extension.Actor != ActorCandidate {
		t.Fatalf("receipt %+v", r)
	}
	if len(r.Services) != 1 || len(r.Services[0].Purposes) != 2 || len(r.Extension.Purposes) != 2 {
		t.Fatalf("services %+v, extension %+v", r.Services, r.Extension.Purposes)
	}
	tp, ir := r.Extension.Purposes[0], r.Extension.Purposes[1]
	if tp.State != Given || tp.DPVState != "dpv:ConsentGiven" || tp.RetentionDays != 730 || tp.LegalBasis != LegalBasisConsent ||
		tp.ValidUntil == nil || !tp.ValidUntil.Equal(t0.AddDate(0, 0, 730)) {
		t.Fatalf("talent pool %+v", tp)
	}
	if ir.State != Refused || ir.RetentionDays != 180 || ir.ValidUntil != nil {
		t.Fatalf("interview recording %+v", ir)
	}
	kp := r.Services[0].Purposes[0]
	if kp.ConsentType != "EXPLICIT" || len(kp.PIICategory) == 0 || len(kp.PurposeCategory) == 0 || kp.ThirdPartyDisclosure ||
		!strings.Contains(kp.Termination, "withdraws") || !strings.Contains(kp.Termination, "730 days") {
		t.Fatalf("kantara purpose %+v", kp)
	}
	if got := r.Services[0].Purposes[1].Termination; !strings.Contains(got, "Not given") {
		t.Fatalf("refused termination %q", got)
	}
}

func TestWithdrawalAndErasureReceiptsSayWhatEnded(t *testing.T) {
	p, _ := PolicyFromEnv(env(validEnv()))
	c := Candidate{ID: "CAND", Locale: "fr"}
	req := p.NewRequest("REQ", "CAND", "recruiter-1", []Purpose{TalentPool}, t0)
	w := NewReceipt(p.Terms(req), c, req, "W", t0.Add(time.Hour), []Outcome{{TalentPool, Withdrawn}})
	if w.Extension.Event != ReceiptWithdrawal || w.Extension.Purposes[0].DPVState != "dpv:ConsentWithdrawn" ||
		!strings.Contains(w.Services[0].Purposes[0].Termination, "Withdrawn by the candidate at 2026-11-28T10:00:00Z") {
		t.Fatalf("withdrawal receipt %+v", w)
	}
	e := NewErasureReceipt(p.Terms(req), c, "E", t0.Add(2*time.Hour), "recruiter-1",
		[]Erased{{Purpose: TalentPool, NoticeVersion: "2026-11-01", NoticeURL: "https://example.com/privacy", RetentionDays: 730}})
	if e.Extension.Event != ReceiptErasure || e.Extension.Actor != "recruiter-1" || e.PolicyURL != "https://example.com/privacy" ||
		e.Extension.NoticeVersion != "2026-11-01" || e.Extension.Purposes[0].RetentionDays != 730 ||
		!strings.Contains(e.Services[0].Purposes[0].Termination, "Erased at 2026-11-28T11:00:00Z") {
		t.Fatalf("erasure receipt %+v", e)
	}
	swept := NewErasureReceipt(p.Terms(req), c, "S", t0, ActorWorkflow, []Erased{{Purpose: TalentPool, State: Expired, RetentionDays: 730}})
	if swept.Extension.Purposes[0].DPVState != "dpv:ConsentExpired" || swept.Extension.Actor != ActorWorkflow ||
		!strings.HasPrefix(swept.Services[0].Purposes[0].Termination, "Erased at") {
		t.Fatalf("erasure after the retention %+v", swept)
	}
}

func TestDecliningWhatWasGivenIsAWithdrawal(t *testing.T) {
	tests := []struct {
		grant  bool
		before State
		want   State
	}{
		{true, "", Given},
		{true, Refused, Given},
		{false, "", Refused},
		{false, Requested, Refused},
		{false, Given, Withdrawn},
		{false, Expired, Refused},
	}
	for _, tt := range tests {
		if got := (Decision{Purpose: TalentPool, Grant: tt.grant}).State(tt.before); got != tt.want {
			t.Errorf("grant=%v after %q = %s, want %s", tt.grant, tt.before, got, tt.want)
		}
	}
}

func TestNewRequestFixesWhatItPromises(t *testing.T) {
	p, _ := PolicyFromEnv(env(validEnv()))
	r := p.NewRequest("REQ", "CAND", "recruiter-1", []Purpose{InterviewRecording}, t0)
	if r.Status != Pending || r.NoticeVersion != "2026-11-01" || r.NoticeURL != "https://example.com/privacy" ||
		r.Retention[InterviewRecording] != 180 || r.RequestedBy != "recruiter-1" || r.Controller != "Example Recruiting Ltd" ||
		!r.ExpiresAt.Equal(t0.Add(30*24*time.Hour)) {
		t.Fatalf("request %+v", r)
	}
}

func TestNetworkOf(t *testing.T) {
	for in, want := range map[string]string{
		"203.0.113.77":        "203.0.113.0/24",
		"::ffff:203.0.113.77": "203.0.113.0/24",
		"2001:db8:abcd:12::1": "2001:db8:abcd::/48",
		"not an address":      "",
		"":                    "",
	} {
		if got := NetworkOf(in); got != want {
			t.Errorf("NetworkOf(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestValidID(t *testing.T) {
	if !ValidID(NewID()) || !ValidID(IDFromKey("a", "b")) {
		t.Fatal("generated IDs must be valid")
	}
	for _, bad := range []string{"", "short", strings.Repeat("A", 27), strings.Repeat("a", 26), strings.Repeat("A", 25) + "1", strings.Repeat("A", 2048)} {
		if ValidID(bad) {
			t.Errorf("ValidID(%q) = true", bad)
		}
	}
}

func TestChainDetectsTampering(t *testing.T) {
	at := time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)
	var chain []Event
	prev := ""
	for i, typ := range []EventType{EventRequested, EventGiven, EventWithdrawn} {
		e := Event{ID: fmt.Sprint("e", i), CandidateID: "C", RequestID: "R", Type: typ, Purpose: TalentPool, At: at.Add(time.Duration(i) * time.Minute)}
		e = e.Seal(int64(i+1), prev)
		prev = e.Hash
		chain = append(chain, e)
	}
	if v := VerifyChain(chain, prev); !v.Intact || v.Events != 3 {
		t.Fatalf("untouched chain: %+v", v)
	}
	edit := slices.Clone(chain)
	edit[1].Type = EventRefused
	if v := VerifyChain(edit, prev); v.Intact || v.BrokenAt != 2 {
		t.Fatalf("edited event: %+v, want broken at 2", v)
	}
	resealed := slices.Clone(chain)
	resealed[1].Type = EventRefused
	resealed[1] = resealed[1].Seal(2, resealed[1].Prev)
	if v := VerifyChain(resealed, prev); v.Intact || v.BrokenAt != 3 {
		t.Fatalf("edited and rehashed event: %+v, want broken at 3", v)
	}
	if v := VerifyChain([]Event{chain[0], chain[2]}, prev); v.Intact || v.BrokenAt != 2 {
		t.Fatalf("removed event: %+v, want broken at 2", v)
	}
	if v := VerifyChain(chain[:2], prev); v.Intact || v.BrokenAt != 3 {
		t.Fatalf("removed tail: %+v, want broken at 3", v)
	}
}

// Text that others are shown (positions, notes, reasons) is refused when it
// could not be shown as typed or could change what surrounds it; free text
// may span lines.
func TestCheckLineAndText(t *testing.T) {
	for _, tt := range []struct {
		name, s    string
		line, text bool // accepted by CheckLine, by CheckText
	}{
		{"plain", "Backend engineer", true, true},
		{"accents and scripts", "Ingénieure logiciel / 软件工程师", true, true},
		{"implicit bidi mark", "מהנדס\u200f 2", true, true},
		{"empty", "", false, true},
		{"blank", " \u200b ", false, true},
		{"two lines", "first\r\nsecond", false, true},
		{"tab", "a\tb", false, true},
		{"escape", "a\x1b[2Jb", false, false},
		{"NUL", "a\x00b", false, false},
		{"bidi override", "a\u202eexe.pdf", false, false},
		{"bidi isolate", "a\u2066b\u2069", false, false},
		{"line separator", "a\u2028b", false, false},
		{"broken UTF-8", "a\xffb", false, false},
		{"replacement character", "a\ufffdb", false, false},
		{"too long", strings.Repeat("a", 201), false, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			check := func(what string, err error, ok bool) {
				if (err == nil) != ok {
					t.Errorf("%s(%q) = %v, want accepted %v", what, tt.s, err, ok)
				}
				var v *ValidationError
				if err != nil && (!errors.As(err, &v) || v.Field != "position" || v.Reason == "") {
					t.Errorf("%s(%q) = %#v, want a ValidationError naming the field", what, tt.s, err)
				}
			}
			check("CheckLine", CheckLine("position", tt.s, 200), tt.line)
			check("CheckText", CheckText("position", tt.s, 200), tt.text)
		})
	}
}
