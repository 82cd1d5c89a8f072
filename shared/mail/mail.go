// Package mail writes and sends the emails candidates get: the invitation
// with their personal consent link, and the receipt of their answer with the
// signed receipt attached.
package mail

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sesv2/types"
	"github.com/aws/smithy-go"

	"github.com/consentflow/consentflow/shared/consent"
	"github.com/consentflow/consentflow/shared/locale"
	"github.com/consentflow/consentflow/shared/signature"
)

// SES is the part of the SES v2 API the mailer uses; *sesv2.Client satisfies it.
type SES interface {
	SendEmail(context.Context, *sesv2.SendEmailInput, ...func(*sesv2.Options)) (*sesv2.SendEmailOutput, error)
}

// Mailer sends candidate emails from one sender address.
type Mailer struct {
	ses    SES
	from   string
	policy consent.Policy
}

// New returns a Mailer.
func New(ses SES, from string, p consent.Policy) *Mailer {
	return &Mailer{ses: ses, from: from, policy: p}
}

// UnavailableError is a failure to hand an email to SES that may pass: a
// retry can succeed. Its message holds SES's error code only, never SES's
// text, which can quote the recipient's address.
type UnavailableError struct{ Err error }

func (e *UnavailableError) Error() string { return "mail unavailable: " + errorCode(e.Err) }
func (e *UnavailableError) Unwrap() error { return e.Err }

// RejectedError is SES refusing the email itself (a rejected message, an
// unverified sender, a malformed request): retrying cannot help.
type RejectedError struct{ Err error }

func (e *RejectedError) Error() string { return "mail rejected: " + errorCode(e.Err) }
func (e *RejectedError) Unwrap() error { return e.Err }

func errorCode(err error) string {
	var api smithy.APIError
	if errors.As(err, &api) {
		return api.ErrorCode()
	}
	return "request failed before SES answered"
}

// sendError sorts an SES failure into rejected (permanent) or unavailable.
func sendError(err error) error {
	var (
		rejected   *types.MessageRejected
		bad        *types.BadRequestException
		unverified *types.MailFromDomainNotVerifiedException
		notFound   *types.NotFoundException
	)
	if errors.As(err, &rejected) || errors.As(err, &bad) || errors.As(err, &unverified) || errors.As(err, &notFound) {
		return &RejectedError{Err: err}
	}
	return &UnavailableError{Err: err}
}

// Message is one email, in plain text and HTML, with its attachments.
type Message struct {
	To          string
	Subject     string
	Text        string
	HTML        string
	Attachments []Attachment
}

// Attachment is a file sent with an email.
type Attachment struct {
	Name        string
	ContentType string
	Data        []byte
}

// Invitation is the email that carries a candidate's personal link to
// request r. It names the controller the request was made for, the
// positions of the candidate's open applications (if any), and each
// purpose asked, with what it means, in the candidate's language.
func (m *Mailer) Invitation(c consent.Candidate, r consent.Request, link, manage string, positions []string) Message {
	t := locale.For(c.Locale)
	until := r.ExpiresAt.UTC().Format("2006-01-02 15:04 MST")
	controller := r.Controller
	if controller == "" {
		controller = m.policy.Controller
	}
	type purpose struct{ Name, Description string }
	var purposes []purpose
	var bullets []string
	for _, p := range r.Purposes {
		purposes = append(purposes, purpose{t.PurposeNames[p], t.PurposeDescriptions[p]})
		bullets = append(bullets, "- "+t.PurposeNames[p]+": "+t.PurposeDescriptions[p])
	}
	// A renewal says so, and when the consent it renews expires.
	subject, body, lapse := fmt.Sprintf(t.InviteSubject, controller), fmt.Sprintf(t.InviteBody, controller), ""
	if r.RenewsUntil != nil {
		subject = fmt.Sprintf(t.RenewSubject, controller)
		body = fmt.Sprintf(t.RenewBody, controller, t.Date(*r.RenewsUntil))
		lapse = fmt.Sprintf(t.RenewNoAnswer, t.Date(*r.RenewsUntil))
	}
	position := ""
	if len(positions) > 0 {
		position = fmt.Sprintf(t.InvitePosition, strings.Join(positions, ", "))
	}
	lines := []string{
		fmt.Sprintf(t.InviteGreeting, c.Name), "",
		body, "",
	}
	if position != "" {
		lines = append(lines, position, "")
	}
	lines = append(lines,
		t.InvitePurposes,
		strings.Join(bullets, "\n"), "",
		link, "",
		fmt.Sprintf(t.InviteExpiry, until), "",
	)
	if lapse != "" {
		lines = append(lines, lapse, "")
	}
	text := strings.Join(append(lines, m.footerText(t, manage, controller, m.policy.ControllerContact)+fmt.Sprintf(t.Signature, controller)), "\n")
	html := render(invitationHTML, map[string]any{
		"Lang": t.Lang, "Subject": subject, "Greeting": fmt.Sprintf(t.InviteGreeting, c.Name), "Body": body,
		"Position": position, "PurposesLabel": t.InvitePurposes, "Purposes": purposes,
		"Link": template.URL(link), "LinkText": t.InviteLink, "Expiry": fmt.Sprintf(t.InviteExpiry, until),
		"Lapse": lapse, "Signature": fmt.Sprintf(t.Signature, controller), "Manage": m.footerHTML(t, manage, controller, m.policy.ControllerContact),
	})
	return Message{To: c.Email, Subject: subject, Text: text, HTML: html}
}

