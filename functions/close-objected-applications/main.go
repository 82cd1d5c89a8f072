// Command close-objected-applications runs on a schedule: it closes the
// application of every objection (GDPR Art. 21) whose grace period ended
// without compelling grounds, emails the candidate the outcome, and logs
// how many rights requests are open for more than 25 days.
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
	st.SetRetention(env.Retention(log)) // a closed application's CV gets its deadline
	h := &Handler{
		Store: st,
		Mail:  mail.New(sesv2.NewFromConfig(cfg), sender, policy),
		Grace: env.Days(log, "OBJECTION_GRACE_DAYS"),
		Log:   log,
		Now:   time.Now,
	}
	lambda.StartWithOptions(h.Handle, lambda.WithDisallowUnknownFields(true))
}
