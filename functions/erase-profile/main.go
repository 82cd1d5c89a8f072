// Command erase-profile ends the erasure of everything about a candidate:
// once every artifact is erased, it removes the profile's identifying
// fields and writes the tombstone.
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
