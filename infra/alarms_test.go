package main

import (
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"

	"github.com/consentflow/consentflow/infra/topology"
)

// Failed, timed-out and aborted executions, function errors and throttles,
// dead letters and the SES bounce rate each raise an alarm that notifies the
// alarm topic, which mails the alarm email.
func TestAlarms(t *testing.T) {
	s := synthEverything(t)
	alarms := resources(t, s.stateless, "AWS::CloudWatch::Alarm")
	topics := resources(t, s.stateless, "AWS::SNS::Topic")
	topic := ""
	for id, tp := range topics {
		topic = id
		if tp.Properties["KmsMasterKeyId"] == nil {
			t.Errorf("alarm topic %s is not encrypted", id)
		}
	}
	s.stateless.HasResourceProperties(jsii.String("AWS::SNS::Subscription"), map[string]any{
		"Protocol": "email", "Endpoint": "ops@example.com", "TopicArn": map[string]any{"Ref": topic},
	})
	want := []struct{ namespace, metric, dimension string }{}
	for _, w := range topology.App.Workflows {
		for _, m := range []string{"ExecutionsFailed", "ExecutionsTimedOut", "ExecutionsAborted"} {
			want = append(want, struct{ namespace, metric, dimension string }{"AWS/States", m, w.Name})
		}
	}
	for _, f := range topology.App.Functions {
		for _, m := range []string{"Errors", "Throttles"} {
			want = append(want, struct{ namespace, metric, dimension string }{"AWS/Lambda", m, f.Name})
		}
	}
	want = append(want,
		struct{ namespace, metric, dimension string }{"AWS/SES", "Reputation.BounceRate", ""},
		struct{ namespace, metric, dimension string }{"AWS/SQS", "ApproximateNumberOfMessagesVisible", testSchedule.Name},
	)
	smIDs := logicalIDByTag(t, s.stateless, "AWS::StepFunctions::StateMachine", TagWorkflow)
	fnIDs := logicalIDByTag(t, s.stateless, "AWS::Lambda::Function", TagFunction)
	for _, w := range want {
		dim := map[string]string{"AWS/States": smIDs[w.dimension], "AWS/Lambda": fnIDs[w.dimension], "AWS/SQS": topology.Pascal(w.dimension) + "DeadLetters"}[w.namespace]
		found := false
		for _, a := range alarms {
			p := a.Properties
			if p["Namespace"] != w.namespace || p["MetricName"] != w.metric || !strings.Contains(toJSON(t, p["Dimensions"]), dim) {
				continue
			}
			found = true
			if toJSON(t, p["AlarmActions"]) != toJSON(t, []any{map[string]any{"Ref": topic}}) {
				t.Errorf("alarm on %s %s (%s) notifies %v, want the alarm topic", w.namespace, w.metric, w.dimension, p["AlarmActions"])
			}
		}
		if !found {
			t.Errorf("no alarm on %s %s (%s)", w.namespace, w.metric, w.dimension)
		}
	}
	// The topic's policy (which replaces SNS's default) lets CloudWatch
	// alarms publish, or no alarm would reach anyone.
	policies := resources(t, s.stateless, "AWS::SNS::TopicPolicy")
	allowed := false
	for _, p := range policies {
		doc := toJSON(t, p.Properties["PolicyDocument"])
		if strings.Contains(doc, `"Service":"cloudwatch.amazonaws.com"`) && strings.Contains(doc, `"Action":"sns:Publish"`) && strings.Contains(doc, `"Effect":"Allow"`) {
			allowed = true
		}
	}
	if !allowed {
		t.Errorf("no topic policy lets CloudWatch publish to the alarm topic: %v", policies)
	}
	// Without an alarm email the topic has no subscriber, and the app still synthesizes.
	synthDefault(t).stateless.ResourceCountIs(jsii.String("AWS::SNS::Subscription"), jsii.Number(0))
}

// The dashboard shows each workflow's executions and the alarms.
func TestWorkflowDashboard(t *testing.T) {
	s := synthDefault(t)
	body := toJSON(t, only(t, resources(t, s.stateless, "AWS::CloudWatch::Dashboard")).Properties["DashboardBody"])
	for _, w := range topology.App.Workflows {
		if !strings.Contains(body, w.Name+": executions") {
			t.Errorf("dashboard lacks the executions of %s", w.Name)
		}
	}
	for _, m := range []string{"ExecutionsStarted", "ExecutionsFailed", "ExecutionTime", `\"alarms\"`} {
		if !strings.Contains(body, m) {
			t.Errorf("dashboard lacks %s", m)
		}
	}
}

// A schedule starts its workflow through a role that may start only it, and
// sends what it could not start to an encrypted dead-letter queue.
func TestSchedule(t *testing.T) {
	s := synthEverything(t)
	smIDs := logicalIDByTag(t, s.stateless, "AWS::StepFunctions::StateMachine", TagWorkflow)
	dlq := topology.Pascal(testSchedule.Name) + "DeadLetters"
	var dlqID string
	for id, q := range resources(t, s.stateless, "AWS::SQS::Queue") {
		if strings.HasPrefix(id, dlq) {
			dlqID = id
			if q.Properties["SqsManagedSseEnabled"] != true {
				t.Errorf("dead-letter queue %s is not encrypted", id)
			}
		}
	}
	if dlqID == "" {
		t.Fatal("no dead-letter queue for the schedule")
	}
	s.stateless.HasResourceProperties(jsii.String("AWS::Scheduler::Schedule"), map[string]any{
		"ScheduleExpression": testSchedule.Expression,
		"Target": assertions.Match_ObjectLike(&map[string]any{
			"Arn":              map[string]any{"Ref": smIDs[testSchedule.Workflow]},
			"Input":            testSchedule.Input,
			"DeadLetterConfig": map[string]any{"Arn": getAtt(dlqID, "Arn")},
			"RetryPolicy":      assertions.Match_ObjectLike(&map[string]any{"MaximumRetryAttempts": ScheduleRetries}),
		}),
	})
	s.stateless.HasResourceProperties(jsii.String("AWS::IAM::Policy"), map[string]any{
		"PolicyDocument": map[string]any{"Statement": assertions.Match_ArrayWith(&[]any{map[string]any{
			"Action": "states:StartExecution", "Effect": "Allow", "Resource": map[string]any{"Ref": smIDs[testSchedule.Workflow]},
		}})},
	})
}
