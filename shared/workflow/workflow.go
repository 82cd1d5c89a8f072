// Package workflow gives the errors of workflow steps the stable names that
// the ASL files' Retry and Catch match. A Go Lambda's error name is the
// reflected type name of the error it returns, which is neither stable nor
// meaningful for wrapped errors, so steps return Error(err) instead.
package workflow

import (
	"errors"

	"github.com/aws/aws-lambda-go/lambda/messages"

	"github.com/consentflow/consentflow/shared/consent"
	"github.com/consentflow/consentflow/shared/mail"
	"github.com/consentflow/consentflow/shared/objects"
	"github.com/consentflow/consentflow/shared/signature"
	"github.com/consentflow/consentflow/shared/store"
)

// Error names the ASL files may match.
const (
	// StoreUnavailable: DynamoDB failed; retry.
	StoreUnavailable = "StoreUnavailable"
	// MailUnavailable: SES did not take the email; retry.
	MailUnavailable = "MailUnavailable"
	// MailRejected: SES refused the email itself; do not retry.
	MailRejected = "MailRejected"
	// NotFound: the candidate or request does not exist; do not retry.
	NotFound = "NotFound"
	// Conflict: the stored state does not allow the step; do not retry.
	Conflict = "Conflict"
	// Contention: concurrent changes of the candidate kept winning; retry
	// with backoff.
	Contention = "Contention"
	// InvalidInput: the step's input is malformed; do not retry.
	InvalidInput = "InvalidInput"
	// SigningUnavailable: KMS did not sign the receipt; retry.
	SigningUnavailable = "SigningUnavailable"
	// Gone: the candidate was erased; do not retry.
	Gone = "Gone"
	// ObjectStoreUnavailable: S3 failed a call; retry.
	ObjectStoreUnavailable = "ObjectStoreUnavailable"
	// VersionsRemain: versions of an object were still listed after they
	// were deleted; retry, and never report the object erased.
	VersionsRemain = "VersionsRemain"
	// StepFailed: anything else.
	StepFailed = "StepFailed"
)

// Error returns err as a Lambda error whose type is one of the names above.
func Error(err error) error {
	if err == nil {
		return nil
	}
	return messages.InvokeResponse_Error{Type: Name(err), Message: err.Error()}
}

// ErrorName is the name a step's error carries (the type of the Lambda
// error Error made), or "" for any other error.
func ErrorName(err error) string {
	var e messages.InvokeResponse_Error
	if errors.As(err, &e) {
		return e.Type
	}
	return ""
}

// Name is the stable error name of err.
func Name(err error) string {
	var (
		st       *store.UnavailableError
		ml       *mail.UnavailableError
		rejected *mail.RejectedError
		notFound *consent.NotFoundError
		conflict *consent.ConflictError
		expired  *consent.LinkExpiredError
		invalid  *consent.ValidationError
		signing  *signature.UnavailableError
		gone     *consent.GoneError
		objs     *objects.UnavailableError
		remain   *objects.RemainError
	)
	switch {
	case errors.As(err, &st):
		return StoreUnavailable
	case errors.As(err, &ml):
		return MailUnavailable
	case errors.As(err, &rejected):
		return MailRejected
	case errors.As(err, &notFound):
		return NotFound
	case errors.As(err, &conflict) && conflict.Contended:
		return Contention
	case errors.As(err, &conflict), errors.As(err, &expired):
		return Conflict
	case errors.As(err, &invalid):
		return InvalidInput
	case errors.As(err, &signing):
		return SigningUnavailable
	case errors.As(err, &gone):
		return Gone
	case errors.As(err, &objs):
		return ObjectStoreUnavailable
	case errors.As(err, &remain):
		return VersionsRemain
	}
	return StepFailed
}
