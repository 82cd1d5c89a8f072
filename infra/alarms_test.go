package main

import (
	"fmt"
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
		// The product's own metrics: answers whose hand-over to the
		// workflow was lost (record-decision), receipts owed for a day
		// (the redrive sweep).
		struct{ namespace, metric, dimension string }{MetricNamespace, MetricLostHandOvers, ""},
		struct{ namespace, metric, dimension string }{MetricNamespace, MetricOverdueReceipts, ""},
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
	// Every alarm also says when it is over.
	for id, a := range alarms {
		if toJSON(t, a.Properties["OKActions"]) != toJSON(t, []any{map[string]any{"Ref": topic}}) {
			t.Errorf("alarm %s: OK actions %v, want the alarm topic", id, a.Properties["OKActions"])
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

// The topology's sweep invokes its function with the time it was due (the
// Scheduler placeholder left in the input for Scheduler to fill), through a
// role that may invoke only that function, with a dead-letter queue.
func TestScheduleOfAFunction(t *testing.T) {
	s := synthEverything(t)
	fnIDs := logicalIDByTag(t, s.stateless, "AWS::Lambda::Function", TagFunction)
	var sc topology.Schedule
	for _, x := range topology.App.Schedules {
		if x.Function != "" {
			sc = x
		}
	}
	if sc.Name == "" {
		t.Skip("the topology has no function schedule")
	}
	if !strings.Contains(sc.Input, topology.ScheduledTime) {
		t.Errorf("schedule %s: input %s does not pass the scheduled time", sc.Name, sc.Input)
	}
	s.stateless.HasResourceProperties(jsii.String("AWS::Scheduler::Schedule"), map[string]any{
		"ScheduleExpression": sc.Expression,
		"Target": assertions.Match_ObjectLike(&map[string]any{
			"Arn":         getAtt(fnIDs[sc.Function], "Arn"),
			"Input":       sc.Input,
			"RetryPolicy": assertions.Match_ObjectLike(&map[string]any{"MaximumRetryAttempts": ScheduleRetries}),
		}),
	})
	s.stateless.HasResourceProperties(jsii.String("AWS::IAM::Policy"), map[string]any{
		"PolicyDocument": map[string]any{"Statement": assertions.Match_ArrayWith(&[]any{assertions.Match_ObjectLike(&map[string]any{
			"Action": "lambda:InvokeFunction", "Effect": "Allow",
			"Resource": assertions.Match_ArrayWith(&[]any{getAtt(fnIDs[sc.Function], "Arn")}),
		})})},
	})
}

// The public routes' 4xx responses and every 429 are counted from the access
// log and alarmed on.
func TestCandidateRouteSpikesAlarm(t *testing.T) {
	s := synthDefault(t)
	filters := resources(t, s.stateless, "AWS::Logs::MetricFilter")
	patterns := map[string]string{}
	for _, f := range filters {
		tr := asList(f.Properties["MetricTransformations"])[0].(map[string]any)
		patterns[tr["MetricName"].(string)] = f.Properties["FilterPattern"].(string)
		if toJSON(t, f.Properties["LogGroupName"]) != toJSON(t, map[string]any{"Ref": logicalIDs(t, s.stateless, "AWS::Logs::LogGroup", "ApiAccessLogs")}) {
			t.Errorf("metric filter %s reads %v, want the API access logs", tr["MetricName"], f.Properties["LogGroupName"])
		}
	}
	if p := patterns["ThrottledRequests"]; p != `{ $.status = "429" }` {
		t.Errorf("throttled requests pattern %q", p)
	}
	p := patterns["CandidateClientErrors"]
	for _, r := range topology.App.Routes {
		if got, want := strings.Contains(p, fmt.Sprintf("%q", r.Key())), r.Auth == topology.Public; got != want {
			t.Errorf("4xx pattern %q names %s: %v, want %v", p, r.Key(), got, want)
		}
	}
	if !strings.HasPrefix(p, `{ $.status = "4*" && (`) {
		t.Errorf("4xx pattern %q", p)
	}
	for metric, threshold := range map[string]float64{"ThrottledRequests": ThrottledThreshold, "CandidateClientErrors": PublicClientErrorThreshold} {
		s.stateless.HasResourceProperties(jsii.String("AWS::CloudWatch::Alarm"), map[string]any{
			"Namespace": MetricNamespace, "MetricName": metric, "Threshold": threshold, "Statistic": "Sum", "Period": 300,
		})
	}
}

// logicalIDs returns the one logical ID of typ that starts with prefix.
func logicalIDs(t *testing.T, tpl assertions.Template, typ, prefix string) string {
	t.Helper()
	var found []string
	for id := range resources(t, tpl, typ) {
		if strings.HasPrefix(id, prefix) {
			found = append(found, id)
		}
	}
	if len(found) != 1 {
		t.Fatalf("%s %s*: %v, want one", typ, prefix, found)
	}
	return found[0]
}
