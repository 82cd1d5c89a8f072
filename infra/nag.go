package main

import (
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"
)

// Reasons for the cdk-nag AwsSolutions findings the design accepts. Each one
// is applied next to the resource it concerns, to the narrowest finding
// (appliesTo) that cdk-nag reports.
const (
	reasonXRay = "X-Ray PutTraceSegments and PutTelemetryRecords support no resource-level permissions " +
		"(https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsx-ray.html); tracing is on for every function."
	reasonBucketObjects = "Object-level actions on the objects of this one candidate bucket (<bucket ARN>/*): " +
		"object keys are per candidate and not known at deploy time."
	reasonWorkflowLogs = "Step Functions log delivery (logs:CreateLogDelivery and friends) and X-Ray actions support " +
		"no resource-level permissions (https://docs.aws.amazon.com/step-functions/latest/dg/cw-logs.html)."
	reasonExecutions = "states:DescribeExecution on the executions of this one state machine (execution:<name>:*): " +
		"execution names are request IDs, not known at deploy time."
	reasonEdgeGeo  = "Candidates apply from anywhere; the web ACL limits each client IP instead."
	reasonEdgeLogs = "CloudFront access logs would hold every candidate's IP address and link token (in the path); " +
		"the HTTP API's access log records each request without them."
	reasonEdgeTLS = "No custom domain is configured for the candidate distribution, so it serves CloudFront's default " +
		"certificate, whose TLS policy CloudFront sets; publicBaseUrl with your own domain is the way to pin TLSv1.2_2021."
	reasonPublicRoute = "Candidate consent pages are opened from a personal link sent by email; candidates have no " +
		"account. The unguessable token in the path is the credential, checked by the function, and the route is throttled."
)

// suppress records accepted findings on construct and its children.
func suppress(construct constructs.IConstruct, s ...*cdknag.NagPackSuppression) {
	cdknag.NagSuppressions_AddResourceSuppressions(construct, &s, jsii.Bool(true))
}

// suppression accepts finding id, for the given appliesTo entries only
// (none: the whole rule for that resource).
func suppression(id, reason string, appliesTo ...any) *cdknag.NagPackSuppression {
	s := &cdknag.NagPackSuppression{Id: jsii.String(id), Reason: jsii.String(reason)}
	if len(appliesTo) > 0 {
		s.AppliesTo = &appliesTo
	}
	return s
}

// appliesToRegex matches findings by regular expression, for findings whose
// text holds a logical ID that is only known after synthesis.
func appliesToRegex(re string) any {
	return &cdknag.RegexAppliesTo{Regex: jsii.String(re)}
}
