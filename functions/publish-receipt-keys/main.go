// Command publish-receipt-keys serves GET /.well-known/jwks.json: the public
// key of receipt signatures, as a JWKS (RFC 7517).
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
