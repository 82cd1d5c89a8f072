package store

import (
	"cmp"
	"context"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/consentflow/consentflow/shared/consent"
)

// CreateCandidate stores a new candidate. With an idempotency key, a retry
// with the same details returns the candidate stored the first time (created
// false); the same key with other details is a *consent.ConflictError.
func (s *Store) CreateCandidate(ctx context.Context, c consent.Candidate, idempotencyKey string) (stored consent.Candidate, created bool, err error) {
	_, err = s.db.PutItem(ctx, &dynamodb.PutItemInput{
		TableName:           aws.String(s.table),
		Item:                marshal(newCandidateItem(c, idempotencyKey)),
		ConditionExpression: aws.String("attribute_not_exists(pk)"),
	})
	if err == nil {
		return c, true, nil
	}
	if failed, _ := conditionFailed(err); !failed {
		return consent.Candidate{}, false, unavailable("put candidate", err)
	}
	var prev candidateItem
	if _, err := s.get(ctx, candidatePK(c.ID), profileSK, &prev); err != nil {
		return consent.Candidate{}, false, err
	}
	if idempotencyKey == "" || prev.IdempotencyKey != idempotencyKey ||
		prev.Name != c.Name || prev.Email != c.Email || prev.Locale != c.Locale {
		return consent.Candidate{}, false, &consent.ConflictError{Reason: "this Idempotency-Key was already used for a different candidate"}
	}
	return prev.candidate(), false, nil
}

// Candidate returns the candidate with the given ID.
func (s *Store) Candidate(ctx context.Context, id string) (consent.Candidate, error) {
	it, err := s.profile(ctx, id)
	if err != nil {
		return consent.Candidate{}, err
	}
	if it.ErasedAt != nil {
		return consent.Candidate{}, &consent.GoneError{ID: id}
	}
	return it.candidate(), nil
}

// profile reads a candidate's profile item, with its version and the head
// of its chain; an unknown candidate is a *consent.NotFoundError.
func (s *Store) profile(ctx context.Context, id string) (candidateItem, error) {
	var it candidateItem
	ok, err := s.get(ctx, candidatePK(id), profileSK, &it)
	if err != nil {
		return candidateItem{}, err
	}
	if !ok {
		return candidateItem{}, &consent.NotFoundError{What: "candidate", ID: id}
	}
	return it, nil
}

// Consents returns the current state of each consent of a candidate, in
// purpose order. A candidate never asked has none.
func (s *Store) Consents(ctx context.Context, candidateID string) ([]consent.Consent, error) {
	items, err := s.consentItems(ctx, candidateID)
	if err != nil {
		return nil, err
	}
	out := make([]consent.Consent, 0, len(items))
	for _, it := range items {
		out = append(out, it.consent(candidateID))
	}
	return out, nil
}

