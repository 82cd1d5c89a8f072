package store

// Applications, artifacts (CVs and recordings) and their deadlines.
//
// Keys (pk, sk):
//
//	CANDIDATE#<id>  APPLICATION#<id>  an application, the basis of a CV
//	CANDIDATE#<id>  ARTIFACT#<id>     a CV or a recording, with deleteBy
//
// An artifact that is not erased and has a deadline carries dueShard
// (DUE#<n>) and deleteBy, the keys of the sparse index DueIndex, so that
// what is due is found by a Query per shard, never a Scan.

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/consentflow/consentflow/shared/consent"
)

// DueIndex is the sparse global secondary index of artifacts by deadline:
// partition DueShardAttr ("DUE#<n>"), sort DeleteByAttr.
const (
	DueIndex     = "due"
	DueShardAttr = "dueShard"
	DeleteByAttr = "deleteBy"
	// DueShards spreads deadlines over this many partitions.
	DueShards = 16
)

// DueShard is the shard of an artifact in the due index.
func DueShard(artifactID string) string {
	h := fnv.New32a()
	h.Write([]byte(artifactID))
	return fmt.Sprintf("DUE#%d", h.Sum32()%DueShards)
}

func applicationSK(id string) string { return "APPLICATION#" + id }
func artifactSK(id string) string    { return "ARTIFACT#" + id }

type applicationItem struct {
	PK          string                    `dynamodbav:"pk"`
	SK          string                    `dynamodbav:"sk"`
	ID          string                    `dynamodbav:"id"`
	CandidateID string                    `dynamodbav:"candidateId"`
	Position    string                    `dynamodbav:"position"`
	Status      consent.ApplicationStatus `dynamodbav:"status"`
	Outcome     string                    `dynamodbav:"outcome,omitempty"`
	OpenedAt    time.Time                 `dynamodbav:"openedAt"`
	ClosedAt    *time.Time                `dynamodbav:"closedAt,omitempty"`
	OpenedBy    string                    `dynamodbav:"openedBy"`
}

func (it applicationItem) application() consent.Application {
	return consent.Application{ID: it.ID, CandidateID: it.CandidateID, Position: it.Position, Status: it.Status,
		Outcome: it.Outcome, OpenedAt: it.OpenedAt, ClosedAt: it.ClosedAt}
}

type artifactItem struct {
	PK            string                 `dynamodbav:"pk"`
	SK            string                 `dynamodbav:"sk"`
	ID            string                 `dynamodbav:"id"`
	CandidateID   string                 `dynamodbav:"candidateId"`
	Kind          consent.ArtifactKind   `dynamodbav:"kind"`
	Status        consent.ArtifactStatus `dynamodbav:"status"`
	Bucket        string                 `dynamodbav:"bucket"`
	Key           string                 `dynamodbav:"objectKey"`
	ApplicationID string                 `dynamodbav:"applicationId,omitempty"`
	RecordingKind string                 `dynamodbav:"recordingKind,omitempty"`
	Purpose       consent.Purpose        `dynamodbav:"purpose,omitempty"`
	Reference     string                 `dynamodbav:"reference,omitempty"`
	ContentType   string                 `dynamodbav:"contentType,omitempty"`
	DeclaredSize  int64                  `dynamodbav:"declaredSize,omitempty"`
	Size          int64                  `dynamodbav:"size,omitempty"`
	VersionIDs    []string               `dynamodbav:"versionIds,omitempty"`
	AuthorizedBy  string                 `dynamodbav:"authorizedBy"`
	AuthorizedAt  time.Time              `dynamodbav:"authorizedAt"`
	UploadExpires time.Time              `dynamodbav:"uploadExpiresAt"`
	UploadedAt    *time.Time             `dynamodbav:"uploadedAt,omitempty"`
	NoticeVersion string                 `dynamodbav:"noticeVersion,omitempty"`
	DeleteBy      *time.Time             `dynamodbav:"deleteBy,omitempty"`
	DueShard      string                 `dynamodbav:"dueShard,omitempty"`
	// Erasure: why the artifact is (being) erased, when it was, and how
	// many erasures failed before (part of the next one's execution name).
	ErasureReason   string     `dynamodbav:"erasureReason,omitempty"`
	ErasedAt        *time.Time `dynamodbav:"erasedAt,omitempty"`
	ErasureFailures int        `dynamodbav:"erasureFailures,omitempty"`
}

