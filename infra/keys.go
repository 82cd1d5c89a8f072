package main

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// newKey defines a customer-managed key with yearly rotation, retained when
// its stack is deleted (whatever it encrypted may outlive the stack), whose
// policy lets only AWS services create grants on it (Control Tower
// CT.KMS.PR.3): nobody can hand out its use outside of IAM.
func newKey(scope constructs.Construct, id, description string) awskms.Key {
	key := awskms.NewKey(scope, jsii.String(id), &awskms.KeyProps{
		Description:       jsii.String(description),
		EnableKeyRotation: jsii.Bool(true),
		RemovalPolicy:     awscdk.RemovalPolicy_RETAIN_ON_UPDATE_OR_DELETE,
	})
	limitGrantsToAWSServices(key)
	return key
}

// limitGrantsToAWSServices lets only AWS services create grants on a key
// (Control Tower CT.KMS.PR.3).
func limitGrantsToAWSServices(key awskms.Key) {
	key.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:        jsii.String("GrantsOnlyForAWSServices"),
		Effect:     awsiam.Effect_DENY,
		Principals: &[]awsiam.IPrincipal{awsiam.NewAnyPrincipal()},
		Actions:    jsii.Strings("kms:CreateGrant"),
		Resources:  jsii.Strings("*"),
		Conditions: &map[string]any{
			"BoolIfExists": map[string]any{
				"kms:GrantIsForAWSResource": "false",
				"aws:PrincipalIsAWSService": "false",
			},
		},
	}), nil)
}

// newLogsKey defines the key that encrypts the stateless stack's log
// groups, usable by CloudWatch Logs for this account's log groups only.
func newLogsKey(scope constructs.Construct) awskms.Key {
	key := newKey(scope, "LogsKey", "Encrypts the function, workflow and API access logs")
	stack := awscdk.Stack_Of(scope)
	key.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:        jsii.String("CloudWatchLogsOfThisAccount"),
		Principals: &[]awsiam.IPrincipal{awsiam.NewServicePrincipal(jsii.String("logs."+*stack.Region()+".amazonaws.com"), nil)},
		Actions:    jsii.Strings("kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"),
		Resources:  jsii.Strings("*"),
		Conditions: &map[string]any{
			"ArnLike": map[string]any{
				"kms:EncryptionContext:aws:logs:arn": stack.FormatArn(&awscdk.ArnComponents{
					Service:      jsii.String("logs"),
					Resource:     jsii.String("log-group"),
					ResourceName: jsii.String("*"),
					ArnFormat:    awscdk.ArnFormat_COLON_RESOURCE_NAME,
				}),
			},
		},
	}), nil)
	return key
}
