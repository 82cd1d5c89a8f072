package store

// The other rights (GDPR Art. 16, 18, 21): rectification, restriction of
// processing and objection.
//
// Keys (pk, sk):
//
//	CANDIDATE#<id>  RIGHTS#<id>  a request to rectify a field, or an
//	                             objection to an application
//
// An open rectification is listed in the list index under
// OpenRectificationsList (sorted by when it was asked), an open objection
// under OpenObjectionsList (sorted by the end of its grace period), so
// that the rights sweep reads only what is open.
//
// A restriction is the profile's restrictedAt: recompute reads it, and
// while it is set no artifact has a deadline (and none is in the due
// index).

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/consentflow/consentflow/shared/consent"
)

// List index partitions of open rights requests.
const (
	OpenRectificationsList = "RECTIFICATIONS#open"
	OpenObjectionsList     = "OBJECTIONS#open"
)

func rightsSK(id string) string { return "RIGHTS#" + id }

type rightsItem struct {
	PK     string `dynamodbav:"pk"`
	SK     string `dynamodbav:"sk"`
	ListPK string `dynamodbav:"listPk,omitempty"`
	ListSK string `dynamodbav:"listSk,omitempty"`
	consent.RightsRequest
	RequestedBy string `dynamodbav:"requestedBy"`
}

// rightsListKeys files an open request in its list; a decided one in none.
func rightsListKeys(r consent.RightsRequest) (pk, sk string) {
	if r.Status != consent.RightsOpen {
		return "", ""
	}
	if r.Kind == consent.RightObjection && r.GraceEnds != nil {
		return OpenObjectionsList, r.GraceEnds.UTC().Format(timeFormat) + "#" + r.CandidateID + "#" + r.ID
	}
	return OpenRectificationsList, r.RequestedAt.UTC().Format(timeFormat) + "#" + r.CandidateID + "#" + r.ID
}

func (s *Store) putRights(r consent.RightsRequest, by string, prev consent.RightsStatus) types.TransactWriteItem {
	it := rightsItem{PK: candidatePK(r.CandidateID), SK: rightsSK(r.ID), RightsRequest: r, RequestedBy: by}
	it.ListPK, it.ListSK = rightsListKeys(r)
	put := &types.Put{TableName: aws.String(s.table), Item: marshal(it)}
	if prev == "" {
		put.ConditionExpression = aws.String("attribute_not_exists(pk)")
	} else {
		put.ConditionExpression = aws.String("#status = :status")
		put.ExpressionAttributeNames = map[string]string{"#status": "status"}
		put.ExpressionAttributeValues = map[string]types.AttributeValue{":status": &types.AttributeValueMemberS{Value: string(prev)}}
	}
	return types.TransactWriteItem{Put: put}
}

// RightsRequests returns a candidate's rectification requests and
// objections, oldest first.
func (s *Store) RightsRequests(ctx context.Context, candidateID string) ([]consent.RightsRequest, error) {
	var items []rightsItem
	if err := s.queryInto(ctx, candidatePK(candidateID), "RIGHTS#", &items); err != nil {
		return nil, err
	}
	out := make([]consent.RightsRequest, 0, len(items))
	for _, it := range items {
		out = append(out, it.RightsRequest)
	}
	slices.SortStableFunc(out, func(a, b consent.RightsRequest) int { return a.RequestedAt.Compare(b.RequestedAt) })
	return out, nil
}

func (s *Store) rightsRequest(ctx context.Context, candidateID, id string, kind consent.RightsKind) (consent.RightsRequest, error) {
	var it rightsItem
	ok, err := s.get(ctx, candidatePK(candidateID), rightsSK(id), &it)
	if err != nil {
		return consent.RightsRequest{}, err
	}
	if !ok || it.Kind != kind {
		return consent.RightsRequest{}, &consent.NotFoundError{What: string(kind), ID: id}
	}
	return it.RightsRequest, nil
}

