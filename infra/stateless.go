package main

import (
	"fmt"
	"slices"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigatewayv2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudfront"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssecretsmanager"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssqs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsstepfunctions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awswafv2"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/consentflow/consentflow/infra/topology"
)

// StatelessStackProps configures NewStatelessStack.
type StatelessStackProps struct {
	awscdk.StackProps
	App      topology.Application
	Config   Config
	Stateful *StatefulStack
	// Definitions holds the parsed ASL file of every topology workflow.
	Definitions []Definition
	// Schedules are run besides the topology's own (App.Schedules).
	Schedules []Schedule
}

// StatelessStack holds what can be replaced at will: functions, workflows,
// the HTTP API, mail sending, schedules, alarms and the dashboard.
type StatelessStack struct {
	Stack    awscdk.Stack
	stateful *StatefulStack

	Functions        map[string]awslambda.Function            // by topology name
	Workflows        map[string]awsstepfunctions.StateMachine // by topology name
	API              awsapigatewayv2.HttpApi
	APILogs          awslogs.LogGroup
	LogsKey          awskms.Key                           // encrypts every log group of the stack
	Routes           map[string]awsapigatewayv2.HttpRoute // by route key
	Mail             *Mail                                // the stateful stack's
	DeadLetterQueues map[string]awssqs.Queue              // by schedule name
	AlarmTopic       awssns.Topic
	SignIn           *SignIn                        // the console's managed login and app client
	Alarms           map[string]awscloudwatch.Alarm // "<function|workflow|schedule>/<what>", "ses/bounce-rate"
	Dashboard        awscloudwatch.Dashboard
	// CandidateEdge and CandidateWebACL front the candidate routes when
	// publicRateLimitPerIp is set; nil otherwise.
	CandidateEdge   awscloudfront.Distribution
	CandidateWebACL awswafv2.CfnWebACL
	// EdgeSecret is the value of the origin header CloudFront sends the
	// candidate routes, with the edge; nil otherwise.
	EdgeSecret awssecretsmanager.Secret

	// edgeAuthorizer is the candidate routes' authorizer, with the edge;
	// edgeSecretName is the topology's name of EdgeSecret.
	edgeAuthorizer awsapigatewayv2.IHttpRouteAuthorizer
	edgeSecretName string

	publicRouteKeys []string // "GET /c/{token}", ...
}

// NewStatelessStack defines the stateless stack from the topology.
func NewStatelessStack(scope constructs.Construct, id string, props *StatelessStackProps) (*StatelessStack, error) {
	sp := props.StackProps
	if sp.Description == nil {
		sp.Description = jsii.String(props.App.Name + ": functions, workflows, HTTP API, mail, schedules and alarms")
	}
	s := &StatelessStack{
		Stack:            awscdk.NewStack(scope, &id, &sp),
		stateful:         props.Stateful,
		Functions:        map[string]awslambda.Function{},
		Workflows:        map[string]awsstepfunctions.StateMachine{},
		Routes:           map[string]awsapigatewayv2.HttpRoute{},
		DeadLetterQueues: map[string]awssqs.Queue{},
		Alarms:           map[string]awscloudwatch.Alarm{},
	}
	s.Stack.AddStackDependency(props.Stateful.Stack, jsii.String("reads the table, buckets and user pool"))
	s.LogsKey = newLogsKey(s.Stack)
	s.Mail = props.Stateful.Mail
	s.newAPI(props.App, props.Config)
	if props.Config.PublicRateLimitPerIP > 0 {
		if err := s.newCandidateEdge(props.App, props.Config); err != nil {
			return nil, err
		}
	}
	s.newAlarmTopic(props.Config)
	s.SignIn = s.newSignIn(props.Stateful.UserPool, props.Config)

	for _, f := range props.App.Functions {
		fn, err := s.newFunction(f, props.Config)
		if err != nil {
			return nil, err
		}
		s.Functions[f.Name] = fn
	}
	for _, d := range props.Definitions {
		sm, err := s.newWorkflow(d, props.Config)
		if err != nil {
			return nil, err
		}
		s.Workflows[d.Workflow.Name] = sm
	}
	for _, w := range props.App.Workflows {
		if _, ok := s.Workflows[w.Name]; !ok {
			return nil, fmt.Errorf("workflow %s: no definition given", w.Name)
		}
	}
	for _, f := range props.App.Functions {
		if err := s.bindWorkflows(f); err != nil {
			return nil, err
		}
	}
	if err := s.addRoutes(props.App, props.Stateful.UserPool, props.Stateful.UserPoolClient, s.SignIn.Client); err != nil {
		return nil, err
	}
	for _, r := range props.App.Rules {
		if err := s.addRule(r); err != nil {
			return nil, err
		}
	}
	for _, sc := range append(slices.Clone(props.App.Schedules), props.Schedules...) {
		if err := s.addSchedule(sc.With(props.Config.Settings)); err != nil {
			return nil, err
		}
	}
	s.addAlarms()
	s.addDashboard(props.App)

	awscdk.NewCfnOutput(s.Stack, jsii.String("ApiUrl"), &awscdk.CfnOutputProps{
		Description: jsii.String("The HTTP API's own URL"),
		Value:       s.API.ApiEndpoint(),
	})
	// What a deployer needs to add recruiters and send them to the console.
	console := awscdk.Fn_Join(jsii.String(""), &[]*string{s.API.ApiEndpoint(), jsii.String("/console")})
	for _, o := range []struct {
		id, desc string
		value    *string
	}{
		{"AppUrl", "The app: the API and the candidate pages", s.API.ApiEndpoint()},
		{"ConsoleUrl", "The recruiters' console", console},
		{"UserPoolId", "The recruiters' Cognito user pool (add recruiters here)", props.Stateful.UserPool.UserPoolId()},
		{"ConsoleClientId", "The console's app client in the user pool", s.SignIn.Client.UserPoolClientId()},
		{"SignInUrl", "Cognito managed login, where the console sends recruiters to sign in", s.SignIn.Domain.BaseUrl(nil)},
	} {
		awscdk.NewCfnOutput(s.Stack, jsii.String(o.id), &awscdk.CfnOutputProps{Description: jsii.String(o.desc), Value: o.value})
	}
	awscdk.NewCfnOutput(s.Stack, jsii.String("AlarmTopicArn"), &awscdk.CfnOutputProps{
		Description: jsii.String("Subscribe more endpoints to the alarms here"),
		Value:       s.AlarmTopic.TopicArn(),
	})
	return s, nil
}
