package consent

import "strings"

// Event types of withdrawals recorded outside a consent request, and of
// erasure.
const (
	// EventErasureStarted: an artifact is being erased (its versions are
	// being deleted).
	EventErasureStarted EventType = "erasure_started"
	// EventErased is the tombstone of an erased artifact: which keys,
	// versions and fields were deleted, when, why and under which notice.
	EventErased EventType = "erased"
	// EventErasureFailed: the erasure of an artifact gave up after its
	// retries; the artifact stays due and the next sweep tries again.
	EventErasureFailed EventType = "erasure_failed"
	// EventErasureRequested: the candidate (or the recruiter for them)
	// asked that everything be erased (GDPR Art. 17).
	EventErasureRequested EventType = "erasure_requested"
	// EventProfileErased is the tombstone of the candidate's profile.
	EventProfileErased EventType = "profile_erased"
)

// Why an artifact is erased: the basis that ended.
const (
	ErasureRetentionEnded = "retention_ended"
	ErasureWithdrawn      = "consent_withdrawn"
	ErasureRequested      = "erasure_requested"
)

// Channels a withdrawal can reach the controller through, besides the
// candidate's own pages (CollectedByWebForm).
var withdrawalChannels = []string{"email", "phone", "letter"}

// ParseChannel validates the channel of a withdrawal a recruiter records.
func ParseChannel(s string) (string, error) {
	for _, c := range withdrawalChannels {
		if s == c {
			return s, nil
		}
	}
	return "", &ValidationError{Field: "channel", Reason: `the channel must be "` + strings.Join(withdrawalChannels, `", "`) + `"`}
}

// GoneError says the candidate's data was erased at their request: the
// answer is 410, and nothing about them is shown or changed any more.
type GoneError struct{ ID string }

func (e *GoneError) Error() string { return "candidate " + e.ID + " was erased" }
