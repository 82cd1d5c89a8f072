// Command send-erasure-digest runs on a schedule: it emails the controller's
// privacy contact a digest of the CVs and recordings that will be erased
// within the coming days (erasureDigestDays), with candidate ids and
// console links.
package main

import (
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"

	"github.com/consentflow/consentflow/shared/env"
	"github.com/consentflow/consentflow/shared/mail"
	"github.com/consentflow/consentflow/shared/store"
)

func main() {
	log := env.Logger()
	vars := env.Require(log, "TABLE_NAME", "AUDIT_TABLE_NAME", "SENDER_EMAIL")
	policy := env.Policy(log)
	cfg := env.AWS(log)
	h := &Handler{
		Store:   store.New(dynamodb.NewFromConfig(cfg), vars[0], vars[1]),
		Mailer:  mail.New(sesv2.NewFromConfig(cfg), vars[2], policy),
		To:      policy.ControllerContact,
		Window:  env.Days(log, "ERASURE_DIGEST_DAYS"),
		BaseURL: policy.PublicBaseURL,
		Log:     log,
	}
	lambda.StartWithOptions(h.Handle, lambda.WithDisallowUnknownFields(true))
}
