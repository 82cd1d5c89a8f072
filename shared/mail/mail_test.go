package mail

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sesv2/types"

	"github.com/consentflow/consentflow/shared/consent"
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
	msg := m.Invitation(c, link, time.Date(2026, 12, 28, 9, 0, 0, 0, time.UTC))
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
