package store

// Withdrawal outside a consent request, and erasure: of one artifact when
// its last basis ends, and of everything about a candidate at their
// request (GDPR Art. 7(3), 17).
//
// Keys (pk, sk):
//
//	CANDIDATE#<id>  ERASURE   a request to erase everything; open ones carry
//	                          listPk ERASURES#open (the sweep's and the
//	                          overdue alarm's list)

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/consentflow/consentflow/shared/consent"
)

const (
	erasureSK = "ERASURE"
	// OpenErasuresList is the list index partition of open requests to
	// erase everything, sorted by when they were made.
	OpenErasuresList = "ERASURES#open"
)

// Withdrawal is what withdrawing a consent changed.
type Withdrawal struct {
	Consent consent.Consent
	// Recorded is false when the consent was withdrawn already: a replayed
	// withdrawal changes nothing.
	Recorded bool
	// Due are the artifacts whose last basis the consent was: due at once.
	Due []DueArtifact
	// Version is the candidate's version after the withdrawal.
	Version int64
}

// Withdraw records the withdrawal of a given consent (with the recruiter's
// note, kept on the consent and never in the audit trail) in one transaction
// with its event and the new deadlines of the candidate's artifacts, and
// returns the artifacts now due, which the caller erases at once. method is
// how it reached the controller: consent.CollectedByWebForm from the
// candidate's own page, or a channel ("email", "phone", "letter") when a
// recruiter records it. A consent withdrawn already is left as it is;
// one that is not given is a *consent.ConflictError.
func (s *Store) Withdraw(ctx context.Context, candidateID string, p consent.Purpose, method, note, actor string, at time.Time) (Withdrawal, error) {
	at = at.UTC()
	var w Withdrawal
	err := s.change(ctx, candidateID, func(ctx context.Context, tx *Tx) error {
		w = Withdrawal{}
		consents, err := s.consentsByPurpose(ctx, candidateID)
		if err != nil {
			return err
		}
		prev, ok := consents[p]
		if ok && prev.State == consent.Withdrawn {
			w.Consent = prev.consent(candidateID)
			return nil
		}
		if !ok || prev.consent(candidateID).StateAt(at) != consent.Given {
			return &consent.ConflictError{Reason: "there is no given consent to " + string(p) + " to withdraw"}
		}
		req, err := s.Request(ctx, prev.RequestID)
		if err != nil {
			return err
		}
		next := prev
		next.State, next.UpdatedAt, next.ExpiresAt, next.WithdrawalNote = consent.Withdrawn, at, nil, note
		tx.Add(s.putConsent(next, prev, true))
		tx.Event(newEvent(req, p, consent.EventWithdrawn, at, actor, method))
		writes, arts, err := s.recompute(ctx, tx, candidateID, at, basisChange{consents: map[consent.Purpose]consent.Consent{p: next.consent(candidateID)}})
		if err != nil {
			return err
		}
		tx.Add(writes...)
		w = Withdrawal{Consent: next.consent(candidateID), Recorded: true, Version: tx.Version() + 1, Due: dueNow(arts, at)}
		return nil
	})
	return w, err
}

// dueNow lists the artifacts that are due at `at` and not erased.
func dueNow(arts map[string]artifactItem, at time.Time) []DueArtifact {
	var due []DueArtifact
	for _, it := range arts {
		if it.Status != consent.ArtifactErased && it.DeleteBy != nil && !it.DeleteBy.After(at) {
			due = append(due, DueArtifact{CandidateID: it.CandidateID, ArtifactID: it.ID, DeleteBy: *it.DeleteBy,
				Failures: it.ErasureFailures, Reason: it.ErasureReason})
		}
	}
	slices.SortFunc(due, func(a, b DueArtifact) int { return a.DeleteBy.Compare(b.DeleteBy) })
	return due
}

// Begun says what the erasure of an artifact found.
type Begun struct {
	// Erase: the artifact is due and now erasing; delete every version of
	// Bucket/Key.
	Erase       bool
	Bucket, Key string
	// Erased: it was erased already (by an earlier execution).
	Erased bool
}

