// Command schedule-interview serves POST /api/candidates/{id}/interviews:
// an interview scheduled in advance, whose candidate ask-before-interviews
// asks for consent to record it the day before.
package main

import (
	"time"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/consentflow/consentflow/shared/env"
)

func main() {
	log := env.Logger()
	h := &Handler{Store: env.Store(log, env.AWS(log)), Log: log, Now: time.Now}
	lambda.Start(h.Handle)
}
