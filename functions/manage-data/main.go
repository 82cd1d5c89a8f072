// Command manage-data serves POST /m/{token}: what a candidate asks on their
// manage page (withdraw a consent, email them their data, erase
// everything, which a second emailed link confirms), and POST
// /m/{token}/erase/{confirm}, the confirmed erasure.
package main

import (
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sfn"

	"github.com/consentflow/consentflow/shared/consent"
	"github.com/consentflow/consentflow/shared/dataexport"
	"github.com/consentflow/consentflow/shared/env"
	"github.com/consentflow/consentflow/shared/erasure"
	"github.com/consentflow/consentflow/shared/mail"
)

func main() {
	log := env.Logger()
	vars := env.Require(log, "ERASURE_STATE_MACHINE_ARN", "SENDER_EMAIL", "CV_BUCKET", "RECORDING_BUCKET")
	policy := env.Policy(log)
	cfg := env.AWS(log)
	st := env.Store(log, cfg)
	st.SetRetention(env.Retention(log)) // a withdrawal recomputes deadlines
	h := &Handler{
		Store:   st,
		Erasure: &erasure.Starter{Workflows: sfn.NewFromConfig(cfg), StateMachineARN: vars[0]},
		Mail:    mail.New(sesv2.NewFromConfig(cfg), vars[1], policy),
		Links: dataexport.Signer{
			Presigner: s3.NewPresignClient(s3.NewFromConfig(cfg)),
			Buckets:   map[consent.ArtifactKind]string{consent.KindCV: vars[2], consent.KindRecording: vars[3]},
		},
		Policy:         policy,
		ObjectionGrace: env.Days(log, "OBJECTION_GRACE_DAYS"),
		Log:            log,
		Now:            time.Now,
	}
	lambda.Start(h.Handle)
}
