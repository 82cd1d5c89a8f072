// Package consent is Consentflow's domain: candidates, the purposes they are
// asked to consent to, the state of each consent, the append-only events that
// prove it (GDPR Art. 7(1)), and the receipts candidates get.
package consent

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Purpose is what a candidate's data is processed for.
type Purpose string

const (
	TalentPool         Purpose = "talent_pool"
	InterviewRecording Purpose = "interview_recording"
)

// PurposeInfo says what consenting to a purpose means. The text shown to
// candidates is localized in package page; these are the stable facts.
type PurposeInfo struct {
	Purpose Purpose
	// Description says in English what the data is used for, as receipts
	// state it.
	Description string
	// Categories are the purpose's Kantara CR v1.1 purpose categories.
	Categories []string
	// LegalBasis is the GDPR basis of the processing.
	LegalBasis string
	// PIICategories are the categories of personal data processed.
	PIICategories []string
	// Recipients are third parties the data is disclosed to (none here).
	Recipients []string
}

// LegalBasisConsent is GDPR Art. 6(1)(a).
const LegalBasisConsent = "GDPR Art. 6(1)(a) consent"

var purposes = map[Purpose]PurposeInfo{
	TalentPool: {
		Purpose:       TalentPool,
		Description:   "Keep the candidate's CV and contact details in the talent pool, to contact them about future positions",
		Categories:    []string{"Contact Me"},
		LegalBasis:    LegalBasisConsent,
		PIICategories: []string{"contact_details", "cv", "application_history"},
	},
	InterviewRecording: {
		Purpose:       InterviewRecording,
		Description:   "Record the candidate's interviews (sound and picture), so that the people deciding on the application can review them",
		Categories:    []string{"Core Function"},
		LegalBasis:    LegalBasisConsent,
		PIICategories: []string{"voice", "video_image", "interview_content"},
	},
	CallRecording: {
		Purpose:       CallRecording,
		LegalBasis:    LegalBasisConsent,
		PIICategories: []string{"voice", "call_content"},
	},
}

// Purposes lists every purpose consent can be asked for, in a stable order.
func Purposes() []Purpose {
	return []Purpose{TalentPool, InterviewRecording, CallRecording}
}

// Info returns the facts of a known purpose.
func (p Purpose) Info() (PurposeInfo, bool) {
	info, ok := purposes[p]
	return info, ok
}

// Renews reports whether given consent to the purpose is renewed before it
// expires: the candidate is asked again (see store.RenewalIndex). Only the
// talent pool outlives an application; recordings end with their retention.
func (p Purpose) Renews() bool { return p == TalentPool }

// ParsePurpose returns the purpose named s, or a *ValidationError.
func ParsePurpose(s string) (Purpose, error) {
	p := Purpose(s)
	if _, ok := purposes[p]; !ok {
		return "", &ValidationError{Field: "purposes", Reason: fmt.Sprintf("unknown purpose %q; known purposes: %s", s, joinPurposes(Purposes()))}
	}
	return p, nil
}

// ParsePurposes validates a non-empty list of distinct known purposes.
func ParsePurposes(in []string) ([]Purpose, error) {
	if len(in) == 0 {
		return nil, &ValidationError{Field: "purposes", Reason: "at least one purpose is required"}
	}
	out := make([]Purpose, 0, len(in))
	for _, s := range in {
		p, err := ParsePurpose(s)
		if err != nil {
			return nil, err
		}
		if slices.Contains(out, p) {
			return nil, &ValidationError{Field: "purposes", Reason: fmt.Sprintf("purpose %q is listed twice", s)}
		}
		out = append(out, p)
	}
	return out, nil
}

func joinPurposes(ps []Purpose) string {
	s := make([]string, len(ps))
	for i, p := range ps {
		s[i] = string(p)
	}
	return strings.Join(s, ", ")
}

// State is the state of one consent, after the W3C DPV consent states.
type State string

const (
	Requested State = "requested"
	Given     State = "given"
	Refused   State = "refused"
	Withdrawn State = "withdrawn"
	Expired   State = "expired"
)

