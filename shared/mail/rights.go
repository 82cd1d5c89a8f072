package mail

import (
	"fmt"

	"github.com/consentflow/consentflow/shared/consent"
	"github.com/consentflow/consentflow/shared/locale"
)

// Rights tells a candidate what became of a request under GDPR Art. 16,
// 18 or 21: one paragraph, from locale.RightsMessages (the caller fills in
// its arguments), with the link to their manage page.
func (m *Mailer) Rights(c consent.Candidate, paragraph func(t locale.RightsMessages) string, manage string) Message {
	t := locale.For(c.Locale)
	return m.notice(t, c, fmt.Sprintf(t.Rights.Subject, m.policy.Controller), []string{paragraph(t.Rights)}, manage)
}

// Objection tells the controller's contact that a candidate objected to
// the processing of an application, with ids only and the date by which
// compelling grounds must be recorded.
func (m *Mailer) Objection(to, candidateID, applicationID, consoleURL string, graceEnds string) Message {
	subject := "Objection to the processing of an application (GDPR Art. 21)"
	text := fmt.Sprintf("Candidate %s objected to the processing of application %s.\n\n"+
		"Unless you record compelling legitimate grounds by %s, the application is closed (outcome \"withdrawn\") "+
		"and its CV is kept only for the retention of closed applications.\n\n%s\n", candidateID, applicationID, graceEnds, consoleURL)
	return Message{To: to, Subject: subject, Text: text}
}
