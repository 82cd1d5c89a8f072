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
	msg := m.Invitation(c, r, link)
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

func TestReceiptEmailHoldsTheReceipt(t *testing.T) {
	m := New(nil, "consent@example.com", policy)
	c := consent.Candidate{ID: "CAND", Name: "Ada", Email: "ada@example.com", Locale: "en"}
	at := time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)
	req := policy.NewRequest("REQ", "CAND", "recruiter-1", []consent.Purpose{consent.TalentPool}, at)
	req.Purposes = append(req.Purposes, consent.InterviewRecording)
	req.Retention[consent.InterviewRecording] = 180
	r := consent.NewReceipt(policy, c, req, "RCPT", at, []consent.Outcome{{Purpose: consent.TalentPool, State: consent.Given}, {Purpose: consent.InterviewRecording, State: consent.Refused}})
	msg := m.Receipt(c, r)
	if !strings.Contains(msg.Text, "- Interview recording: refused\n") || strings.Contains(msg.HTML, "<li>- ") {
		t.Errorf("a refused purpose has no retention, and HTML bullets carry no dash:\n%s\n%s", msg.Text, msg.HTML)
	}
	for _, want := range []string{"RCPT", "2026-11-28T09:00:00Z", "Example Recruiting Ltd", "Talent pool: given", "730 days",
		"version 2026-11-01", `"consentReceiptID": "RCPT"`, `"legalBasis"`, "privacy@example.com"} {
		if !strings.Contains(msg.Text, want) {
			t.Errorf("receipt text lacks %q:\n%s", want, msg.Text)
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
		msg := m.Invitation(c, r, "https://consent.example.com/c/tok?lang="+lang)
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

// Every email goes out as text and HTML (SES sends them as
// multipart/alternative), in UTF-8, and the HTML carries its styles inline
// (mail clients drop <style> elements and classes).
func TestEveryEmailIsTextAndInlineStyledHTML(t *testing.T) {
	ses := &recordingSES{}
	m := New(ses, "consent@example.com", policy)
	c := consent.Candidate{Name: "Ľudmila", Email: "l@example.com", Locale: "sk"}
	r := consent.Request{Controller: "ACME", ExpiresAt: time.Date(2026, 12, 28, 9, 0, 0, 0, time.UTC), Purposes: []consent.Purpose{consent.TalentPool}}
	receipt := consent.Receipt{ReceiptID: "r1", Controller: consent.ReceiptParty{Name: "ACME", Contact: "privacy@acme.example"},
		Purposes: []consent.ReceiptPurpose{{Purpose: consent.TalentPool, State: consent.Given, RetentionDays: 730}}}
	for _, msg := range []Message{m.Invitation(c, r, "https://consent.example.com/c/tok"), m.Receipt(c, receipt)} {
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
