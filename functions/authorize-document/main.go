// Command authorize-document serves POST /api/candidates/{id}/documents: it
// allows one CV upload, a presigned POST for exactly one key, and records it
// with its deadline.
package main

import (
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/consentflow/consentflow/shared/env"
	"github.com/consentflow/consentflow/shared/store"
)

func main() {
	log := env.Logger()
	vars := env.Require(log, "TABLE_NAME", "CV_BUCKET", "PUBLIC_BASE_URL")
	cfg := env.AWS(log)
	st := store.New(dynamodb.NewFromConfig(cfg), vars[0], env.Require(log, "AUDIT_TABLE_NAME")[0])
	st.SetRetention(env.Retention(log))
	h := &Handler{Store: st, Presigner: s3.NewPresignClient(s3.NewFromConfig(cfg)), Bucket: vars[1],
		ConsoleURL: strings.TrimSuffix(vars[2], "/") + "/console/", Log: log, Now: time.Now}
	lambda.Start(h.Handle)
}
