// Command remind-consent-renewals runs on a schedule: it asks candidates to
// renew their talent-pool consent 30 days before it expires, by starting a
// consent request for it.
package main

import (
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/service/sfn"

	"github.com/consentflow/consentflow/shared/env"
)

func main() {
	log := env.Logger()
	arn := env.Require(log, "CONSENT_REQUEST_STATE_MACHINE_ARN")[0]
	cfg := env.AWS(log)
	h := &Handler{
		Store:           env.Store(log, cfg),
		Workflows:       sfn.NewFromConfig(cfg),
		StateMachineArn: arn,
		Log:             log,
	}
	lambda.StartWithOptions(h.Handle, lambda.WithDisallowUnknownFields(true))
}
