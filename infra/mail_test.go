package main

import (
	"fmt"
	"strings"
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
			s.stateful.HasResource(jsii.String("AWS::SES::EmailIdentity"), map[string]any{"DeletionPolicy": "RetainExceptOnCreate"})
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

// In domain mode the stack outputs the three Easy DKIM CNAME records; with
// an existing identity it creates none and grants sending on it by name.
func TestMailDKIMOutputsAndExistingIdentity(t *testing.T) {
	domain := synth(t, topology.App, map[string]any{topology.SettingSenderEmail: "privacy@acme.example", ContextSenderDomain: "acme.example"})
	outputs := outputsOf(domain.stateful)
	for i := 1; i <= 3; i++ {
		out, ok := outputs[fmt.Sprintf("DkimRecord%d", i)].(map[string]any)
		if !ok {
			t.Errorf("no DkimRecord%d output; outputs %v", i, outputs)
			continue
		}
		v := toJSON(t, out["Value"])
		if !strings.Contains(v, fmt.Sprintf("DkimDNSTokenName%d", i)) || !strings.Contains(v, fmt.Sprintf("DkimDNSTokenValue%d", i)) || !strings.Contains(v, "CNAME") {
			t.Errorf("DkimRecord%d = %s, want the token's name CNAME its value", i, v)
		}
	}
	if _, ok := outputsOf(synthDefault(t).stateful)["DkimRecord1"]; ok {
		t.Error("an address identity has DKIM outputs")
	}

	existing := synth(t, topology.App, map[string]any{
		topology.SettingSenderEmail: "privacy@acme.example", ContextSenderDomain: "acme.example", ContextUseExistingSenderIdentity: "true",
	})
	existing.stateful.ResourceCountIs(jsii.String("AWS::SES::EmailIdentity"), jsii.Number(0))
	existing.stateful.ResourceCountIs(jsii.String("AWS::SES::ConfigurationSet"), jsii.Number(1))
	if _, ok := outputsOf(existing.stateful)["MailConfigurationSet"]; !ok {
		t.Error("no MailConfigurationSet output to make the existing identity's default")
	}
	grants := 0
	for _, r := range resources(t, existing.stateless, "AWS::IAM::Policy") {
		doc := toJSON(t, r.Properties["PolicyDocument"])
		if strings.Contains(doc, `"ses:SendEmail"`) {
			grants++
			if !strings.Contains(doc, ":identity/acme.example") {
				t.Errorf("sending is granted on %s, want the existing identity acme.example", doc)
			}
		}
	}
	if grants == 0 {
		t.Error("no function may send through the existing identity")
	}
}

// outputsOf returns a template's outputs by logical ID.
func outputsOf(tpl assertions.Template) map[string]any {
	out, _ := (*tpl.ToJSON())["Outputs"].(map[string]any)
	return out
}
