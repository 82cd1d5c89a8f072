package store

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/consentflow/consentflow/shared/consent"
)

// PendingErasure is an artifact of the due index whose deadline is still
// ahead: what the erasure sweep will erase then.
type PendingErasure struct {
	CandidateID string               `dynamodbav:"candidateId"`
	ArtifactID  string               `dynamodbav:"id"`
	Kind        consent.ArtifactKind `dynamodbav:"kind"`
	DeleteBy    time.Time            `dynamodbav:"deleteBy"`
}

// DueBetween returns up to limit artifacts of one shard (0 ≤ shard <
// DueShards) due after after and by until, earliest first, and where the
// next page starts (nil at the end). Like Due, it reads only the sparse due
// index.
func (s *Store) DueBetween(ctx context.Context, shard int, after, until time.Time, limit int32, start map[string]types.AttributeValue) ([]PendingErasure, map[string]types.AttributeValue, error) {
	var out []PendingErasure
	// BETWEEN includes both ends; times are stored to the nanosecond, so
	// one nanosecond later excludes after itself.
	next, _, err := s.queryIndex(ctx, indexPage{
		index: DueIndex, shardAttr: DueShardAttr, sortAttr: DeleteByAttr, shard: fmt.Sprintf("DUE#%d", shard),
		cond: "#sort BETWEEN :after AND :until", limit: limit, start: start,
		values: map[string]types.AttributeValue{":after": timeValue(after.Add(time.Nanosecond)), ":until": timeValue(until)},
	}, &out)
	if err != nil {
		return nil, nil, err
	}
	return out, next, nil
}
