// Command delete-object-versions deletes every version and delete marker of
// an artifact's object, and answers only once a listing finds none left.
package main

import (
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/consentflow/consentflow/shared/env"
)

func main() {
	log := env.Logger()
	cfg := env.AWS(log)
	h := &Handler{S3: s3.NewFromConfig(cfg), Log: log}
	lambda.StartWithOptions(h.Handle, lambda.WithDisallowUnknownFields(true))
}
