package main

import (
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"

	"github.com/consentflow/consentflow/infra/topology"
)

// The SES identity is the sender from context (an address, or its domain),
// with a configuration set that records bounces and complaints; only the
// functions that send email may send, and only as the sender.
func TestMailIdentityFromContext(t *testing.T) {
	for _, c := range []struct {
		name      string
		overrides map[string]any
		identity  string
		from      string
	}{
		{"cdk.json default", nil, "consent@example.com", "consent@example.com"},
		{"sender address", map[string]any{topology.SettingSenderEmail: "privacy@acme.example"}, "privacy@acme.example", "privacy@acme.example"},
		{"sender domain", map[string]any{topology.SettingSenderEmail: "privacy@acme.example", ContextSenderDomain: "acme.example"}, "acme.example", "privacy@acme.example"},
	} {
		t.Run(c.name, func(t *testing.T) {
			var s *synthesized
			if c.overrides == nil {
				s = synthDefault(t)
			} else {
				s = synth(t, topology.App, c.overrides)
			}
			// The verified identity outlives redeploys of the stateless stack.
			s.stateful.HasResource(jsii.String("AWS::SES::EmailIdentity"), map[string]any{"DeletionPolicy": "Retain"})
			s.stateless.ResourceCountIs(jsii.String("AWS::SES::EmailIdentity"), jsii.Number(0))
			s.stateful.HasResourceProperties(jsii.String("AWS::SES::EmailIdentity"), map[string]any{
				"EmailIdentity":              c.identity,
				"ConfigurationSetAttributes": map[string]any{"ConfigurationSetName": assertions.Match_AnyValue()},
			})
			s.stateful.HasResourceProperties(jsii.String("AWS::SES::ConfigurationSetEventDestination"), map[string]any{
				"EventDestination": assertions.Match_ObjectLike(&map[string]any{
					"Enabled":            true,
					"MatchingEventTypes": assertions.Match_ArrayWith(&[]any{"bounce", "complaint"}),
				}),
			})
			senders := 0
			for _, f := range topology.App.Functions {
				if f.SendsEmail {
					senders++
				}
			}
			s.stateless.ResourcePropertiesCountIs(jsii.String("AWS::IAM::Policy"), map[string]any{
				"PolicyDocument": map[string]any{"Statement": assertions.Match_ArrayWith(&[]any{
					assertions.Match_ObjectLike(&map[string]any{
						"Action":    "ses:SendEmail",
						"Condition": map[string]any{"StringEquals": map[string]any{"ses:FromAddress": c.from}},
					}),
				})},
			}, jsii.Number(float64(senders)))
			// That no other function may send is checked per function in
			// TestFunctionPermissionsFollowTheTopology.
		})
	}
}
