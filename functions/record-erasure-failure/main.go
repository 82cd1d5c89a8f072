// Command record-erasure-failure marks an artifact whose erasure gave up as
// erasure_failed, so that people see it and the next sweep tries again.
package main

import (
	"time"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/consentflow/consentflow/shared/env"
)

func main() {
	log := env.Logger()
	h := &Handler{Store: env.Store(log, env.AWS(log)), Log: log, Now: time.Now}
	lambda.StartWithOptions(h.Handle, lambda.WithDisallowUnknownFields(true))
}