// DPV is the W3C Data Privacy Vocabulary term for the state.
func (s State) DPV() string {
	switch s {
	case Requested:
		return "dpv:ConsentRequested"
	case Given:
		return "dpv:ConsentGiven"
	case Refused:
		return "dpv:ConsentRefused"
	case Withdrawn:
		return "dpv:ConsentWithdrawn"
	case Expired:
		return "dpv:ConsentExpired"
	}
	return "dpv:ConsentUnknown"
}

// Locales are the languages candidate pages and emails are written in.
var Locales = []string{"en", "de", "fr", "sk", "cs"}

// ParseLocale accepts a BCP 47 tag whose language is supported ("de-AT" → "de").
func ParseLocale(tag string) (string, error) {
	lang := strings.ToLower(strings.TrimSpace(tag))
	if i := strings.IndexAny(lang, "-_"); i >= 0 {
		lang = lang[:i]
	}
	if !slices.Contains(Locales, lang) {
		return "", &ValidationError{Field: "locale", Reason: fmt.Sprintf("unsupported locale %q; supported: %s", tag, strings.Join(Locales, ", "))}
	}
	return lang, nil
}

// Candidate is a person a recruiter asks for consent.
type Candidate struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	Email     string    `json:"email"`
	Locale    string    `json:"locale"`
	CreatedAt time.Time `json:"createdAt"`
	// RestrictedAt is set while processing is restricted (GDPR Art. 18).
	RestrictedAt *time.Time `json:"restrictedAt,omitempty"`
}

// NewCandidate validates a candidate's details and gives it a fresh ID.
func NewCandidate(name, email, locale string, now time.Time) (Candidate, error) {
	name = strings.TrimSpace(name)
	if err := checkName(name); err != nil {
		return Candidate{}, err
	}
	email = strings.TrimSpace(email)
	if err := checkEmail(email); err != nil {
		return Candidate{}, err
	}
	loc, err := ParseLocale(locale)
	if err != nil {
		return Candidate{}, err
	}
	return Candidate{ID: NewID(), Name: name, Email: email, Locale: loc, CreatedAt: now.UTC()}, nil
}