func newArtifactItem(a consent.Artifact) artifactItem {
	return artifactItem{
		PK: candidatePK(a.CandidateID), SK: artifactSK(a.ID), ID: a.ID, CandidateID: a.CandidateID, Kind: a.Kind,
		Status: a.Status, Bucket: a.Bucket, Key: a.Key, ApplicationID: a.ApplicationID, RecordingKind: a.RecordingKind,
		Purpose: a.Purpose, Reference: a.Reference, ContentType: a.ContentType, DeclaredSize: a.DeclaredSize,
		Size: a.Size, VersionIDs: a.VersionIDs, AuthorizedBy: a.AuthorizedBy, AuthorizedAt: a.AuthorizedAt.UTC(),
		UploadExpires: a.UploadExpires.UTC(), UploadedAt: a.UploadedAt, NoticeVersion: a.NoticeVersion, DeleteBy: a.DeleteBy,
	}
}

func (it artifactItem) artifact() consent.Artifact {
	return consent.Artifact{
		ID: it.ID, CandidateID: it.CandidateID, Kind: it.Kind, Status: it.Status, Bucket: it.Bucket, Key: it.Key,
		ApplicationID: it.ApplicationID, RecordingKind: it.RecordingKind, Purpose: it.Purpose, Reference: it.Reference,
		ContentType: it.ContentType, DeclaredSize: it.DeclaredSize, Size: it.Size, VersionIDs: it.VersionIDs,
		AuthorizedBy: it.AuthorizedBy, AuthorizedAt: it.AuthorizedAt, UploadExpires: it.UploadExpires,
		UploadedAt: it.UploadedAt, NoticeVersion: it.NoticeVersion, DeleteBy: it.DeleteBy,
		ErasedAt: it.ErasedAt, ErasureFailures: it.ErasureFailures,
	}
}

// ArtifactKey is the S3 key of an artifact: opaque ids only.
func ArtifactKey(kind consent.ArtifactKind, candidateID, artifactID string) string {
	return KeyPrefix(kind) + candidateID + "/" + artifactID
}

// KeyPrefix is the key prefix of each kind of artifact.
func KeyPrefix(kind consent.ArtifactKind) string {
	if kind == consent.KindRecording {
		return "recordings/"
	}
	return "cvs/"
}

// ParseArtifactKey returns the candidate and artifact ids of a key made by
// ArtifactKey.
func ParseArtifactKey(key string) (kind consent.ArtifactKind, candidateID, artifactID string, ok bool) {
	parts := strings.Split(key, "/")
	if len(parts) != 3 || !consent.ValidID(parts[1]) || !consent.ValidID(parts[2]) {
		return "", "", "", false
	}
	switch parts[0] + "/" {
	case KeyPrefix(consent.KindCV):
		kind = consent.KindCV
	case KeyPrefix(consent.KindRecording):
		kind = consent.KindRecording
	default:
		return "", "", "", false
	}
	return kind, parts[1], parts[2], true
}

// Retention sets the retention rules deadlines are computed with;
// consent.DefaultRetention until set.
func (s *Store) SetRetention(r consent.Retention) { s.retention = &r }

func (s *Store) rules() consent.Retention {
	if s.retention == nil {
		return consent.DefaultRetention
	}
	return *s.retention
}

