// Command record-join-decision serves POST /j/{token}: it records a
// candidate's answer on the join-time page (record this interview, or not)
// and its audit events in one transaction, then hands it to the waiting
// consent-request workflow, exactly as record-decision does.
package main

import (
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/sfn"

	"github.com/consentflow/consentflow/shared/env"
	"github.com/consentflow/consentflow/shared/erasure"
	"github.com/consentflow/consentflow/shared/secret"
	"github.com/consentflow/consentflow/shared/store"
)

func main() {
	log := env.Logger()
	table := env.Require(log, "TABLE_NAME")[0]
	policy := env.Policy(log)
	cfg := env.AWS(log)
	secretARN := env.Require(log, "NETWORK_HASH_SECRET_ARN")[0]
	st := store.New(dynamodb.NewFromConfig(cfg), table, env.Require(log, "AUDIT_TABLE_NAME")[0])
	st.SetRetention(env.Retention(log)) // a decision recomputes artifact deadlines
	h := &Handler{
		Store:      st,
		Workflows:  sfn.NewFromConfig(cfg),
		Erasure:    &erasure.Starter{Workflows: sfn.NewFromConfig(cfg), StateMachineARN: env.Require(log, "ERASURE_STATE_MACHINE_ARN")[0]},
		NetworkKey: secret.New(secretsmanager.NewFromConfig(cfg), secretARN),
		Policy:     policy,
		Log:        log,
		Now:        time.Now,
	}
	lambda.Start(h.Handle)
}
