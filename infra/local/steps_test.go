package local_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awslambda "github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/consentflow/consentflow/infra/local"
	"github.com/consentflow/consentflow/infra/topology"
)

// TestWorkflowStepsRefuseFieldsTheyDoNotTake invokes every function a
// workflow invokes, as built, with a field its input does not have: each
// one fails on decoding its input (lambda.WithDisallowUnknownFields), so an
// ASL that passes a field the step does not know (issue 7: candidateId to
// expire-consent-request) fails the step instead of being ignored.
func TestWorkflowStepsRefuseFieldsTheyDoNotTake(t *testing.T) {
	fns := awslambda.New(awslambda.Options{Region: local.Region, BaseEndpoint: aws.String(cloud.Endpoints["LAMBDA"]), Credentials: aws.AnonymousCredentials{}})
	type call struct{ function, payload, field string }
	calls := []call{
		// Valid for the step but for the extra field.
		{"expire-consent-request", `{"requestId":"NOSUCHREQUEST","reason":"unanswered","candidateId":"NOSUCHCANDIDATE"}`, "candidateId"},
	}
	seen := map[string]bool{}
	for _, w := range topology.App.Workflows {
		for _, f := range w.Functions {
			if !seen[f] {
				seen[f] = true
				calls = append(calls, call{f, `{"notAFieldOfAnyStep":true}`, "notAFieldOfAnyStep"})
			}
		}
	}
	if len(seen) < 5 {
		t.Fatalf("only %d functions invoked by workflows: %v", len(seen), seen)
	}
	for _, c := range calls {
		out, err := fns.Invoke(context.Background(), &awslambda.InvokeInput{FunctionName: aws.String(c.function), Payload: []byte(c.payload)})
		if err != nil {
			t.Fatalf("invoke %s: %v", c.function, err)
		}
		if out.FunctionError == nil || !strings.Contains(string(out.Payload), `unknown field \"`+c.field+`\"`) {
			t.Errorf("%s took %s: %s %s; want it refused for the unknown field %q",
				c.function, c.payload, aws.ToString(out.FunctionError), out.Payload, c.field)
		}
	}
}