// basisChange is what a transaction changes about a candidate's bases and
// artifacts, before recompute derives every artifact's deadline from it.
type basisChange struct {
	applications map[string]consent.Application
	consents     map[consent.Purpose]consent.Consent
	// artifacts are artifacts this transaction creates or changes (their
	// writes are recompute's); prev holds their stored status, "" if new.
	artifacts map[string]artifactItem
	// restricted, when set, is the restriction of processing this
	// transaction imposes (true) or lifts (false); else the profile's.
	restricted *bool
}

// recompute is the one place deadlines are set: it reads the candidate's
// applications, consents and artifacts, applies ch, and returns the writes
// of every artifact whose deadline (or content, for ch's artifacts)
// changed, each conditional on its stored status, with the artifacts as
// they will be. Callers add the writes to the transaction that changes the
// basis and writes its audit event. A restriction of processing is read
// from the profile as tx read it (guarded by the version bump).
func (s *Store) recompute(ctx context.Context, tx *Tx, candidateID string, at time.Time, ch basisChange) ([]types.TransactWriteItem, map[string]artifactItem, error) {
	bases := consent.Bases{Applications: map[string]consent.Application{}, Consents: map[consent.Purpose]consent.Consent{}, Retention: s.rules(),
		Restricted: tx.candidate.RestrictedAt != nil}
	if ch.restricted != nil {
		bases.Restricted = *ch.restricted
	}
	var apps []applicationItem
	if err := s.queryInto(ctx, candidatePK(candidateID), "APPLICATION#", &apps); err != nil {
		return nil, nil, err
	}
	for _, a := range apps {
		bases.Applications[a.ID] = a.application()
	}
	consents, err := s.consentsByPurpose(ctx, candidateID)
	if err != nil {
		return nil, nil, err
	}
	for p, c := range consents {
		bases.Consents[p] = c.consent(candidateID)
	}
	for id, a := range ch.applications {
		bases.Applications[id] = a
	}
	for p, c := range ch.consents {
		bases.Consents[p] = c
	}
	var stored []artifactItem
	if err := s.queryInto(ctx, candidatePK(candidateID), "ARTIFACT#", &stored); err != nil {
		return nil, nil, err
	}
	prev := map[string]artifactItem{}
	all := map[string]artifactItem{}
	for _, it := range stored {
		prev[it.ID], all[it.ID] = it, it
	}
	for id, it := range ch.artifacts {
		all[id] = it
	}
	var writes []types.TransactWriteItem
	out := map[string]artifactItem{}
	for id, it := range all {
		// An erasure once begun is finished whatever the bases say now:
		// versions may be gone already.
		if it.Status != consent.ArtifactErased && it.Status != consent.ArtifactErasing && it.Status != consent.ArtifactErasureFailed {
			it.DeleteBy = bases.DeleteBy(it.artifact(), at)
		}
		it.DueShard = ""
		if it.DeleteBy != nil && it.Status != consent.ArtifactErased {
			it.DueShard = DueShard(id)
		}
		out[id] = it
		old, had := prev[id]
		_, changed := ch.artifacts[id]
		if had && !changed && sameTime(old.DeleteBy, it.DeleteBy) && old.DueShard == it.DueShard {
			continue
		}
		put := &types.Put{TableName: aws.String(s.table), Item: marshal(it)}
		if had {
			put.ConditionExpression = aws.String("#status = :status")
			put.ExpressionAttributeNames = map[string]string{"#status": "status"}
			put.ExpressionAttributeValues = map[string]types.AttributeValue{":status": &types.AttributeValueMemberS{Value: string(old.Status)}}
		} else {
			put.ConditionExpression = aws.String("attribute_not_exists(pk)")
		}
		writes = append(writes, types.TransactWriteItem{Put: put})
	}
	return writes, out, nil
}

func sameTime(a, b *time.Time) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Equal(*b)
}

