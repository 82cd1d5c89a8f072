package workflow

import (
	"time"

	"github.com/consentflow/consentflow/shared/consent"
)

// The consent-request workflow's input and each step's input and output,
// typed once here for the handlers, request-consent (which starts the
// workflow) and the test that checks statemachines/*.asl.json against them.
// Steps decode their input strictly: a field the ASL passes that the step
// does not know fails the step instead of being ignored.

// ConsentRequest is the consent-request workflow's input.
type ConsentRequest struct {
	RequestID   string            `json:"requestId"`
	CandidateID string            `json:"candidateId"`
	Purposes    []consent.Purpose `json:"purposes"`
	RequestedBy string            `json:"requestedBy"`
	// RenewsUntil, on a renewal, is when the given consent it renews
	// expires; null otherwise (always present: the ASL passes it on).
	RenewsUntil *time.Time `json:"renewsUntil"`
}

// RecordRequestInput is record-consent-request's input.
type RecordRequestInput struct {
	RequestID   string   `json:"requestId"`
	CandidateID string   `json:"candidateId"`
	Purposes    []string `json:"purposes"`
	// RequestedBy is the recruiter who asked, recorded on the request and
	// its events.
	RequestedBy string `json:"requestedBy"`
	// RenewsUntil is the workflow input's: the request renews given consent
	// that expires then (nil: not a renewal).
	RenewsUntil *time.Time `json:"renewsUntil"`
}

// RecordRequestOutput tells the workflow how long to wait for the
// candidate's answer: until the link expires.
type RecordRequestOutput struct {
	AnswerWithinSeconds int64 `json:"answerWithinSeconds"`
}

// SendLinkInput is send-consent-link's input; TaskToken is the waiting
// workflow's.
type SendLinkInput struct {
	RequestID   string `json:"requestId"`
	CandidateID string `json:"candidateId"`
	TaskToken   string `json:"taskToken"`
}

// SendLinkOutput names the email sent.
type SendLinkOutput struct {
	MessageID string `json:"messageId"`
}

// SendReceiptInput is send-consent-receipt's input. The answer handed to
// the workflow is not trusted: the receipt is built from the answer
// recorded in the table.
type SendReceiptInput struct {
	RequestID   string `json:"requestId"`
	CandidateID string `json:"candidateId"`
}

// SendReceiptOutput names the receipt and the email that carried it.
type SendReceiptOutput struct {
	MessageID string `json:"messageId"`
	ReceiptID string `json:"receiptId"`
}

// ExpireInput is expire-consent-request's input. Reason is why the request
// closes: "unanswered" (the default) when the wait timed out, "failed"
// when a step gave up; Failure then names the step's error, which the
// recruiter is shown.
type ExpireInput struct {
	RequestID string `json:"requestId"`
	Reason    string `json:"reason"`
	Failure   string `json:"failure,omitempty"`
}

// ExpireOutput says whether this call expired the request, and the
// request's status afterwards: "answered" means the candidate answered
// although the workflow never heard of it, so it can still send the
// receipt.
type ExpireOutput struct {
	Expired bool                  `json:"expired"`
	Status  consent.RequestStatus `json:"status"`
}
