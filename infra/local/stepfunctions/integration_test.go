package stepfunctions_test

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"

	"github.com/consentflow/consentflow/infra/local/clock"
	localdynamodb "github.com/consentflow/consentflow/infra/local/dynamodb"
	"github.com/consentflow/consentflow/infra/local/stepfunctions"
)

// newServicesHarness is an engine wired to a real local DynamoDB (infra/local/dynamodb)
// and S3 (gofakes3), with a table "consent" and a bucket "cvs".
func newServicesHarness(t *testing.T) *harness {
	t.Helper()
	creds := credentials.NewStaticCredentialsProvider("local", "local", "")
	dsrv := httptest.NewServer(localdynamodb.New())
	t.Cleanup(dsrv.Close)
	ddb := dynamodb.New(dynamodb.Options{Region: "us-east-1", Credentials: creds, BaseEndpoint: aws.String(dsrv.URL)})
	_, err := ddb.CreateTable(context.Background(), &dynamodb.CreateTableInput{
		TableName:            aws.String("consent"),
		AttributeDefinitions: []ddbtypes.AttributeDefinition{{AttributeName: aws.String("pk"), AttributeType: ddbtypes.ScalarAttributeTypeS}},
		KeySchema:            []ddbtypes.KeySchemaElement{{AttributeName: aws.String("pk"), KeyType: ddbtypes.KeyTypeHash}},
		BillingMode:          ddbtypes.BillingModePayPerRequest,
	})
	if err != nil {
		t.Fatalf("CreateTable: %v", err)
	}
	s3srv := httptest.NewServer(gofakes3.New(s3mem.New()).Server())
	t.Cleanup(s3srv.Close)
	s3c := s3.New(s3.Options{Region: "us-east-1", Credentials: creds, BaseEndpoint: aws.String(s3srv.URL), UsePathStyle: true})
	if _, err := s3c.CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: aws.String("cvs")}); err != nil {
		t.Fatalf("CreateBucket: %v", err)
	}
	mc := clock.NewManual()
	eng := stepfunctions.New(stepfunctions.Config{DynamoDB: ddb, S3: s3c, Clock: mc})
	srv := httptest.NewServer(eng)
	t.Cleanup(func() { srv.Close(); _ = eng.Close() })
	sc := sfn.New(sfn.Options{Region: "us-east-1", Credentials: creds, BaseEndpoint: aws.String(srv.URL)})
	return &harness{t: t, sfn: sc, clock: mc, engine: eng, lambda: &lambdaService{calls: map[string]int{}}}
}

