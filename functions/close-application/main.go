// Command close-application serves POST /api/candidates/{id}/applications/{applicationId}/close:
// it records closedAt and recomputes the deadlines of the candidate's CVs.
package main

import (
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/consentflow/consentflow/shared/env"
	"github.com/consentflow/consentflow/shared/store"
)

func main() {
	log := env.Logger()
	table := env.Require(log, "TABLE_NAME")[0]
	cfg := env.AWS(log)
	st := store.New(dynamodb.NewFromConfig(cfg), table, env.Require(log, "AUDIT_TABLE_NAME")[0])
	st.SetRetention(env.Retention(log))
	h := &Handler{Store: st, Log: log, Now: time.Now}
	lambda.Start(h.Handle)
}
