// Command authorize-recording serves POST /api/candidates/{id}/recordings:
// the recording gate. It allows an upload only with the candidate's consent
// under the current notice, and otherwise asks for it or says why not.
package main

import (
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sfn"

	"github.com/consentflow/consentflow/shared/env"
	"github.com/consentflow/consentflow/shared/store"
)

func main() {
	log := env.Logger()
	vars := env.Require(log, "TABLE_NAME", "RECORDING_BUCKET", "CONSENT_REQUEST_STATE_MACHINE_ARN")
	policy := env.Policy(log)
	cfg := env.AWS(log)
	st := store.New(dynamodb.NewFromConfig(cfg), vars[0], env.Require(log, "AUDIT_TABLE_NAME")[0])
	st.SetRetention(env.Retention(log))
	h := &Handler{
		Store: st, Workflows: sfn.NewFromConfig(cfg), StateMachineArn: vars[2],
		Presigner: s3.NewPresignClient(s3.NewFromConfig(cfg)), Bucket: vars[1],
		NoticeVersion: policy.NoticeVersion, Log: log, Now: time.Now,
		Links: st, JoinLinkValidity: env.Hours(log, "JOIN_LINK_HOURS"), Policy: policy,
	}
	lambda.Start(h.Handle)
}
