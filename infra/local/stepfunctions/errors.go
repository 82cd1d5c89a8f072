package stepfunctions

import (
	"fmt"
	"slices"
)

// The built-in error names of the Amazon States Language.
const (
	ErrALL                    = "States.ALL"
	ErrTaskFailed             = "States.TaskFailed"
	ErrTimeout                = "States.Timeout"
	ErrHeartbeatTimeout       = "States.HeartbeatTimeout"
	ErrRuntime                = "States.Runtime"
	ErrNoChoiceMatched        = "States.NoChoiceMatched"
	ErrIntrinsicFailure       = "States.IntrinsicFailure"
	ErrResultPathMatchFailure = "States.ResultPathMatchFailure"
	ErrParameterPathFailure   = "States.ParameterPathFailure"
	ErrBranchFailed           = "States.BranchFailed"
	ErrDataLimitExceeded      = "States.DataLimitExceeded"
	ErrPermissions            = "States.Permissions"
	ErrItemReaderFailed       = "States.ItemReaderFailed"
	ErrResultWriterFailed     = "States.ResultWriterFailed"
	ErrExceedToleratedFailure = "States.ExceedToleratedFailureThreshold"
	ErrQueryEvaluationError   = "States.QueryEvaluationError"

	// ErrReferencePathConflict is what AWS names a ResultPath that cannot be
	// applied to the input (a member set on a value that is not an object).
	// It is not one of the names the language lets ErrorEquals list.
	ErrReferencePathConflict = "States.ReferencePathConflict"
)

var builtinErrors = []string{
	ErrALL, ErrTaskFailed, ErrTimeout, ErrHeartbeatTimeout, ErrRuntime, ErrNoChoiceMatched, ErrIntrinsicFailure,
	ErrResultPathMatchFailure, ErrParameterPathFailure, ErrBranchFailed, ErrDataLimitExceeded, ErrPermissions,
	ErrItemReaderFailed, ErrResultWriterFailed, ErrExceedToleratedFailure, ErrQueryEvaluationError,
}

// stateError is a failure inside an execution, named like an ASL error so that
// Retry and Catch can match it.
type stateError struct {
	Name  string
	Cause string
	// nullName and nullCause record that SendTaskFailure gave no error or
	// cause: a Catch then sees null, as in AWS.
	nullName, nullCause bool
	// cancelled marks a state stopped because its execution or a sibling
	// branch ended; such an error is never retried, caught or recorded.
	cancelled bool
}

func (e *stateError) Error() string { return fmt.Sprintf("%s: %s", e.Name, e.Cause) }

func failf(name, format string, args ...any) *stateError {
	return &stateError{Name: name, Cause: fmt.Sprintf(format, args...)}
}

// matches reports whether an ErrorEquals list catches e, with AWS's rules:
// States.Runtime is never caught; States.ALL catches everything else except
// States.DataLimitExceeded; States.TaskFailed everything but timeouts;
// States.Timeout also catches heartbeat timeouts.
func (e *stateError) matches(names []string) bool {
	if e.Name == ErrRuntime {
		return false
	}
	for _, n := range names {
		switch n {
		case e.Name:
			return true
		case ErrALL:
			if e.Name != ErrDataLimitExceeded {
				return true
			}
		case ErrTaskFailed:
			if !slices.Contains([]string{ErrTimeout, ErrHeartbeatTimeout, ErrDataLimitExceeded}, e.Name) {
				return true
			}
		case ErrTimeout:
			if e.Name == ErrHeartbeatTimeout {
				return true
			}
		}
	}
	return false
}

// catchOutput is what a Catch puts at its ResultPath.
func (e *stateError) catchOutput() map[string]any {
	out := map[string]any{"Error": e.Name, "Cause": e.Cause}
	if e.nullName {
		out["Error"] = nil
	}
	if e.nullCause {
		out["Cause"] = nil
	}
	return out
}

// apiError is an error of the Step Functions API, returned as HTTP 400 with a
// __type, as AWS does.
type apiError struct {
	Type    string
	Message string
	Status  int
}

func (e *apiError) Error() string { return e.Type + ": " + e.Message }

func apiErrorf(typ, format string, args ...any) *apiError {
	return &apiError{Type: typ, Message: fmt.Sprintf(format, args...), Status: 400}
}
