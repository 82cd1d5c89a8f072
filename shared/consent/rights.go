package consent

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strings"
	"time"
)

// The other rights of GDPR Chapter III: rectification (Art. 16),
// restriction of processing (Art. 18) and objection (Art. 21).

// Event types of the rights.
const (
	// EventRestricted: processing of the candidate's data is restricted:
	// it is kept, not used, and no deadline passes while it holds.
	EventRestricted EventType = "processing_restricted"
	// EventRestrictionLifted: the restriction ended; deadlines run again.
	EventRestrictionLifted EventType = "restriction_lifted"
	// EventRectificationRequested: the candidate asked that a field be
	// corrected. The event names the field, never a value.
	EventRectificationRequested EventType = "rectification_requested"
	// EventRectified: the recruiter confirmed a rectification; the event
	// keeps only the hash of the old value (OldValueHash).
	EventRectified EventType = "rectified"
	// EventRectificationDeclined: the recruiter declined it, with a reason
	// the candidate is told (the reason is in the request, not the event).
	EventRectificationDeclined EventType = "rectification_declined"
	// EventObjected: the candidate objected to the legitimate-interest
	// processing of an application.
	EventObjected EventType = "objection_received"
	// EventObjectionOverridden: the recruiter recorded compelling grounds.
	EventObjectionOverridden EventType = "objection_overridden"
	// EventObjectionUpheld: no compelling grounds within the grace period:
	// the application was closed.
	EventObjectionUpheld EventType = "objection_upheld"
)

// Legal bases named in the rights' events.
const (
	LegalBasisRectification = "GDPR Art. 16 rectification"
	LegalBasisRestriction   = "GDPR Art. 18 restriction of processing"
	LegalBasisObjection     = "GDPR Art. 21 objection"
)

// GateReasonRestricted: the recording gate refuses while processing is
// restricted.
const GateReasonRestricted = "restricted"

// RightsDeadline is when a request under Art. 15 to 22 must be answered
// (Art. 12(3): one month of its receipt).
func RightsDeadline(receivedAt time.Time) time.Time { return receivedAt.UTC().AddDate(0, 1, 0) }

// Fields a candidate may ask to have rectified.
var RectifiableFields = []string{"name", "email", "locale"}

// ParseRectification validates a field and its correct value.
func ParseRectification(field, value string) (string, string, error) {
	value = strings.TrimSpace(value)
	var err error
	switch field {
	case "name":
		err = checkName(value)
	case "email":
		err = checkEmail(value)
	case "locale":
		value, err = ParseLocale(value)
	default:
		return "", "", &ValidationError{Field: "field", Reason: `the field must be "name", "email" or "locale"`}
	}
	if v := new(ValidationError); errors.As(err, &v) {
		return "", "", &ValidationError{Field: "value", Reason: v.Reason}
	}
	if err != nil {
		return "", "", err
	}
	return field, value, nil
}

// Decisions on a rectification.
const (
	DecisionConfirm = "confirm"
	DecisionDecline = "decline"
)

// RightsStatus is where a rights request stands.
type RightsStatus string

const (
	RightsOpen      RightsStatus = "open"
	RightsConfirmed RightsStatus = "confirmed"
	RightsDeclined  RightsStatus = "declined"
	// RightsOverridden: an objection the recruiter answered with
	// compelling grounds; RightsUpheld: one that closed the application.
	RightsOverridden RightsStatus = "overridden"
	RightsUpheld     RightsStatus = "upheld"
)

// RightsKind is which right a request exercises.
type RightsKind string

const (
	RightRectification RightsKind = "rectification"
	RightObjection     RightsKind = "objection"
)

// RightsRequest is a candidate's request to rectify a field or an
// objection to an application's processing, with its one-month deadline.
type RightsRequest struct {
	ID          string       `json:"id" dynamodbav:"id"`
	CandidateID string       `json:"candidateId" dynamodbav:"candidateId"`
	Kind        RightsKind   `json:"kind" dynamodbav:"kind"`
	Status      RightsStatus `json:"status" dynamodbav:"status"`
	// Field and Value: the correction asked (rectification).
	Field string `json:"field,omitempty" dynamodbav:"field,omitempty"`
	Value string `json:"value,omitempty" dynamodbav:"value,omitempty"`
	// ApplicationID: the application objected to (objection); GraceEnds:
	// when it closes unless compelling grounds are recorded.
	ApplicationID string     `json:"applicationId,omitempty" dynamodbav:"applicationId,omitempty"`
	GraceEnds     *time.Time `json:"graceEndsAt,omitempty" dynamodbav:"graceEndsAt,omitempty"`
	RequestedAt   time.Time  `json:"requestedAt" dynamodbav:"requestedAt"`
	Deadline      time.Time  `json:"deadline" dynamodbav:"deadline"`
	DecidedAt     *time.Time `json:"decidedAt,omitempty" dynamodbav:"decidedAt,omitempty"`
	DecidedBy     string     `json:"-" dynamodbav:"decidedBy,omitempty"`
	Reason        string     `json:"reason,omitempty" dynamodbav:"reason,omitempty"`
}

// HashValue is the hash an audit event keeps of a personal value that a
// rectification replaced: SHA-256, hex. The value itself is never kept.
func HashValue(v string) string {
	sum := sha256.Sum256([]byte(v))
	return hex.EncodeToString(sum[:])
}
