package main

import (
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"

	"github.com/consentflow/consentflow/infra/topology"
)

// With publicRateLimitPerIp, CloudFront fronts the candidate routes with a
// web ACL that blocks a client IP above the limit (429) and anything but the
// candidate routes; candidate links point at CloudFront; the stack can only
// go to us-east-1; cdk-nag finds nothing unsuppressed. Without it, none of
// this exists.
func TestCandidateEdgeRateLimitsPerIP(t *testing.T) {
	s := synth(t, topology.App, map[string]any{ContextPublicRateLimitPerIP: "300"})
	s.stateless.HasResourceProperties(jsii.String("AWS::WAFv2::WebACL"), map[string]any{
		"Scope": "CLOUDFRONT",
		// In priority order: other paths are blocked before the rate is counted.
		"Rules": assertions.Match_ArrayWith(&[]any{
			assertions.Match_ObjectLike(&map[string]any{
				"Name":   "only-candidate-routes",
				"Action": map[string]any{"Block": map[string]any{}},
				"Statement": map[string]any{"NotStatement": map[string]any{"Statement": map[string]any{
					"ByteMatchStatement": assertions.Match_ObjectLike(&map[string]any{"SearchString": CandidatePathPrefix, "PositionalConstraint": "STARTS_WITH"}),
				}}},
			}),
			assertions.Match_ObjectLike(&map[string]any{
				"Name":   "rate-per-ip",
				"Action": map[string]any{"Block": map[string]any{"CustomResponse": map[string]any{"ResponseCode": 429}}},
				"Statement": map[string]any{"RateBasedStatement": map[string]any{
					"Limit": 300, "AggregateKeyType": "IP", "EvaluationWindowSec": 300,
				}},
			}),
		}),
		"VisibilityConfig": assertions.Match_ObjectLike(&map[string]any{"SampledRequestsEnabled": false}),
	})
	dist := only(t, resources(t, s.stateless, "AWS::CloudFront::Distribution"))
	cfg := toJSON(t, dist.Properties["DistributionConfig"])
	for _, want := range []string{`"WebACLId":{"Fn::GetAtt":["CandidateWebAcl`, `".execute-api."`, `"OriginProtocolPolicy":"https-only"`, `"ViewerProtocolPolicy":"https-only"`} {
		if !strings.Contains(cfg, want) {
			t.Errorf("distribution config lacks %s: %s", want, cfg)
		}
	}
	// Every method reaches the API (candidates POST their answer), uncached.
	if !strings.Contains(cfg, `"POST"`) || !strings.Contains(cfg, `"CachePolicyId":"4135ea2d-6df8-44a3-9df3-4b5a84be39ad"`) {
		t.Errorf("distribution does not pass every method uncached: %s", cfg)
	}
	for _, f := range topology.App.Functions {
		if _, ok := f.Env["PUBLIC_BASE_URL"]; !ok {
			continue
		}
		env := toJSON(t, resources(t, s.stateless, "AWS::Lambda::Function")[logicalIDByTag(t, s.stateless, "AWS::Lambda::Function", TagFunction)[f.Name]].Properties["Environment"])
		if !strings.Contains(env, `"PUBLIC_BASE_URL":{"Fn::Join":["",["https://",{"Fn::GetAtt":["CandidateEdge`) {
			t.Errorf("function %s: PUBLIC_BASE_URL is not the distribution: %s", f.Name, env)
		}
	}
	rules := toJSON(t, (*s.stateless.ToJSON())["Rules"])
	if !strings.Contains(rules, `"Fn::Equals":[{"Ref":"AWS::Region"},"us-east-1"]`) {
		t.Errorf("no rule keeps the stack in us-east-1: %s", rules)
	}
	noNagFindings(t, s)

	d := synthDefault(t)
	d.stateless.ResourceCountIs(jsii.String("AWS::CloudFront::Distribution"), jsii.Number(0))
	d.stateless.ResourceCountIs(jsii.String("AWS::WAFv2::WebACL"), jsii.Number(0))
}
