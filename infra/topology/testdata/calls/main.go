// Command calls is a fixture of the call analysis in calls_test.go: a
// handler behind an interface that reaches DynamoDB and S3 the ways the
// functions do. It is never run.
package main

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/consentflow/consentflow/infra/topology/testdata/calls/store"
)

// records is the handler's own small interface, as functions declare them.
type records interface {
	Read(context.Context) error
	Write(context.Context) error
}

type handler struct {
	records records
	files   *s3.Client
}

func (h handler) handle(ctx context.Context) error {
	if err := h.records.Read(ctx); err != nil {
		return err
	}
	steps := []func(context.Context) error{h.records.Write}
	for _, step := range steps {
		if err := step(ctx); err != nil {
			return err
		}
	}
	_, err := h.files.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("b")})
	return err
}

func main() {
	s := &store.Store{DB: dynamodb.New(dynamodb.Options{})}
	_ = handler{records: s, files: s3.New(s3.Options{})}.handle(context.Background())
}
