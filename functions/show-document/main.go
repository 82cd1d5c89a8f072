// Command show-document serves GET /api/candidates/{id}/documents/{documentId}:
// a short-lived download link of a CV that still has a legal basis.
package main

import (
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/consentflow/consentflow/shared/env"
	"github.com/consentflow/consentflow/shared/store"
)

func main() {
	log := env.Logger()
	table := env.Require(log, "TABLE_NAME")[0]
	cfg := env.AWS(log)
	h := &Handler{
		Store:     store.New(dynamodb.NewFromConfig(cfg), table, env.Require(log, "AUDIT_TABLE_NAME")[0]),
		Presigner: s3.NewPresignClient(s3.NewFromConfig(cfg)),
		Log:       log, Now: time.Now,
	}
	lambda.Start(h.Handle)
}