// Restriction is what Restrict or LiftRestriction did.
type Restriction struct {
	Candidate consent.Candidate
	// Recorded is false when nothing changed: restricted already, or not
	// restricted when lifted.
	Recorded bool
	// Due are the artifacts due at once after a lift: the next sweep
	// erases them.
	Due []DueArtifact
}

// Restrict restricts processing of the candidate's data (GDPR Art. 18):
// from then on the data is kept but not used, and no artifact has a
// deadline, in one transaction with the event and the recomputed
// deadlines. method is how the request came (web_form from the candidate's
// page, or a channel when a recruiter records it).
func (s *Store) Restrict(ctx context.Context, candidateID, actor, method string, at time.Time) (Restriction, error) {
	return s.setRestriction(ctx, candidateID, true, actor, method, at)
}

// LiftRestriction ends a restriction: deadlines are recomputed (what is
// past its deadline is due at once) in the transaction of the event.
func (s *Store) LiftRestriction(ctx context.Context, candidateID, actor, method string, at time.Time) (Restriction, error) {
	return s.setRestriction(ctx, candidateID, false, actor, method, at)
}

func (s *Store) setRestriction(ctx context.Context, candidateID string, restrict bool, actor, method string, at time.Time) (Restriction, error) {
	at = at.UTC()
	var r Restriction
	err := s.change(ctx, candidateID, func(ctx context.Context, tx *Tx) error {
		r = Restriction{Candidate: tx.candidate.candidate()}
		if (tx.candidate.RestrictedAt != nil) == restrict {
			return nil
		}
		writes, arts, err := s.recompute(ctx, tx, candidateID, at, basisChange{restricted: &restrict})
		if err != nil {
			return err
		}
		tx.Add(writes...)
		ev := consent.Event{ID: consent.NewID(), Type: consent.EventRestricted, At: at, Actor: actor,
			CollectionMethod: method, LegalBasis: consent.LegalBasisRestriction}
		if restrict {
			tx.Profile(map[string]types.AttributeValue{"restrictedAt": timeValue(at)})
			r.Candidate.RestrictedAt = &at
		} else {
			tx.Profile(nil, "restrictedAt")
			r.Candidate.RestrictedAt = nil
			ev.Type = consent.EventRestrictionLifted
			r.Due = dueNow(arts, at)
		}
		tx.Event(ev)
		r.Recorded = true
		return nil
	})
	return r, err
}

// RequestRectification records the candidate's request to correct a field
// of their profile (GDPR Art. 16), with its one-month deadline. The
// correct value is kept in the request (the table), never in the event.
func (s *Store) RequestRectification(ctx context.Context, candidateID, field, value string, at time.Time) (consent.RightsRequest, error) {
	at = at.UTC()
	r := consent.RightsRequest{ID: consent.NewID(), CandidateID: candidateID, Kind: consent.RightRectification,
		Status: consent.RightsOpen, Field: field, Value: value, RequestedAt: at, Deadline: consent.RightsDeadline(at)}
	err := s.change(ctx, candidateID, func(ctx context.Context, tx *Tx) error {
		tx.Add(s.putRights(r, consent.ActorCandidate, ""))
		tx.Event(consent.Event{ID: consent.NewID(), Type: consent.EventRectificationRequested, At: at, Actor: consent.ActorCandidate,
			CollectionMethod: consent.CollectedByWebForm, LegalBasis: consent.LegalBasisRectification, RightsRequestID: r.ID,
			Fields: []string{field}})
		return nil
	})
	return r, err
}

// Decision is what DecideRectification or an objection's outcome did.
type Decision struct {
	Request consent.RightsRequest
	// Candidate is the profile after the decision (a corrected email is
	// where the candidate is told).
	Candidate consent.Candidate
	// Recorded is false when the same decision was recorded before.
	Recorded bool
}

