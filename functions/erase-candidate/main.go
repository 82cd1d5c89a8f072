// Command erase-candidate serves DELETE /api/candidates/{id}: a request to
// erase everything about a candidate (GDPR Art. 17), recorded and started
// at once.
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
	lambda.Start(h.Handle)
}
