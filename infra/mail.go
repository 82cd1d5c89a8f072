package main

import (
	"fmt"

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
	Sender string
	// Identity is the identity the stack created; nil when the
	// configuration uses an existing one (IdentityArn names either).
	Identity         awsses.EmailIdentity
	IdentityArn      *string
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
	name := m.Sender
	identity := awsses.Identity_Email(jsii.String(m.Sender))
	if cfg.SenderDomain != "" {
		name = cfg.SenderDomain
		identity = awsses.Identity_Domain(jsii.String(cfg.SenderDomain))
	}
	stack := awscdk.Stack_Of(scope)
	if cfg.UseExistingSenderIdentity {
		// Creating an identity that exists fails: use it by name. Its
		// default configuration set is the owner's to set (see README).
		m.IdentityArn = stack.FormatArn(&awscdk.ArnComponents{
			Service: jsii.String("ses"), Resource: jsii.String("identity"), ResourceName: jsii.String(name),
		})
	} else {
		m.Identity = awsses.NewEmailIdentity(scope, jsii.String("Sender"), &awsses.EmailIdentityProps{
			Identity:         identity,
			ConfigurationSet: m.ConfigurationSet,
		})
		m.IdentityArn = m.Identity.EmailIdentityArn()
		if cfg.SenderDomain != "" {
			// The three Easy DKIM CNAME records to publish in the domain's DNS.
			for i, rec := range []struct{ name, value *string }{
				{m.Identity.DkimDnsTokenName1(), m.Identity.DkimDnsTokenValue1()},
				{m.Identity.DkimDnsTokenName2(), m.Identity.DkimDnsTokenValue2()},
				{m.Identity.DkimDnsTokenName3(), m.Identity.DkimDnsTokenValue3()},
			} {
				awscdk.NewCfnOutput(stack, jsii.String(fmt.Sprintf("DkimRecord%d", i+1)), &awscdk.CfnOutputProps{
					Description: jsii.String(fmt.Sprintf("Easy DKIM record %d of %s: publish this CNAME, then wait for SES to verify", i+1, cfg.SenderDomain)),
					Value:       awscdk.Fn_Join(jsii.String(" "), &[]*string{rec.name, jsii.String("CNAME"), rec.value}),
				})
			}
		}
	}
	awscdk.NewCfnOutput(stack, jsii.String("MailConfigurationSet"), &awscdk.CfnOutputProps{
		Description: jsii.String("The SES configuration set that records bounces and complaints: the sender identity's default"),
		Value:       m.ConfigurationSet.ConfigurationSetName(),
	})
	return m
}

// grantSend lets grantee send email as the sender address only, through the
// identity and its configuration set.
func (m *Mail) grantSend(grantee awsiam.IGrantable) {
	stack := awscdk.Stack_Of(m.ConfigurationSet)
	configSetArn := stack.FormatArn(&awscdk.ArnComponents{
		Service:      jsii.String("ses"),
		Resource:     jsii.String("configuration-set"),
		ResourceName: m.ConfigurationSet.ConfigurationSetName(),
	})
	grantee.GrantPrincipal().AddToPrincipalPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions:   jsii.Strings("ses:SendEmail"), // SES v2 SendEmail with simple content
		Resources: &[]*string{m.IdentityArn, configSetArn},
		Conditions: &map[string]any{
			"StringEquals": map[string]any{"ses:FromAddress": m.Sender},
		},
	}))
}
