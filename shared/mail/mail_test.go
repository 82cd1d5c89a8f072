package mail

import (
	"context"
	"errors"
	"html"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sesv2/types"

	"github.com/consentflow/consentflow/shared/consent"
	"github.com/consentflow/consentflow/shared/locale"
	"github.com/consentflow/consentflow/shared/signature"
)

var policy = consent.Policy{
	Controller: "Example Recruiting Ltd", ControllerContact: "privacy@example.com", NoticeVersion: "2026-11-01",
	NoticeURL: "https://example.com/privacy", PublicBaseURL: "https://consent.example.com",
	Retention: map[consent.Purpose]time.Duration{consent.TalentPool: 730 * 24 * time.Hour, consent.InterviewRecording: 180 * 24 * time.Hour},
}

func TestInvitationCarriesTheLinkInTheCandidatesLanguage(t *testing.T) {
	m := New(nil, "consent@example.com", policy)
	c := consent.Candidate{Name: `Zoë <script>alert(1)</script>`, Email: "zoe@example.com", Locale: "de"}
	link := policy.LinkURL("tok")
	r := consent.Request{Controller: "Example Recruiting Ltd", ExpiresAt: time.Date(2026, 12, 28, 9, 0, 0, 0, time.UTC),
		Purposes: []consent.Purpose{consent.TalentPool, consent.InterviewRecording}}
	msg := m.Invitation(c, r, link, "", nil)
	if msg.To != "zoe@example.com" || !strings.Contains(msg.Subject, "bittet um Ihre Einwilligung") {
		t.Fatalf("message %+v", msg)
	}
	for _, body := range []string{msg.Text, msg.HTML} {
		if !strings.Contains(body, link) || !strings.Contains(body, "2026-12-28") {
			t.Errorf("body lacks the link or its expiry:\n%s", body)
		}
	}
	if strings.Contains(msg.HTML, "<script>") || !strings.Contains(msg.HTML, "&lt;script&gt;") {
		t.Errorf("the candidate's name is not escaped in HTML:\n%s", msg.HTML)
	}
}

func TestReceiptEmailIsReadableWithTheSignedReceiptAttached(t *testing.T) {
	m := New(nil, "consent@example.com", policy)
	at := time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)
	req := policy.NewRequest("REQ", "CAND", "recruiter-1", []consent.Purpose{consent.TalentPool}, at)
	req.Purposes = append(req.Purposes, consent.InterviewRecording)
	req.Retention[consent.InterviewRecording] = 180
	signed := signature.Signed{Canonical: []byte(`{"consentReceiptID":"RCPT"}`), JWS: "eyJhbGciOiJFUzI1NiJ9..c2ln"}
	for lang, want := range map[string][]string{
		"en": {"- Interview recording: refused\n", "Talent pool: given (730 days", "valid until 27 November 2028, 09:00 UTC",
			"Recorded at: 28 November 2026, 09:00 UTC", "version 2026-11-01", "https://consent.example.com/.well-known/jwks.json", "Kantara Consent Receipt v1.1"},
		"de": {"Gespeichert am: 28. November 2026, 09:00 Uhr UTC", "Talentpool: erteilt", "gültig bis 27. November 2028", "Version 2026-11-01"},
		"fr": {"Enregistré le: 28 novembre 2026 à 09:00 UTC", "Vivier de talents: donné", "valable jusqu'au 27 novembre 2028"},
	} {
		c := consent.Candidate{ID: "CAND", Name: "Ada", Email: "ada@example.com", Locale: lang}
		r := consent.NewReceipt(policy.Terms(req), c, req, "RCPT", at, []consent.Outcome{{Purpose: consent.TalentPool, State: consent.Given}, {Purpose: consent.InterviewRecording, State: consent.Refused}})
		msg := m.Receipt(c, r, signed, policy.JWKSURL(), "")
		for _, w := range append(want, "RCPT", "Example Recruiting Ltd", "privacy@example.com") {
			if !strings.Contains(msg.Text, w) {
				t.Errorf("%s: receipt text lacks %q:\n%s", lang, w, msg.Text)
			}
		}
		// The machine-readable receipt is attached, not pasted into the body.
		if strings.Contains(msg.Text, "consentReceiptID") || strings.Contains(msg.HTML, "consentReceiptID") || strings.Contains(msg.HTML, "<li>- ") {
			t.Errorf("%s: raw JSON or dashes in the body:\n%s\n%s", lang, msg.Text, msg.HTML)
		}
		if len(msg.Attachments) != 2 || msg.Attachments[0].Name != "consent-receipt-RCPT.json" || string(msg.Attachments[0].Data) != string(signed.Canonical) ||
			msg.Attachments[0].ContentType != "application/json" || msg.Attachments[1].Name != "consent-receipt-RCPT.jws" || string(msg.Attachments[1].Data) != signed.JWS {
			t.Errorf("%s: attachments %+v", lang, msg.Attachments)
		}
	}
}

