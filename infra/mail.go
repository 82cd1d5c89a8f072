package main

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsses"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/consentflow/consentflow/infra/topology"
)

// SESDimension is the CloudWatch dimension SES publishes bounce, complaint
// and reject counts under, one value per configuration set.
const SESDimension = "ses:configuration-set"

// Mail is the SES side of the app: the sender identity and the
// configuration set every message is sent with.
type Mail struct {
	Sender           string
	Identity         awsses.EmailIdentity
	ConfigurationSet awsses.ConfigurationSet
}

// newMail defines the sender identity (the sender address, or the whole
// sender domain with Easy DKIM) and a configuration set, the identity's
// default, that records bounces, complaints and rejects as CloudWatch
// metrics (counts only: no addresses) and keeps bounced and complaining
// addresses on the suppression list.
func newMail(scope constructs.Construct, cfg Config) *Mail {
	m := &Mail{Sender: cfg.Settings[topology.SettingSenderEmail]}
	m.ConfigurationSet = awsses.NewConfigurationSet(scope, jsii.String("Mail"), &awsses.ConfigurationSetProps{
		ReputationMetrics:  jsii.Bool(true),
		SendingEnabled:     jsii.Bool(true),
		SuppressionReasons: awsses.SuppressionReasons_BOUNCES_AND_COMPLAINTS,
		TlsPolicy:          awsses.ConfigurationSetTlsPolicy_REQUIRE,
	})
	m.ConfigurationSet.AddEventDestination(jsii.String("BouncesAndComplaints"), &awsses.ConfigurationSetEventDestinationOptions{
		Destination: awsses.EventDestination_CloudWatchDimensions(&[]*awsses.CloudWatchDimension{{
			Name:         jsii.String(SESDimension),
			Source:       awsses.CloudWatchDimensionSource_MESSAGE_TAG,
			DefaultValue: jsii.String("none"),
		}}),
		Events: &[]awsses.EmailSendingEvent{
			awsses.EmailSendingEvent_SEND,
			awsses.EmailSendingEvent_DELIVERY,
			awsses.EmailSendingEvent_BOUNCE,
			awsses.EmailSendingEvent_COMPLAINT,
			awsses.EmailSendingEvent_REJECT,
			awsses.EmailSendingEvent_RENDERING_FAILURE,
		},
	})
	identity := awsses.Identity_Email(jsii.String(m.Sender))
	if cfg.SenderDomain != "" {
		identity = awsses.Identity_Domain(jsii.String(cfg.SenderDomain))
	}
	m.Identity = awsses.NewEmailIdentity(scope, jsii.String("Sender"), &awsses.EmailIdentityProps{
		Identity:         identity,
		ConfigurationSet: m.ConfigurationSet,
	})
	return m
}

// grantSend lets grantee send email as the sender address only, through the
// identity and its configuration set.
func (m *Mail) grantSend(grantee awsiam.IGrantable) {
	stack := awscdk.Stack_Of(m.Identity)
	configSetArn := stack.FormatArn(&awscdk.ArnComponents{
		Service:      jsii.String("ses"),
		Resource:     jsii.String("configuration-set"),
		ResourceName: m.ConfigurationSet.ConfigurationSetName(),
	})
	grantee.GrantPrincipal().AddToPrincipalPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions:   jsii.Strings("ses:SendEmail"), // SES v2 SendEmail with simple content
		Resources: &[]*string{m.Identity.EmailIdentityArn(), configSetArn},
		Conditions: &map[string]any{
			"StringEquals": map[string]any{"ses:FromAddress": m.Sender},
		},
	}))
}
