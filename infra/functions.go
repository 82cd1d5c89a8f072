package main

import (
	"fmt"
	"path/filepath"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/jsii-runtime-go"

	"github.com/consentflow/consentflow/infra/topology"
)

// Tags that name a resource's topology entry in the synthesized template, so
// a template can be compared with topology.App and with the local cloud.
const (
	TagFunction = "topology:function"
	TagWorkflow = "topology:workflow"
)

// newFunction defines one topology function: its own role, its own log group
// with retention, JSON logs, X-Ray tracing, and the environment that does not
// depend on workflows (see bindWorkflows for the rest).
func (s *StatelessStack) newFunction(f topology.Function, cfg Config) (awslambda.Function, error) {
	id := topology.Pascal(f.Name)
	logs := awslogs.NewLogGroup(s.Stack, jsii.String(id+"Logs"), &awslogs.LogGroupProps{
		Retention:     cfg.LogRetention,
		EncryptionKey: s.LogsKey,
		RemovalPolicy: awscdk.RemovalPolicy_RETAIN,
	})
	role := awsiam.NewRole(s.Stack, jsii.String(id+"Role"), &awsiam.RoleProps{
		AssumedBy:   awsiam.NewServicePrincipal(jsii.String("lambda.amazonaws.com"), nil),
		Description: jsii.String("Runs the " + f.Name + " function"),
	})
	// Only its own log group: no AWSLambdaBasicExecutionRole (logs:* on every group).
	logs.GrantWrite(role)

	timeout, memory := f.Timeout, f.MemoryMB
	if timeout == 0 {
		timeout = topology.DefaultTimeout
	}
	if memory == 0 {
		memory = topology.DefaultMemoryMB
	}
	env := map[string]*string{}
	for name, ref := range f.Env {
		switch ref.Kind {
		case topology.TableName:
			env[name] = s.stateful.Table.TableName()
		case topology.AuditTableName:
			env[name] = s.stateful.Audit.TableName()
		case topology.BucketName:
			b, ok := s.stateful.Buckets[ref.Name]
			if !ok {
				return nil, fmt.Errorf("function %s: %s: unknown bucket %q", f.Name, name, ref.Name)
			}
			env[name] = b.BucketName()
		case topology.Setting:
			v, ok := cfg.Settings[ref.Name]
			if !ok {
				return nil, fmt.Errorf("function %s: %s: unknown setting %q", f.Name, name, ref.Name)
			}
			if ref.Name == topology.SettingPublicBaseURL && v == "" {
				v = *s.API.ApiEndpoint()
			}
			env[name] = jsii.String(v)
		case topology.WorkflowArn:
			// Set by bindWorkflows once the state machines exist.
		default:
			return nil, fmt.Errorf("function %s: %s: unknown reference kind %d", f.Name, name, ref.Kind)
		}
	}

	fn := awslambda.NewFunction(s.Stack, jsii.String(id), &awslambda.FunctionProps{
		Description:           jsii.String(f.Description),
		Runtime:               awslambda.Runtime_PROVIDED_AL2023(),
		Architecture:          awslambda.Architecture_ARM_64(),
		Handler:               jsii.String("bootstrap"),
		Code:                  awslambda.Code_FromAsset(jsii.String(filepath.Join(cfg.LambdaAssetRoot, f.Name)), nil),
		Timeout:               awscdk.Duration_Millis(jsii.Number(float64(timeout.Milliseconds()))),
		MemorySize:            jsii.Number(float64(memory)),
		Environment:           &env,
		Role:                  role,
		LogGroup:              logs,
		LoggingFormat:         awslambda.LoggingFormat_JSON,
		ApplicationLogLevelV2: awslambda.ApplicationLogLevel_INFO,
		SystemLogLevelV2:      awslambda.SystemLogLevel_WARN,
		Tracing:               awslambda.Tracing_ACTIVE,
	})
	awscdk.Tags_Of(fn).Add(jsii.String(TagFunction), jsii.String(f.Name), nil)
	suppress(role, suppression("AwsSolutions-IAM5", reasonXRay, "Resource::*"))

	switch f.Table {
	case topology.Read:
		s.stateful.Table.GrantReadData(fn)
	case topology.ReadWrite:
		s.stateful.Table.GrantReadWriteData(fn)
		suppress(role, suppression("AwsSolutions-IAM5", reasonDataKey, "Action::kms:GenerateDataKey*", "Action::kms:ReEncrypt*"))
	}
	s.grantAudit(fn, f.Audit)
	for name, access := range f.Buckets {
		b, ok := s.stateful.Buckets[name]
		if !ok {
			return nil, fmt.Errorf("function %s: unknown bucket %q", f.Name, name)
		}
		switch access {
		case topology.Read:
			b.GrantRead(fn, nil)
		case topology.ReadWrite:
			b.GrantReadWrite(fn, nil)
			suppress(role, suppression("AwsSolutions-IAM5", reasonDataKey, "Action::kms:GenerateDataKey*", "Action::kms:ReEncrypt*"))
		}
		suppress(role, suppression("AwsSolutions-IAM5", reasonBucketObjects, appliesToRegex(`/^Action::s3:.*\*$/`), appliesToRegex(`/^Resource::.*\/\*$/`)))
	}
	if f.SendsEmail {
		s.Mail.grantSend(fn)
	}
	return fn, nil
}

