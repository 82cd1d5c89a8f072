// Command remind-consent-renewals runs on a schedule: it asks candidates to
// renew their talent-pool consent 30 days before it expires, by starting a
// consent request for it.
package main

import (
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/sfn"

	"github.com/consentflow/consentflow/shared/env"
	"github.com/consentflow/consentflow/shared/store"
)

func main() {
	log := env.Logger()
	vars := env.Require(log, "TABLE_NAME", "AUDIT_TABLE_NAME", "CONSENT_REQUEST_STATE_MACHINE_ARN")
	cfg := env.AWS(log)
	h := &Handler{
		Store:           store.New(dynamodb.NewFromConfig(cfg), vars[0], vars[1]),
		Workflows:       sfn.NewFromConfig(cfg),
		StateMachineArn: vars[2],
		Log:             log,
	}
	lambda.StartWithOptions(h.Handle, lambda.WithDisallowUnknownFields(true))
}
