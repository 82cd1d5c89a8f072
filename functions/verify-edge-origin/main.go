// Command verify-edge-origin is the HTTP API's Lambda authorizer of the
// candidate routes when the candidate edge is on: it lets a request through
// only when it carries the origin header CloudFront adds, so that the API's
// own URL cannot bypass the edge's web ACL.
package main

import (
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/consentflow/consentflow/shared/env"
	"github.com/consentflow/consentflow/shared/secret"
)

func main() {
	log := env.Logger()
	secretARN := env.Require(log, "EDGE_SECRET_ARN")[0]
	cfg := env.AWS(log)
	h := &Handler{Secret: secret.New(secretsmanager.NewFromConfig(cfg), secretARN), Log: log}
	lambda.Start(h.Handle)
}