func TestAnErasureReceiptSaysWhatWasErased(t *testing.T) {
	m := New(nil, "consent@example.com", policy)
	c := consent.Candidate{ID: "CAND", Name: "Ada", Email: "ada@example.com", Locale: "de"}
	req := policy.NewRequest("REQ", "CAND", "recruiter-1", []consent.Purpose{consent.TalentPool}, time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC))
	r := consent.NewErasureReceipt(policy.Terms(req), c, "E", time.Date(2027, 1, 5, 8, 0, 0, 0, time.UTC), consent.ActorCandidate,
		[]consent.Erased{{Purpose: consent.TalentPool, NoticeVersion: "2026-11-01", NoticeURL: "https://example.com/privacy", RetentionDays: 730}})
	msg := m.Receipt(c, r, signature.Signed{Canonical: []byte("{}"), JWS: "a..b"}, policy.JWKSURL(), "")
	for _, want := range []string{"wurden gelöscht", "Talentpool: widerrufen", "5. Januar 2027, 08:00 Uhr UTC"} {
		if !strings.Contains(msg.Text, want) {
			t.Errorf("erasure receipt lacks %q:\n%s", want, msg.Text)
		}
	}
}

func TestSESFailuresAreSortedAndNeverQuoteTheAddress(t *testing.T) {
	tests := []struct {
		err       error
		permanent bool
	}{
		{&types.MessageRejected{Message: aws.String("Email address is not verified: ada@example.com")}, true},
		{&types.BadRequestException{Message: aws.String("bad ada@example.com")}, true},
		{&types.TooManyRequestsException{Message: aws.String("slow down")}, false},
		{errors.New("dial tcp: connection refused"), false},
	}
	for _, tt := range tests {
		err := sendError(tt.err)
		var rejected *RejectedError
		if errors.As(err, &rejected) != tt.permanent {
			t.Errorf("%T: permanent = %v, want %v", tt.err, !tt.permanent, tt.permanent)
		}
		if strings.Contains(err.Error(), "@") {
			t.Errorf("error message quotes an address: %s", err)
		}
	}
}

// The invitation says what the candidate is asked about: each purpose with
// what it means, in their language, before they click.
func TestInvitationNamesThePurposes(t *testing.T) {
	m := New(nil, "consent@example.com", policy)
	for _, lang := range consent.Locales {
		c := consent.Candidate{Name: "Ada", Email: "ada@example.com", Locale: lang}
		r := consent.Request{Controller: "ACME s.r.o.", ExpiresAt: time.Date(2026, 12, 28, 9, 0, 0, 0, time.UTC),
			Purposes: []consent.Purpose{consent.InterviewRecording}}
		msg := m.Invitation(c, r, "https://consent.example.com/c/tok?lang="+lang, "https://consent.example.com/m/tok?lang="+lang, nil)
		t9n := locale.For(lang)
		for _, body := range []string{msg.Text, html.UnescapeString(msg.HTML)} {
			name, desc := t9n.PurposeNames[consent.InterviewRecording], t9n.PurposeDescriptions[consent.InterviewRecording]
			if !strings.Contains(body, name) || !strings.Contains(body, desc) || strings.Contains(body, t9n.PurposeNames[consent.TalentPool]) {
				t.Errorf("%s: the invitation does not name exactly the purpose asked:\n%s", lang, body)
			}
			if !strings.Contains(body, "ACME s.r.o.") {
				t.Errorf("%s: the invitation does not name the request's controller", lang)
			}
		}
	}
}