// OpenApplication stores a new open application with its event.
func (s *Store) OpenApplication(ctx context.Context, app consent.Application, actor string) error {
	return s.change(ctx, app.CandidateID, func(ctx context.Context, tx *Tx) error {
		writes, _, err := s.recompute(ctx, tx, app.CandidateID, app.OpenedAt, basisChange{applications: map[string]consent.Application{app.ID: app}})
		if err != nil {
			return err
		}
		tx.Add(types.TransactWriteItem{Put: &types.Put{
			TableName: aws.String(s.table),
			Item: marshal(applicationItem{PK: candidatePK(app.CandidateID), SK: applicationSK(app.ID), ID: app.ID, CandidateID: app.CandidateID,
				Position: app.Position, Status: consent.ApplicationOpen, OpenedAt: app.OpenedAt.UTC(), OpenedBy: actor}),
			ConditionExpression: aws.String("attribute_not_exists(pk)"),
		}})
		tx.Add(writes...)
		tx.Event(consent.Event{ID: consent.NewID(), Type: consent.EventApplicationOpened, At: app.OpenedAt.UTC(), Actor: actor,
			ApplicationID: app.ID, LegalBasis: consent.LegalBasisApplication})
		return nil
	})
}

// Application returns one of a candidate's applications.
func (s *Store) Application(ctx context.Context, candidateID, id string) (consent.Application, error) {
	var it applicationItem
	ok, err := s.get(ctx, candidatePK(candidateID), applicationSK(id), &it)
	if err != nil {
		return consent.Application{}, err
	}
	if !ok {
		return consent.Application{}, &consent.NotFoundError{What: "application", ID: id}
	}
	return it.application(), nil
}

// CloseApplication closes an open application at `at` with its outcome,
// and recomputes the deadline of the candidate's artifacts in the same
// transaction as its event. Closing a closed application changes nothing
// and returns it as it was closed.
func (s *Store) CloseApplication(ctx context.Context, candidateID, id, outcome, actor string, at time.Time) (consent.Application, error) {
	var result consent.Application
	err := s.change(ctx, candidateID, func(ctx context.Context, tx *Tx) error {
		app, err := s.Application(ctx, candidateID, id)
		if err != nil {
			return err
		}
		result = app
		if app.Status == consent.ApplicationClosed {
			return nil
		}
		if err := s.closeApplication(ctx, tx, app, outcome, actor, at); err != nil {
			return err
		}
		closed := at.UTC()
		app.Status, app.Outcome, app.ClosedAt = consent.ApplicationClosed, outcome, &closed
		result = app
		return nil
	})
	return result, err
}

// closeApplication adds to tx the closing of an open application at `at`
// with its outcome, the recomputed deadlines of the candidate's artifacts
// and its event.
func (s *Store) closeApplication(ctx context.Context, tx *Tx, app consent.Application, outcome, actor string, at time.Time) error {
	candidateID, id := app.CandidateID, app.ID
	closed := at.UTC()
	app.Status, app.Outcome, app.ClosedAt = consent.ApplicationClosed, outcome, &closed
	writes, _, err := s.recompute(ctx, tx, candidateID, closed, basisChange{applications: map[string]consent.Application{id: app}})
	if err != nil {
		return err
	}
	tx.Add(types.TransactWriteItem{Update: &types.Update{
		TableName:                aws.String(s.table),
		Key:                      key(candidatePK(candidateID), applicationSK(id)),
		UpdateExpression:         aws.String("SET #status = :closed, outcome = :outcome, closedAt = :at"),
		ConditionExpression:      aws.String("#status = :open"),
		ExpressionAttributeNames: map[string]string{"#status": "status"},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":closed":  &types.AttributeValueMemberS{Value: string(consent.ApplicationClosed)},
			":open":    &types.AttributeValueMemberS{Value: string(consent.ApplicationOpen)},
			":outcome": &types.AttributeValueMemberS{Value: outcome}, ":at": timeValue(closed),
		},
	}})
	tx.Add(writes...)
	tx.Event(consent.Event{ID: consent.NewID(), Type: consent.EventApplicationClosed, At: closed, Actor: actor,
		ApplicationID: id, LegalBasis: consent.LegalBasisApplication, Reason: outcome})
	return nil
}

