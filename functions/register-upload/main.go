// Command register-upload handles S3 "Object Created" events of the CV and
// recording buckets (an EventBridge rule): it registers an authorized upload
// and removes, with an audit event, any object nobody authorized.
package main

import (
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"

	"github.com/consentflow/consentflow/shared/consent"
	"github.com/consentflow/consentflow/shared/env"
	"github.com/consentflow/consentflow/shared/mail"
	"github.com/consentflow/consentflow/shared/store"
)

func main() {
	log := env.Logger()
	vars := env.Require(log, "TABLE_NAME", "CV_BUCKET", "RECORDING_BUCKET", "SENDER_EMAIL")
	policy := env.Policy(log)
	cfg := env.AWS(log)
	st := store.New(dynamodb.NewFromConfig(cfg), vars[0], env.Require(log, "AUDIT_TABLE_NAME")[0])
	st.SetRetention(env.Retention(log))
	h := &Handler{
		Store:  st,
		S3:     s3.NewFromConfig(cfg),
		Mail:   mail.New(sesv2.NewFromConfig(cfg), vars[3], policy),
		Kinds:  map[string]consent.ArtifactKind{vars[1]: consent.KindCV, vars[2]: consent.KindRecording},
		Log:    log,
		Policy: policy,
	}
	lambda.Start(h.Handle)
}
