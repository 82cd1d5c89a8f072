// Command complete-erasure records that an artifact is erased: its status,
// its redacted fields and its tombstone event, in one transaction.
package main

import (
	"time"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/consentflow/consentflow/shared/env"
)

func main() {
	log := env.Logger()
	notice := env.Require(log, "NOTICE_VERSION")[0]
	h := &Handler{Store: env.Store(log, env.AWS(log)), NoticeVersion: notice, Log: log, Now: time.Now}
	lambda.StartWithOptions(h.Handle, lambda.WithDisallowUnknownFields(true))
}
