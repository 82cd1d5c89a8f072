// Command sweep-due-artifacts runs on a schedule: it starts the erasure of
// every artifact whose deadline passed by the schedule's time, and restarts
// requests to erase everything that stalled.
package main

import (
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/service/sfn"

	"github.com/consentflow/consentflow/shared/env"
	"github.com/consentflow/consentflow/shared/erasure"
)

func main() {
	log := env.Logger()
	arn := env.Require(log, "ERASURE_STATE_MACHINE_ARN")[0]
	cfg := env.AWS(log)
	h := &Handler{
		Store:   env.Store(log, cfg),
		Erasure: &erasure.Starter{Workflows: sfn.NewFromConfig(cfg), StateMachineARN: arn},
		Log:     log,
		Now:     time.Now,
	}
	lambda.StartWithOptions(h.Handle, lambda.WithDisallowUnknownFields(true))
}
