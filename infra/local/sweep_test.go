package local_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	awslambda "github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/consentflow/consentflow/infra/local"
	"github.com/consentflow/consentflow/infra/topology"
	"github.com/consentflow/consentflow/shared/store"
)

// owed lists the receipts still owed, as the sweep sees them.
func owed(t *testing.T) map[string]bool {
	t.Helper()
	db := dynamodb.New(dynamodb.Options{Region: local.Region, BaseEndpoint: aws.String(cloud.Endpoints["DYNAMODB"]), Credentials: aws.AnonymousCredentials{}})
	st := store.New(db, local.TableName(topology.App.Table), local.TableName(topology.App.Audit))
	list, err := st.ReceiptsOwed(context.Background(), cloud.Clock.Now().Add(time.Hour), 1000)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]bool{}
	for _, o := range list {
		out[o.RequestID] = true
	}
	return out
}

// The hand-over of an answer to its workflow is lost (Step Functions
// refuses every SendTaskSuccess while the answer is posted): the answer is
// recorded, the workflow keeps waiting and the receipt is owed. Once the
// clock passes the sweep's schedule, the sweep hands the answer over and
// the receipt arrives, long before the link's expiry; a later sweep changes
// nothing.
func TestTheSweepRedrivesALostHandOver(t *testing.T) {
	before := cloud.Faults.Failed(local.SFN)
	clear := func() {}
	defer func() { clear() }()
	to, id, requestID := answered(t, func() {
		clear = cloud.Faults.Fail(local.Fault{Service: local.SFN, Action: "SendTaskSuccess"})
	})
	clear()
	if cloud.Faults.Failed(local.SFN) == before {
		t.Fatal("the hand-over was never tried")
	}
	if got := executionStatus(t, requestID); got != "RUNNING" {
		t.Fatalf("execution %s after a lost hand-over, want RUNNING (waiting)", got)
	}
	if !owed(t)[requestID] {
		t.Fatal("the receipt of an answer whose hand-over was lost is not owed")
	}
	if n := receipts(t, to); n != 0 {
		t.Fatalf("%d receipts before the sweep", n)
	}

	// Move the clock a sweep interval at a time: the first sweep past the
	// grace period hands the answer over.
	deadline := time.Now().Add(90 * time.Second)
	for receipts(t, to) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("no receipt after the sweeps")
		}
		cloud.Clock.Advance(16 * time.Minute)
		time.Sleep(200 * time.Millisecond)
	}
	waitForExecution(t, requestID, "SUCCEEDED")
	if got := consents(t, id)["talent_pool"].State; got != "given" {
		t.Fatalf("state %s, want given", got)
	}
	if receiptOf(t, email(t, to, "consent receipt")); owed(t)[requestID] {
		t.Fatal("the receipt is still owed after it was sent")
	}
	events := len(agrees(t, id).Events)

	// A later sweep, as the schedule runs it, finds nothing to do for this
	// request: no second receipt, no new event.
	fns := awslambda.New(awslambda.Options{Region: local.Region, BaseEndpoint: aws.String(cloud.Endpoints["LAMBDA"]), Credentials: aws.AnonymousCredentials{}})
	in, _ := json.Marshal(map[string]string{"scheduledTime": cloud.Clock.Now().Add(time.Hour).UTC().Format(time.RFC3339)})
	out, err := fns.Invoke(context.Background(), &awslambda.InvokeInput{FunctionName: aws.String("redrive-consent-requests"), Payload: in})
	if err != nil || out.FunctionError != nil {
		t.Fatalf("second sweep: %v %s", err, out.Payload)
	}
	cloud.Clock.Advance(31 * time.Minute)
	time.Sleep(200 * time.Millisecond)
	if n := receipts(t, to); n != 1 {
		t.Fatalf("%d receipts after a second sweep, want 1", n)
	}
	if n := len(agrees(t, id).Events); n != events {
		t.Fatalf("%d events after a second sweep, want %d", n, events)
	}
}
