// Command redrive-consent-requests runs on a schedule: it hands answers whose
// hand-over was lost to the workflows still waiting for them, so that their
// receipts go out without waiting for the link's expiry.
package main

import (
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/sfn"

	"github.com/consentflow/consentflow/shared/env"
	"github.com/consentflow/consentflow/shared/store"
)

func main() {
	log := env.Logger()
	vars := env.Require(log, "TABLE_NAME", "AUDIT_TABLE_NAME", "CONSENT_RECEIPT_STATE_MACHINE_ARN")
	cfg := env.AWS(log)
	h := &Handler{
		Store:           store.New(dynamodb.NewFromConfig(cfg), vars[0], vars[1]),
		Workflows:       sfn.NewFromConfig(cfg),
		ReceiptWorkflow: vars[2],
		Log:             log,
		Now:             time.Now,
	}
	lambda.StartWithOptions(h.Handle, lambda.WithDisallowUnknownFields(true))
}
