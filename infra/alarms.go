package main

import (
	"fmt"
	"sort"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatchactions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssnssubscriptions"
	"github.com/aws/aws-cdk-go/awscdk/v2/interfaces/interfacesawscloudwatch"
	"github.com/aws/jsii-runtime-go"

	"github.com/consentflow/consentflow/infra/topology"
)

// SES reputation thresholds. SES puts an account under review at a 5% bounce
// rate and 0.1% complaint rate: the alarms fire before that.
const (
	BounceRateThreshold    = 0.04
	ComplaintRateThreshold = 0.0008
)

// newAlarmTopic defines the encrypted topic every alarm notifies, with the
// alarm email subscribed when one is configured.
func (s *StatelessStack) newAlarmTopic(cfg Config) {
	key := newKey(s.Stack, "AlarmKey", "Encrypts the alarm topic")
	// CloudWatch publishes to an encrypted topic only if the key lets it.
	key.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Principals: &[]awsiam.IPrincipal{awsiam.NewServicePrincipal(jsii.String("cloudwatch.amazonaws.com"), nil)},
		Actions:    jsii.Strings("kms:Decrypt", "kms:GenerateDataKey*"),
		Resources:  jsii.Strings("*"),
		Conditions: &map[string]any{
			"StringEquals": map[string]any{"aws:SourceAccount": awscdk.Aws_ACCOUNT_ID()},
		},
	}), nil)
	s.AlarmTopic = awssns.NewTopic(s.Stack, jsii.String("Alarms"), &awssns.TopicProps{
		MasterKey:  key,
		EnforceSSL: jsii.Bool(true),
	})
	// EnforceSSL writes a topic policy, which replaces SNS's default one:
	// CloudWatch must then be allowed to publish explicitly, for this
	// account's alarms only, or no alarm would ever notify anyone.
	s.AlarmTopic.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:        jsii.String("CloudWatchAlarmsPublish"),
		Principals: &[]awsiam.IPrincipal{awsiam.NewServicePrincipal(jsii.String("cloudwatch.amazonaws.com"), nil)},
		Actions:    jsii.Strings("sns:Publish"),
		Resources:  &[]*string{s.AlarmTopic.TopicArn()},
		Conditions: &map[string]any{
			"StringEquals": map[string]any{"aws:SourceAccount": awscdk.Aws_ACCOUNT_ID()},
			"ArnLike":      map[string]any{"aws:SourceArn": awscdk.Fn_Sub(jsii.String("arn:${AWS::Partition}:cloudwatch:${AWS::Region}:${AWS::AccountId}:alarm:*"), nil)},
		},
	}))
	if cfg.AlarmEmail != "" {
		s.AlarmTopic.AddSubscription(awssnssubscriptions.NewEmailSubscription(jsii.String(cfg.AlarmEmail), nil))
	}
}

// alarm defines an alarm on metric that fires at threshold or above over one
// five-minute period, notifies the alarm topic, and records it under name.
func (s *StatelessStack) alarm(name, description string, metric awscloudwatch.IMetric, threshold float64) {
	a := awscloudwatch.NewAlarm(s.Stack, jsii.String(topology.Pascal(alarmID(name))+"Alarm"), &awscloudwatch.AlarmProps{
		Metric:             metric,
		Threshold:          jsii.Number(threshold),
		EvaluationPeriods:  jsii.Number(1),
		ComparisonOperator: awscloudwatch.ComparisonOperator_GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
		TreatMissingData:   awscloudwatch.TreatMissingData_NOT_BREACHING,
		AlarmDescription:   jsii.String(description),
	})
	// OK too: whoever got the alarm learns when it is over.
	a.AddAlarmAction(awscloudwatchactions.NewSnsAction(s.AlarmTopic))
	a.AddOkAction(awscloudwatchactions.NewSnsAction(s.AlarmTopic))
	s.Alarms[name] = a
}

func fiveMinuteSum() *awscloudwatch.MetricOptions {
	return &awscloudwatch.MetricOptions{Period: awscdk.Duration_Minutes(jsii.Number(5)), Statistic: jsii.String("Sum")}
}

