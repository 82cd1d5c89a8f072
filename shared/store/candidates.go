package store

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/consentflow/consentflow/shared/consent"
)

// CreateCandidate stores a new candidate. With an idempotency key, a retry
// with the same details returns the candidate stored the first time (created
// false); the same key with other details is a *consent.ConflictError.
func (s *Store) CreateCandidate(ctx context.Context, c consent.Candidate, idempotencyKey string) (stored consent.Candidate, created bool, err error) {
	_, err = s.db.PutItem(ctx, &dynamodb.PutItemInput{
		TableName: aws.String(s.table),
		Item: marshal(candidateItem{PK: candidatePK(c.ID), SK: profileSK, Candidate: c, IdempotencyKey: idempotencyKey,
			ListPK: candidatesListPK, ListSK: candidateListSK(c)}),
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
	return prev.Candidate, false, nil
}

// Candidate returns the candidate with the given ID.
func (s *Store) Candidate(ctx context.Context, id string) (consent.Candidate, error) {
	var it candidateItem
	ok, err := s.get(ctx, candidatePK(id), profileSK, &it)
	if err != nil {
		return consent.Candidate{}, err
	}
	if !ok {
		return consent.Candidate{}, &consent.NotFoundError{What: "candidate", ID: id}
	}
	return it.Candidate, nil
}

// Consents returns the current state of each consent of a candidate, in
// purpose order. A candidate never asked has none.
func (s *Store) Consents(ctx context.Context, candidateID string) ([]consent.Consent, error) {
	var items []consentItem
	if err := s.query(ctx, candidatePK(candidateID), "CONSENT#", &items); err != nil {
		return nil, err
	}
	out := make([]consent.Consent, 0, len(items))
	for _, it := range items {
		out = append(out, it.consent(candidateID))
	}
	return out, nil
}

func (it consentItem) consent(candidateID string) consent.Consent {
	return consent.Consent{
		CandidateID: candidateID, Purpose: it.Purpose, State: it.State, NoticeVersion: it.NoticeVersion,
		RequestID: it.RequestID, ReceiptID: it.ReceiptID, UpdatedAt: it.UpdatedAt, ExpiresAt: it.ExpiresAt,
	}
}

// Events returns a candidate's audit trail, oldest first.
func (s *Store) Events(ctx context.Context, candidateID string) ([]consent.Event, error) {
	var items []eventItem
	if err := s.query(ctx, candidatePK(candidateID), "EVENT#", &items); err != nil {
		return nil, err
	}
	out := make([]consent.Event, len(items))
	for i, it := range items {
		out[i] = it.Event
	}
	return out, nil
}

// query reads every item of a partition whose sort key has the prefix.
func (s *Store) query(ctx context.Context, pk, skPrefix string, out any) error {
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
			return unavailable("query "+pk, err)
		}
		all = append(all, res.Items...)
		if len(res.LastEvaluatedKey) == 0 {
			break
		}
		start = res.LastEvaluatedKey
	}
	return attributevalue.UnmarshalListOfMaps(all, out)
}
