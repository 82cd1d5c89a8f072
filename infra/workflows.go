package main

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsstepfunctions"
	"github.com/aws/jsii-runtime-go"

	"github.com/consentflow/consentflow/infra/topology"
)

// newWorkflow defines one state machine from its ASL file, with the function
// ARNs substituted in, logs (without execution data, which holds personal
// data) and tracing. Its role may invoke exactly the functions the ASL file's
// Task states invoke, and nothing else.
func (s *StatelessStack) newWorkflow(d Definition, cfg Config) (awsstepfunctions.StateMachine, error) {
	w := d.Workflow
	id := topology.Pascal(w.Name)
	subs := map[string]*string{}
	for key, name := range w.Substitutions() {
		fn, ok := s.Functions[name]
		if !ok {
			return nil, fmt.Errorf("workflow %s: unknown function %q", w.Name, name)
		}
		subs[key] = fn.FunctionArn()
	}
	logs := awslogs.NewLogGroup(s.Stack, jsii.String(id+"Logs"), &awslogs.LogGroupProps{
		LogGroupName:  workflowLogGroupName(w),
		Retention:     cfg.LogRetention,
		EncryptionKey: s.LogsKey,
		RemovalPolicy: awscdk.RemovalPolicy_RETAIN_ON_UPDATE_OR_DELETE,
	})
	typ := awsstepfunctions.StateMachineType_EXPRESS
	if w.Standard {
		typ = awsstepfunctions.StateMachineType_STANDARD
	}
	sm := awsstepfunctions.NewStateMachine(s.Stack, jsii.String(id), &awsstepfunctions.StateMachineProps{
		Comment:                 jsii.String(w.Description),
		DefinitionBody:          awsstepfunctions.DefinitionBody_FromString(jsii.String(d.ASL)),
		DefinitionSubstitutions: &subs,
		StateMachineType:        typ,
		TracingEnabled:          jsii.Bool(true),
		Logs: &awsstepfunctions.LogOptions{
			Destination:          logs,
			Level:                awsstepfunctions.LogLevel_ALL,
			IncludeExecutionData: jsii.Bool(false),
		},
	})
	awscdk.Tags_Of(sm).Add(jsii.String(TagWorkflow), jsii.String(w.Name), nil)
	suppress(sm.Role(), suppression("AwsSolutions-IAM5", reasonWorkflowLogs, "Resource::*"))
	for _, name := range d.Invokes {
		fn, ok := s.Functions[name]
		if !ok {
			return nil, fmt.Errorf("workflow %s invokes unknown function %q", w.Name, name)
		}
		// The ASL names the unqualified ARN, so no grant on versions or
		// aliases (fn.GrantInvoke would add "<arn>:*").
		sm.AddToRolePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Actions:   jsii.Strings("lambda:InvokeFunction"),
			Resources: &[]*string{fn.FunctionArn()},
		}))
	}
	return sm, nil
}

// VendedLogsPrefix is where Step Functions log groups belong: CloudWatch
// Logs grants log delivery to /aws/vendedlogs/* once, instead of growing a
// resource policy (of limited size) per log group.
const VendedLogsPrefix = "/aws/vendedlogs/states/"

// workflowLogGroupName is VendedLogsPrefix, the stack's name, the workflow's
// and the stack's unique id: a group retained after the stack is deleted
// never collides with the next stack's.
func workflowLogGroupName(w topology.Workflow) *string {
	stackGUID := awscdk.Fn_Select(jsii.Number(2), awscdk.Fn_Split(jsii.String("/"), awscdk.Aws_STACK_ID(), nil))
	return awscdk.Fn_Join(jsii.String(""), &[]*string{
		jsii.String(VendedLogsPrefix), awscdk.Aws_STACK_NAME(), jsii.String("-" + w.Name + "-"), stackGUID,
	})
}
