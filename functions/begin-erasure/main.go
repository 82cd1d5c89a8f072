// Command begin-erasure is the erasure workflow's first step for each
// artifact: it marks the artifact erasing when it is still due.
package main

import (
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/consentflow/consentflow/shared/env"
)

func main() {
	log := env.Logger()
	h := &Handler{Store: env.Store(log, env.AWS(log)), Log: log}
	lambda.StartWithOptions(h.Handle, lambda.WithDisallowUnknownFields(true))
}
