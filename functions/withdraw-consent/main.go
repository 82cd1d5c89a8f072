// Command withdraw-consent serves POST /api/candidates/{id}/consents/{purpose}/withdraw:
// a recruiter records a withdrawal that arrived by email, phone or letter,
// and erasure starts at once for what the consent alone covered.
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
	st := env.Store(log, cfg)
	st.SetRetention(env.Retention(log)) // a withdrawal recomputes deadlines
	h := &Handler{
		Store:   st,
		Erasure: &erasure.Starter{Workflows: sfn.NewFromConfig(cfg), StateMachineARN: arn},
		Log:     log,
		Now:     time.Now,
	}
	lambda.Start(h.Handle)
}
