package main

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudfront"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudfrontorigins"
	"github.com/aws/aws-cdk-go/awscdk/v2/awswafv2"
	"github.com/aws/jsii-runtime-go"
)

// CandidatePathPrefix is where every candidate route lives ("/c/{token}").
const CandidatePathPrefix = "/c/"

// EdgeRegion is the only region where a CloudFront web ACL can be created.
const EdgeRegion = "us-east-1"

// newCandidateEdge puts CloudFront in front of the candidate routes, with a
// WAF web ACL whose rate-based rule blocks (429) a client IP that sends more
// than cfg.PublicRateLimitPerIP requests to them in five minutes, so that
// one client cannot use up the candidate routes' shared API Gateway
// throttle. The distribution serves only the candidate routes; candidate
// links point at it when publicBaseUrl is empty.
//
// A CloudFront web ACL exists only in us-east-1: a template rule refuses to
// deploy the stack elsewhere with this setting on.
func (s *StatelessStack) newCandidateEdge(cfg Config) {
	visibility := func(name string) *awswafv2.CfnWebACL_VisibilityConfigProperty {
		return &awswafv2.CfnWebACL_VisibilityConfigProperty{
			CloudWatchMetricsEnabled: jsii.Bool(true),
			MetricName:               jsii.String(name),
			// Sampled requests would keep IP addresses and link tokens.
			SampledRequestsEnabled: jsii.Bool(false),
		}
	}
	candidatePaths := &awswafv2.CfnWebACL_StatementProperty{
		ByteMatchStatement: &awswafv2.CfnWebACL_ByteMatchStatementProperty{
			FieldToMatch:         &awswafv2.CfnWebACL_FieldToMatchProperty{UriPath: map[string]any{}},
			PositionalConstraint: jsii.String("STARTS_WITH"),
			SearchString:         jsii.String(CandidatePathPrefix),
			TextTransformations:  &[]*awswafv2.CfnWebACL_TextTransformationProperty{{Priority: jsii.Number(0), Type: jsii.String("NONE")}},
		},
	}
	s.CandidateWebACL = awswafv2.NewCfnWebACL(s.Stack, jsii.String("CandidateWebAcl"), &awswafv2.CfnWebACLProps{
		Description:      jsii.String("Rate limit per client IP on the candidate routes"),
		Scope:            jsii.String("CLOUDFRONT"),
		DefaultAction:    &awswafv2.CfnWebACL_DefaultActionProperty{Allow: &awswafv2.CfnWebACL_AllowActionProperty{}},
		VisibilityConfig: visibility("CandidateWebAcl"),
		Rules: &[]*awswafv2.CfnWebACL_RuleProperty{
			{
				Name:     jsii.String("only-candidate-routes"),
				Priority: jsii.Number(0),
				Action:   &awswafv2.CfnWebACL_RuleActionProperty{Block: &awswafv2.CfnWebACL_BlockActionProperty{}},
				Statement: &awswafv2.CfnWebACL_StatementProperty{
					NotStatement: &awswafv2.CfnWebACL_NotStatementProperty{Statement: candidatePaths},
				},
				VisibilityConfig: visibility("OnlyCandidateRoutes"),
			},
			{
				Name:     jsii.String("rate-per-ip"),
				Priority: jsii.Number(1),
				Action: &awswafv2.CfnWebACL_RuleActionProperty{Block: &awswafv2.CfnWebACL_BlockActionProperty{
					CustomResponse: &awswafv2.CfnWebACL_CustomResponseProperty{ResponseCode: jsii.Number(429)},
				}},
				Statement: &awswafv2.CfnWebACL_StatementProperty{
					RateBasedStatement: &awswafv2.CfnWebACL_RateBasedStatementProperty{
						Limit:               jsii.Number(float64(cfg.PublicRateLimitPerIP)),
						AggregateKeyType:    jsii.String("IP"),
						EvaluationWindowSec: jsii.Number(300),
					},
				},
				VisibilityConfig: visibility("RatePerIp"),
			},
		},
	})
	apiDomain := awscdk.Fn_Join(jsii.String(""), &[]*string{
		s.API.ApiId(), jsii.String(".execute-api."), awscdk.Aws_REGION(), jsii.String("."), awscdk.Aws_URL_SUFFIX(),
	})
	s.CandidateEdge = awscloudfront.NewDistribution(s.Stack, jsii.String("CandidateEdge"), &awscloudfront.DistributionProps{
		Comment: jsii.String("Candidate consent pages, rate limited per client IP"),
		DefaultBehavior: &awscloudfront.BehaviorOptions{
			Origin: awscloudfrontorigins.NewHttpOrigin(apiDomain, &awscloudfrontorigins.HttpOriginProps{
				ProtocolPolicy:      awscloudfront.OriginProtocolPolicy_HTTPS_ONLY,
				OriginSslProtocols:  &[]awscloudfront.OriginSslPolicy{awscloudfront.OriginSslPolicy_TLS_V1_2},
				OriginShieldEnabled: jsii.Bool(false),
			}),
			AllowedMethods: awscloudfront.AllowedMethods_ALLOW_ALL(),
			// Pages are personal and answers change state: nothing is cached.
			CachePolicy:          awscloudfront.CachePolicy_CACHING_DISABLED(),
			OriginRequestPolicy:  awscloudfront.OriginRequestPolicy_ALL_VIEWER_EXCEPT_HOST_HEADER(),
			ViewerProtocolPolicy: awscloudfront.ViewerProtocolPolicy_HTTPS_ONLY,
		},
		WebAclId:    s.CandidateWebACL.AttrArn(),
		HttpVersion: awscloudfront.HttpVersion_HTTP2_AND_3,
		PriceClass:  awscloudfront.PriceClass_PRICE_CLASS_100,
	})
	suppress(s.CandidateEdge,
		suppression("AwsSolutions-CFR1", reasonEdgeGeo),
		suppression("AwsSolutions-CFR3", reasonEdgeLogs),
		suppression("AwsSolutions-CFR4", reasonEdgeTLS),
	)
	awscdk.NewCfnRule(s.Stack, jsii.String("CandidateEdgeInUsEast1"), &awscdk.CfnRuleProps{
		Assertions: &[]*awscdk.CfnRuleAssertion{{
			Assert:            awscdk.Fn_ConditionEquals(awscdk.Aws_REGION(), jsii.String(EdgeRegion)),
			AssertDescription: jsii.String("publicRateLimitPerIp adds a CloudFront web ACL, which exists only in us-east-1: deploy there, or set publicRateLimitPerIp=0"),
		}},
	})
	awscdk.NewCfnOutput(s.Stack, jsii.String("CandidateUrl"), &awscdk.CfnOutputProps{
		Description: jsii.String("Candidate links start here (CloudFront, rate limited per IP)"),
		Value:       s.candidateEdgeURL(),
	})
}

// candidateEdgeURL is the distribution's https:// URL.
func (s *StatelessStack) candidateEdgeURL() *string {
	return awscdk.Fn_Join(jsii.String(""), &[]*string{jsii.String("https://"), s.CandidateEdge.DistributionDomainName()})
}
