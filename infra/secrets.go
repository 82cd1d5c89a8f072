package main

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssecretsmanager"
	"github.com/aws/jsii-runtime-go"

	"github.com/consentflow/consentflow/infra/topology"
)

const reasonSecretRotation = "A hashing key, not a credential: rotating it would make hashes of the same network " +
	"before and after incomparable, which is what the audit trail keeps them for. It never leaves Secrets Manager " +
	"and the functions that read it."

// newSecrets generates each topology secret: a random value Secrets Manager
// makes at creation, retained when the stack is deleted (audit records keep
// hashes made with it).
func newSecrets(stack awscdk.Stack, app topology.Application) map[string]awssecretsmanager.Secret {
	out := map[string]awssecretsmanager.Secret{}
	for _, s := range app.Secrets {
		sec := awssecretsmanager.NewSecret(stack, jsii.String(topology.Pascal(s.Name)+"Secret"), &awssecretsmanager.SecretProps{
			Description: jsii.String(app.Name + ": " + s.Description),
			GenerateSecretString: &awssecretsmanager.SecretStringGenerator{
				PasswordLength:     jsii.Number(64),
				ExcludePunctuation: jsii.Bool(true),
			},
			RemovalPolicy: awscdk.RemovalPolicy_RETAIN_ON_UPDATE_OR_DELETE,
		})
		suppress(sec, suppression("AwsSolutions-SMG4", reasonSecretRotation))
		out[s.Name] = sec
	}
	return out
}

// grantSecretValue lets fn read the secret's value, and nothing else of it:
// GetSecretValue only (no DescribeSecret, which the code never calls).
func grantSecretValue(fn awslambda.Function, sec awssecretsmanager.ISecret) {
	fn.AddToRolePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions:   jsii.Strings("secretsmanager:GetSecretValue"),
		Resources: &[]*string{sec.SecretArn()},
	}))
}
