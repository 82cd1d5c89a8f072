package local_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"github.com/consentflow/consentflow/infra/local"
	"github.com/consentflow/consentflow/infra/topology"
	"github.com/consentflow/consentflow/shared/workflow"
)

// stepErrors lists the errors the execution's task steps failed with, in
// order.
func stepErrors(t *testing.T, requestID string) []string {
	t.Helper()
	c := sfn.New(sfn.Options{Region: local.Region, BaseEndpoint: aws.String(cloud.Endpoints["SFN"]), Credentials: aws.AnonymousCredentials{}})
	arn := fmt.Sprintf("arn:aws:states:%s:%s:execution:%s:%s", local.Region, local.AccountID, topology.ConsentRequestWorkflow, requestID)
	var errs []string
	p := sfn.NewGetExecutionHistoryPaginator(c, &sfn.GetExecutionHistoryInput{ExecutionArn: aws.String(arn)})
	for p.HasMorePages() {
		out, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range out.Events {
			if e.Type == sfntypes.HistoryEventTypeTaskFailed && e.TaskFailedEventDetails != nil {
				errs = append(errs, aws.ToString(e.TaskFailedEventDetails.Error))
			}
		}
	}
	return errs
}

// When the store gives up on a candidate whose records keep changing (its
// own retries spent, the step fails with Contention), the workflow retries
// the step: the request is recorded and its link sent, not closed as failed.
func TestTheWorkflowRetriesARequestThatMetContention(t *testing.T) {
	to := uniqueEmail(t)
	id := register(t, to, "en")
	clear := cloud.Faults.Fail(local.Fault{Service: local.DynamoDB, Action: "TransactWriteItems", Status: 400,
		Code: "TransactionConflictException", Message: "injected fault: a conflicting transaction is in progress"})
	defer func() { clear() }()
	requestID := requestConsent(t, id, "talent_pool")
	deadline := time.Now().Add(60 * time.Second)
	for !slices.Contains(stepErrors(t, requestID), workflow.Contention) {
		if time.Now().After(deadline) {
			t.Fatalf("the record step never failed with %s: %v", workflow.Contention, stepErrors(t, requestID))
		}
		time.Sleep(50 * time.Millisecond)
	}
	clear()
	drive(t, func() bool { return mailsTo(t, to) > 0 || executionStatus(t, requestID) != "RUNNING" })
	if st := executionStatus(t, requestID); st != "RUNNING" {
		t.Fatalf("execution %s after the contention (step errors %v), want it RUNNING, waiting for the answer", st, stepErrors(t, requestID))
	}
	email(t, to, "asks for your consent")
	if got := consents(t, id)["talent_pool"].State; got != "requested" {
		t.Fatalf("talent_pool is %q, want requested", got)
	}
	agrees(t, id)
}

// mailsTo counts the emails sent to a recipient.
func mailsTo(t *testing.T, to string) int {
	t.Helper()
	all, err := cloud.Outbox.Emails(context.Background(), time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range all {
		if len(e.Destination.To) > 0 && e.Destination.To[0] == to {
			n++
		}
	}
	return n
}
