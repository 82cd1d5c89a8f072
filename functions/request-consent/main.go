// Command request-consent serves POST /api/candidates/{id}/consent-requests:
// a recruiter asks a candidate for consent, which starts the consent-request
// workflow.
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
	vars := env.Require(log, "TABLE_NAME", "CONSENT_REQUEST_STATE_MACHINE_ARN")
	cfg := env.AWS(log)
	h := &Handler{
		Candidates:      store.New(dynamodb.NewFromConfig(cfg), vars[0], env.Require(log, "AUDIT_TABLE_NAME")[0]),
		Workflows:       sfn.NewFromConfig(cfg),
		StateMachineArn: vars[1],
		Log:             log,
	}
	lambda.Start(h.Handle)
}