// AuthorizeCV stores an authorized CV upload (status authorized) for an
// existing application, with its deadline and event, and returns it.
func (s *Store) AuthorizeCV(ctx context.Context, a consent.Artifact) (consent.Artifact, error) {
	err := s.change(ctx, a.CandidateID, func(ctx context.Context, tx *Tx) error {
		if _, err := s.Application(ctx, a.CandidateID, a.ApplicationID); err != nil {
			if errors.As(err, new(*consent.NotFoundError)) {
				return &consent.ValidationError{Field: "applicationId", Reason: "no application of this candidate has this id"}
			}
			return err
		}
		writes, out, err := s.recompute(ctx, tx, a.CandidateID, a.AuthorizedAt, basisChange{artifacts: map[string]artifactItem{a.ID: newArtifactItem(a)}})
		if err != nil {
			return err
		}
		tx.Add(writes...)
		a = out[a.ID].artifact()
		tx.Event(consent.Event{ID: consent.NewID(), Type: consent.EventUploadAuthorized, At: a.AuthorizedAt, Actor: a.AuthorizedBy,
			ArtifactID: a.ID, ArtifactKind: string(a.Kind), ApplicationID: a.ApplicationID, ObjectKey: a.Key,
			Result: string(consent.GateAuthorized), DeleteBy: a.DeleteBy})
		return nil
	})
	return a, err
}

// GateOutcome is the recording gate's answer, as recorded.
type GateOutcome struct {
	Gate   consent.Gate
	Reason string
	// Consent is the consent the gate read (nil: never asked).
	Consent *consent.Consent
	// Artifact is the authorized recording when Gate is GateAuthorized.
	Artifact consent.Artifact
}

// AuthorizeRecording runs the recording gate on the candidate's consent to
// a.Purpose, read in the transaction that records the answer: authorized,
// it stores the recording (status authorized) with its deadline and an
// event; refused, it records the refusal's event. Awaiting consent writes
// nothing: the caller starts (or finds) the consent request. A consent that
// cannot be read is an *UnavailableError: the gate fails closed.
func (s *Store) AuthorizeRecording(ctx context.Context, a consent.Artifact, noticeVersion string) (GateOutcome, error) {
	var out GateOutcome
	err := s.change(ctx, a.CandidateID, func(ctx context.Context, tx *Tx) error {
		consents, err := s.consentsByPurpose(ctx, a.CandidateID)
		if err != nil {
			return err
		}
		out = GateOutcome{}
		if it, ok := consents[a.Purpose]; ok {
			c := it.consent(a.CandidateID)
			out.Consent = &c
		}
		out.Gate, out.Reason = consent.RecordingGate(out.Consent, noticeVersion, a.AuthorizedAt)
		if tx.candidate.RestrictedAt != nil {
			// Processing is restricted (GDPR Art. 18): nothing new is
			// recorded, whatever the consent says.
			out.Gate, out.Reason = consent.GateRefused, consent.GateReasonRestricted
		}
		ev := consent.Event{ID: consent.NewID(), At: a.AuthorizedAt.UTC(), Actor: a.AuthorizedBy, Purpose: a.Purpose,
			LegalBasis: consent.LegalBasisConsent, NoticeVersion: noticeVersion, ArtifactKind: string(a.Kind),
			Reference: a.Reference, Result: string(out.Gate), Reason: out.Reason}
		if out.Consent != nil {
			ev.RequestID = out.Consent.RequestID
		}
		switch out.Gate {
		case consent.GateAwaiting:
			return nil
		case consent.GateRefused:
			ev.Type = consent.EventUploadRefused
			tx.Event(ev)
			return nil
		}
		a.NoticeVersion = out.Consent.NoticeVersion
		writes, arts, err := s.recompute(ctx, tx, a.CandidateID, a.AuthorizedAt, basisChange{artifacts: map[string]artifactItem{a.ID: newArtifactItem(a)}})
		if err != nil {
			return err
		}
		tx.Add(writes...)
		out.Artifact = arts[a.ID].artifact()
		ev.Type, ev.ArtifactID, ev.ObjectKey, ev.DeleteBy = consent.EventUploadAuthorized, a.ID, a.Key, out.Artifact.DeleteBy
		tx.Event(ev)
		return nil
	})
	return out, err
}

