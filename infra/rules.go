package main

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsevents"
	"github.com/aws/aws-cdk-go/awscdk/v2/awseventstargets"
	"github.com/aws/jsii-runtime-go"

	"github.com/consentflow/consentflow/infra/topology"
)

// addRule sends the S3 events of a topology rule's buckets (the stateful
// buckets send every object event to EventBridge) to its function: an
// EventBridge rule on the default bus, matching the source, the detail-type
// and the bucket names, with the function as its target. EventBridge
// invokes it asynchronously and retries for up to a day.
func (s *StatelessStack) addRule(r topology.Rule) error {
	fn, ok := s.Functions[r.Function]
	if !ok {
		return fmt.Errorf("rule %s: unknown function %q", r.Name, r.Function)
	}
	var names []any
	for _, name := range r.Buckets {
		b, ok := s.stateful.Buckets[name]
		if !ok {
			return fmt.Errorf("rule %s: unknown bucket %q", r.Name, name)
		}
		names = append(names, b.BucketName())
	}
	rule := awsevents.NewRule(s.Stack, jsii.String(topology.Pascal(r.Name)+"Rule"), &awsevents.RuleProps{
		Description: jsii.String(r.Description),
		EventPattern: &awsevents.EventPattern{
			Source:     jsii.Strings("aws.s3"),
			DetailType: jsii.Strings(r.DetailType),
			Detail:     &map[string]any{"bucket": map[string]any{"name": names}},
		},
	})
	rule.AddTarget(awseventstargets.NewLambdaFunction(fn, &awseventstargets.LambdaFunctionProps{
		MaxEventAge:   awscdk.Duration_Hours(jsii.Number(24)),
		RetryAttempts: jsii.Number(185),
	}))
	return nil
}
