package main

import (
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"

	"github.com/consentflow/consentflow/infra/topology"
)

// noNagFindings fails for every unsuppressed cdk-nag AwsSolutions error or
// warning in the given templates' stacks.
func noNagFindings(t *testing.T, s *synthesized) {
	t.Helper()
	for _, stack := range []struct {
		name string
		a    assertions.Annotations
	}{
		{"stateful", assertions.Annotations_FromStack(s.app.Stateful.Stack)},
		{"stateless", assertions.Annotations_FromStack(s.app.Stateless.Stack)},
	} {
		rule := assertions.Match_StringLikeRegexp(jsii.String("AwsSolutions-.*"))
		for _, m := range *stack.a.FindError(jsii.String("*"), rule) {
			t.Errorf("%s stack: cdk-nag error at %s: %v", stack.name, *m.Id, m.Entry.Data)
		}
		for _, m := range *stack.a.FindWarning(jsii.String("*"), rule) {
			t.Errorf("%s stack: cdk-nag warning at %s: %v", stack.name, *m.Id, m.Entry.Data)
		}
	}
}

// cdk-nag's AwsSolutions rules find nothing that is not suppressed with a
// reason, in the app as deployed and in its variants.
func TestNoUnsuppressedNagFindings(t *testing.T) {
	t.Run("cdk.json defaults", func(t *testing.T) { noNagFindings(t, synthDefault(t)) })
	t.Run("schedule, bucket user, sender domain, alarm email", func(t *testing.T) { noNagFindings(t, synthEverything(t)) })
	t.Run("existing user pool", func(t *testing.T) {
		noNagFindings(t, synth(t, topology.App, map[string]any{
			ContextRecruiterUserPoolID:       "eu-west-1_AbCdEf123",
			ContextRecruiterUserPoolClientID: "1example23456789",
		}))
	})
}
