// Command await-recording-consent serves GET
// /api/candidates/{id}/recordings/authorizations/{authorizationId}: whether
// a recording the gate held back awaiting consent may start, waiting (long
// polling, ?wait=20s) for the candidate's answer.
package main

import (
	"time"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/consentflow/consentflow/shared/env"
)

func main() {
	log := env.Logger()
	notice := env.Require(log, "NOTICE_VERSION")[0]
	h := &Handler{Store: env.Store(log, env.AWS(log)), NoticeVersion: notice, Log: log, Now: time.Now, Sleep: Sleep}
	lambda.Start(h.Handle)
}