// The invitation to a candidate with an open application names the
// position, in their language; without one it names none.
func TestInvitationNamesThePosition(t *testing.T) {
	m := New(nil, "consent@example.com", policy)
	want := map[string]string{
		"en": "This request is for your application as Backend engineer.",
		"de": "Die Anfrage betrifft Ihre Bewerbung als Backend engineer.",
		"fr": "Cette demande concerne votre candidature au poste de Backend engineer.",
		"sk": "Týka sa vašej žiadosti o pozíciu Backend engineer.",
		"cs": "Týká se vaší přihlášky na pozici Backend engineer.",
	}
	for _, lang := range consent.Locales {
		c := consent.Candidate{Name: "Ada", Email: "ada@example.com", Locale: lang}
		r := consent.Request{Controller: "ACME s.r.o.", ExpiresAt: time.Date(2026, 12, 28, 9, 0, 0, 0, time.UTC),
			Purposes: []consent.Purpose{consent.TalentPool}}
		msg := m.Invitation(c, r, "https://consent.example.com/c/tok", "", []string{"Backend engineer"})
		if want[lang] == "" {
			t.Fatalf("no expected sentence for locale %s", lang)
		}
		for _, body := range []string{msg.Text, html.UnescapeString(msg.HTML)} {
			if !strings.Contains(body, want[lang]) {
				t.Errorf("%s: the invitation does not name the position:\n%s", lang, body)
			}
		}
		none := m.Invitation(c, r, "https://consent.example.com/c/tok", "", nil)
		if strings.Contains(none.Text, "Backend engineer") || strings.Contains(none.Text, strings.TrimSuffix(want[lang], "Backend engineer.")) {
			t.Errorf("%s: an invitation without an open application names a position:\n%s", lang, none.Text)
		}
	}
}

// Every email goes out as text and HTML (SES sends them as
// multipart/alternative), in UTF-8, and the HTML carries its styles inline
// (mail clients drop <style> elements and classes).
func TestEveryEmailIsTextAndInlineStyledHTML(t *testing.T) {
	ses := &recordingSES{}
	m := New(ses, "consent@example.com", policy)
	c := consent.Candidate{Name: "Ľudmila", Email: "l@example.com", Locale: "sk"}
	r := consent.Request{Controller: "ACME", ExpiresAt: time.Date(2026, 12, 28, 9, 0, 0, 0, time.UTC), Purposes: []consent.Purpose{consent.TalentPool}}
	at := time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)
	req := policy.NewRequest("REQ", "CAND", "recruiter-1", []consent.Purpose{consent.TalentPool}, at)
	receipt := consent.NewReceipt(policy.Terms(req), c, req, "r1", at, []consent.Outcome{{Purpose: consent.TalentPool, State: consent.Given}})
	signed := signature.Signed{Canonical: []byte(`{"consentReceiptID":"r1"}`), JWS: "eyJhbGciOiJFUzI1NiJ9..c2ln"}
	for _, msg := range []Message{m.Invitation(c, r, "https://consent.example.com/c/tok", "", nil), m.Receipt(c, receipt, signed, policy.JWKSURL(), "")} {
		if _, err := m.Send(context.Background(), msg); err != nil {
			t.Fatal(err)
		}
	}
	if len(ses.sent) != 2 {
		t.Fatalf("%d emails sent", len(ses.sent))
	}
	for _, in := range ses.sent {
		body := in.Content.Simple.Body
		if body.Text == nil || body.Html == nil || aws.ToString(body.Text.Charset) != "UTF-8" || aws.ToString(body.Html.Charset) != "UTF-8" ||
			aws.ToString(in.Content.Simple.Subject.Charset) != "UTF-8" {
			t.Fatalf("email %q is not text and HTML in UTF-8", aws.ToString(in.Content.Simple.Subject.Data))
		}
		h := aws.ToString(body.Html.Data)
		if strings.Contains(h, "<style") || strings.Contains(h, "class=") || !strings.Contains(h, `style="`) {
			t.Errorf("email %q is not styled inline:\n%s", aws.ToString(in.Content.Simple.Subject.Data), h)
		}
		if !strings.Contains(aws.ToString(body.Text.Data), "Ľudmila") || strings.Contains(aws.ToString(body.Text.Data), "</") {
			t.Errorf("the text part is not the plain text of the email")
		}
	}
}

