package consent

import (
	"fmt"
	"regexp"
	"strconv"
	"time"
	"unicode"
	"unicode/utf8"
)

// CallRecording is consent to record a phone or video call, asked apart from
// interview recording.
const CallRecording Purpose = "call_recording"

// LegalBasisApplication is the basis of a CV while its application runs and
// for the retention after it closes: steps before a contract at the
// candidate's request and the controller's legitimate interest in defending
// its hiring decision.
const LegalBasisApplication = "GDPR Art. 6(1)(b) and (f) application"

// ApplicationStatus is where an application stands.
type ApplicationStatus string

const (
	ApplicationOpen   ApplicationStatus = "open"
	ApplicationClosed ApplicationStatus = "closed"
)

// Application is a candidate's application for a position: the legitimate
// interest (GDPR Art. 6(1)(b)/(f)) that keeps their CV while it is open and
// for a retention period after it closes.
type Application struct {
	ID          string            `json:"applicationId"`
	CandidateID string            `json:"candidateId"`
	Position    string            `json:"position"`
	Status      ApplicationStatus `json:"status"`
	// Outcome is "hired", "rejected" or "withdrawn" once closed.
	Outcome  string     `json:"outcome,omitempty"`
	OpenedAt time.Time  `json:"openedAt"`
	ClosedAt *time.Time `json:"closedAt,omitempty"`
}

// OutcomeWithdrawn closes an application the candidate withdrew from, or
// objected to without compelling grounds against it.
const OutcomeWithdrawn = "withdrawn"

// ParseOutcome validates how an application closed.
func ParseOutcome(s string) (string, error) {
	switch s {
	case "hired", "rejected", "withdrawn":
		return s, nil
	}
	return "", &ValidationError{Field: "outcome", Reason: `the outcome must be "hired", "rejected" or "withdrawn"`}
}

// ArtifactKind is what an artifact is.
type ArtifactKind string

const (
	KindCV        ArtifactKind = "cv"
	KindRecording ArtifactKind = "recording"
)

// ArtifactStatus is an artifact's place in its life.
type ArtifactStatus string

const (
	// ArtifactAuthorized: an upload was allowed and nothing has arrived yet.
	ArtifactAuthorized ArtifactStatus = "authorized"
	ArtifactUploaded   ArtifactStatus = "uploaded"
	ArtifactErasing    ArtifactStatus = "erasing"
	ArtifactErased     ArtifactStatus = "erased"
	// ArtifactErasureFailed keeps the artifact due, so the next sweep retries.
	ArtifactErasureFailed ArtifactStatus = "erasure_failed"
)

// Artifact is a file held about a candidate (a CV, a recording) in S3. Its
// key holds opaque ids only.
type Artifact struct {
	ID          string         `json:"id"`
	CandidateID string         `json:"candidateId"`
	Kind        ArtifactKind   `json:"kind"`
	Status      ArtifactStatus `json:"status"`
	Bucket      string         `json:"-"`
	Key         string         `json:"-"`
	// ApplicationID is the application a CV was sent for.
	ApplicationID string `json:"applicationId,omitempty"`
	// RecordingKind ("interview", "call"), Purpose and Reference (the
	// interview's or call's id in the recruiter's tool) describe a recording.
	RecordingKind string  `json:"recordingKind,omitempty"`
	Purpose       Purpose `json:"purpose,omitempty"`
	Reference     string  `json:"reference,omitempty"`
	// ContentType and DeclaredSize are what the upload was allowed to be.
	ContentType  string `json:"contentType"`
	DeclaredSize int64  `json:"declaredSize,omitempty"`
	// Size and VersionIDs are what arrived.
	Size          int64      `json:"size,omitempty"`
	VersionIDs    []string   `json:"-"`
	AuthorizedBy  string     `json:"-"`
	AuthorizedAt  time.Time  `json:"authorizedAt"`
	UploadExpires time.Time  `json:"uploadExpiresAt"`
	UploadedAt    *time.Time `json:"uploadedAt,omitempty"`
	NoticeVersion string     `json:"noticeVersion,omitempty"`
	// DeleteBy is when the artifact must be gone; nil while an open basis
	// with no end (an open application) covers it.
	DeleteBy *time.Time `json:"deleteBy"`
	// ErasedAt is when every version was deleted; ErasureFailures counts
	// erasures that gave up (the sweep retries them).
	ErasedAt        *time.Time `json:"erasedAt,omitempty"`
	ErasureFailures int        `json:"erasureFailures,omitempty"`
}

