package dynamodb_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	sdk "github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// benchTables creates the product's tables: consent (pk, sk) with the
// sparse due index, and audit (pk, sk).
func benchTables(b testing.TB, db *sdk.Client) {
	ctx := context.Background()
	str := func(name string) types.AttributeDefinition {
		return types.AttributeDefinition{AttributeName: aws.String(name), AttributeType: types.ScalarAttributeTypeS}
	}
	ks := func(hash, rng string) []types.KeySchemaElement {
		return []types.KeySchemaElement{{AttributeName: aws.String(hash), KeyType: types.KeyTypeHash}, {AttributeName: aws.String(rng), KeyType: types.KeyTypeRange}}
	}
	_, err := db.CreateTable(ctx, &sdk.CreateTableInput{
		TableName: aws.String("consent"), BillingMode: types.BillingModePayPerRequest,
		AttributeDefinitions: []types.AttributeDefinition{str("pk"), str("sk"), str("dueShard"), str("deleteBy")},
		KeySchema:            ks("pk", "sk"),
		GlobalSecondaryIndexes: []types.GlobalSecondaryIndex{{
			IndexName: aws.String("due"), KeySchema: ks("dueShard", "deleteBy"), Projection: &types.Projection{ProjectionType: types.ProjectionTypeAll},
		}},
	})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := db.CreateTable(ctx, &sdk.CreateTableInput{
		TableName: aws.String("audit"), BillingMode: types.BillingModePayPerRequest,
		AttributeDefinitions: []types.AttributeDefinition{str("pk"), str("sk")}, KeySchema: ks("pk", "sk"),
	}); err != nil {
		b.Fatal(err)
	}
}

// candidateItems are one candidate's items as the product stores them: the
// profile, a consent (in the due index), a request and an event.
func candidateItems(id string) []map[string]types.AttributeValue {
	pk := s("CANDIDATE#" + id)
	return []map[string]types.AttributeValue{
		{"pk": pk, "sk": s("PROFILE"), "name": s("Candidate " + id), "email": s(id + "@example.com"), "version": n("1")},
		{"pk": pk, "sk": s("CONSENT#talent_pool"), "state": s("granted"), "dueShard": s(id[len(id)-1:]), "deleteBy": s("2028-01-01T00:00:00Z#" + id)},
		{"pk": pk, "sk": s("EVENT#2026-12-01T00:00:00Z#1"), "type": s("granted")},
		{"pk": s("REQUEST#" + id), "sk": s("REQUEST"), "status": s("pending"), "taskToken": s("token-" + id)},
	}
}

// seed writes count candidates with BatchWriteItem.
func seed(b *testing.B, db *sdk.Client, count int) {
	ctx := context.Background()
	var batch []types.WriteRequest
	flush := func() {
		if len(batch) == 0 {
			return
		}
		if _, err := db.BatchWriteItem(ctx, &sdk.BatchWriteItemInput{RequestItems: map[string][]types.WriteRequest{"consent": batch}}); err != nil {
			b.Fatal(err)
		}
		batch = nil
	}
	for i := range count {
		for _, item := range candidateItems(fmt.Sprintf("C%07d", i)) {
			batch = append(batch, types.WriteRequest{PutRequest: &types.PutRequest{Item: item}})
			if len(batch) == 25 {
				flush()
			}
		}
	}
	flush()
}

// events numbers the audit events the benchmark writes, across -count runs.
var events int

// BenchmarkCandidates measures the product's calls on one candidate with
// the table empty and holding 50,000 other candidates: the cost must follow
// the candidate's partition, not the table.
func BenchmarkCandidates(b *testing.B) {
	for _, others := range []int{0, 50_000} {
		db := newClient(b)
		benchTables(b, db)
		seed(b, db, others)
		ctx := context.Background()
		for _, item := range candidateItems("TARGET1") {
			if _, err := db.PutItem(ctx, &sdk.PutItemInput{TableName: aws.String("consent"), Item: item}); err != nil {
				b.Fatal(err)
			}
		}
		target := map[string]types.AttributeValue{"pk": s("CANDIDATE#TARGET1"), "sk": s("PROFILE")}
		b.Run(fmt.Sprintf("candidates=%d/GetItem", others), func(b *testing.B) {
			for b.Loop() {
				out, err := db.GetItem(ctx, &sdk.GetItemInput{TableName: aws.String("consent"), Key: target})
				if err != nil || out.Item == nil {
					b.Fatal(out, err)
				}
			}
		})
		b.Run(fmt.Sprintf("candidates=%d/Query", others), func(b *testing.B) {
			for b.Loop() {
				out, err := db.Query(ctx, &sdk.QueryInput{
					TableName: aws.String("consent"), KeyConditionExpression: aws.String("pk = :pk AND begins_with(sk, :prefix)"),
					ExpressionAttributeValues: map[string]types.AttributeValue{":pk": s("CANDIDATE#TARGET1"), ":prefix": s("CONSENT#")},
				})
				if err != nil || out.Count != 1 {
					b.Fatal(out, err)
				}
			}
		})
		b.Run(fmt.Sprintf("candidates=%d/QueryDueIndex", others), func(b *testing.B) {
			for b.Loop() {
				out, err := db.Query(ctx, &sdk.QueryInput{
					TableName: aws.String("consent"), IndexName: aws.String("due"), Limit: aws.Int32(25),
					KeyConditionExpression:    aws.String("dueShard = :shard AND deleteBy <= :now"),
					ExpressionAttributeValues: map[string]types.AttributeValue{":shard": s("1"), ":now": s("2027-01-01")},
				})
				if err != nil || out.Count != 0 {
					b.Fatal(out, err)
				}
			}
		})
		b.Run(fmt.Sprintf("candidates=%d/TransactWriteItems", others), func(b *testing.B) {
			for b.Loop() {
				events++
				i := events
				_, err := db.TransactWriteItems(ctx, &sdk.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
					{Update: &types.Update{
						TableName: aws.String("consent"), Key: target,
						UpdateExpression:          aws.String("SET version = version + :one"),
						ConditionExpression:       aws.String("attribute_exists(pk)"),
						ExpressionAttributeValues: map[string]types.AttributeValue{":one": n("1")},
					}},
					{Put: &types.Put{
						TableName:           aws.String("audit"),
						Item:                map[string]types.AttributeValue{"pk": s("CANDIDATE#TARGET1"), "sk": s(fmt.Sprintf("EVENT#%09d", i))},
						ConditionExpression: aws.String("attribute_not_exists(pk)"),
					}},
				}})
				if err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
