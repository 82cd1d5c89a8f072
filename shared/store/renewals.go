package store

// Renewal reminders of given consent that expires.
//
// Given consent to a purpose that renews (consent.Purpose.Renews) carries
// renewShard (RENEW#<n>) and renewAt (its expiry less RenewalLead), the keys
// of the sparse index RenewalIndex, until the reminder is sent; every other
// state carries neither. putConsent, which writes every consent item, sets
// or drops them, so they cannot disagree with the consent's state.

import (
	"context"
	"fmt"
	"hash/fnv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/consentflow/consentflow/shared/consent"
)

// RenewalIndex is the sparse global secondary index of consents by the time
// their renewal is due (topology.RenewalIndex): partition RenewShardAttr
// ("RENEW#<n>"), sort RenewAtAttr.
const (
	RenewalIndex   = "renewal"
	RenewShardAttr = "renewShard"
	RenewAtAttr    = "renewAt"
	// RenewalShards spreads renewals over this many partitions.
	RenewalShards = 16
	// RenewalLead is how long before consent expires the candidate is asked
	// to renew it.
	RenewalLead = 30 * 24 * time.Hour
)

// RenewalShard is the shard of a candidate's consents in the renewal index.
func RenewalShard(candidateID string) string {
	h := fnv.New32a()
	h.Write([]byte(candidateID))
	return fmt.Sprintf("RENEW#%d", h.Sum32()%RenewalShards)
}

// renewalKeys are the renewal index keys a consent item carries: set for
// given consent with an expiry to a purpose that renews, empty otherwise.
func renewalKeys(it consentItem) (shard string, at *time.Time) {
	if it.State != consent.Given || it.ExpiresAt == nil || !it.Purpose.Renews() {
		return "", nil
	}
	due := it.ExpiresAt.Add(-RenewalLead).UTC()
	return RenewalShard(candidateOf(it.PK)), &due
}

// candidateOf is the candidate ID of a candidate partition key.
func candidateOf(pk string) string { return pk[len(candidatePK("")):] }

// Renewal is an entry of the renewal index: given consent whose reminder is
// due at RenewAt.
type Renewal struct {
	CandidateID string          `dynamodbav:"-"`
	PK          string          `dynamodbav:"pk"`
	Purpose     consent.Purpose `dynamodbav:"purpose"`
	ExpiresAt   time.Time       `dynamodbav:"expiresAt"`
	RenewAt     time.Time       `dynamodbav:"renewAt"`
}

// RenewalsDue returns up to limit consents of one shard (0 ≤ shard <
// RenewalShards) whose renewal is due by until, earliest first, and where
// the next page starts (nil at the end). It reads the sparse renewal index:
// only what is due, never the table.
func (s *Store) RenewalsDue(ctx context.Context, shard int, until time.Time, limit int32, start map[string]types.AttributeValue) ([]Renewal, map[string]types.AttributeValue, error) {
	var out []Renewal
	next, _, err := s.queryIndex(ctx, indexPage{
		index: RenewalIndex, shardAttr: RenewShardAttr, sortAttr: RenewAtAttr, shard: fmt.Sprintf("RENEW#%d", shard),
		cond: "#sort <= :until", values: map[string]types.AttributeValue{":until": timeValue(until)}, limit: limit, start: start,
	}, &out)
	if err != nil {
		return nil, nil, err
	}
	for i := range out {
		out[i].CandidateID = candidateOf(out[i].PK)
	}
	return out, next, nil
}

// RenewalRequested drops a consent from the renewal index once its
// reminder is on its way, on condition that the consent is still given
// until the same expiry: consent renewed or ended meanwhile keeps the keys
// its own write gave it. It reports whether it removed them.
func (s *Store) RenewalRequested(ctx context.Context, r Renewal) (bool, error) {
	_, err := s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                aws.String(s.table),
		Key:                      key(candidatePK(r.CandidateID), consentSK(r.Purpose)),
		UpdateExpression:         aws.String("REMOVE #shard, #renewAt"),
		ConditionExpression:      aws.String("attribute_exists(#shard) AND #state = :given AND expiresAt = :expiresAt"),
		ExpressionAttributeNames: map[string]string{"#shard": RenewShardAttr, "#renewAt": RenewAtAttr, "#state": "state"},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":given":     &types.AttributeValueMemberS{Value: string(consent.Given)},
			":expiresAt": timeValue(r.ExpiresAt),
		},
	})
	if failed, _ := conditionFailed(err); failed {
		return false, nil
	}
	if err != nil {
		return false, unavailable("remove renewal keys", err)
	}
	return true, nil
}