// Receipt is the email that carries a consent receipt: readable, in the
// candidate's language, with dates written the local way; the signed receipt
// itself (its canonical JSON, exactly the bytes signed) and its detached JWS
// are attached. jwksURL is where the public key is published.
func (m *Mailer) Receipt(c consent.Candidate, r consent.Receipt, signed signature.Signed, jwksURL, manage string) Message {
	t := locale.For(c.Locale)
	var lines, bullets []string
	for _, p := range r.Extension.Purposes {
		line := t.PurposeNames[p.Purpose] + ": " + t.States[p.State]
		if p.State == consent.Given { // retention applies only to what is kept
			line += " (" + fmt.Sprintf(t.RetentionDays, p.RetentionDays)
			if p.ValidUntil != nil {
				line += "; " + fmt.Sprintf(t.ValidUntil, t.Date(*p.ValidUntil))
			}
			line += ")"
		}
		lines = append(lines, line)
		bullets = append(bullets, "- "+line)
	}
	controller := r.PIIControllers[0]
	recorded := t.Date(time.Unix(r.ConsentTimestamp, 0))
	attached := fmt.Sprintf(t.ReceiptAttached, jwksURL)
	body := t.ReceiptBody
	if r.Extension.Event == consent.ReceiptErasure && t.ErasureBody != "" {
		body = t.ErasureBody
	}
	text := strings.Join([]string{
		fmt.Sprintf(t.InviteGreeting, c.Name), "",
		body, "",
		t.ReceiptID + ": " + r.ConsentReceiptID,
		t.ReceiptTime + ": " + recorded,
		t.Controller + ": " + controller.PIIController + " <" + controller.Email + ">",
		fmt.Sprintf(t.NoticeLink, r.Extension.NoticeVersion) + ": " + r.PolicyURL, "",
		strings.Join(bullets, "\n"), "",
		fmt.Sprintf(t.WithdrawHow, controller.Email), "",
		attached, "",
		m.footerText(t, manage, controller.PIIController, controller.Email) + fmt.Sprintf(t.Signature, controller.PIIController),
	}, "\n")
	subject := fmt.Sprintf(t.ReceiptSubject, controller.PIIController)
	html := render(receiptHTML, map[string]any{
		"Lang": t.Lang, "Subject": subject, "Greeting": fmt.Sprintf(t.InviteGreeting, c.Name), "Body": body,
		"IDLabel": t.ReceiptID, "ID": r.ConsentReceiptID, "TimeLabel": t.ReceiptTime, "Time": recorded,
		"ControllerLabel": t.Controller, "Controller": controller.PIIController + " <" + controller.Email + ">",
		"Notice": fmt.Sprintf(t.NoticeLink, r.Extension.NoticeVersion), "NoticeURL": r.PolicyURL,
		"Lines": lines, "Withdraw": fmt.Sprintf(t.WithdrawHow, controller.Email), "Attached": attached,
		"Signature": fmt.Sprintf(t.Signature, controller.PIIController), "Manage": m.footerHTML(t, manage, controller.PIIController, controller.Email),
	})
	name := "consent-receipt-" + r.ConsentReceiptID
	return Message{To: c.Email, Subject: subject, Text: text, HTML: html, Attachments: []Attachment{
		{Name: name + ".json", ContentType: "application/json", Data: signed.Canonical},
		{Name: name + ".jws", ContentType: "application/jose", Data: []byte(signed.JWS)},
	}}
}