// addAlarms alarms on failed, timed-out and aborted executions, function
// errors and throttles, and the SES bounce and complaint rates. Dead-letter
// alarms come with each schedule (see addSchedule).
func (s *StatelessStack) addAlarms() {
	for _, name := range sortedKeys(s.Workflows) {
		sm := s.Workflows[name]
		s.alarm(name+"/failed", "Executions of the "+name+" workflow failed", sm.MetricFailed(fiveMinuteSum()), 1)
		s.alarm(name+"/timed-out", "Executions of the "+name+" workflow timed out", sm.MetricTimedOut(fiveMinuteSum()), 1)
		s.alarm(name+"/aborted", "Executions of the "+name+" workflow were aborted", sm.MetricAborted(fiveMinuteSum()), 1)
		s.alarm(name+"/throttled", "State transitions of the "+name+" workflow were throttled", sm.MetricThrottled(fiveMinuteSum()), 1)
	}
	for _, name := range sortedKeys(s.Functions) {
		fn := s.Functions[name]
		s.alarm(name+"/errors", "The "+name+" function returned errors", fn.MetricErrors(fiveMinuteSum()), 1)
		s.alarm(name+"/throttles", "Invocations of the "+name+" function were throttled", fn.MetricThrottles(fiveMinuteSum()), 1)
	}
	hourly := func(metric string) awscloudwatch.Metric {
		return awscloudwatch.NewMetric(&awscloudwatch.MetricProps{
			Namespace:  jsii.String("AWS/SES"),
			MetricName: jsii.String(metric),
			Statistic:  jsii.String("Average"),
			Period:     awscdk.Duration_Hours(jsii.Number(1)),
		})
	}
	s.alarm("ses/bounce-rate", "The SES bounce rate nears the 5% at which SES reviews the account", hourly("Reputation.BounceRate"), BounceRateThreshold)
	s.alarm("ses/complaint-rate", "The SES complaint rate nears the 0.1% at which SES reviews the account", hourly("Reputation.ComplaintRate"), ComplaintRateThreshold)
	s.alarm("api/server-errors", "The HTTP API answered with 5xx errors", s.API.MetricServerError(fiveMinuteSum()), 1)
	s.alarm("api/candidate-client-errors", fmt.Sprintf("The candidate routes answered %d or more 4xx responses in 5 minutes: links guessed or scanned, or a client locked out", PublicClientErrorThreshold),
		s.accessLogMetric("CandidateClientErrors", publicClientErrorPattern(s.publicRouteKeys)), PublicClientErrorThreshold)
	s.alarm("api/throttled", fmt.Sprintf("The HTTP API throttled %d or more requests (429) in 5 minutes: candidates may be locked out by one client", ThrottledThreshold),
		s.accessLogMetric("ThrottledRequests", `{ $.status = "429" }`), ThrottledThreshold)
	// record-decision logs this metric (CloudWatch embedded metric format)
	// when a recorded answer could not be handed to its waiting workflow.
	s.alarm("consent-request/lost-hand-overs", "Recorded answers could not be handed to their waiting workflow; their receipts wait for the workflow's timeout",
		awscloudwatch.NewMetric(&awscloudwatch.MetricProps{
			Namespace: jsii.String(MetricNamespace), MetricName: jsii.String(MetricLostHandOvers),
			Statistic: jsii.String("Sum"), Period: awscdk.Duration_Minutes(jsii.Number(5)),
		}), 1)
	// The sweeps log these metrics (embedded metric format) on each run.
	sweepMetric := func(name string) awscloudwatch.IMetric {
		return awscloudwatch.NewMetric(&awscloudwatch.MetricProps{
			Namespace: jsii.String(MetricNamespace), MetricName: jsii.String(name),
			Statistic: jsii.String("Maximum"), Period: awscdk.Duration_Minutes(jsii.Number(15)),
		})
	}
	s.alarm("erasure/overdue-requests", "Requests to erase everything are open for more than 25 days; GDPR Art. 12(3) allows one month",
		sweepMetric(MetricOverdueErasureRequests), 1)
	// close-objected-applications runs hourly: the hour's maximum.
	s.alarm("rights/overdue-requests", "Rectification requests or objections are open for more than 25 days; GDPR Art. 12(3) allows one month",
		awscloudwatch.NewMetric(&awscloudwatch.MetricProps{
			Namespace: jsii.String(MetricNamespace), MetricName: jsii.String(MetricOverdueRightsRequests),
			Statistic: jsii.String("Maximum"), Period: awscdk.Duration_Hours(jsii.Number(1)),
		}), 1)
	s.alarm("consent-request/overdue-receipts", "Receipts are still owed a day after the answer: a day of deliveries failed",
		sweepMetric(MetricOverdueReceipts), 1)
}

// Spike thresholds of the public routes, per five minutes.
const (
	PublicClientErrorThreshold = 50
	ThrottledThreshold         = 10
)

// accessLogMetric counts the API access log lines that match pattern (a
// CloudWatch Logs JSON filter pattern) as a metric, summed over 5 minutes.
// HTTP APIs publish no 429 count of their own (it is in 4xx), and the 4xx
// count per route needs its path: the access log has both.
func (s *StatelessStack) accessLogMetric(name, pattern string) awscloudwatch.IMetric {
	f := awslogs.NewMetricFilter(s.Stack, jsii.String(name+"Filter"), &awslogs.MetricFilterProps{
		LogGroup:        s.APILogs,
		FilterPattern:   awslogs.FilterPattern_Literal(jsii.String(pattern)),
		MetricNamespace: jsii.String(MetricNamespace),
		MetricName:      jsii.String(name),
		MetricValue:     jsii.String("1"),
		// Zero when nothing matched, so the alarm sees quiet periods.
		DefaultValue: jsii.Number(0),
	})
	return f.Metric(fiveMinuteSum())
}