// DecideRectification confirms (the field takes the new value) or declines
// a rectification, with the reason the candidate is told, in one
// transaction with its event. The event keeps only the hash of the value
// replaced. Deciding again the same way changes nothing; the other way is
// a *consent.ConflictError.
func (s *Store) DecideRectification(ctx context.Context, candidateID, id, decision, reason, actor string, at time.Time) (Decision, error) {
	at = at.UTC()
	var d Decision
	err := s.change(ctx, candidateID, func(ctx context.Context, tx *Tx) error {
		r, err := s.rightsRequest(ctx, candidateID, id, consent.RightRectification)
		if err != nil {
			return err
		}
		c := tx.candidate.candidate()
		d = Decision{Request: r, Candidate: c}
		status := consent.RightsDeclined
		if decision == consent.DecisionConfirm {
			status = consent.RightsConfirmed
		}
		if r.Status != consent.RightsOpen {
			if r.Status == status {
				return nil
			}
			return &consent.ConflictError{Reason: "this rectification was " + string(r.Status) + " already"}
		}
		ev := consent.Event{ID: consent.NewID(), Type: consent.EventRectificationDeclined, At: at, Actor: actor,
			LegalBasis: consent.LegalBasisRectification, RightsRequestID: r.ID, Fields: []string{r.Field}}
		if status == consent.RightsConfirmed {
			old := map[string]string{"name": c.Name, "email": c.Email, "locale": c.Locale}[r.Field]
			tx.Profile(map[string]types.AttributeValue{r.Field: &types.AttributeValueMemberS{Value: r.Value}})
			switch r.Field {
			case "name":
				d.Candidate.Name = r.Value
			case "email":
				d.Candidate.Email = r.Value
			case "locale":
				d.Candidate.Locale = r.Value
			}
			ev.Type, ev.OldValueHash = consent.EventRectified, consent.HashValue(old)
		}
		prev := r.Status
		// The value lives on in the profile when confirmed; the request
		// keeps none once decided.
		r.Status, r.DecidedAt, r.DecidedBy, r.Reason, r.Value = status, &at, actor, reason, ""
		tx.Add(s.putRights(r, consent.ActorCandidate, prev))
		tx.Event(ev)
		d.Request, d.Recorded = r, true
		return nil
	})
	return d, err
}

// Object records the candidate's objection (GDPR Art. 21) to the
// legitimate-interest processing of an open application: unless compelling
// grounds are recorded by graceEnds, the rights sweep closes the
// application. A second objection to one application answers the first.
func (s *Store) Object(ctx context.Context, candidateID, applicationID string, at, graceEnds time.Time) (consent.RightsRequest, error) {
	at, graceEnds = at.UTC(), graceEnds.UTC()
	var r consent.RightsRequest
	err := s.change(ctx, candidateID, func(ctx context.Context, tx *Tx) error {
		app, err := s.Application(ctx, candidateID, applicationID)
		if errors.As(err, new(*consent.NotFoundError)) {
			return &consent.ValidationError{Field: "application", Reason: "no application of yours has this id"}
		}
		if err != nil {
			return err
		}
		existing, err := s.RightsRequests(ctx, candidateID)
		if err != nil {
			return err
		}
		for _, e := range existing {
			if e.Kind == consent.RightObjection && e.ApplicationID == applicationID {
				r = e
				return nil
			}
		}
		if app.Status != consent.ApplicationOpen {
			return &consent.ConflictError{Reason: "this application is closed already"}
		}
		r = consent.RightsRequest{ID: consent.NewID(), CandidateID: candidateID, Kind: consent.RightObjection,
			Status: consent.RightsOpen, ApplicationID: applicationID, GraceEnds: &graceEnds, RequestedAt: at,
			Deadline: consent.RightsDeadline(at)}
		tx.Add(s.putRights(r, consent.ActorCandidate, ""))
		tx.Event(consent.Event{ID: consent.NewID(), Type: consent.EventObjected, At: at, Actor: consent.ActorCandidate,
			CollectionMethod: consent.CollectedByWebForm, LegalBasis: consent.LegalBasisObjection, RightsRequestID: r.ID,
			ApplicationID: applicationID})
		return nil
	})
	return r, err
}

