package store

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// indexPage is one Query of a sparse index: the shard's partition, and a
// key condition on the sort key (cond, naming them #shard and #sort).
type indexPage struct {
	index, shardAttr, sortAttr, shard, cond string
	values                                  map[string]types.AttributeValue
	limit                                   int32
	start                                   map[string]types.AttributeValue
}

// queryIndex reads one page of a sparse index into out, a pointer to a
// slice, and returns where the next page starts (nil at the end) and how
// many items DynamoDB read for it.
func (s *Store) queryIndex(ctx context.Context, q indexPage, out any) (map[string]types.AttributeValue, int, error) {
	values := map[string]types.AttributeValue{":shard": &types.AttributeValueMemberS{Value: q.shard}}
	for k, v := range q.values {
		values[k] = v
	}
	res, err := s.db.Query(ctx, &dynamodb.QueryInput{
		TableName:                 aws.String(s.table),
		IndexName:                 aws.String(q.index),
		KeyConditionExpression:    aws.String("#shard = :shard AND " + q.cond),
		ExpressionAttributeNames:  map[string]string{"#shard": q.shardAttr, "#sort": q.sortAttr},
		ExpressionAttributeValues: values,
		Limit:                     aws.Int32(q.limit),
		ExclusiveStartKey:         q.start,
	})
	if err != nil {
		return nil, 0, unavailable("query index "+q.index, err)
	}
	if err := attributevalue.UnmarshalListOfMaps(res.Items, out); err != nil {
		return nil, 0, fmt.Errorf("decode index %s: %w", q.index, err)
	}
	return res.LastEvaluatedKey, int(res.ScannedCount), nil
}
