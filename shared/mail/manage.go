package mail

import (
	"fmt"
	"time"

	"github.com/consentflow/consentflow/shared/consent"
	"github.com/consentflow/consentflow/shared/locale"
)

// Export sends a candidate, at their request from their manage page, the
// export of their data: the JSON document attached as name, whose download
// links work until linksUntil.
func (m *Mailer) Export(c consent.Candidate, doc []byte, name string, linksUntil time.Time, manage string) Message {
	t := locale.For(c.Locale)
	msg := m.notice(t, c, fmt.Sprintf(t.Manage.ExportSubject, m.policy.Controller),
		[]string{fmt.Sprintf(t.Manage.ExportBody, m.policy.Controller, t.Date(linksUntil))}, manage)
	msg.Attachments = []Attachment{{Name: name, ContentType: "application/json", Data: doc}}
	return msg
}

// ConfirmErasure sends a candidate the link that confirms their request to
// erase everything, which works until `until`.
func (m *Mailer) ConfirmErasure(c consent.Candidate, confirm string, until time.Time) Message {
	t := locale.For(c.Locale)
	return m.notice(t, c, fmt.Sprintf(t.Manage.EraseSubject, m.policy.Controller),
		[]string{fmt.Sprintf(t.Manage.EraseBody, t.Date(until)), t.Manage.EraseLinkText + ": " + confirm}, "")
}

// notice is a short email to the candidate: a greeting, paragraphs, the
// manage link and the signature.
func (m *Mailer) notice(t locale.Messages, c consent.Candidate, subject string, paragraphs []string, manage string) Message {
	greeting := fmt.Sprintf(t.InviteGreeting, c.Name)
	signature := fmt.Sprintf(t.Signature, m.policy.Controller)
	text := greeting + "\n\n"
	for _, p := range paragraphs {
		text += p + "\n\n"
	}
	text += m.footerText(t, manage, m.policy.Controller, m.policy.ControllerContact) + signature
	html := render(noticeHTML, map[string]any{"Lang": t.Lang, "Subject": subject, "Greeting": greeting, "Paragraphs": paragraphs,
		"Manage": m.footerHTML(t, manage, m.policy.Controller, m.policy.ControllerContact), "Signature": signature})
	return Message{To: c.Email, Subject: subject, Text: text, HTML: html}
}
