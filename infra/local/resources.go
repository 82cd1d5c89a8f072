package local

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"github.com/consentflow/consentflow/infra/topology"
)

// createTable creates the app table as the CDK stack defines it. minidyn
// tables are active at once (its TableStatus is empty), so nothing waits.
func createTable(ctx context.Context, t topology.Table, endpoint string) error {
	db := dynamodb.New(dynamodb.Options{Region: Region, BaseEndpoint: aws.String(endpoint), Credentials: credentials})
	attrs := map[string]string{t.PartitionKey.Name: t.PartitionKey.Type, t.SortKey.Name: t.SortKey.Type}
	in := &dynamodb.CreateTableInput{
		TableName:   aws.String(TableName(t)),
		BillingMode: types.BillingModePayPerRequest,
		KeySchema:   keySchema(t.PartitionKey, t.SortKey),
	}
	for _, ix := range t.Indexes {
		attrs[ix.PartitionKey.Name] = ix.PartitionKey.Type
		if ix.SortKey.Name != "" {
			attrs[ix.SortKey.Name] = ix.SortKey.Type
		}
		in.GlobalSecondaryIndexes = append(in.GlobalSecondaryIndexes, types.GlobalSecondaryIndex{
			IndexName:  aws.String(ix.Name),
			KeySchema:  keySchema(ix.PartitionKey, ix.SortKey),
			Projection: &types.Projection{ProjectionType: types.ProjectionTypeAll},
		})
	}
	for name, typ := range attrs {
		in.AttributeDefinitions = append(in.AttributeDefinitions, types.AttributeDefinition{
			AttributeName: aws.String(name), AttributeType: types.ScalarAttributeType(typ),
		})
	}
	if _, err := db.CreateTable(ctx, in); err != nil {
		return fmt.Errorf("create table %s: %w", t.Name, err)
	}
	return nil
}

func keySchema(pk, sk topology.Key) []types.KeySchemaElement {
	ks := []types.KeySchemaElement{{AttributeName: aws.String(pk.Name), KeyType: types.KeyTypeHash}}
	if sk.Name != "" {
		ks = append(ks, types.KeySchemaElement{AttributeName: aws.String(sk.Name), KeyType: types.KeyTypeRange})
	}
	return ks
}

func createBuckets(ctx context.Context, buckets []topology.Bucket, endpoint string) error {
	client := s3.New(s3.Options{Region: Region, BaseEndpoint: aws.String(endpoint), Credentials: credentials, UsePathStyle: true})
	for _, b := range buckets {
		if _, err := client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(BucketName(b.Name))}); err != nil {
			return fmt.Errorf("create bucket %s: %w", b.Name, err)
		}
		// Versioned, as in AWS: uploads get version ids and erasure must
		// remove every version.
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
