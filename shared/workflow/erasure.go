package workflow

import "time"

// The erasure workflow's input and each step's input and output (see
// statemachines/erasure.asl.json).

// Erasure is the erasure workflow's input: the artifacts of one candidate
// to erase and why; Full erases the profile after them (GDPR Art. 17).
type Erasure struct {
	CandidateID string   `json:"candidateId"`
	ArtifactIDs []string `json:"artifactIds"`
	Reason      string   `json:"reason"`
	Full        bool     `json:"full"`
}

// BeginErasureInput is begin-erasure's input. AsOf is the execution's
// start: what is due is decided by it, never by a clock.
type BeginErasureInput struct {
	CandidateID string    `json:"candidateId"`
	ArtifactID  string    `json:"artifactId"`
	Reason      string    `json:"reason"`
	AsOf        time.Time `json:"asOf"`
}

// BeginErasureOutput says whether to erase, and the object to erase.
type BeginErasureOutput struct {
	Erase  bool   `json:"erase"`
	Bucket string `json:"bucket"`
	Key    string `json:"key"`
}

// DeleteVersionsInput is delete-object-versions' input.
type DeleteVersionsInput struct {
	Bucket string `json:"bucket"`
	Key    string `json:"key"`
}

// DeleteVersionsOutput lists the versions and delete markers deleted; it
// is returned only once a listing finds none left.
type DeleteVersionsOutput struct {
	VersionIDs []string `json:"versionIds"`
}

// CompleteErasureInput is complete-erasure's input.
type CompleteErasureInput struct {
	CandidateID string   `json:"candidateId"`
	ArtifactID  string   `json:"artifactId"`
	VersionIDs  []string `json:"versionIds"`
}

// ErasureResult is what one artifact's erasure came to: Erased is true
// when this execution erased it.
type ErasureResult struct {
	ArtifactID string `json:"artifactId"`
	Erased     bool   `json:"erased"`
}

// RecordErasureFailureInput is record-erasure-failure's input: the error
// the workflow caught.
type RecordErasureFailureInput struct {
	CandidateID string `json:"candidateId"`
	ArtifactID  string `json:"artifactId"`
	Error       string `json:"error"`
}

// RecordErasureFailureOutput says the failure is recorded.
type RecordErasureFailureOutput struct {
	Recorded bool `json:"recorded"`
}

// SendErasureNoticeInput is send-erasure-notice's input: the results of
// the artifacts' erasures.
type SendErasureNoticeInput struct {
	// Execution is the erasure execution's name ($$.Execution.Name): each
	// of its emails is sent at most once, however often the step is tried.
	Execution   string          `json:"execution"`
	CandidateID string          `json:"candidateId"`
	Reason      string          `json:"reason"`
	Full        bool            `json:"full"`
	Results     []ErasureResult `json:"results"`
}

// SendErasureNoticeOutput names the emails sent (none when nothing was
// erased by this execution).
type SendErasureNoticeOutput struct {
	MessageIDs []string `json:"messageIds"`
}

// EraseProfileInput is erase-profile's input.
type EraseProfileInput struct {
	CandidateID string `json:"candidateId"`
}

// EraseProfileOutput says whether this call erased the profile.
type EraseProfileOutput struct {
	Erased bool `json:"erased"`
}