// RecordCompellingGrounds records the recruiter's compelling legitimate
// grounds (Art. 21(1)) against an open objection, with the reason the
// candidate is told: the application stays open.
func (s *Store) RecordCompellingGrounds(ctx context.Context, candidateID, id, reason, actor string, at time.Time) (Decision, error) {
	at = at.UTC()
	var d Decision
	err := s.change(ctx, candidateID, func(ctx context.Context, tx *Tx) error {
		r, err := s.rightsRequest(ctx, candidateID, id, consent.RightObjection)
		if err != nil {
			return err
		}
		d = Decision{Request: r, Candidate: tx.candidate.candidate()}
		switch r.Status {
		case consent.RightsOverridden:
			return nil
		case consent.RightsUpheld:
			return &consent.ConflictError{Reason: "the grace period ended and the application was closed"}
		}
		r.Status, r.DecidedAt, r.DecidedBy, r.Reason = consent.RightsOverridden, &at, actor, reason
		tx.Add(s.putRights(r, consent.ActorCandidate, consent.RightsOpen))
		tx.Event(consent.Event{ID: consent.NewID(), Type: consent.EventObjectionOverridden, At: at, Actor: actor,
			LegalBasis: consent.LegalBasisObjection, RightsRequestID: r.ID, ApplicationID: r.ApplicationID})
		d.Request, d.Recorded = r, true
		return nil
	})
	return d, err
}

// UpholdObjection closes the application of an objection whose grace
// period ended without compelling grounds (outcome "withdrawn", at `at`,
// the sweep's scheduled time), so that its CV's deadline follows the
// closed-application rule, in one transaction with both events. An
// objection decided already changes nothing.
func (s *Store) UpholdObjection(ctx context.Context, candidateID, id string, at time.Time) (Decision, error) {
	at = at.UTC()
	var d Decision
	err := s.change(ctx, candidateID, func(ctx context.Context, tx *Tx) error {
		r, err := s.rightsRequest(ctx, candidateID, id, consent.RightObjection)
		if err != nil {
			return err
		}
		d = Decision{Request: r, Candidate: tx.candidate.candidate()}
		if r.Status != consent.RightsOpen {
			return nil
		}
		app, err := s.Application(ctx, candidateID, r.ApplicationID)
		if err != nil {
			return err
		}
		if app.Status == consent.ApplicationOpen {
			if err := s.closeApplication(ctx, tx, app, consent.OutcomeWithdrawn, consent.ActorWorkflow, at); err != nil {
				return err
			}
		}
		r.Status, r.DecidedAt, r.DecidedBy = consent.RightsUpheld, &at, consent.ActorWorkflow
		tx.Add(s.putRights(r, consent.ActorCandidate, consent.RightsOpen))
		tx.Event(consent.Event{ID: consent.NewID(), Type: consent.EventObjectionUpheld, At: at, Actor: consent.ActorWorkflow,
			LegalBasis: consent.LegalBasisObjection, RightsRequestID: r.ID, ApplicationID: r.ApplicationID})
		d.Request, d.Recorded = r, true
		return nil
	})
	return d, err
}

// OpenRights lists up to limit open requests of one list
// (OpenRectificationsList by when they were asked, OpenObjectionsList by
// the end of their grace period) whose sort time is at or before until,
// earliest first. It reads only the sparse list index.
func (s *Store) OpenRights(ctx context.Context, list string, until time.Time, limit int32) ([]consent.RightsRequest, error) {
	var items []rightsItem
	// Keys are "<time>#<candidate>#<id>": "~" sorts after every id.
	_, _, err := s.queryIndex(ctx, indexPage{
		index: ListIndex, shardAttr: "listPk", sortAttr: "listSk", shard: list,
		cond: "#sort <= :until", limit: limit,
		values: map[string]types.AttributeValue{":until": &types.AttributeValueMemberS{Value: until.UTC().Format(timeFormat) + "#~"}},
	}, &items)
	if err != nil {
		return nil, fmt.Errorf("open rights requests: %w", err)
	}
	out := make([]consent.RightsRequest, 0, len(items))
	for _, it := range items {
		out = append(out, it.RightsRequest)
	}
	return out, nil
}
