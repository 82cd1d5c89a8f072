package lambda

import (
	"fmt"
	"net/http"
)

// Error codes of the Lambda service itself, as the Lambda API names them.
// A Step Functions task sees them prefixed with "Lambda.".
const (
	CodeResourceNotFound      = "ResourceNotFoundException"
	CodeRequestTooLarge       = "RequestEntityTooLargeException"
	CodeInvalidRequestContent = "InvalidRequestContentException"
	CodeInvalidParameter      = "InvalidParameterValueException"
	CodeService               = "ServiceException"
)

// Error is a failure of the Lambda service, not of the function: the
// function was not found, the payload was too large, the service is closing.
// A function's own failure is a Result with FunctionError set instead.
type Error struct {
	Code    string // e.g. CodeResourceNotFound
	Status  int    // the HTTP status the Lambda API answers with
	Message string
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

func errNotFound(arn string) *Error {
	return &Error{Code: CodeResourceNotFound, Status: http.StatusNotFound, Message: "Function not found: " + arn}
}

func errTooLarge(limit int) *Error {
	return &Error{
		Code:    CodeRequestTooLarge,
		Status:  http.StatusRequestEntityTooLarge,
		Message: fmt.Sprintf("Request must be smaller than %d bytes for the InvokeFunction operation", limit),
	}
}

func errInvalidJSON(err error) *Error {
	return &Error{
		Code:    CodeInvalidRequestContent,
		Status:  http.StatusBadRequest,
		Message: "Could not parse request body into json: " + err.Error(),
	}
}

func errInvalidParameter(msg string) *Error {
	return &Error{Code: CodeInvalidParameter, Status: http.StatusBadRequest, Message: msg}
}

func errClosed() *Error {
	return &Error{Code: CodeService, Status: http.StatusInternalServerError, Message: "the local Lambda service is closed"}
}
