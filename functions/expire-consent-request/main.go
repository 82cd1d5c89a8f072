// Command expire-consent-request marks a consent request that was never
// answered as expired, when the workflow's wait for the answer times out.
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
	st.SetRetention(env.Retention(log)) // an expiry recomputes artifact deadlines
	h := &Handler{Store: st, Log: log, Now: time.Now}
	// Strict: a field the ASL passes that the step does not know is an
	// error, not silently ignored.
	lambda.StartWithOptions(h.Handle, lambda.WithDisallowUnknownFields(true))
}