// Artifact returns one of a candidate's artifacts.
func (s *Store) Artifact(ctx context.Context, candidateID, id string) (consent.Artifact, error) {
	var it artifactItem
	ok, err := s.get(ctx, candidatePK(candidateID), artifactSK(id), &it)
	if err != nil {
		return consent.Artifact{}, err
	}
	if !ok {
		return consent.Artifact{}, &consent.NotFoundError{What: "artifact", ID: id}
	}
	return it.artifact(), nil
}

// Artifacts returns a candidate's artifacts of one kind (every kind when
// kind is empty), oldest first.
func (s *Store) Artifacts(ctx context.Context, candidateID string, kind consent.ArtifactKind) ([]consent.Artifact, error) {
	var items []artifactItem
	if err := s.queryInto(ctx, candidatePK(candidateID), "ARTIFACT#", &items); err != nil {
		return nil, err
	}
	var out []consent.Artifact
	for _, it := range items {
		if kind == "" || it.Kind == kind {
			out = append(out, it.artifact())
		}
	}
	sortArtifacts(out)
	return out, nil
}

func sortArtifacts(a []consent.Artifact) {
	for i := 1; i < len(a); i++ {
		for j := i; j > 0 && a[j].AuthorizedAt.Before(a[j-1].AuthorizedAt); j-- {
			a[j], a[j-1] = a[j-1], a[j]
		}
	}
}

// Object is an object that arrived in a bucket, as its S3 event and a HEAD
// describe it.
type Object struct {
	Bucket      string
	Key         string
	Size        int64
	VersionID   string
	ContentType string
	// At is the event's time.
	At time.Time
}

// Arrival says what the store made of an object that arrived.
type Arrival struct {
	// Accepted: the object matches an unexpired authorization and is now the
	// artifact's upload. Otherwise Reason says why it must be removed.
	Accepted bool
	Reason   string
	// Candidate is the candidate the key names, when it exists.
	CandidateID string
	Artifact    consent.Artifact
	// Repeated: the same version was registered before (a redelivered event).
	Repeated bool
}

// Reasons an arrived object is removed.
const (
	RemoveUnknownKey   = "no_authorization"
	RemoveExpired      = "authorization_expired"
	RemoveWrongBucket  = "wrong_bucket"
	RemoveTooLarge     = "larger_than_declared"
	RemoveContentType  = "content_type_mismatch"
	RemoveAlreadyThere = "already_uploaded"
	RemoveNotAllowed   = "artifact_not_open_for_upload"
	// RemoveNoBasis: the authorization is open but nothing covers the
	// artifact any more (its consent was withdrawn, say): it is due, and
	// what arrives for it is not kept.
	RemoveNoBasis = "no_legal_basis"
	// RemoveErased: the candidate's erasure was asked for, or is done.
	RemoveErased = "candidate_erased"
)

