// Command show-audit-trail serves GET /api/candidates/{id}/audit: a
// candidate's audit events in seq order, and whether their hash chain
// verifies.
package main

import (
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/consentflow/consentflow/shared/env"
	"github.com/consentflow/consentflow/shared/store"
)

func main() {
	log := env.Logger()
	tables := env.Require(log, "TABLE_NAME", "AUDIT_TABLE_NAME")
	cfg := env.AWS(log)
	h := &Handler{Store: store.New(dynamodb.NewFromConfig(cfg), tables[0], tables[1]), Log: log}
	lambda.Start(h.Handle)
}
