// Command send-erasure-notice emails the candidate that their data was
// erased, in their language, and the recruiting team to stop using copies
// of it (GDPR Art. 19).
package main

import (
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"

	"github.com/consentflow/consentflow/shared/env"
	"github.com/consentflow/consentflow/shared/mail"
)

func main() {
	log := env.Logger()
	sender := env.Require(log, "SENDER_EMAIL")[0]
	policy := env.Policy(log)
	cfg := env.AWS(log)
	h := &Handler{
		Store:  env.Store(log, cfg),
		Mail:   mail.New(sesv2.NewFromConfig(cfg), sender, policy),
		Team:   policy.ControllerContact,
		Base:   policy.PublicBaseURL,
		Policy: policy,
		Log:    log,
		Now:    time.Now,
	}
	lambda.StartWithOptions(h.Handle, lambda.WithDisallowUnknownFields(true))
}
