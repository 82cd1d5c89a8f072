// Command send-erasure-digest runs on a schedule: it emails the controller's
// privacy contact a digest of the CVs and recordings that will be erased
// within the coming days (erasureDigestDays), with candidate ids and
// console links.
package main

import (
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
		Store:   env.Store(log, cfg),
		Mailer:  mail.New(sesv2.NewFromConfig(cfg), sender, policy),
		To:      policy.ControllerContact,
		Window:  env.Days(log, "ERASURE_DIGEST_DAYS"),
		BaseURL: policy.PublicBaseURL,
		Log:     log,
	}
	lambda.StartWithOptions(h.Handle, lambda.WithDisallowUnknownFields(true))
}
