package main

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsscheduler"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsschedulertargets"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssqs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsstepfunctions"
	"github.com/aws/jsii-runtime-go"

	"github.com/consentflow/consentflow/infra/topology"
)

// Schedule runs a function or starts a workflow on a timetable with
// EventBridge Scheduler: the topology's schedules (Application.Schedules),
// and any a test or deployment adds in StatelessStackProps.Schedules.
type Schedule = topology.Schedule

// ScheduleRetries is how often Scheduler retries a failed StartExecution
// before it gives up and sends the event to the dead-letter queue.
const ScheduleRetries = 3

// addSchedule defines a schedule that invokes its function or starts its
// workflow, with an encrypted dead-letter queue for runs that failed after
// the retries, and an alarm on that queue. Scheduler replaces
// topology.ScheduledTime in the input with the time the run was due.
func (s *StatelessStack) addSchedule(sc Schedule) error {
	target, what := sc.Workflow, "workflow"
	if sc.Function != "" {
		target, what = sc.Function, "function"
	}
	var fn awslambda.Function
	var sm awsstepfunctions.StateMachine
	var ok bool
	if sc.Function != "" {
		fn, ok = s.Functions[sc.Function]
	} else {
		sm, ok = s.Workflows[sc.Workflow]
	}
	if !ok {
		return fmt.Errorf("schedule %s: unknown %s %q", sc.Name, what, target)
	}
	id := topology.Pascal(sc.Name)
	dlq := awssqs.NewQueue(s.Stack, jsii.String(id+"DeadLetters"), &awssqs.QueueProps{
		Encryption:      awssqs.QueueEncryption_SQS_MANAGED,
		EnforceSSL:      jsii.Bool(true),
		RetentionPeriod: awscdk.Duration_Days(jsii.Number(14)),
		// Marks it as a dead-letter queue (Control Tower CT.SQS.PR.1).
		RedriveAllowPolicy: &awssqs.RedriveAllowPolicy{RedrivePermission: awssqs.RedrivePermission_ALLOW_ALL},
	})
	suppress(dlq, suppression("AwsSolutions-SQS3", "This queue is the dead-letter queue of the schedule; its messages are alarmed on and redriven by hand."))
	input := sc.Input
	if input == "" {
		input = "{}"
	}
	props := &awsschedulertargets.ScheduleTargetBaseProps{
		Input:           awsscheduler.ScheduleTargetInput_FromText(jsii.String(input)),
		DeadLetterQueue: dlq,
		RetryAttempts:   jsii.Number(ScheduleRetries),
	}
	var t awsscheduler.IScheduleTarget
	var ownRole awsiam.Role
	description := "Starts the " + sc.Workflow + " workflow"
	if fn != nil {
		// A role of its own, so that it may invoke only this function and
		// the finding of its grant can be accepted on it (grantInvoke adds
		// the function's versions and aliases, "<arn>:*").
		role := awsiam.NewRole(s.Stack, jsii.String(id+"ScheduleRole"), &awsiam.RoleProps{
			Description: jsii.String("Lets the " + sc.Name + " schedule invoke the " + sc.Function + " function"),
			AssumedBy: awsiam.NewServicePrincipal(jsii.String("scheduler.amazonaws.com"), &awsiam.ServicePrincipalOpts{
				Conditions: &map[string]any{"StringEquals": map[string]any{"aws:SourceAccount": s.Stack.Account()}},
			}),
		})
		props.Role, ownRole = role, role
		t, description = awsschedulertargets.NewLambdaInvoke(fn, props), "Invokes the "+sc.Function+" function"
	} else {
		t = awsschedulertargets.NewStepFunctionsStartExecution(sm, props)
	}
	awsscheduler.NewSchedule(s.Stack, jsii.String(id+"Schedule"), &awsscheduler.ScheduleProps{
		Description: jsii.String(description),
		Schedule:    awsscheduler.ScheduleExpression_Expression(jsii.String(sc.Expression), nil),
		Target:      t,
	})
	if ownRole != nil {
		// After the schedule: the target adds its grant when bound.
		suppress(ownRole, suppression("AwsSolutions-IAM5", "Scheduler invokes only this function; CDK's grantInvoke also "+
			"names its versions and aliases (<arn>:*), of which there are none.", appliesToRegex(`/^Resource::<.*\.Arn>:\*$/`)))
	}
	s.DeadLetterQueues[sc.Name] = dlq
	s.alarm(sc.Name+"/dead-letters", "The "+sc.Name+" schedule could not run the "+target+" "+what,
		dlq.MetricApproximateNumberOfMessagesVisible(&awscloudwatch.MetricOptions{Period: awscdk.Duration_Minutes(jsii.Number(5)), Statistic: jsii.String("Maximum")}), 1)
	return nil
}