// RecordingArrived tells a candidate that a recording of them was stored:
// what was recorded, when, until when it is kept, and how to withdraw.
func (m *Mailer) RecordingArrived(c consent.Candidate, kind string, recordedAt, keptUntil time.Time, manage string) Message {
	t := locale.For(c.Locale)
	subject := fmt.Sprintf(t.RecordingSubject, m.policy.Controller)
	body := fmt.Sprintf(t.RecordingBody, m.policy.Controller, t.RecordingKinds[kind], recordedAt.UTC().Format("2006-01-02"))
	kept := fmt.Sprintf(t.RecordingKept, keptUntil.UTC().Format("2006-01-02"))
	withdraw := fmt.Sprintf(t.WithdrawHow, m.policy.ControllerContact)
	text := strings.Join([]string{
		fmt.Sprintf(t.InviteGreeting, c.Name), "", body, "", kept, "", withdraw, "",
		m.footerText(t, manage, m.policy.Controller, m.policy.ControllerContact) + fmt.Sprintf(t.Signature, m.policy.Controller),
	}, "\n")
	html := render(recordingHTML, map[string]any{
		"Lang": t.Lang, "Subject": subject, "Greeting": fmt.Sprintf(t.InviteGreeting, c.Name), "Body": body,
		"Kept": kept, "Withdraw": withdraw, "Signature": fmt.Sprintf(t.Signature, m.policy.Controller),
		"Manage": m.footerHTML(t, manage, m.policy.Controller, m.policy.ControllerContact),
	})
	return Message{To: c.Email, Subject: subject, Text: text, HTML: html}
}

// Send hands a message to SES and returns its message ID.
func (m *Mailer) Send(ctx context.Context, msg Message) (string, error) {
	var attachments []types.Attachment
	for _, a := range msg.Attachments {
		attachments = append(attachments, types.Attachment{
			FileName: aws.String(a.Name), ContentType: aws.String(a.ContentType), RawContent: a.Data,
			ContentDisposition: types.AttachmentContentDispositionAttachment, ContentTransferEncoding: types.AttachmentContentTransferEncodingBase64,
		})
	}
	out, err := m.ses.SendEmail(ctx, &sesv2.SendEmailInput{
		FromEmailAddress: aws.String(m.from),
		Destination:      &types.Destination{ToAddresses: []string{msg.To}},
		Content: &types.EmailContent{Simple: &types.Message{
			Subject: &types.Content{Data: aws.String(msg.Subject), Charset: aws.String("UTF-8")},
			Body: &types.Body{
				Text: &types.Content{Data: aws.String(msg.Text), Charset: aws.String("UTF-8")},
				Html: &types.Content{Data: aws.String(msg.HTML), Charset: aws.String("UTF-8")},
			},
			Attachments: attachments,
		}},
	})
	if err != nil {
		return "", sendError(err)
	}
	return aws.ToString(out.MessageId), nil
}

// manageText is the paragraph of a plain-text email that carries the
// candidate's manage link (none without a link), with its blank line.
func manageText(t locale.Messages, link string) string {
	if link == "" {
		return ""
	}
	return t.Manage.MailIntro + "\n" + link + "\n\n"
}

// manageHTML is the same paragraph in HTML.
func manageHTML(t locale.Messages, link string) template.HTML {
	if link == "" {
		return ""
	}
	return template.HTML(render(manageParagraph, map[string]any{"Intro": t.Manage.MailIntro, "Link": template.URL(link), "Text": t.Manage.LinkText}))
}

var manageParagraph = template.Must(template.New("manage").Parse(`<p>{{.Intro}} <a href="{{.Link}}">{{.Text}}</a></p>
`))

// footerText ends every plain-text email to a candidate: the manage link
// (none without one), the controller's contact and the supervisory
// authority they can complain to (GDPR Art. 77), each with its blank line.
//
// controller and contact are those the candidate dealt with: a request's
// or a receipt's fixed terms where the email is about one, else today's.
func (m *Mailer) footerText(t locale.Messages, link, controller, contact string) string {
	text := manageText(t, link) + fmt.Sprintf(t.ContactLine, controller, contact)
	if m.policy.SupervisoryAuthority != "" {
		text += " " + t.Complaint + " " + m.policy.SupervisoryAuthority
		if m.policy.SupervisoryAuthorityURL != "" {
			text += " (" + m.policy.SupervisoryAuthorityURL + ")"
		}
	}
	return text + "\n\n"
}

