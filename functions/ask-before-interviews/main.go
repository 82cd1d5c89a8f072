// Command ask-before-interviews runs on a schedule: the day before an
// interview scheduled in advance, it asks the candidate whether it may be
// recorded (unless they consented under the current notice already), by
// starting a consent request.
package main

import (
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/service/sfn"

	"github.com/consentflow/consentflow/shared/env"
)

func main() {
	log := env.Logger()
	vars := env.Require(log, "CONSENT_REQUEST_STATE_MACHINE_ARN", "NOTICE_VERSION")
	cfg := env.AWS(log)
	h := &Handler{
		Store:           env.Store(log, cfg),
		Workflows:       sfn.NewFromConfig(cfg),
		StateMachineArn: vars[0],
		NoticeVersion:   vars[1],
		Log:             log,
	}
	lambda.StartWithOptions(h.Handle, lambda.WithDisallowUnknownFields(true))
}
