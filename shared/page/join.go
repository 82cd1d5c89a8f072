package page

import (
	"fmt"
	"net/url"
	"time"

	"github.com/consentflow/consentflow/shared/consent"
	"github.com/consentflow/consentflow/shared/locale"
)

// Join is the join-time page: whether one interview may be recorded, on
// one screen, with Record and Don't record side by side.
type Join struct {
	M             locale.Messages
	Languages     []LangLink
	Title         string
	Controller    string
	Contact       string
	NoticeURL     string
	NoticeVersion string
	Purpose       PurposeView
	Until         string
	Action        string
	Complaint     Complaint
}

// NewJoin describes the purpose p of the request r to its candidate, as
// the join-time page at path (/j/{token}) whose link works until until.
func NewJoin(pol consent.Policy, m locale.Messages, r consent.Request, p consent.Purpose, path string, until time.Time) Join {
	f := NewForm(pol, m, consent.Request{Purposes: []consent.Purpose{p}, Retention: r.Retention}, path)
	return Join{M: m, Languages: f.Languages, Title: m.Join.Title, Controller: r.Controller,
		Contact: fmt.Sprintf(m.ContactLine, r.Controller, pol.ControllerContact), NoticeURL: r.NoticeURL,
		NoticeVersion: r.NoticeVersion, Purpose: f.Purposes[0], Until: m.Date(until), Action: f.Action,
		Complaint: f.Complaint}
}

// ParseJoinDecision reads the join-time page's answer for purpose p:
// decision=record or decision=dont.
func ParseJoinDecision(body []byte, p consent.Purpose) (consent.Decision, error) {
	values, err := url.ParseQuery(string(body))
	if err != nil {
		return consent.Decision{}, &consent.ValidationError{Field: "decision", Reason: "the form body is not URL-encoded"}
	}
	switch v := values["decision"]; {
	case len(v) == 1 && v[0] == "record":
		return consent.Decision{Purpose: p, Grant: true}, nil
	case len(v) == 1 && v[0] == "dont":
		return consent.Decision{Purpose: p, Grant: false}, nil
	}
	return consent.Decision{}, &consent.ValidationError{Field: "decision", Reason: "answer record or dont"}
}