// footerHTML is the same in HTML, the authority's name linking to its site.
func (m *Mailer) footerHTML(t locale.Messages, link, controller, contact string) template.HTML {
	return manageHTML(t, link) + template.HTML(render(complaintParagraph, map[string]any{
		"Contact": fmt.Sprintf(t.ContactLine, controller, contact), "Complaint": t.Complaint,
		"Authority": m.policy.SupervisoryAuthority, "URL": m.policy.SupervisoryAuthorityURL,
	}))
}

var complaintParagraph = template.Must(template.New("complaint").Parse(`<p>{{.Contact}}{{if .Authority}} {{.Complaint}} ` +
	`{{if .URL}}<a href="{{.URL}}">{{.Authority}}</a>{{else}}{{.Authority}}{{end}}{{end}}</p>
`))

func render(t *template.Template, data any) string {
	var b strings.Builder
	if err := t.Execute(&b, data); err != nil {
		// The templates are fixed and their data is built above.
		panic("mail: render: " + err.Error())
	}
	return b.String()
}

var invitationHTML = template.Must(template.New("invitation").Parse(`<!doctype html>
<html lang="{{.Lang}}"><head><meta charset="utf-8"><title>{{.Subject}}</title></head>
<body style="font-family:system-ui,sans-serif;line-height:1.5;max-width:40rem"><main>
<h1 style="font-size:1.25rem">{{.Subject}}</h1>
<p>{{.Greeting}}</p>
<p>{{.Body}}</p>
{{with .Position}}<p>{{.}}</p>
{{end}}<p style="margin-bottom:.25rem">{{.PurposesLabel}}</p>
<ul style="margin-top:0;padding-left:1.25rem">{{range .Purposes}}<li style="margin-bottom:.5rem"><strong>{{.Name}}</strong>: {{.Description}}</li>{{end}}</ul>
<p><a href="{{.Link}}" style="display:inline-block;padding:.75rem 1.25rem;background:#0b57d0;color:#fff;border-radius:.5rem;text-decoration:none;font-weight:600">{{.LinkText}}</a></p>
<p style="font-size:.9rem;overflow-wrap:anywhere;word-break:break-all">{{.Link}}</p>
<p>{{.Expiry}}</p>
{{with .Lapse}}<p>{{.}}</p>
{{end}}{{.Manage}}<p style="white-space:pre-line">{{.Signature}}</p>
</main></body></html>`))

var receiptHTML = template.Must(template.New("receipt").Parse(`<!doctype html>
<html lang="{{.Lang}}"><head><meta charset="utf-8"><title>{{.Subject}}</title></head>
<body style="font-family:system-ui,sans-serif;line-height:1.5;max-width:40rem"><main>
<h1 style="font-size:1.25rem">{{.Subject}}</h1>
<p>{{.Greeting}}</p>
<p>{{.Body}}</p>
<dl>
<dt>{{.IDLabel}}</dt><dd>{{.ID}}</dd>
<dt>{{.TimeLabel}}</dt><dd>{{.Time}}</dd>
<dt>{{.ControllerLabel}}</dt><dd>{{.Controller}}</dd>
</dl>
<p><a href="{{.NoticeURL}}">{{.Notice}}</a></p>
<ul>{{range .Lines}}<li>{{.}}</li>{{end}}</ul>
<p>{{.Withdraw}}</p>
<p>{{.Attached}}</p>
{{.Manage}}<p style="white-space:pre-line">{{.Signature}}</p>
</main></body></html>`))

var recordingHTML = template.Must(template.New("recording").Parse(`<!doctype html>
<html lang="{{.Lang}}"><head><meta charset="utf-8"><title>{{.Subject}}</title></head>
<body style="font-family:system-ui,sans-serif;line-height:1.5;max-width:40rem"><main>
<h1 style="font-size:1.25rem">{{.Subject}}</h1>
<p>{{.Greeting}}</p>
<p>{{.Body}}</p>
<p>{{.Kept}}</p>
<p>{{.Withdraw}}</p>
{{.Manage}}<p style="white-space:pre-line">{{.Signature}}</p>
</main></body></html>`))
