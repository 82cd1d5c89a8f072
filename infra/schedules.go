package main

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsscheduler"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsschedulertargets"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssqs"
	"github.com/aws/jsii-runtime-go"

	"github.com/consentflow/consentflow/infra/topology"
)

// Schedule starts a workflow on a timetable with EventBridge Scheduler, e.g.
// a daily erasure sweep. The topology has no schedules yet; when it gets
// them (a Workflow.Schedule expression and input, or a list of these), the
// stateless stack only needs them passed in StatelessStackProps.Schedules.
type Schedule struct {
	Name       string // kebab-case, unique
	Workflow   string // the topology workflow to start
	Expression string // "rate(1 day)", "cron(0 3 * * ? *)"
	Input      string // the execution input, JSON
}

// ScheduleRetries is how often Scheduler retries a failed StartExecution
// before it gives up and sends the event to the dead-letter queue.
const ScheduleRetries = 3

// addSchedule defines a schedule that starts its workflow, with an encrypted
// dead-letter queue for starts that failed after the retries, and an alarm
// on that queue.
func (s *StatelessStack) addSchedule(sc Schedule) error {
	sm, ok := s.Workflows[sc.Workflow]
	if !ok {
		return fmt.Errorf("schedule %s: unknown workflow %q", sc.Name, sc.Workflow)
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
	awsscheduler.NewSchedule(s.Stack, jsii.String(id+"Schedule"), &awsscheduler.ScheduleProps{
		Description: jsii.String("Starts the " + sc.Workflow + " workflow"),
		Schedule:    awsscheduler.ScheduleExpression_Expression(jsii.String(sc.Expression), nil),
		Target: awsschedulertargets.NewStepFunctionsStartExecution(sm, &awsschedulertargets.ScheduleTargetBaseProps{
			Input:           awsscheduler.ScheduleTargetInput_FromText(jsii.String(input)),
			DeadLetterQueue: dlq,
			RetryAttempts:   jsii.Number(ScheduleRetries),
		}),
	})
	s.DeadLetterQueues[sc.Name] = dlq
	s.alarm(sc.Name+"/dead-letters", "The "+sc.Name+" schedule could not start the "+sc.Workflow+" workflow",
		dlq.MetricApproximateNumberOfMessagesVisible(&awscloudwatch.MetricOptions{Period: awscdk.Duration_Minutes(jsii.Number(5)), Statistic: jsii.String("Maximum")}), 1)
	return nil
}