func TestServiceIntegrations(t *testing.T) {
	cases := []struct {
		name, definition, input string
		wantStatus              types.ExecutionStatus
		wantOutput              []string // substrings of the output
		wantError               string
	}{
		{
			name: "optimized dynamodb putItem then getItem",
			definition: `{"StartAt":"Put","States":{
				"Put":{"Type":"Task","Resource":"arn:aws:states:::dynamodb:putItem","Parameters":{"TableName":"consent","Item":{"pk":{"S.$":"$.id"},"state":{"S":"ConsentGiven"}}},"ResultPath":null,"Next":"Get"},
				"Get":{"Type":"Task","Resource":"arn:aws:states:::dynamodb:getItem","Parameters":{"TableName":"consent","Key":{"pk":{"S.$":"$.id"}}},"ResultSelector":{"state.$":"$.Item.state.S"},"End":true}}}`,
			input:      `{"id":"c-1"}`,
			wantStatus: types.ExecutionStatusSucceeded,
			wantOutput: []string{`"state":"ConsentGiven"`},
		},
		{
			name: "aws-sdk dynamodb conditional failure is DynamoDb.ConditionalCheckFailedException",
			definition: `{"StartAt":"Put","States":{
				"Put":{"Type":"Task","Resource":"arn:aws:states:::aws-sdk:dynamodb:putItem","Parameters":{"TableName":"consent","Item":{"pk":{"S":"c-2"}}},"ResultPath":null,"Next":"PutAgain"},
				"PutAgain":{"Type":"Task","Resource":"arn:aws:states:::aws-sdk:dynamodb:putItem","Parameters":{"TableName":"consent","Item":{"pk":{"S":"c-2"}},"ConditionExpression":"attribute_not_exists(pk)"},
				  "Catch":[{"ErrorEquals":["DynamoDb.ConditionalCheckFailedException"],"Next":"Exists"}],"End":true},
				"Exists":{"Type":"Pass","End":true}}}`,
			input:      `{}`,
			wantStatus: types.ExecutionStatusSucceeded,
			wantOutput: []string{`"Error":"DynamoDb.ConditionalCheckFailedException"`},
		},
		{
			name: "optimized dynamodb conditional failure is DynamoDB.ConditionalCheckFailedException",
			definition: `{"StartAt":"Put","States":{
				"Put":{"Type":"Task","Resource":"arn:aws:states:::dynamodb:putItem","Parameters":{"TableName":"consent","Item":{"pk":{"S":"c-3"}}},"ResultPath":null,"Next":"PutAgain"},
				"PutAgain":{"Type":"Task","Resource":"arn:aws:states:::dynamodb:putItem","Parameters":{"TableName":"consent","Item":{"pk":{"S":"c-3"}},"ConditionExpression":"attribute_not_exists(pk)"},"End":true}}}`,
			input:      `{}`,
			wantStatus: types.ExecutionStatusFailed,
			wantError:  "DynamoDB.ConditionalCheckFailedException",
		},
		{
			name: "aws-sdk s3 putObject then getObject",
			definition: `{"StartAt":"Put","States":{
				"Put":{"Type":"Task","Resource":"arn:aws:states:::aws-sdk:s3:putObject","Parameters":{"Bucket":"cvs","Key":"c-1.txt","Body.$":"$.text"},"ResultPath":null,"Next":"Get"},
				"Get":{"Type":"Task","Resource":"arn:aws:states:::aws-sdk:s3:getObject","Parameters":{"Bucket":"cvs","Key":"c-1.txt"},"ResultSelector":{"body.$":"$.Body"},"End":true}}}`,
			input:      `{"text":"curriculum vitae"}`,
			wantStatus: types.ExecutionStatusSucceeded,
			wantOutput: []string{`"body":"curriculum vitae"`},
		},
		{
			name: "aws-sdk s3 missing key is S3.NoSuchKeyException",
			definition: `{"StartAt":"Get","States":{
				"Get":{"Type":"Task","Resource":"arn:aws:states:::aws-sdk:s3:getObject","Parameters":{"Bucket":"cvs","Key":"nope"},"End":true}}}`,
			input:      `{}`,
			wantStatus: types.ExecutionStatusFailed,
			wantError:  "S3.NoSuchKeyException",
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := newServicesHarness(t)
			arn := h.start(h.create("m", c.definition), "", c.input)
			out := h.wait(arn, true)
			if out.Status != c.wantStatus {
				t.Fatalf("status %s (%s: %s), want %s", out.Status, aws.ToString(out.Error), aws.ToString(out.Cause), c.wantStatus)
			}
			for _, w := range c.wantOutput {
				if !strings.Contains(aws.ToString(out.Output), w) {
					t.Errorf("output %s lacks %s", aws.ToString(out.Output), w)
				}
			}
			if c.wantError != "" && aws.ToString(out.Error) != c.wantError {
				t.Errorf("error %s (%s), want %s", aws.ToString(out.Error), aws.ToString(out.Cause), c.wantError)
			}
		})
	}
}

func TestStartExecutionSync(t *testing.T) {
	h := newHarness(t, nil)
	child := h.create("child", `{"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":86400,"Next":"P"},"P":{"Type":"Pass","Parameters":{"doubled.$":"States.MathAdd($.n, $.n)"},"End":true}}}`)
	parent := h.create("parent", `{"StartAt":"Run","States":{"Run":{"Type":"Task","Resource":"arn:aws:states:::states:startExecution.sync:2",
		"Parameters":{"StateMachineArn":"`+child+`","Input":{"n.$":"$.n"}},"OutputPath":"$.Output","End":true}}}`)
	out := h.wait(h.start(parent, "", `{"n":21}`), true)
	if out.Status != types.ExecutionStatusSucceeded || aws.ToString(out.Output) != `{"doubled":42}` {
		t.Errorf("status %s output %s (%s), want SUCCEEDED {\"doubled\":42}", out.Status, aws.ToString(out.Output), aws.ToString(out.Cause))
	}
}
