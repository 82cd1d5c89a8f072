package dynamodb_test

import (
	"bytes"
	"context"
	"net/http/httptest"
	"path/filepath"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	sdk "github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/consentflow/consentflow/infra/local/dynamodb"
)

// TestSnapshotKeepsTablesItemsAndIndexes saves a database, loads it into a
// new one, and reads the items back by key and through the sparse index.
func TestSnapshotKeepsTablesItemsAndIndexes(t *testing.T) {
	ctx := context.Background()
	first := dynamodb.New()
	srv := httptest.NewServer(first)
	db := sdk.New(sdk.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL), Credentials: aws.AnonymousCredentials{}})
	benchTables(t, db)
	for _, item := range candidateItems("A0000001") {
		if _, err := db.PutItem(ctx, &sdk.PutItemInput{TableName: aws.String("consent"), Item: item}); err != nil {
			t.Fatal(err)
		}
	}
	srv.Close()
	path := filepath.Join(t.TempDir(), "dynamodb.json")
	if err := first.SaveFile(path); err != nil {
		t.Fatal(err)
	}

	second := dynamodb.New()
	if err := second.LoadFile(path); err != nil {
		t.Fatal(err)
	}
	srv = httptest.NewServer(second)
	defer srv.Close()
	db = sdk.New(sdk.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL), Credentials: aws.AnonymousCredentials{}})
	got, err := db.GetItem(ctx, &sdk.GetItemInput{TableName: aws.String("consent"), Key: map[string]types.AttributeValue{"pk": s("CANDIDATE#A0000001"), "sk": s("PROFILE")}})
	if err != nil || got.Item["email"].(*types.AttributeValueMemberS).Value != "A0000001@example.com" {
		t.Fatalf("profile after reload: %v %v", got, err)
	}
	q, err := db.Query(ctx, &sdk.QueryInput{
		TableName: aws.String("consent"), IndexName: aws.String("due"),
		KeyConditionExpression:    aws.String("dueShard = :s AND deleteBy > :t"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":s": s("1"), ":t": s("2027")},
	})
	if err != nil || q.Count != 1 {
		t.Fatalf("due index after reload: %v %v", q, err)
	}
	tables, err := db.ListTables(ctx, &sdk.ListTablesInput{})
	if err != nil || len(tables.TableNames) != 2 {
		t.Fatalf("tables after reload: %v %v", tables, err)
	}
	if err := second.Load(bytes.NewReader([]byte(`{"Tables":[{"Definition":{"TableName":"audit"}}]}`))); err == nil {
		t.Error("loading over an existing table succeeded")
	}
	if err := dynamodb.New().LoadFile(filepath.Join(t.TempDir(), "none.json")); err != nil {
		t.Errorf("a missing snapshot is an empty database: %v", err)
	}
}