// RegisterUpload matches an arrived object with its authorization. A match
// becomes the artifact's upload (status uploaded, size, version id,
// uploadedAt and the deadline recomputed) with its event, in one
// transaction. A mismatch changes nothing and says why; the caller removes
// the object and records it with RecordRemoval.
func (s *Store) RegisterUpload(ctx context.Context, obj Object, bucketKind map[string]consent.ArtifactKind) (Arrival, error) {
	kind, candidateID, artifactID, ok := ParseArtifactKey(obj.Key)
	if !ok {
		return Arrival{Reason: RemoveUnknownKey}, nil
	}
	if _, err := s.Candidate(ctx, candidateID); err != nil {
		switch {
		case errors.As(err, new(*consent.NotFoundError)):
			return Arrival{Reason: RemoveUnknownKey}, nil
		case errors.As(err, new(*consent.GoneError)):
			return s.erasedArrival(ctx, candidateID, artifactID)
		}
		return Arrival{}, err
	}
	arr := Arrival{CandidateID: candidateID}
	err := s.change(ctx, candidateID, func(ctx context.Context, tx *Tx) error {
		arr = Arrival{CandidateID: candidateID}
		var it artifactItem
		found, err := s.get(ctx, candidatePK(candidateID), artifactSK(artifactID), &it)
		if err != nil {
			return err
		}
		switch {
		case !found || it.Kind != kind || it.Key != obj.Key:
			arr.Reason = RemoveUnknownKey
		case bucketKind[obj.Bucket] != kind:
			arr.Reason = RemoveWrongBucket
		case it.Status == consent.ArtifactUploaded && len(it.VersionIDs) > 0 && it.VersionIDs[len(it.VersionIDs)-1] == obj.VersionID:
			arr.Accepted, arr.Repeated, arr.Artifact = true, true, it.artifact()
			return nil
		case it.Status == consent.ArtifactUploaded:
			arr.Reason = RemoveAlreadyThere
		case it.Status != consent.ArtifactAuthorized:
			arr.Reason = RemoveNotAllowed
		case obj.At.After(it.UploadExpires):
			arr.Reason = RemoveExpired
		case it.DeleteBy != nil && !obj.At.Before(*it.DeleteBy):
			arr.Reason = RemoveNoBasis
		case it.DeclaredSize > 0 && obj.Size > it.DeclaredSize:
			arr.Reason = RemoveTooLarge
		case it.ContentType != "" && !sameMediaType(obj.ContentType, it.ContentType):
			arr.Reason = RemoveContentType
		}
		if arr.Reason != "" {
			if found {
				arr.Artifact = it.artifact()
			}
			return nil
		}
		at := obj.At.UTC()
		it.Status, it.Size, it.UploadedAt = consent.ArtifactUploaded, obj.Size, &at
		if obj.VersionID != "" {
			it.VersionIDs = append(it.VersionIDs, obj.VersionID)
		}
		writes, arts, err := s.recompute(ctx, tx, candidateID, at, basisChange{artifacts: map[string]artifactItem{artifactID: it}})
		if err != nil {
			return err
		}
		tx.Add(writes...)
		arr.Accepted, arr.Artifact = true, arts[artifactID].artifact()
		tx.Event(consent.Event{ID: consent.NewID(), Type: consent.EventUploadRegistered, At: at, Actor: consent.ActorWorkflow,
			ArtifactID: artifactID, ArtifactKind: string(kind), Purpose: it.Purpose, Reference: it.Reference,
			ApplicationID: it.ApplicationID, ObjectKey: obj.Key, VersionIDs: []string{obj.VersionID}, DeleteBy: arr.Artifact.DeleteBy})
		return nil
	})
	if errors.As(err, new(*consent.GoneError)) {
		return s.erasedArrival(ctx, candidateID, artifactID)
	}
	return arr, err
}

// erasedArrival is what arrived for a candidate whose erasure was asked
// for, or is done: nothing new is kept, and the removal is logged with the
// bucket's (the candidate's trail takes no more events). A version
// registered before stays for the erasure to delete and record.
func (s *Store) erasedArrival(ctx context.Context, candidateID, artifactID string) (Arrival, error) {
	arr := Arrival{Reason: RemoveErased}
	var it artifactItem
	found, err := s.get(ctx, candidatePK(candidateID), artifactSK(artifactID), &it)
	if err != nil {
		return Arrival{}, err
	}
	if found {
		arr.Artifact = it.artifact()
	}
	return arr, nil
}

func sameMediaType(got, want string) bool {
	got, _, _ = strings.Cut(got, ";")
	return strings.EqualFold(strings.TrimSpace(got), want)
}

