// Command show-consent-page serves GET /c/{token}: the page where a
// candidate reads what they are asked. A GET never changes anything, since
// mail scanners open links too.
package main

import (
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/consentflow/consentflow/shared/env"
	"github.com/consentflow/consentflow/shared/store"
)

func main() {
	log := env.Logger()
	table := env.Require(log, "TABLE_NAME")[0]
	policy := env.Policy(log)
	cfg := env.AWS(log)
	h := &Handler{Store: store.New(dynamodb.NewFromConfig(cfg), table, env.Require(log, "AUDIT_TABLE_NAME")[0]), Policy: policy, Log: log, Now: time.Now}
	lambda.Start(h.Handle)
}