// RegisteredVersion is the S3 version id of the upload that was registered
// (the last one), or "" when none was (an unversioned bucket, or nothing
// uploaded yet).
func (a Artifact) RegisteredVersion() string {
	if n := len(a.VersionIDs); n > 0 {
		return a.VersionIDs[n-1]
	}
	return ""
}

// Period is a calendar period such as ISO 8601's P6M, P4W, P2Y or P90D.
type Period struct {
	Years, Months, Days int
}

var periodPattern = regexp.MustCompile(`^P(?:(\d{1,3})Y)?(?:(\d{1,4})M)?(?:(\d{1,3})W)?(?:(\d{1,5})D)?$`)

// ParsePeriod reads an ISO 8601 period of years, months, weeks and days.
func ParsePeriod(s string) (Period, error) {
	m := periodPattern.FindStringSubmatch(s)
	if m == nil || s == "P" {
		return Period{}, fmt.Errorf("%q is not a period such as P6M, P4W, P2Y or P90D", s)
	}
	n := func(i int) int { v, _ := strconv.Atoi(m[i]); return v }
	p := Period{Years: n(1), Months: n(2), Days: 7*n(3) + n(4)}
	if p == (Period{}) {
		return Period{}, fmt.Errorf("%q is an empty period", s)
	}
	return p, nil
}

// After is t moved on by the period.
func (p Period) After(t time.Time) time.Time { return t.AddDate(p.Years, p.Months, p.Days) }

func (p Period) String() string {
	s := "P"
	if p.Years != 0 {
		s += strconv.Itoa(p.Years) + "Y"
	}
	if p.Months != 0 {
		s += strconv.Itoa(p.Months) + "M"
	}
	if p.Days != 0 {
		s += strconv.Itoa(p.Days) + "D"
	}
	return s
}

// Retention is how long artifacts are kept once a basis no longer needs them.
type Retention struct {
	// AfterClose keeps a CV after its application closed (Germany: 6 months).
	AfterClose Period
	// Recording keeps a recording after its upload.
	Recording Period
}

// DefaultRetention is German practice for CVs and 90 days for recordings.
var DefaultRetention = Retention{AfterClose: Period{Months: 6}, Recording: Period{Days: 90}}

// Bases are what may keep a candidate's artifacts: their applications and
// consents, under the deployment's retention.
type Bases struct {
	Applications map[string]Application
	Consents     map[Purpose]Consent
	Retention    Retention
	// Restricted: processing is restricted (GDPR Art. 18). The data is
	// kept with no end while it holds, whatever the other bases say.
	Restricted bool
}

// DeleteBy is the one deadline rule: the latest end of the bases still
// covering the artifact, nil while one of them has no end, and at (the time
// of the change) when none covers it any more.
//
//   - A CV is covered by its application (open: no end; closed: closedAt
//     plus Retention.AfterClose) and by given talent-pool consent (until it
//     expires).
//   - A recording is covered by given consent to its purpose, until that
//     consent expires and at most Retention.Recording after its upload (or,
//     before it arrives, after its authorization).
//   - A restriction of processing (Art. 18) covers every artifact with no
//     end while it holds: nothing falls due until it is lifted.
func (b Bases) DeleteBy(a Artifact, at time.Time) *time.Time {
	if b.Restricted {
		return nil
	}
	var latest *time.Time
	cover := func(end *time.Time) bool {
		if end == nil {
			return true // open-ended: nothing is due
		}
		if latest == nil || end.After(*latest) {
			e := end.UTC()
			latest = &e
		}
		return false
	}
	switch a.Kind {
	case KindCV:
		if app, ok := b.Applications[a.ApplicationID]; ok {
			switch {
			case app.Status == ApplicationOpen:
				if cover(nil) {
					return nil
				}
			case app.ClosedAt != nil:
				end := b.Retention.AfterClose.After(*app.ClosedAt)
				cover(&end)
			}
		}
		if c, ok := b.Consents[TalentPool]; ok && c.StateAt(at) == Given && c.ExpiresAt != nil {
			cover(c.ExpiresAt)
		}
	case KindRecording:
		if c, ok := b.Consents[a.Purpose]; ok && c.StateAt(at) == Given {
			anchor := a.AuthorizedAt
			if a.UploadedAt != nil {
				anchor = *a.UploadedAt
			}
			end := b.Retention.Recording.After(anchor)
			if c.ExpiresAt != nil && c.ExpiresAt.Before(end) {
				end = *c.ExpiresAt
			}
			cover(&end)
		}
	}
	if latest == nil {
		now := at.UTC()
		return &now
	}
	return latest
}

