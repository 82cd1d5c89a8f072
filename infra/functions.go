package main

import (
	"fmt"
	"path/filepath"
	"slices"

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
		RemovalPolicy: awscdk.RemovalPolicy_RETAIN_ON_UPDATE_OR_DELETE,
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
				if s.CandidateEdge != nil {
					v = *s.candidateEdgeURL()
				}
			}
			env[name] = jsii.String(v)
		case topology.SecretArn:
			sec, ok := s.secret(ref.Name)
			if !ok {
				return nil, fmt.Errorf("function %s: %s: unknown secret %q", f.Name, name, ref.Name)
			}
			env[name] = sec.SecretArn()
		case topology.SigningKeyArn:
			k, ok := s.stateful.SigningKeys[ref.Name]
			if !ok {
				return nil, fmt.Errorf("function %s: %s: unknown signing key %q", f.Name, name, ref.Name)
			}
			env[name] = k.KeyArn()
		case topology.APIURL:
			env[name] = s.API.ApiEndpoint()
		case topology.SignIn:
			v, err := s.SignIn.Fact(ref.Name)
			if err != nil {
				return nil, fmt.Errorf("function %s: %s: %w", f.Name, name, err)
			}
			env[name] = v
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

	if err := s.grantData(f, fn); err != nil {
		return nil, err
	}
	s.grantAudit(fn, f.Audit)
	if f.SendsEmail {
		s.Mail.grantSend(fn)
	}
	for _, name := range f.ReadsSecrets {
		sec, ok := s.secret(name)
		if !ok {
			return nil, fmt.Errorf("function %s: reads unknown secret %q", f.Name, name)
		}
		grantSecretValue(fn, sec)
	}
	if err := s.grantSigning(f, fn); err != nil {
		return nil, err
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

// grantData gives fn exactly the DynamoDB and S3 actions its topology entry
// lists, on exactly the table and buckets it names, and the use of the data
// key those need: kms:Decrypt to read items (DynamoDB decrypts the table key
// with the caller's permission, for reads and writes alike) and objects,
// kms:GenerateDataKey to write objects. Never Encrypt or ReEncrypt*, which
// neither service asks of the caller.
func (s *StatelessStack) grantData(f topology.Function, fn awslambda.Function) error {
	role := fn.Role()
	var kms []string
	for _, name := range sortedKeys(f.Tables) {
		actions := f.Tables[name]
		if name != s.stateful.TableName {
			return fmt.Errorf("function %s: unknown table %q", f.Name, name)
		}
		table := s.stateful.Table
		var iam []string
		query := false
		for _, a := range actions {
			iam = append(iam, "dynamodb:"+string(a))
			query = query || a == topology.Query
		}
		role.AddToPrincipalPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Actions:   jsii.Strings(iam...),
			Resources: &[]*string{table.TableArn()},
		}))
		if query && len(s.stateful.Indexes) > 0 {
			// Queries of the table's global secondary indexes.
			var arns []*string
			for _, ix := range s.stateful.Indexes {
				arns = append(arns, jsii.String(*table.TableArn()+"/index/"+ix))
			}
			role.AddToPrincipalPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
				Actions:   jsii.Strings("dynamodb:Query"),
				Resources: &arns,
			}))
		}
		if topology.ReadsTable(actions) {
			kms = append(kms, "kms:Decrypt")
		}
	}
	for _, name := range sortedKeys(f.Buckets) {
		actions := f.Buckets[name]
		b, ok := s.stateful.Buckets[name]
		if !ok {
			return fmt.Errorf("function %s: unknown bucket %q", f.Name, name)
		}
		var objects, bucket []string
		for _, a := range actions {
			switch a {
			case topology.ListBucket, topology.ListBucketVersions:
				bucket = append(bucket, "s3:"+string(a))
			default:
				objects = append(objects, "s3:"+string(a))
			}
		}
		if len(objects) > 0 {
			role.AddToPrincipalPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
				Actions:   jsii.Strings(objects...),
				Resources: &[]*string{b.ArnForObjects(jsii.String(f.KeyPrefixes[name] + "*"))},
			}))
			suppress(role, suppression("AwsSolutions-IAM5", reasonBucketObjects, appliesToRegex(`/^Resource::.*\/\*$/`)))
		}
		if len(bucket) > 0 {
			role.AddToPrincipalPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
				Actions:   jsii.Strings(bucket...),
				Resources: &[]*string{b.BucketArn()},
			}))
		}
		if topology.ReadsObjects(actions) {
			kms = append(kms, "kms:Decrypt")
		}
		if topology.WritesObjects(actions) {
			kms = append(kms, "kms:GenerateDataKey")
		}
	}
	if len(kms) > 0 {
		slices.Sort(kms)
		role.AddToPrincipalPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Actions:   jsii.Strings(slices.Compact(kms)...),
			Resources: &[]*string{s.stateful.Key.KeyArn()},
		}))
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
	// As for the app table (grantData): DynamoDB uses the table key with the
	// caller's kms:Decrypt, for reads and writes alike.
	s.stateful.Key.Grant(fn, jsii.String("kms:Decrypt"))
}