// RecordRemoval records that an object which arrived without a matching
// authorization was removed, every version: an event of the candidate its
// key names, or, for a key that names no candidate, an entry of the
// bucket's removal log (pk REMOVED#<bucket>).
func (s *Store) RecordRemoval(ctx context.Context, obj Object, arr Arrival, versions []string) error {
	ev := consent.Event{ID: consent.NewID(), Type: consent.EventUploadRemoved, At: obj.At.UTC(), Actor: consent.ActorWorkflow,
		ArtifactID: arr.Artifact.ID, ArtifactKind: string(arr.Artifact.Kind), ObjectKey: obj.Key, VersionIDs: versions, Reason: arr.Reason}
	if arr.CandidateID == "" {
		ev.CandidateID = ""
		_, err := s.db.PutItem(ctx, &dynamodb.PutItemInput{
			TableName: aws.String(s.table),
			Item: marshal(struct {
				PK string `dynamodbav:"pk"`
				SK string `dynamodbav:"sk"`
				consent.Event
			}{PK: "REMOVED#" + obj.Bucket, SK: obj.At.UTC().Format(timeFormat) + "#" + ev.ID, Event: ev}),
			ConditionExpression: aws.String("attribute_not_exists(pk)"),
		})
		if err != nil {
			return unavailable("record removal", err)
		}
		return nil
	}
	return s.change(ctx, arr.CandidateID, func(ctx context.Context, tx *Tx) error {
		tx.Event(ev)
		return nil
	})
}

// DueArtifact is an entry of the due index.
type DueArtifact struct {
	CandidateID string    `dynamodbav:"candidateId"`
	ArtifactID  string    `dynamodbav:"id"`
	DeleteBy    time.Time `dynamodbav:"deleteBy"`
	// Failures counts the artifact's failed erasures: each retry by the
	// sweep is a new execution.
	Failures int `dynamodbav:"erasureFailures"`
	// Reason is why it is being erased, when an erasure started already.
	Reason string `dynamodbav:"erasureReason"`
}

// Due returns up to limit artifacts of one shard (0 ≤ shard < DueShards)
// due by until, earliest first, and where the next page starts (nil at the
// end). It reads the sparse due index: only what is due, never the table.
func (s *Store) Due(ctx context.Context, shard int, until time.Time, limit int32, start map[string]types.AttributeValue) ([]DueArtifact, map[string]types.AttributeValue, error) {
	p, err := s.DueBy(ctx, shard, until, limit, start)
	return p.Items, p.Next, err
}

// DuePage is one page of the due index.
type DuePage struct {
	Items []DueArtifact
	// Next is where the next page starts; nil at the end.
	Next map[string]types.AttributeValue
	// Read is how many items DynamoDB read for the page: what the sweep
	// costs.
	Read int
}

// DueBy returns a page of Due with what it cost.
func (s *Store) DueBy(ctx context.Context, shard int, until time.Time, limit int32, start map[string]types.AttributeValue) (DuePage, error) {
	var p DuePage
	var err error
	p.Next, p.Read, err = s.queryIndex(ctx, indexPage{
		index: DueIndex, shardAttr: DueShardAttr, sortAttr: DeleteByAttr, shard: fmt.Sprintf("DUE#%d", shard),
		cond: "#sort <= :until", limit: limit, start: start, values: map[string]types.AttributeValue{":until": timeValue(until)},
	}, &p.Items)
	if err != nil {
		return DuePage{}, err
	}
	return p, nil
}

// queryInto reads every item of a partition whose sort key has the prefix
// into out, a pointer to a slice of item structs.
func (s *Store) queryInto(ctx context.Context, pk, skPrefix string, out any) error {
	items, err := s.query(ctx, pk, skPrefix)
	if err != nil {
		return err
	}
	if err := attributevalue.UnmarshalListOfMaps(items, out); err != nil {
		return fmt.Errorf("decode %s items: %w", skPrefix, err)
	}
	return nil
}