// Recording kinds and the purpose each needs.
var recordingPurposes = map[string]Purpose{"interview": InterviewRecording, "call": CallRecording}

// RecordingPurpose is the purpose a recording kind needs consent to.
func RecordingPurpose(kind string) (Purpose, error) {
	p, ok := recordingPurposes[kind]
	if !ok {
		return "", &ValidationError{Field: "kind", Reason: `the kind must be "interview" or "call"`}
	}
	return p, nil
}

// Gate is the answer to "may this recording start?".
type Gate string

const (
	// GateAuthorized: consent is given under the current notice.
	GateAuthorized Gate = "authorized"
	// GateAwaiting: never asked, or asked and not yet answered.
	GateAwaiting Gate = "awaiting_consent"
	// GateRefused: the candidate said no, withdrew, or the consent lapsed or
	// was given under an older notice; Reason says which.
	GateRefused Gate = "refused"
)

// Reasons a recording gate refuses.
const (
	GateReasonRefused        = "refused"
	GateReasonWithdrawn      = "withdrawn"
	GateReasonExpired        = "expired"
	GateReasonOutdatedNotice = "outdated_notice"
)

// RecordingGate decides from the consent's current state (nil: never asked)
// and the notice version in force. It is a pure function so that the gate
// cannot drift from what the consent says.
func RecordingGate(c *Consent, noticeVersion string, now time.Time) (Gate, string) {
	if c == nil {
		return GateAwaiting, ""
	}
	switch c.StateAt(now) {
	case Requested:
		return GateAwaiting, ""
	case Given:
		if c.NoticeVersion != noticeVersion {
			return GateRefused, GateReasonOutdatedNotice
		}
		return GateAuthorized, ""
	case Refused:
		return GateRefused, GateReasonRefused
	case Withdrawn:
		return GateRefused, GateReasonWithdrawn
	}
	return GateRefused, GateReasonExpired
}

// CV content types accepted, and the largest CV.
var CVContentTypes = []string{
	"application/pdf",
	"application/vnd.openxmlformats-officedocument.wordprocessingml.document",
	"application/vnd.oasis.opendocument.text",
	"text/plain",
}

const MaxCVSize = 20 << 20

// MaxRecordingSize is the largest recording one upload may carry (S3's
// limit for a single POST).
const MaxRecordingSize = 5 << 30

// RetentionFromEnv reads APPLICATION_RETENTION and RECORDING_RETENTION.
func RetentionFromEnv(getenv func(string) string) (Retention, error) {
	var r Retention
	var err error
	if r.AfterClose, err = ParsePeriod(getenv("APPLICATION_RETENTION")); err != nil {
		return Retention{}, fmt.Errorf("APPLICATION_RETENTION: %w", err)
	}
	if r.Recording, err = ParsePeriod(getenv("RECORDING_RETENTION")); err != nil {
		return Retention{}, fmt.Errorf("RECORDING_RETENTION: %w", err)
	}
	return r, nil
}

// ValidReference checks an interview's or call's id in the recruiter's
// video tool: 1 to 200 printable characters.
func ValidReference(ref string) error {
	bad := &ValidationError{Field: "reference", Reason: "the interview's or call's id in your tool is required: 1 to 200 printable characters"}
	if ref == "" || utf8.RuneCountInString(ref) > 200 || !utf8.ValidString(ref) {
		return bad
	}
	for _, r := range ref {
		if !unicode.IsPrint(r) {
			return bad
		}
	}
	return nil
}
