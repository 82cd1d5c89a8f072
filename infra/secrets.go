package main

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssecretsmanager"
	"github.com/aws/jsii-runtime-go"

	"github.com/consentflow/consentflow/infra/topology"
)

const (
	reasonSecretRotation = "A hashing key, not a credential: rotating it would make hashes of the same network " +
		"before and after incomparable, which is what the audit trail keeps them for. It never leaves Secrets Manager " +
		"and the functions that read it."
	reasonEdgeSecretRotation = "CloudFront gets this value through a CloudFormation dynamic reference, resolved only " +
		"when the stack is deployed: an automatic rotation would leave CloudFront sending the old value and lock every " +
		"candidate out (403) until the next deployment. It changes by replacing the secret in a deployment, which updates " +
		"the distribution and the authorizer together."
)

// newSecrets generates each topology secret: a random value Secrets Manager
// makes at creation, retained when the stack is deleted or the secret
// replaced (audit records keep hashes made with it); a failed first create
// cleans it up.
func newSecrets(stack awscdk.Stack, app topology.Application) map[string]awssecretsmanager.Secret {
	out := map[string]awssecretsmanager.Secret{}
	for _, s := range app.Secrets {
		out[s.Name] = newGeneratedSecret(stack, app.Name, s, awscdk.RemovalPolicy_RETAIN_ON_UPDATE_OR_DELETE, reasonSecretRotation)
	}
	return out
}

// newGeneratedSecret defines topology secret s with a random value of 64
// letters and digits that Secrets Manager generates at creation, encrypted
// with Secrets Manager's own key; rotation explains why it is not rotated.
func newGeneratedSecret(stack awscdk.Stack, appName string, s topology.Secret, removal awscdk.RemovalPolicy, rotation string) awssecretsmanager.Secret {
	sec := awssecretsmanager.NewSecret(stack, jsii.String(topology.Pascal(s.Name)+"Secret"), &awssecretsmanager.SecretProps{
		Description: jsii.String(appName + ": " + s.Description),
		GenerateSecretString: &awssecretsmanager.SecretStringGenerator{
			PasswordLength:     jsii.Number(64),
			ExcludePunctuation: jsii.Bool(true),
		},
		RemovalPolicy: removal,
	})
	suppress(sec, suppression("AwsSolutions-SMG4", rotation))
	return sec
}

// secret is the topology secret named name: the stateful stack's, or the
// edge's own (which only exists with the edge).
func (s *StatelessStack) secret(name string) (awssecretsmanager.ISecret, bool) {
	if sec, ok := s.stateful.Secrets[name]; ok {
		return sec, true
	}
	if s.EdgeSecret != nil && name == s.edgeSecretName {
		return s.EdgeSecret, true
	}
	return nil, false
}

// grantSecretValue lets fn read the secret's value, and nothing else of it:
// GetSecretValue only (no DescribeSecret, which the code never calls).
func grantSecretValue(fn awslambda.Function, sec awssecretsmanager.ISecret) {
	fn.AddToRolePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions:   jsii.Strings("secretsmanager:GetSecretValue"),
		Resources: &[]*string{sec.SecretArn()},
	}))
}
