package local_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	awslambda "github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	sestypes "github.com/aws/aws-sdk-go-v2/service/sesv2/types"
	"github.com/aws/smithy-go"

	"github.com/consentflow/consentflow/infra/local"
	"github.com/consentflow/consentflow/infra/topology"
)

// apiCode is the AWS error code an SDK call failed with.
func apiCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

func TestFaultsFailTheChosenServiceActionForNCalls(t *testing.T) {
	ctx := context.Background()
	db := dynamodb.New(dynamodb.Options{Region: local.Region, BaseEndpoint: aws.String(cloud.Endpoints["DYNAMODB"]),
		Credentials: aws.AnonymousCredentials{}, RetryMaxAttempts: 1})
	table := aws.String(local.TableName(topology.App.Table))
	clear := cloud.Faults.Fail(local.Fault{Service: local.DynamoDB, Action: "DescribeTable", Status: 500, Code: "InternalServerError", Times: 2})
	defer clear()
	for i := range 2 {
		_, err := db.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: table})
		if apiCode(err) != "InternalServerError" {
			t.Fatalf("call %d: err = %v, want InternalServerError", i, err)
		}
	}
	if _, err := db.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: table}); err != nil {
		t.Fatalf("third call: %v; the fault was for two calls", err)
	}

	bucket := aws.String(local.BucketName(topology.CVBucket))
	s3c := s3.New(s3.Options{Region: local.Region, BaseEndpoint: aws.String(cloud.Endpoints["S3"]), UsePathStyle: true,
		Credentials: aws.AnonymousCredentials{}, RetryMaxAttempts: 1})
	if _, err := s3c.PutObject(ctx, &s3.PutObjectInput{Bucket: bucket, Key: aws.String("fault-test"), Body: strings.NewReader("x")}); err != nil {
		t.Fatal(err)
	}
	clearS3 := cloud.Faults.Fail(local.Fault{Service: local.S3, Action: "DeleteObject", Code: "SlowDown"})
	for range 3 {
		if _, err := s3c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: bucket, Key: aws.String("fault-test")}); apiCode(err) != "SlowDown" {
			t.Fatalf("delete during the fault: %v", err)
		}
	}
	if _, err := s3c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: bucket, Key: aws.String("fault-test")}); err != nil {
		t.Fatalf("other actions are not failed: %v", err)
	}
	clearS3()
	if _, err := s3c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: bucket, Key: aws.String("fault-test")}); err != nil {
		t.Fatalf("after clearing: %v", err)
	}

	ses := sesv2.New(sesv2.Options{Region: local.Region, BaseEndpoint: aws.String(cloud.Endpoints["SESV2"]),
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: "x", SecretAccessKey: "x"}, nil
		}), RetryMaxAttempts: 1})
	send := func() error {
		_, err := ses.SendEmail(ctx, &sesv2.SendEmailInput{
			FromEmailAddress: aws.String("consent@example.com"),
			Destination:      &sestypes.Destination{ToAddresses: []string{"fault@example.com"}},
			Content: &sestypes.EmailContent{Simple: &sestypes.Message{
				Subject: &sestypes.Content{Data: aws.String("fault test")}, Body: &sestypes.Body{Text: &sestypes.Content{Data: aws.String("x")}},
			}},
		})
		return err
	}
	before := cloud.Faults.Failed(local.SES)
	clearSES := cloud.Faults.Fail(local.Fault{Service: local.SES, Action: "SendEmail", Times: 1})
	defer clearSES()
	if err := send(); apiCode(err) != "ServiceUnavailableException" {
		t.Fatalf("send during the fault: %v", err)
	}
	if err := send(); err != nil {
		t.Fatalf("send after the fault: %v", err)
	}
	if got := cloud.Faults.Failed(local.SES) - before; got != 1 {
		t.Fatalf("failed %d SES calls, want 1", got)
	}
}

func TestFaultsCrashOrTimeOutAFunctionOnce(t *testing.T) {
	ctx := context.Background()
	fns := awslambda.New(awslambda.Options{Region: local.Region, BaseEndpoint: aws.String(cloud.Endpoints["LAMBDA"]), Credentials: aws.AnonymousCredentials{}})
	invoke := func() string {
		out, err := fns.Invoke(ctx, &awslambda.InvokeInput{FunctionName: aws.String("expire-consent-request"), Payload: []byte(`{}`)})
		if err != nil {
			t.Fatal(err)
		}
		return aws.ToString(out.FunctionError) + " " + string(out.Payload)
	}
	if got := invoke(); !strings.Contains(got, "InvalidInput") {
		t.Fatalf("plain invocation: %s", got)
	}
	if err := cloud.Faults.CrashOnce("expire-consent-request"); err != nil {
		t.Fatal(err)
	}
	if got := invoke(); !strings.Contains(got, "Runtime.ExitError") {
		t.Fatalf("crashed invocation: %s", got)
	}
	if err := cloud.Faults.TimeOutOnce("expire-consent-request"); err != nil {
		t.Fatal(err)
	}
	if got := invoke(); !strings.Contains(got, "Sandbox.Timedout") {
		t.Fatalf("timed-out invocation: %s", got)
	}
	if got := invoke(); !strings.Contains(got, "InvalidInput") {
		t.Fatalf("the faults were for one invocation each: %s", got)
	}
	if err := cloud.Faults.CrashOnce("no-such-function"); err == nil {
		t.Fatal("a fault for an unknown function was accepted")
	}
}