type recordingSES struct{ sent []*sesv2.SendEmailInput }

func (s *recordingSES) SendEmail(_ context.Context, in *sesv2.SendEmailInput, _ ...func(*sesv2.Options)) (*sesv2.SendEmailOutput, error) {
	s.sent = append(s.sent, in)
	return &sesv2.SendEmailOutput{MessageId: aws.String("m" + strconv.Itoa(len(s.sent)))}, nil
}

// Every email to a candidate names the supervisory authority they can
// complain to (GDPR Art. 77), linked, beside the controller's contact, in
// their language.
func TestEveryCandidateEmailNamesTheSupervisoryAuthority(t *testing.T) {
	p := policy
	p.SupervisoryAuthority, p.SupervisoryAuthorityURL = "Úrad na ochranu osobných údajov Slovenskej republiky", "https://dataprotection.gov.sk"
	m := New(nil, "consent@example.com", p)
	at := time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)
	for _, lang := range consent.Locales {
		c := consent.Candidate{Name: "Ľudmila", Email: "l@example.com", Locale: lang}
		tr := locale.For(lang)
		req := p.NewRequest("REQ", "CAND", "recruiter-1", []consent.Purpose{consent.TalentPool}, at)
		receipt := consent.NewReceipt(p.Terms(req), c, req, "r1", at, []consent.Outcome{{Purpose: consent.TalentPool, State: consent.Given}})
		msgs := map[string]Message{
			"invitation": m.Invitation(c, consent.Request{Controller: "ACME", ExpiresAt: at, Purposes: []consent.Purpose{consent.TalentPool}}, "https://consent.example.com/c/tok", "", nil),
			"receipt":    m.Receipt(c, receipt, signature.Signed{Canonical: []byte("{}"), JWS: "a..b"}, p.JWKSURL(), ""),
			"recording":  m.RecordingArrived(c, "interview_recording", at, at, "https://consent.example.com/m/tok"),
			"erased":     m.Erased(c, []consent.ArtifactKind{consent.KindCV}, consent.ErasureRetentionEnded, false, at, ""),
			"confirm":    m.ConfirmErasure(c, "https://consent.example.com/m/tok?confirm=1", at),
			"export":     m.Export(c, []byte("{}"), "export.json", at, ""),
			"rights":     m.Rights(c, func(r locale.RightsMessages) string { return r.ObjectionUpheld }, ""),
		}
		for name, msg := range msgs {
			for part, body := range map[string]string{"text": msg.Text, "html": msg.HTML} {
				if !strings.Contains(body, tr.Complaint) || !strings.Contains(body, "Úrad na ochranu osobných údajov") ||
					!strings.Contains(body, "https://dataprotection.gov.sk") || !strings.Contains(body, "privacy@example.com") {
					t.Errorf("%s: %s email (%s) does not name the authority beside the contact:\n%s", lang, name, part, body)
				}
			}
			if !strings.Contains(msg.HTML, `<a href="https://dataprotection.gov.sk">Úrad na ochranu`) {
				t.Errorf("%s: %s email does not link the authority", lang, name)
			}
		}
	}
}