func (s *Store) consentItems(ctx context.Context, candidateID string) ([]consentItem, error) {
	raw, err := s.query(ctx, candidatePK(candidateID), "CONSENT#")
	if err != nil {
		return nil, err
	}
	out := make([]consentItem, len(raw))
	for i, m := range raw {
		if err := unmarshal(m, &out[i]); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (it consentItem) consent(candidateID string) consent.Consent {
	return consent.Consent{
		CandidateID: candidateID, Purpose: it.Purpose, State: it.State, NoticeVersion: it.NoticeVersion,
		RequestID: it.RequestID, ReceiptID: it.ReceiptID, UpdatedAt: it.UpdatedAt, ExpiresAt: it.ExpiresAt,
	}
}

// Events returns a candidate's audit trail in commit order: events written
// before the audit table existed first (in time order, Seq 0), then the
// audit table's in seq order.
func (s *Store) Events(ctx context.Context, candidateID string) ([]consent.Event, error) {
	raw, err := s.query(ctx, candidatePK(candidateID), "EVENT#")
	if err != nil {
		return nil, err
	}
	out := make([]consent.Event, 0, len(raw))
	for _, m := range raw {
		var it legacyEventItem
		if err := unmarshal(m, &it); err != nil {
			return nil, err
		}
		it.Event.Seq, it.Event.Prev, it.Event.Hash = 0, "", ""
		out = append(out, it.Event)
	}
	legacy := len(out)
	var start map[string]types.AttributeValue
	for {
		res, err := s.db.Query(ctx, &dynamodb.QueryInput{
			TableName:                 aws.String(s.audit),
			KeyConditionExpression:    aws.String("candidateId = :id"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":id": &types.AttributeValueMemberS{Value: candidateID}},
			ConsistentRead:            aws.Bool(true),
			ExclusiveStartKey:         start,
		})
		if err != nil {
			return nil, unavailable("query audit "+candidateID, err)
		}
		for _, m := range res.Items {
			var e consent.Event
			if err := unmarshal(m, &e); err != nil {
				return nil, err
			}
			out = append(out, e)
		}
		if len(res.LastEvaluatedKey) == 0 {
			break
		}
		start = res.LastEvaluatedKey
	}
	// DynamoDB returns a numeric sort key in numeric order; minidyn (the
	// local stand-in) in string order ("10" before "2"). Sorting costs
	// nothing on a trail already in order.
	slices.SortStableFunc(out[legacy:], func(a, b consent.Event) int { return cmp.Compare(a.Seq, b.Seq) })
	return out, nil
}

// Trail is a candidate's audit trail with the result of verifying its hash
// chain.
type Trail struct {
	CandidateID  string               `json:"candidateId"`
	Events       []consent.Event      `json:"events"`
	Verification consent.Verification `json:"verification"`
}

// AuditTrail returns a candidate's events in seq order and checks their
// chain against the head the candidate's record names.
func (s *Store) AuditTrail(ctx context.Context, candidateID string) (Trail, error) {
	c, err := s.profile(ctx, candidateID)
	if err != nil {
		return Trail{}, err
	}
	events, err := s.Events(ctx, candidateID)
	if err != nil {
		return Trail{}, err
	}
	return Trail{CandidateID: candidateID, Events: events, Verification: verify(events, c)}, nil
}

// verify checks a candidate's chain against the head its profile named
// when it was read. The events are read after the profile, so a change
// committed in between adds events past the profile's seq: the head
// anchors the chain at that seq, and the later events are checked by their
// links (without this, a trail read during an erasure reported a broken
// chain).
func verify(events []consent.Event, c candidateItem) consent.Verification {
	for i, e := range events {
		if e.Seq > c.Seq {
			if v := consent.VerifyChain(events[:i], c.Head); !v.Intact {
				return v
			}
			return consent.VerifyChain(events, "")
		}
	}
	return consent.VerifyChain(events, c.Head)
}

// query reads every item of a partition whose sort key has the prefix.
func (s *Store) query(ctx context.Context, pk, skPrefix string) ([]map[string]types.AttributeValue, error) {
	var all []map[string]types.AttributeValue
	var start map[string]types.AttributeValue
	for {
		res, err := s.db.Query(ctx, &dynamodb.QueryInput{
			TableName:              aws.String(s.table),
			KeyConditionExpression: aws.String("pk = :pk AND begins_with(sk, :prefix)"),
			ExpressionAttributeValues: map[string]types.AttributeValue{
				":pk":     &types.AttributeValueMemberS{Value: pk},
				":prefix": &types.AttributeValueMemberS{Value: skPrefix},
			},
			ConsistentRead:    aws.Bool(true),
			ExclusiveStartKey: start,
		})
		if err != nil {
			return nil, unavailable("query "+pk, err)
		}
		all = append(all, res.Items...)
		if len(res.LastEvaluatedKey) == 0 {
			return all, nil
		}
		start = res.LastEvaluatedKey
	}
}
