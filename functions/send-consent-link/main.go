// Command send-consent-link emails a candidate their personal consent link
// and parks the workflow's task token with the request until they answer.
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
	vars := env.Require(log, "TABLE_NAME", "SENDER_EMAIL")
	policy := env.Policy(log)
	cfg := env.AWS(log)
	h := &Handler{
		Store:  store.New(dynamodb.NewFromConfig(cfg), vars[0], env.Require(log, "AUDIT_TABLE_NAME")[0]),
		Mailer: mail.New(sesv2.NewFromConfig(cfg), vars[1], policy),
		Policy: policy,
		Log:    log,
	}
	// Strict: a field the ASL passes that the step does not know is an
	// error, not silently ignored.
	lambda.StartWithOptions(h.Handle, lambda.WithDisallowUnknownFields(true))
}