// publicClientErrorPattern matches 4xx access log lines of the given routes.
func publicClientErrorPattern(routeKeys []string) string {
	var routes []string
	for _, k := range routeKeys {
		routes = append(routes, fmt.Sprintf("$.routeKey = %q", k))
	}
	if len(routes) == 0 {
		routes = []string{`$.routeKey = "none"`}
	}
	// The access log writes the status as a string ("404"): match it so.
	return fmt.Sprintf(`{ $.status = "4*" && (%s) }`, strings.Join(routes, " || "))
}

// The product's own metrics: logged by functions in CloudWatch's embedded
// metric format (see functions/record-decision), or derived from logs
// (accessLogMetric).
const (
	MetricNamespace     = "Consentflow"
	MetricLostHandOvers = "LostHandOvers"
	// Logged by sweep-due-artifacts and redrive-consent-requests.
	MetricOverdueErasureRequests = "OverdueErasureRequests"
	MetricOverdueReceipts        = "OverdueReceipts"
	// Logged by close-objected-applications.
	MetricOverdueRightsRequests = "OverdueRightsRequests"
)

// addDashboard defines the workflows' dashboard: executions and their
// outcomes, durations, the errors of the functions each workflow invokes,
// and the state of every alarm.
func (s *StatelessStack) addDashboard(app topology.Application) {
	s.Dashboard = awscloudwatch.NewDashboard(s.Stack, jsii.String("Workflows"), &awscloudwatch.DashboardProps{
		DefaultInterval: awscdk.Duration_Days(jsii.Number(7)),
	})
	for _, w := range app.Workflows {
		sm, ok := s.Workflows[w.Name]
		if !ok {
			continue
		}
		var fnErrors []awscloudwatch.IMetric
		for _, f := range w.Functions {
			if fn, ok := s.Functions[f]; ok {
				fnErrors = append(fnErrors, fn.MetricErrors(&awscloudwatch.MetricOptions{Label: jsii.String(f), Statistic: jsii.String("Sum")}))
			}
		}
		s.Dashboard.AddWidgets(
			awscloudwatch.NewTextWidget(&awscloudwatch.TextWidgetProps{
				Markdown: jsii.String("## " + w.Name + "\n" + w.Description),
				Width:    jsii.Number(24), Height: jsii.Number(2),
			}),
		)
		s.Dashboard.AddWidgets(
			awscloudwatch.NewGraphWidget(&awscloudwatch.GraphWidgetProps{
				Title: jsii.String(w.Name + ": executions"),
				Left: &[]awscloudwatch.IMetric{
					sm.MetricStarted(&awscloudwatch.MetricOptions{Label: jsii.String("started"), Statistic: jsii.String("Sum")}),
					sm.MetricSucceeded(&awscloudwatch.MetricOptions{Label: jsii.String("succeeded"), Statistic: jsii.String("Sum")}),
					sm.MetricFailed(&awscloudwatch.MetricOptions{Label: jsii.String("failed"), Statistic: jsii.String("Sum")}),
					sm.MetricTimedOut(&awscloudwatch.MetricOptions{Label: jsii.String("timed out"), Statistic: jsii.String("Sum")}),
					sm.MetricAborted(&awscloudwatch.MetricOptions{Label: jsii.String("aborted"), Statistic: jsii.String("Sum")}),
				},
				Width: jsii.Number(8),
			}),
			awscloudwatch.NewGraphWidget(&awscloudwatch.GraphWidgetProps{
				Title: jsii.String(w.Name + ": execution time"),
				Left: &[]awscloudwatch.IMetric{
					sm.MetricTime(&awscloudwatch.MetricOptions{Label: jsii.String("p50"), Statistic: jsii.String("p50")}),
					sm.MetricTime(&awscloudwatch.MetricOptions{Label: jsii.String("p99"), Statistic: jsii.String("p99")}),
				},
				Width: jsii.Number(8),
			}),
			awscloudwatch.NewGraphWidget(&awscloudwatch.GraphWidgetProps{
				Title: jsii.String(w.Name + ": function errors"),
				Left:  &fnErrors,
				Width: jsii.Number(8),
			}),
		)
	}
	alarms := make([]interfacesawscloudwatch.IAlarmRef, 0, len(s.Alarms))
	for _, name := range sortedKeys(s.Alarms) {
		alarms = append(alarms, s.Alarms[name])
	}
	s.Dashboard.AddWidgets(awscloudwatch.NewAlarmStatusWidget(&awscloudwatch.AlarmStatusWidgetProps{
		Title:  jsii.String("Alarms"),
		Alarms: &alarms,
		Width:  jsii.Number(24),
	}))
}

func alarmID(name string) string {
	out := []byte(name)
	for i, c := range out {
		if c == '/' {
			out[i] = '-'
		}
	}
	return string(out)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
