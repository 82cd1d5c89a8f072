// Command send-consent-receipt emails a candidate the receipt of their
// recorded decision.
package main

import (
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"

	"github.com/consentflow/consentflow/shared/env"
	"github.com/consentflow/consentflow/shared/mail"
	"github.com/consentflow/consentflow/shared/signature"
	"github.com/consentflow/consentflow/shared/store"
)

func main() {
	log := env.Logger()
	vars := env.Require(log, "TABLE_NAME", "SENDER_EMAIL", "RECEIPT_KEY_ARN")
	policy := env.Policy(log)
	cfg := env.AWS(log)
	h := &Handler{
		Store:  store.New(dynamodb.NewFromConfig(cfg), vars[0]),
		Signer: signature.NewSigner(kms.NewFromConfig(cfg), vars[2]),
		Mailer: mail.New(sesv2.NewFromConfig(cfg), vars[1], policy),
		Policy: policy,
		Log:    log,
	}
	lambda.Start(h.Handle)
}