func ascii(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// Consent is the current state of one candidate's consent to one purpose.
type Consent struct {
	CandidateID   string    `json:"-"`
	Purpose       Purpose   `json:"purpose"`
	State         State     `json:"state"`
	NoticeVersion string    `json:"noticeVersion"`
	RequestID     string    `json:"requestId"`
	ReceiptID     string    `json:"receiptId,omitempty"`
	UpdatedAt     time.Time `json:"updatedAt"`
	// ExpiresAt is when given consent lapses (the purpose's retention).
	ExpiresAt *time.Time `json:"expiresAt,omitempty"`
}

// RequestStatus is where a consent request stands.
type RequestStatus string

const (
	Pending  RequestStatus = "pending"
	Answered RequestStatus = "answered"
	Lapsed   RequestStatus = "expired"
)

// Request asks one candidate for consent to one or more purposes.
type Request struct {
	ID            string        `json:"id"`
	CandidateID   string        `json:"candidateId"`
	Purposes      []Purpose     `json:"purposes"`
	Status        RequestStatus `json:"status"`
	NoticeVersion string        `json:"noticeVersion"`
	// NoticeURL is where that version of the notice is published.
	NoticeURL string `json:"noticeUrl"`
	// Retention is each purpose's retention in days, as promised when the
	// request was made; later changes of the deployment do not alter it.
	Retention map[Purpose]int `json:"retentionDays"`
	// Controller is the data controller the candidate is asked to trust.
	Controller string `json:"controller"`
	// RequestedBy is the recruiter who asked (the subject of their token).
	RequestedBy string    `json:"requestedBy"`
	CreatedAt   time.Time `json:"createdAt"`
	// ExpiresAt is when the request's link stops working.
	ExpiresAt time.Time `json:"expiresAt"`
	// RenewsUntil, on a renewal, is when the given consent it asks to renew
	// expires; nil on any other request.
	RenewsUntil *time.Time `json:"renewsUntil,omitempty"`
	// TaskToken is the waiting workflow's token; empty until the link is sent.
	TaskToken string `json:"-"`
	// LinkHash is the SHA-256 of the candidate's link token.
	LinkHash string `json:"-"`
	// Reason says why a request closed without an answer (ReasonUnanswered,
	// ReasonFailed); empty otherwise.
	Reason string `json:"reason,omitempty"`
	// Failure names the error of the step that gave up on the request.
	Failure string `json:"failure,omitempty"`
}

// Open reports whether the request can still be answered at now.
func (r Request) Open(now time.Time) bool {
	return r.Status == Pending && now.Before(r.ExpiresAt)
}

// Decision is a candidate's answer for one purpose.
type Decision struct {
	Purpose Purpose `json:"purpose"`
	Grant   bool    `json:"grant"`
}

// State is the consent state the decision leads to from the state before
// it: declining what was given is a withdrawal (GDPR Art. 7(3)), not a
// refusal.
func (d Decision) State(before State) State {
	switch {
	case d.Grant:
		return Given
	case before == Given:
		return Withdrawn
	}
	return Refused
}

// Answer is a candidate's complete answer to a request: exactly one decision
// for each purpose asked.
func (r Request) Answer(decisions []Decision) error {
	if len(decisions) != len(r.Purposes) {
		return &ValidationError{Field: "decisions", Reason: fmt.Sprintf("answer each of the %d purposes asked, once", len(r.Purposes))}
	}
	seen := map[Purpose]bool{}
	for _, d := range decisions {
		if !slices.Contains(r.Purposes, d.Purpose) {
			return &ValidationError{Field: "decisions", Reason: fmt.Sprintf("purpose %q was not asked in this request", d.Purpose)}
		}
		if seen[d.Purpose] {
			return &ValidationError{Field: "decisions", Reason: fmt.Sprintf("purpose %q is answered twice", d.Purpose)}
		}
		seen[d.Purpose] = true
	}
	return nil
}

// EventType names what happened to a consent.
type EventType string

const (
	EventRequested EventType = "requested"
	EventGiven     EventType = "given"
	EventRefused   EventType = "refused"
	EventWithdrawn EventType = "withdrawn"
	EventExpired   EventType = "expired"
)

// Collection methods: how an event came about.
const (
	CollectedByWebForm  = "web_form"
	CollectedByWorkflow = "workflow"
)

// Event is one append-only entry of a candidate's consent audit trail. It
// carries ids, purposes, codes and hashes only, never a name or an email, so
// that it can outlive an erasure. Seq, Prev and Hash place it in the
// candidate's hash chain (see Seal and VerifyChain); the store sets them in
// the transaction that writes the event.
type Event struct {
	ID               string    `json:"id" dynamodbav:"id"`
	CandidateID      string    `json:"candidateId" dynamodbav:"candidateId"`
	RequestID        string    `json:"requestId" dynamodbav:"requestId"`
	Type             EventType `json:"type" dynamodbav:"type"`
	Purpose          Purpose   `json:"purpose" dynamodbav:"purpose"`
	At               time.Time `json:"at" dynamodbav:"at"`
	LegalBasis       string    `json:"legalBasis" dynamodbav:"legalBasis"`
	NoticeVersion    string    `json:"noticeVersion" dynamodbav:"noticeVersion"`
	CollectionMethod string    `json:"collectionMethod" dynamodbav:"collectionMethod"`
	// Controller is the data controller the consent is given to.
	Controller string `json:"controller" dynamodbav:"controller"`
	// PIICategories and RetentionDays are what the candidate was told is
	// processed and for how long.
	PIICategories []string `json:"piiCategories" dynamodbav:"piiCategories"`
	RetentionDays int      `json:"retentionDays" dynamodbav:"retentionDays"`
	// Actor is who caused the event: the recruiter's subject for a request,
	// "candidate" for a decision, "workflow" for an expiry.
	Actor string `json:"actor" dynamodbav:"actor"`
	// Language is the language the candidate was shown the request in.
	Language string `json:"language,omitempty" dynamodbav:"language,omitempty"`
	// IPHash is a keyed hash of the client's network (the address with its
	// host part cut off), never the address.
	IPHash    string `json:"ipHash,omitempty" dynamodbav:"ipHash,omitempty"`
	UserAgent string `json:"userAgent,omitempty" dynamodbav:"userAgent,omitempty"`
	ReceiptID string `json:"receiptId,omitempty" dynamodbav:"receiptId,omitempty"`
	// Reason says why a request was closed without an answer.
	Reason string `json:"reason,omitempty" dynamodbav:"reason,omitempty"`
	// ConsentUnchanged marks the closing event of a purpose whose consent
	// had already moved on when the request closed (it belongs to another
	// request, or was answered): the consent keeps ConsentState from
	// ConsentRequestID, and this event changes nothing about it.
	ConsentUnchanged bool   `json:"consentUnchanged,omitempty" dynamodbav:"consentUnchanged,omitempty"`
	ConsentState     State  `json:"consentState,omitempty" dynamodbav:"consentState,omitempty"`
	ConsentRequestID string `json:"consentRequestId,omitempty" dynamodbav:"consentRequestId,omitempty"`

	// Seq is the event's place in the candidate's trail: 1, 2, 3, ... with
	// no gaps, assigned in the transaction that changed the state. Prev is
	// the Hash of the event before it ("" for the first), and Hash the
	// SHA-256 of this event's canonical JSON, Prev included.
	Seq  int64  `json:"seq" dynamodbav:"seq"`
	Prev string `json:"prev" dynamodbav:"prev"`
	Hash string `json:"hash" dynamodbav:"hash"`

	// Fields added by other work go below, each block with a comment, with
	// json and dynamodbav tags.

	// Applications and artifacts (CVs, recordings): which one, the
	// recording's reference in the recruiter's tool, the gate's result, the
	// object's key and versions, and the deadline set. Reason (above) says
	// why an upload was refused or removed.
	ApplicationID string     `json:"applicationId,omitempty" dynamodbav:"applicationId,omitempty"`
	ArtifactID    string     `json:"artifactId,omitempty" dynamodbav:"artifactId,omitempty"`
	ArtifactKind  string     `json:"artifactKind,omitempty" dynamodbav:"artifactKind,omitempty"`
	Reference     string     `json:"reference,omitempty" dynamodbav:"reference,omitempty"`
	Result        string     `json:"result,omitempty" dynamodbav:"result,omitempty"`
	ObjectKey     string     `json:"objectKey,omitempty" dynamodbav:"objectKey,omitempty"`
	VersionIDs    []string   `json:"versionIds,omitempty" dynamodbav:"versionIds,omitempty"`
	DeleteBy      *time.Time `json:"deleteBy,omitempty" dynamodbav:"deleteBy,omitempty"`

	// Erasure: the stored fields a tombstone says were redacted (names of
	// fields, never their values).
	Fields []string `json:"fields,omitempty" dynamodbav:"fields,omitempty"`

	// Rights (Art. 16, 18, 21): the rights request the event is about, and
	// for a rectification the hash of the value it replaced (Fields names
	// the field), never a value.
	RightsRequestID string `json:"rightsRequestId,omitempty" dynamodbav:"rightsRequestId,omitempty"`
	OldValueHash    string `json:"oldValueHash,omitempty" dynamodbav:"oldValueHash,omitempty"`
}

// Event types of applications and artifacts.
const (
	EventApplicationOpened EventType = "application_opened"
	EventApplicationClosed EventType = "application_closed"
	EventUploadAuthorized  EventType = "upload_authorized"
	EventUploadRefused     EventType = "upload_refused"
	EventUploadRegistered  EventType = "upload_registered"
	EventUploadRemoved     EventType = "upload_removed"
)

// EventDataExported records that everything held about a candidate was
// exported for them (GDPR Art. 15 access, Art. 20 portability), by whom.
const EventDataExported EventType = "data_exported"

// Actors of events that no recruiter caused.
const (
	ActorCandidate = "candidate"
	ActorWorkflow  = "workflow"
)

// Reasons a request closes without an answer.
const (
	ReasonUnanswered = "unanswered"
	ReasonFailed     = "failed"
)

// Evidence is what the web form knows about how a decision was made.
type Evidence struct {
	IPHash    string
	UserAgent string
	Language  string
}

// StateAt is the consent's state at a moment: given consent past its
// retention has expired, whether or not anything has rewritten it yet.
func (c Consent) StateAt(now time.Time) State {
	if c.State == Given && c.ExpiresAt != nil && !now.Before(*c.ExpiresAt) {
		return Expired
	}
	return c.State
}
