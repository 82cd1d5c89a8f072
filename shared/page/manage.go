package page

import (
	"fmt"
	"strings"
	"time"

	"github.com/consentflow/consentflow/shared/consent"
	"github.com/consentflow/consentflow/shared/locale"
	"github.com/consentflow/consentflow/shared/store"
)

// Title is the form's page title.
func (f Form) Title() string { return f.M.PageTitle }

// Manage is the candidate's manage page: their consents, what is held and
// until when, what stays and why, and what they can do.
type Manage struct {
	M         locale.Messages
	Languages []LangLink
	Title     string
	Intro     string
	// Notice confirms what the candidate just did.
	Notice   string
	Action   string
	Consents []ManagedConsent
	Held     []Held
	Stays    []string
	// Erasing: the candidate asked to erase everything; nothing else can
	// be done.
	Erasing   bool
	Contact   string
	Complaint Complaint
	// The other rights (GDPR Art. 16, 18, 21): Restricted says since when
	// processing is restricted (empty: it is not), Fields are what can be
	// corrected, Objectable the open applications one can object to.
	Restricted string
	Fields     []Option
	Objectable []Option
}

// Option is a choice in a form: the value posted and its label.
type Option struct {
	Value string
	Label string
}

// SetRestricted shows the restriction of processing that holds since at
// (none when at is nil).
func (p *Manage) SetRestricted(at *time.Time) {
	p.Restricted = ""
	if at != nil {
		p.Restricted = fmt.Sprintf(p.M.Rights.RestrictedSince, p.M.Date(*at))
	}
}

// ManagedConsent is one purpose on the manage page.
type ManagedConsent struct {
	ID          consent.Purpose
	Name        string
	Description string
	Data        string
	State       string
	CanWithdraw bool
	Withdraw    string
}

// Held is one document or recording held, with its deletion date.
type Held struct {
	Name     string
	DeleteBy string
}

// NewManage describes what is held about a candidate to them, in m's
// language, as the page at path (/m/{token}), as of now.
func NewManage(v Visit, h store.Holdings, erasing bool, now time.Time) Manage {
	m := v.M
	out := Manage{M: m, Languages: Languages(v.Path, m.Lang), Title: fmt.Sprintf(m.Manage.Title, v.Controller),
		Intro: fmt.Sprintf(m.Manage.Intro, v.Controller), Action: v.Path + "?lang=" + m.Lang, Erasing: erasing,
		Contact: fmt.Sprintf(m.ContactLine, v.Controller, v.Contact), Complaint: v.Complaint()}
	consents := map[consent.Purpose]consent.Consent{}
	for _, c := range h.Consents {
		consents[c.Purpose] = c
		info, _ := c.Purpose.Info()
		cats := make([]string, len(info.PIICategories))
		for i, cat := range info.PIICategories {
			cats[i] = m.Categories[cat]
		}
		st := c.StateAt(now)
		state := m.States[st]
		if st == consent.Given && c.ExpiresAt != nil {
			state = fmt.Sprintf(m.Manage.GivenUntil, m.Date(*c.ExpiresAt))
		}
		name := m.PurposeNames[c.Purpose]
		out.Consents = append(out.Consents, ManagedConsent{ID: c.Purpose, Name: name, Description: m.PurposeDescriptions[c.Purpose],
			Data: strings.Join(cats, ", "), State: state, CanWithdraw: st == consent.Given && !erasing,
			Withdraw: fmt.Sprintf(m.Manage.WithdrawButton, name)})
	}
	for _, f := range []string{"name", "email", "locale"} {
		out.Fields = append(out.Fields, Option{Value: f, Label: m.Rights.Field(f)})
	}
	apps := map[string]consent.Application{}
	for _, a := range h.Applications {
		apps[a.ID] = a
		if a.Status == consent.ApplicationOpen {
			out.Objectable = append(out.Objectable, Option{Value: a.ID, Label: fmt.Sprintf(m.Rights.ObjectButton, a.Position)})
		}
	}
	for _, a := range h.Artifacts {
		if a.Status == consent.ArtifactAuthorized || a.Status == consent.ArtifactErased {
			continue // nothing arrived, or nothing left
		}
		received := a.AuthorizedAt
		if a.UploadedAt != nil {
			received = *a.UploadedAt
		}
		held := Held{Name: fmt.Sprintf(m.Manage.CV, m.Date(received))}
		if a.Kind == consent.KindRecording {
			held.Name = fmt.Sprintf(m.Manage.Recording, m.RecordingKinds[a.RecordingKind], m.Date(received))
		}
		if a.DeleteBy != nil {
			held.DeleteBy = fmt.Sprintf(m.Manage.DeleteBy, m.Date(*a.DeleteBy))
		}
		out.Held = append(out.Held, held)
		out.Stays = append(out.Stays, held.Name+": "+why(m, a, apps, consents, now))
	}
	return out
}

// why says what keeps an artifact: an open application, a closed one's
// retention, or a consent, whichever sets its deadline.
func why(m locale.Messages, a consent.Artifact, apps map[string]consent.Application, consents map[consent.Purpose]consent.Consent, now time.Time) string {
	if a.DeleteBy == nil {
		if app, ok := apps[a.ApplicationID]; ok {
			return fmt.Sprintf(m.Manage.StaysOpen, app.Position)
		}
	}
	if a.DeleteBy == nil || !a.DeleteBy.After(now) || a.Status != consent.ArtifactUploaded {
		return m.Manage.StaysDue
	}
	purpose := a.Purpose
	if a.Kind == consent.KindCV {
		purpose = consent.TalentPool
		if app, ok := apps[a.ApplicationID]; ok && app.ClosedAt != nil {
			if c, ok := consents[purpose]; !ok || c.StateAt(now) != consent.Given || c.ExpiresAt == nil || !c.ExpiresAt.After(*a.DeleteBy) {
				return fmt.Sprintf(m.Manage.StaysClosed, m.Date(*a.DeleteBy), app.Position, m.Date(*app.ClosedAt))
			}
		}
	}
	return fmt.Sprintf(m.Manage.StaysConsent, m.Date(*a.DeleteBy), m.PurposeNames[purpose])
}

// Confirm is the page that confirms a request to erase everything.
type Confirm struct {
	M         locale.Messages
	Languages []LangLink
	Title     string
	Action    string
	Back      string
	Contact   string
	Complaint Complaint
}

// NewConfirm is the confirmation page at path (/m/{token}/erase/{confirm})
// of the manage page at back.
func NewConfirm(v Visit, back string) Confirm {
	return Confirm{M: v.M, Languages: Languages(v.Path, v.M.Lang), Title: v.M.Manage.ConfirmTitle,
		Action: v.Path + "?lang=" + v.M.Lang, Back: back + "?lang=" + v.M.Lang,
		Contact: fmt.Sprintf(v.M.ContactLine, v.Controller, v.Contact), Complaint: v.Complaint()}
}
