// Command show-manage-page serves GET /m/{token}: the candidate's own page
// of what is held about them, until when and why, with their consents to
// withdraw and their data to download or erase; and GET
// /m/{token}/erase/{confirm}, the button that confirms an erasure. A GET
// never changes anything.
package main

import (
	"time"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/consentflow/consentflow/shared/env"
)

func main() {
	log := env.Logger()
	policy := env.Policy(log)
	cfg := env.AWS(log)
	h := &Handler{Store: env.Store(log, cfg), Policy: policy, Log: log, Now: time.Now}
	lambda.Start(h.Handle)
}
