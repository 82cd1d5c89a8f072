package secretsmanager

import (
	"context"
	"errors"
	"net/http/httptest"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"
)

// The SDK's own client reads generated secrets by name and by ARN, and gets
// Secrets Manager's typed error for an unknown one.
func TestTheSDKReadsGeneratedSecrets(t *testing.T) {
	s := New("us-east-1", "000000000000")
	arn := s.Generate("network-hash")
	if again := s.Generate("network-hash"); again != arn {
		t.Fatalf("Generate twice: %s then %s, want the same secret", arn, again)
	}
	other := New("us-east-1", "000000000000")
	other.Generate("network-hash")
	srv := httptest.NewServer(s)
	defer srv.Close()
	client := secretsmanager.New(secretsmanager.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL),
		Credentials: aws.AnonymousCredentials{}})
	ctx := context.Background()
	byName, err := client.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("network-hash")})
	if err != nil {
		t.Fatal(err)
	}
	byARN, err := client.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(arn)})
	if err != nil {
		t.Fatal(err)
	}
	if v := aws.ToString(byName.SecretString); len(v) < 32 || v != aws.ToString(byARN.SecretString) || aws.ToString(byName.ARN) != arn {
		t.Fatalf("by name %q (%s), by ARN %q", v, aws.ToString(byName.ARN), aws.ToString(byARN.SecretString))
	}
	otherSrv := httptest.NewServer(other)
	defer otherSrv.Close()
	otherOut, err := secretsmanager.New(secretsmanager.Options{Region: "us-east-1", BaseEndpoint: aws.String(otherSrv.URL),
		Credentials: aws.AnonymousCredentials{}}).GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("network-hash")})
	if err != nil || aws.ToString(otherOut.SecretString) == aws.ToString(byName.SecretString) {
		t.Fatalf("two starts generated the same value (%v)", err)
	}
	_, err = client.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("nope")})
	var nf *types.ResourceNotFoundException
	if !errors.As(err, &nf) {
		t.Fatalf("unknown secret: %v, want ResourceNotFoundException", err)
	}
}