// BeginErasure marks an artifact as erasing, with an event, when it is
// still due at asOf (the execution's start, not a clock: a deadline moved
// on since the sweep leaves the artifact as it is). An artifact erasing
// already (an execution that stopped half way) is erased again.
func (s *Store) BeginErasure(ctx context.Context, candidateID, artifactID, reason string, asOf time.Time) (Begun, error) {
	var b Begun
	err := s.changeErasing(ctx, candidateID, func(ctx context.Context, tx *Tx) error {
		b = Begun{}
		it, err := s.artifactItem(ctx, candidateID, artifactID)
		if err != nil {
			return err
		}
		switch {
		case it.Status == consent.ArtifactErased:
			b.Erased = true
			return nil
		case it.Status == consent.ArtifactErasing:
			b.Erase, b.Bucket, b.Key = true, it.Bucket, it.Key
			return nil
		case it.DeleteBy == nil || it.DeleteBy.After(asOf):
			return nil
		}
		tx.Add(types.TransactWriteItem{Update: &types.Update{
			TableName:                aws.String(s.table),
			Key:                      key(candidatePK(candidateID), artifactSK(artifactID)),
			UpdateExpression:         aws.String("SET #status = :erasing, erasureReason = :reason"),
			ConditionExpression:      aws.String("#status = :status"),
			ExpressionAttributeNames: map[string]string{"#status": "status"},
			ExpressionAttributeValues: map[string]types.AttributeValue{
				":erasing": &types.AttributeValueMemberS{Value: string(consent.ArtifactErasing)},
				":status":  &types.AttributeValueMemberS{Value: string(it.Status)},
				":reason":  &types.AttributeValueMemberS{Value: reason},
			},
		}})
		tx.Event(artifactEvent(it, consent.EventErasureStarted, reason, asOf))
		b.Erase, b.Bucket, b.Key = true, it.Bucket, it.Key
		return nil
	})
	return b, err
}

// redactedArtifactFields are the fields of an artifact that say anything
// about its content; an erased artifact keeps ids and dates only.
var redactedArtifactFields = []string{"contentType", "declaredSize", "size", "reference", "versionIds"}

// CompleteErasure records that no version of an erasing artifact is left:
// the artifact becomes erased, its descriptive fields are removed and it
// leaves the due index, and its tombstone (the keys and versions deleted,
// the fields redacted, why, under which notice) is written, in one
// transaction. versions are the version ids the deletion removed. It
// reports false when the artifact was erased already.
func (s *Store) CompleteErasure(ctx context.Context, candidateID, artifactID string, versions []string, noticeVersion string, at time.Time) (bool, error) {
	at = at.UTC()
	done := false
	err := s.changeErasing(ctx, candidateID, func(ctx context.Context, tx *Tx) error {
		done = false
		it, err := s.artifactItem(ctx, candidateID, artifactID)
		if err != nil {
			return err
		}
		switch it.Status {
		case consent.ArtifactErased:
			return nil
		case consent.ArtifactErasing:
		default:
			return &consent.ConflictError{Reason: "the artifact is " + string(it.Status) + ", not erasing"}
		}
		tx.Add(types.TransactWriteItem{Update: &types.Update{
			TableName: aws.String(s.table),
			Key:       key(candidatePK(candidateID), artifactSK(artifactID)),
			UpdateExpression: aws.String("SET #status = :erased, erasedAt = :at " +
				"REMOVE dueShard, contentType, declaredSize, #size, #reference, versionIds"),
			ConditionExpression:      aws.String("#status = :erasing"),
			ExpressionAttributeNames: map[string]string{"#status": "status", "#size": "size", "#reference": "reference"},
			ExpressionAttributeValues: map[string]types.AttributeValue{
				":erased":  &types.AttributeValueMemberS{Value: string(consent.ArtifactErased)},
				":erasing": &types.AttributeValueMemberS{Value: string(consent.ArtifactErasing)},
				":at":      timeValue(at),
			},
		}})
		ev := artifactEvent(it, consent.EventErased, it.ErasureReason, at)
		ev.VersionIDs = mergeVersions(it.VersionIDs, versions)
		ev.Fields = redactedArtifactFields
		if ev.NoticeVersion == "" {
			ev.NoticeVersion = noticeVersion
		}
		ev.Result = string(consent.ArtifactErased)
		tx.Event(ev)
		done = true
		return nil
	})
	return done, err
}

