package store_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/consentflow/consentflow/infra/local/dynalite"
	"github.com/consentflow/consentflow/shared/consent"
	"github.com/consentflow/consentflow/shared/store"
)

// dynalite is a second, stricter DynamoDB implementation (reserved words,
// expression validation) without transactions. The store's calls that are
// not transactions run against it too, so that a mistake our local DynamoDB
// lets through still fails a test.
func dynaliteStore(t *testing.T) (*store.Store, *dynamodb.Client) {
	t.Helper()
	url := dynalite.Start(t)
	db := dynamodb.New(dynamodb.Options{Region: "us-east-1", BaseEndpoint: aws.String(url), Credentials: aws.CredentialsProviderFunc(
		func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: "x", SecretAccessKey: "x"}, nil
		})})
	createTable(t, db)
	// dynalite reports table status: wait for ACTIVE.
	waiter := dynamodb.NewTableExistsWaiter(db, func(o *dynamodb.TableExistsWaiterOptions) { o.MinDelay = 10 * time.Millisecond })
	if err := waiter.Wait(context.Background(), &dynamodb.DescribeTableInput{TableName: aws.String("consent")}, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	return store.New(db, "consent", "audit"), db
}

func TestNonTransactionalCallsOnDynalite(t *testing.T) {
	ctx := context.Background()
	s, _ := dynaliteStore(t)
	c, _ := consent.NewCandidate("Ada Lovelace", "ada@example.com", "en", t0)
	c.ID = consent.IDFromKey("candidate", "r", "k")
	if _, created, err := s.CreateCandidate(ctx, c, "k"); err != nil || !created {
		t.Fatalf("create: %v %v", created, err)
	}
	if _, created, err := s.CreateCandidate(ctx, c, "k"); err != nil || created {
		t.Fatalf("idempotent retry: %v %v", created, err)
	}
	other := c
	other.Name = "Grace"
	var conflict *consent.ConflictError
	if _, _, err := s.CreateCandidate(ctx, other, "k"); !errors.As(err, &conflict) {
		t.Fatalf("conflicting retry: %v", err)
	}
	got, err := s.Candidate(ctx, c.ID)
	if err != nil || got.Name != "Ada Lovelace" || !got.CreatedAt.Equal(t0) {
		t.Fatalf("get: %+v %v", got, err)
	}
	var nf *consent.NotFoundError
	if _, err := s.Candidate(ctx, "NOSUCH"); !errors.As(err, &nf) {
		t.Fatalf("unknown: %v", err)
	}
	if cs, err := s.Consents(ctx, c.ID); err != nil || len(cs) != 0 {
		t.Fatalf("consents query: %v %v", cs, err)
	}
	if es, err := s.Events(ctx, c.ID); err != nil || len(es) != 0 {
		t.Fatalf("events query: %v %v", es, err)
	}
	if _, err := s.Request(ctx, "NOSUCH"); !errors.As(err, &nf) {
		t.Fatalf("unknown request: %v", err)
	}
	if _, _, err := s.RequestByLink(ctx, consent.HashLinkToken(consent.NewLinkToken()), t0); !errors.As(err, &nf) {
		t.Fatalf("unknown link: %v", err)
	}
}

// TestDynaliteRejectsWhatDynamoDBRejects shows the cross-check has teeth:
// dynalite refuses an unaliased reserved word ("status") in an update
// expression, as DynamoDB does, where the store writes "#status".
func TestDynaliteRejectsWhatDynamoDBRejects(t *testing.T) {
	_, db := dynaliteStore(t)
	_, err := db.UpdateItem(context.Background(), &dynamodb.UpdateItemInput{
		TableName: aws.String("consent"),
		Key: map[string]types.AttributeValue{
			"pk": &types.AttributeValueMemberS{Value: "REQUEST#X"}, "sk": &types.AttributeValueMemberS{Value: "REQUEST"},
		},
		UpdateExpression:          aws.String("SET status = :s"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":s": &types.AttributeValueMemberS{Value: "answered"}},
	})
	if err == nil || !strings.Contains(err.Error(), "reserved keyword") {
		t.Fatalf("err = %v; want dynalite to refuse the reserved word, or the cross-check catches nothing", err)
	}
}
