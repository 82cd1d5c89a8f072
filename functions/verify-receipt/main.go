// Command verify-receipt serves POST /receipts/verify: whether a consent
// receipt and its detached JWS are genuine.
package main

import (
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/service/kms"

	"github.com/consentflow/consentflow/shared/env"
	"github.com/consentflow/consentflow/shared/signature"
)

func main() {
	log := env.Logger()
	key := env.Require(log, "RECEIPT_KEY_ARN")[0]
	cfg := env.AWS(log)
	h := &Handler{Keys: signature.NewKeySet(kms.NewFromConfig(cfg), key), Log: log}
	lambda.Start(h.Handle)
}
