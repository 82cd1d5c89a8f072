// Command answer-rights-request serves the recruiter's side of the rights
// of GDPR Art. 16, 18 and 21: GET /api/candidates/{id}/rights, POST
// /api/candidates/{id}/restriction, POST
// /api/candidates/{id}/rectifications/{requestId} and POST
// /api/candidates/{id}/objections/{requestId}. Each answer is emailed to
// the candidate.
package main

import (
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"

	"github.com/consentflow/consentflow/shared/env"
	"github.com/consentflow/consentflow/shared/mail"
)

func main() {
	log := env.Logger()
	sender := env.Require(log, "SENDER_EMAIL")[0]
	policy := env.Policy(log)
	cfg := env.AWS(log)
	st := env.Store(log, cfg)
	st.SetRetention(env.Retention(log)) // a lifted restriction recomputes deadlines
	h := &Handler{Store: st, Mail: mail.New(sesv2.NewFromConfig(cfg), sender, policy), Log: log, Now: time.Now}
	lambda.Start(h.Handle)
}