// bindWorkflows gives functions what they need of the state machines: their
// ARNs in the environment and the right to start them or answer their tasks.
func (s *StatelessStack) bindWorkflows(f topology.Function) error {
	fn := s.Functions[f.Name]
	for name, ref := range f.Env {
		if ref.Kind != topology.WorkflowArn {
			continue
		}
		sm, ok := s.Workflows[ref.Name]
		if !ok {
			return fmt.Errorf("function %s: %s: unknown workflow %q", f.Name, name, ref.Name)
		}
		fn.AddEnvironment(jsii.String(name), sm.StateMachineArn(), nil)
	}
	for _, w := range f.Starts {
		sm, ok := s.Workflows[w]
		if !ok {
			return fmt.Errorf("function %s: starts unknown workflow %q", f.Name, w)
		}
		sm.GrantStartExecution(fn)
		// Describing its own executions makes a start idempotent: Step
		// Functions refuses a closed execution's name even for the same input.
		sm.GrantExecution(fn, jsii.String("states:DescribeExecution"))
		suppress(fn.Role(), suppression("AwsSolutions-IAM5", reasonExecutions, appliesToRegex(`/^Resource::arn:.*:execution:.*:\*$/`)))
	}
	for _, w := range f.AnswersTasks {
		sm, ok := s.Workflows[w]
		if !ok {
			return fmt.Errorf("function %s: answers unknown workflow %q", f.Name, w)
		}
		sm.GrantTaskResponse(fn)
	}
	return nil
}

// grantAudit lets a function read the audit table (Query) and, with Append,
// add events to it: PutItem only, which the store always makes conditional
// on attribute_not_exists, so an event once written is never replaced. No
// role may update or delete an audit event. (IAM cannot require the
// condition itself; the dynamodb:ReturnValues and the absence of
// UpdateItem/DeleteItem/BatchWriteItem are what it can enforce.)
func (s *StatelessStack) grantAudit(fn awslambda.Function, access topology.Access) {
	var actions []*string
	switch access {
	case topology.Read:
		actions = []*string{jsii.String("dynamodb:Query")}
	case topology.Append:
		actions = []*string{jsii.String("dynamodb:Query"), jsii.String("dynamodb:PutItem")}
	default:
		return
	}
	s.stateful.Audit.Grant(fn, actions...)
	s.stateful.Key.Grant(fn, jsii.String("kms:Decrypt"), jsii.String("kms:GenerateDataKey"))
}
