package store_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/consentflow/consentflow/shared/consent"
	"github.com/consentflow/consentflow/shared/store"
)

// dynalite is a second, stricter DynamoDB implementation (reserved words,
// expression validation) without transactions. The store's calls that are
// not transactions run against it too, so that a mistake minidyn lets
// through still fails a test.
func dynaliteStore(t testing.TB) (*store.Store, *dynamodb.Client) {
	t.Helper()
	cli := filepath.Join("..", "..", "node_modules", "dynalite", "cli.js")
	if _, err := os.Stat(cli); err != nil {
		t.Fatalf("dynalite is not installed (run npm ci at the repo root, as make test does): %v", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	cmd := exec.Command("node", cli, "--host", "127.0.0.1", "--port", fmt.Sprint(port), "--createTableMs", "0", "--deleteTableMs", "0", "--updateTableMs", "0")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	url := fmt.Sprintf("http://127.0.0.1:%d", port)
	for deadline := time.Now().Add(10 * time.Second); ; {
		if res, err := http.Get(url); err == nil {
			res.Body.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("dynalite did not start")
		}
		time.Sleep(20 * time.Millisecond)
	}
	db := dynamodb.New(dynamodb.Options{Region: "us-east-1", BaseEndpoint: aws.String(url), Credentials: aws.CredentialsProviderFunc(
		func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: "x", SecretAccessKey: "x"}, nil
		})})
	createTable(t, db)
	// Unlike minidyn, dynalite reports table status: wait for ACTIVE.
	waiter := dynamodb.NewTableExistsWaiter(db, func(o *dynamodb.TableExistsWaiterOptions) { o.MinDelay = 10 * time.Millisecond })
	if err := waiter.Wait(context.Background(), &dynamodb.DescribeTableInput{TableName: aws.String("consent")}, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	return store.New(db, "consent"), db
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