func mergeVersions(a, b []string) []string {
	out := slices.Clone(a)
	for _, v := range b {
		if !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}

// FailErasure records that the erasure of an artifact gave up: the artifact
// becomes erasure_failed (visible, and still due, so the next sweep starts
// a new erasure) with an event naming the error. An artifact erased in the
// meantime is left as it is.
func (s *Store) FailErasure(ctx context.Context, candidateID, artifactID, cause string, at time.Time) error {
	return s.changeErasing(ctx, candidateID, func(ctx context.Context, tx *Tx) error {
		it, err := s.artifactItem(ctx, candidateID, artifactID)
		if err != nil {
			return err
		}
		if it.Status == consent.ArtifactErased {
			return nil
		}
		due := at.UTC()
		if it.DeleteBy != nil {
			due = *it.DeleteBy
		}
		tx.Add(types.TransactWriteItem{Update: &types.Update{
			TableName:                aws.String(s.table),
			Key:                      key(candidatePK(candidateID), artifactSK(artifactID)),
			UpdateExpression:         aws.String("SET #status = :failed, erasureFailures = :failures, dueShard = :shard, deleteBy = :due"),
			ConditionExpression:      aws.String("#status = :status"),
			ExpressionAttributeNames: map[string]string{"#status": "status"},
			ExpressionAttributeValues: map[string]types.AttributeValue{
				":failed":   &types.AttributeValueMemberS{Value: string(consent.ArtifactErasureFailed)},
				":status":   &types.AttributeValueMemberS{Value: string(it.Status)},
				":failures": number(int64(it.ErasureFailures + 1)),
				":shard":    &types.AttributeValueMemberS{Value: DueShard(artifactID)},
				":due":      timeValue(due),
			},
		}})
		ev := artifactEvent(it, consent.EventErasureFailed, cause, at)
		ev.Result = string(consent.ArtifactErasureFailed)
		tx.Event(ev)
		return nil
	})
}

// artifactEvent is an event about an artifact: ids, kind, key and codes.
func artifactEvent(it artifactItem, typ consent.EventType, reason string, at time.Time) consent.Event {
	basis := consent.LegalBasisApplication
	if it.Kind == consent.KindRecording {
		basis = consent.LegalBasisConsent
	}
	return consent.Event{ID: consent.NewID(), Type: typ, At: at.UTC(), Actor: consent.ActorWorkflow, ArtifactID: it.ID,
		ArtifactKind: string(it.Kind), ApplicationID: it.ApplicationID, Purpose: it.Purpose, ObjectKey: it.Key,
		NoticeVersion: it.NoticeVersion, LegalBasis: basis, Reason: reason, DeleteBy: it.DeleteBy}
}

func (s *Store) artifactItem(ctx context.Context, candidateID, artifactID string) (artifactItem, error) {
	var it artifactItem
	ok, err := s.get(ctx, candidatePK(candidateID), artifactSK(artifactID), &it)
	if err != nil {
		return artifactItem{}, err
	}
	if !ok {
		return artifactItem{}, &consent.NotFoundError{What: "artifact", ID: artifactID}
	}
	return it, nil
}

// Grounds of a request to erase everything (GDPR Art. 17(1)), recorded as
// codes.
var erasureGrounds = []string{"candidate_request", "no_longer_necessary", "consent_withdrawn", "objection", "unlawful_processing", "legal_obligation"}

// ParseErasureGround validates the reason a recruiter gives for erasing
// everything about a candidate.
func ParseErasureGround(s string) (string, error) {
	if slices.Contains(erasureGrounds, s) {
		return s, nil
	}
	return "", &consent.ValidationError{Field: "reason", Reason: "the reason must be one of " + quoteAll(erasureGrounds)}
}

func quoteAll(ss []string) string {
	out := ""
	for i, s := range ss {
		if i > 0 {
			out += ", "
		}
		out += `"` + s + `"`
	}
	return out
}

// ErasureRequest is a request to erase everything about a candidate.
type ErasureRequest struct {
	CandidateID string    `json:"candidateId" dynamodbav:"candidateId"`
	Ground      string    `json:"reason" dynamodbav:"ground"`
	RequestedAt time.Time `json:"requestedAt" dynamodbav:"requestedAt"`
	// Deadline is one month after the request (GDPR Art. 12(3)).
	Deadline time.Time  `json:"deadline" dynamodbav:"deadline"`
	DoneAt   *time.Time `json:"doneAt,omitempty" dynamodbav:"doneAt,omitempty"`
	// Due are the artifacts still to erase (not stored).
	Due []DueArtifact `json:"-" dynamodbav:"-"`
	// Recorded is false when the request had been made before (not stored).
	Recorded bool `json:"-" dynamodbav:"-"`
}

type erasureItem struct {
	PK     string `dynamodbav:"pk"`
	SK     string `dynamodbav:"sk"`
	ListPK string `dynamodbav:"listPk,omitempty"`
	ListSK string `dynamodbav:"listSk,omitempty"`
	ErasureRequest
}

// RequestErasure records a request to erase everything about a candidate
// (GDPR Art. 17): from then on the candidate is frozen (every other change
// answers Gone), every given consent is withdrawn and every artifact is
// due at once, with the events, in one transaction. It returns the request
// with the artifacts to erase; the caller starts their erasure, which ends
// with the profile's. A second request returns the first, with what is
// still to erase.
func (s *Store) RequestErasure(ctx context.Context, candidateID, ground, actor, method string, at time.Time) (ErasureRequest, error) {
	at = at.UTC()
	var r ErasureRequest
	err := s.changeErasing(ctx, candidateID, func(ctx context.Context, tx *Tx) error {
		arts := map[string]artifactItem{}
		var stored []artifactItem
		if err := s.queryInto(ctx, candidatePK(candidateID), "ARTIFACT#", &stored); err != nil {
			return err
		}
		if tx.candidate.ErasureRequestedAt != nil {
			var it erasureItem
			if _, err := s.get(ctx, candidatePK(candidateID), erasureSK, &it); err != nil {
				return err
			}
			r = it.ErasureRequest
			for _, a := range stored {
				arts[a.ID] = a
			}
			r.Due = dueNow(arts, at)
			return nil
		}
		r = ErasureRequest{CandidateID: candidateID, Ground: ground, RequestedAt: at, Deadline: at.AddDate(0, 1, 0), Recorded: true}
		tx.Add(types.TransactWriteItem{Put: &types.Put{
			TableName: aws.String(s.table),
			Item: marshal(erasureItem{PK: candidatePK(candidateID), SK: erasureSK, ListPK: OpenErasuresList,
				ListSK: at.Format(timeFormat) + "#" + candidateID, ErasureRequest: r}),
			ConditionExpression: aws.String("attribute_not_exists(pk)"),
		}})
		// In the version bump: one update of the profile per transaction.
		tx.Profile(map[string]types.AttributeValue{"erasureRequestedAt": timeValue(at)})
		consents, err := s.consentsByPurpose(ctx, candidateID)
		if err != nil {
			return err
		}
		for _, p := range consent.Purposes() {
			prev, ok := consents[p]
			if !ok || prev.consent(candidateID).StateAt(at) != consent.Given {
				continue
			}
			req, err := s.Request(ctx, prev.RequestID)
			if err != nil {
				return err
			}
			next := prev
			next.State, next.UpdatedAt, next.ExpiresAt = consent.Withdrawn, at, nil
			tx.Add(s.putConsent(next, prev, true))
			tx.Event(newEvent(req, p, consent.EventWithdrawn, at, actor, method))
		}
		for _, a := range stored {
			if a.Status == consent.ArtifactErased {
				continue
			}
			prevStatus := a.Status
			if a.DeleteBy == nil || a.DeleteBy.After(at) {
				a.DeleteBy = &at
			}
			a.DueShard = DueShard(a.ID)
			tx.Add(types.TransactWriteItem{Put: &types.Put{
				TableName: aws.String(s.table), Item: marshal(a),
				ConditionExpression:      aws.String("#status = :status"),
				ExpressionAttributeNames: map[string]string{"#status": "status"},
				ExpressionAttributeValues: map[string]types.AttributeValue{
					":status": &types.AttributeValueMemberS{Value: string(prevStatus)},
				},
			}})
			arts[a.ID] = a
		}
		tx.Event(consent.Event{ID: consent.NewID(), Type: consent.EventErasureRequested, At: at, Actor: actor,
			CollectionMethod: method, Reason: ground})
		r.Due = dueNow(arts, at)
		return nil
	})
	return r, err
}

// Erasure returns a candidate's request to erase everything, if one was made.
func (s *Store) Erasure(ctx context.Context, candidateID string) (ErasureRequest, bool, error) {
	var it erasureItem
	ok, err := s.get(ctx, candidatePK(candidateID), erasureSK, &it)
	return it.ErasureRequest, ok, err
}

// OpenErasures lists requests to erase everything made before `before` and
// not done, oldest first, up to limit.
func (s *Store) OpenErasures(ctx context.Context, before time.Time, limit int32) ([]ErasureRequest, error) {
	res, err := s.db.Query(ctx, &dynamodb.QueryInput{
		TableName:              aws.String(s.table),
		IndexName:              aws.String(ListIndex),
		KeyConditionExpression: aws.String("listPk = :pk AND listSk < :before"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":pk": &types.AttributeValueMemberS{Value: OpenErasuresList}, ":before": &types.AttributeValueMemberS{Value: before.UTC().Format(timeFormat)},
		},
		Limit: aws.Int32(limit),
	})
	if err != nil {
		return nil, unavailable("query open erasures", err)
	}
	var items []erasureItem
	if err := attributevalue.UnmarshalListOfMaps(res.Items, &items); err != nil {
		return nil, fmt.Errorf("decode open erasures: %w", err)
	}
	out := make([]ErasureRequest, 0, len(items))
	for _, it := range items {
		out = append(out, it.ErasureRequest)
	}
	return out, nil
}

// profileFields are the profile's fields that identify the candidate.
var profileFields = []string{"name", "email", "idempotencyKey", "withdrawalNote"}

// EraseProfile ends an erasure of everything: once every artifact is
// erased, the profile's identifying fields are removed, the candidate
// leaves the console's list, the request is done, and a tombstone is
// written, in one transaction. From then on the candidate is Gone; only
// the pseudonymous audit trail stays. It reports false when the profile
// was erased already.
func (s *Store) EraseProfile(ctx context.Context, candidateID string, at time.Time) (bool, error) {
	at = at.UTC()
	done := false
	err := s.changeErasing(ctx, candidateID, func(ctx context.Context, tx *Tx) error {
		done = false
		if tx.candidate.ErasureRequestedAt == nil {
			return &consent.ConflictError{Reason: "nobody asked to erase this candidate"}
		}
		var stored []artifactItem
		if err := s.queryInto(ctx, candidatePK(candidateID), "ARTIFACT#", &stored); err != nil {
			return err
		}
		for _, a := range stored {
			if a.Status != consent.ArtifactErased {
				return &consent.ConflictError{Reason: "artifact " + a.ID + " is not erased yet"}
			}
		}
		// A recruiter's note of a withdrawal is free text about the
		// candidate: it goes with the profile.
		consents, err := s.consentItems(ctx, candidateID)
		if err != nil {
			return err
		}
		for _, c := range consents {
			if c.WithdrawalNote == "" {
				continue
			}
			tx.Add(types.TransactWriteItem{Update: &types.Update{
				TableName:        aws.String(s.table),
				Key:              key(candidatePK(candidateID), consentSK(c.Purpose)),
				UpdateExpression: aws.String("REMOVE withdrawalNote"),
			}})
		}
		// An open rectification holds the value the candidate asked for:
		// cleared, and out of the open list (nobody is left to answer).
		var rights []rightsItem
		if err := s.queryInto(ctx, candidatePK(candidateID), "RIGHTS#", &rights); err != nil {
			return err
		}
		for _, r := range rights {
			if r.Value == "" {
				continue
			}
			tx.Add(types.TransactWriteItem{Update: &types.Update{
				TableName:                aws.String(s.table),
				Key:                      key(candidatePK(candidateID), rightsSK(r.ID)),
				UpdateExpression:         aws.String("REMOVE #value, listPk, listSk"),
				ConditionExpression:      aws.String("attribute_exists(pk)"),
				ExpressionAttributeNames: map[string]string{"#value": "value"},
			}})
		}
		// In the version bump: one update of the profile per transaction.
		// "Name" and "Email": a profile written before every attribute had
		// an explicit name holds them under the Go field names.
		tx.Profile(map[string]types.AttributeValue{"erasedAt": timeValue(at)}, "name", "email", "Name", "Email", "idempotencyKey", "listPk", "listSk", "manageHash")
		tx.Add(types.TransactWriteItem{Update: &types.Update{
			TableName:                 aws.String(s.table),
			Key:                       key(candidatePK(candidateID), erasureSK),
			UpdateExpression:          aws.String("SET doneAt = :at REMOVE listPk, listSk"),
			ConditionExpression:       aws.String("attribute_exists(pk)"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":at": timeValue(at)},
		}})
		tx.Event(consent.Event{ID: consent.NewID(), Type: consent.EventProfileErased, At: at, Actor: consent.ActorWorkflow,
			Reason: consent.ErasureRequested, Fields: profileFields, Result: string(consent.ArtifactErased)})
		done = true
		return nil
	})
	if errors.As(err, new(*consent.GoneError)) {
		return false, nil // erased before: a repeated step
	}
	return done, err
}
