// Command list-recordings serves GET /api/candidates/{id}/recordings: each
// recording's reference, kind, status, size and deadline.
package main

import (
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/consentflow/consentflow/shared/env"
	"github.com/consentflow/consentflow/shared/store"
)

func main() {
	log := env.Logger()
	table := env.Require(log, "TABLE_NAME")[0]
	cfg := env.AWS(log)
	h := &Handler{Store: store.New(dynamodb.NewFromConfig(cfg), table, env.Require(log, "AUDIT_TABLE_NAME")[0]), Log: log}
	lambda.Start(h.Handle)
}
