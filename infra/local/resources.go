package local

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/johannesboyne/gofakes3"

	"github.com/consentflow/consentflow/infra/topology"
)

// createTable creates a table as the CDK stack defines it. Local tables
// are ACTIVE at once, so nothing waits.
func createTable(ctx context.Context, t topology.Table, endpoint string) error {
	db := dynamodb.New(dynamodb.Options{Region: Region, BaseEndpoint: aws.String(endpoint), Credentials: credentials})
	if _, err := db.CreateTable(ctx, t.CreateInput(TableName(t))); err != nil {
		return fmt.Errorf("create table %s: %w", t.Name, err)
	}
	return nil
}

// createBuckets creates the buckets the backend does not hold yet (a kept
// data folder has them from an earlier run).
func createBuckets(ctx context.Context, buckets []topology.Bucket, endpoint string, backend gofakes3.Backend) error {
	client := s3.New(s3.Options{Region: Region, BaseEndpoint: aws.String(endpoint), Credentials: credentials, UsePathStyle: true})
	for _, b := range buckets {
		if ok, err := backend.BucketExists(BucketName(b.Name)); err != nil {
			return fmt.Errorf("bucket %s: %w", b.Name, err)
		} else if ok {
			continue
		}
		if _, err := client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(BucketName(b.Name))}); err != nil {
			return fmt.Errorf("create bucket %s: %w", b.Name, err)
		}
		// Versioned, as in AWS: uploads get version ids and erasure must
		// remove every version. The data folder's bolt backend has no
		// versions: there buckets stay unversioned (see README, "-data").
		if _, versioned := backend.(gofakes3.VersionedBackend); !versioned {
			continue
		}
		if _, err := client.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{
			Bucket:                  aws.String(BucketName(b.Name)),
			VersioningConfiguration: &s3types.VersioningConfiguration{Status: s3types.BucketVersioningStatusEnabled},
		}); err != nil {
			return fmt.Errorf("version bucket %s: %w", b.Name, err)
		}
	}
	return nil
}

// Definition reads a workflow's ASL file and substitutes its function ARNs,
// as the CDK stack's definition substitutions do in AWS.
func Definition(root string, w topology.Workflow, arn func(function string) string) (string, error) {
	b, err := os.ReadFile(filepath.Join(root, w.File()))
	if err != nil {
		return "", fmt.Errorf("workflow %s: %w", w.Name, err)
	}
	def := string(b)
	for key, fn := range w.Substitutions() {
		def = strings.ReplaceAll(def, "${"+key+"}", arn(fn))
	}
	if i := strings.Index(def, "${"); i >= 0 {
		end := min(len(def), i+60)
		return "", fmt.Errorf("workflow %s: unresolved substitution near %q", w.Name, def[i:end])
	}
	return def, nil
}

func (c *Cloud) createStateMachines(ctx context.Context, root string) error {
	client := sfn.New(sfn.Options{Region: Region, BaseEndpoint: aws.String(c.Endpoints["SFN"]), Credentials: credentials})
	for _, w := range c.app.Workflows {
		def, err := Definition(root, w, FunctionARN)
		if err != nil {
			return err
		}
		typ := sfntypes.StateMachineTypeExpress
		if w.Standard {
			typ = sfntypes.StateMachineTypeStandard
		}
		_, err = client.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{
			Name: aws.String(w.Name), Definition: aws.String(def), Type: typ,
			RoleArn: aws.String(fmt.Sprintf("arn:aws:iam::%s:role/%s", AccountID, w.Name)),
		})
		if err != nil {
			return fmt.Errorf("create state machine %s: %w", w.Name, err)
		}
	}
	return nil
}
