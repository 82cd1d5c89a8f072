// Command show-join-page serves GET /j/{token}: the join-time page where a
// candidate answers, on their phone, whether the interview they join may
// be recorded; and GET /j/{token}/qr.svg, the link's QR code. A GET never
// changes anything.
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
