package consent

import "fmt"

// ValidationError is bad input: a field with a reason a person can act on.
type ValidationError struct {
	Field  string
	Reason string
}

func (e *ValidationError) Error() string { return fmt.Sprintf("invalid %s: %s", e.Field, e.Reason) }

// NotFoundError says a thing does not exist (or is not visible to the caller).
type NotFoundError struct {
	What string // "candidate", "consent request", "link"
	ID   string
}

func (e *NotFoundError) Error() string {
	if e.ID == "" {
		return e.What + " not found"
	}
	return fmt.Sprintf("%s %s not found", e.What, e.ID)
}

// ConflictError says the stored state does not allow the change, such as a
// second answer to a request that was already answered.
type ConflictError struct {
	Reason string
	// Contended is set when concurrent changes kept winning: trying again
	// later can succeed.
	Contended bool
}

func (e *ConflictError) Error() string { return "conflict: " + e.Reason }

// LinkExpiredError says a candidate link is past its expiry or its request
// has lapsed.
type LinkExpiredError struct{}

func (e *LinkExpiredError) Error() string { return "the link has expired" }

// LinkReplacedError says a candidate's manage link was replaced by a newer
// one, mailed since: only the latest works.
type LinkReplacedError struct{}

func (e *LinkReplacedError) Error() string { return "the link was replaced by a newer one" }
