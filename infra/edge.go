package main

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigatewayv2authorizers"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudfront"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudfrontorigins"
	"github.com/aws/aws-cdk-go/awscdk/v2/awswafv2"
	"github.com/aws/jsii-runtime-go"

	"github.com/consentflow/consentflow/infra/topology"
	"github.com/consentflow/consentflow/shared/httpapi"
)

// EdgeRegion is the only region where a CloudFront web ACL can be created.
const EdgeRegion = "us-east-1"

// Origin verification: the API's authorizer of the candidate routes keeps
// an allowed header value this long (per value), so a page and its answer
// cost one authorizer call per five minutes, not one per request.
const (
	EdgeAuthorizerName     = "CandidateEdgeOrigin"
	EdgeAuthorizerCacheTTL = 300 // seconds
)

// EdgeMaxBody is the largest body the edge passes to the candidate routes:
// WAF's default body inspection limit for CloudFront (16 KiB), twice the
// consent form's 8 KiB and far above a JSON answer (a few hundred bytes).
// Larger bodies get a 413 problem at the edge instead of API Gateway's 500
// once Lambda's 6 MB invoke limit is passed.
const EdgeMaxBody = 16 << 10

// edgeBodyTooLarge is the key of the edge's 413 problem body.
const edgeBodyTooLarge = "body-too-large"

// newCandidateEdge puts CloudFront in front of the candidate routes, with a
// WAF web ACL whose rate-based rule blocks (429) a client IP that sends more
// than cfg.PublicRateLimitPerIP requests to them in five minutes, so that
// one client cannot use up the candidate routes' shared API Gateway
// throttle. The distribution serves only the candidate routes; candidate
// links point at it when publicBaseUrl is empty.
//
// CloudFront sends the edge's origin header, whose value only it and the
// candidate routes' Lambda authorizer know (see newEdgeOrigin), so that the
// API's own URL cannot bypass the web ACL. The web ACL also refuses bodies
// over EdgeMaxBody with the functions' own 413 problem.
//
// A CloudFront web ACL exists only in us-east-1: a template rule refuses to
// deploy the stack elsewhere with this setting on.
func (s *StatelessStack) newCandidateEdge(app topology.Application, cfg Config) error {
	if err := s.newEdgeOrigin(app, cfg); err != nil {
		return err
	}
	visibility := func(name string) *awswafv2.CfnWebACL_VisibilityConfigProperty {
		return &awswafv2.CfnWebACL_VisibilityConfigProperty{
			CloudWatchMetricsEnabled: jsii.Bool(true),
			MetricName:               jsii.String(name),
			// Sampled requests would keep IP addresses and link tokens.
			SampledRequestsEnabled: jsii.Bool(false),
		}
	}
	var prefixes []*awswafv2.CfnWebACL_StatementProperty
	for _, p := range app.Edge.PathPrefixes {
		prefixes = append(prefixes, &awswafv2.CfnWebACL_StatementProperty{
			ByteMatchStatement: &awswafv2.CfnWebACL_ByteMatchStatementProperty{
				FieldToMatch:         &awswafv2.CfnWebACL_FieldToMatchProperty{UriPath: map[string]any{}},
				PositionalConstraint: jsii.String("STARTS_WITH"),
				SearchString:         jsii.String(p),
				TextTransformations:  &[]*awswafv2.CfnWebACL_TextTransformationProperty{{Priority: jsii.Number(0), Type: jsii.String("NONE")}},
			},
		})
	}
	candidatePaths := prefixes[0]
	if len(prefixes) > 1 { // WAF wants two statements or more in an Or
		candidatePaths = &awswafv2.CfnWebACL_StatementProperty{OrStatement: &awswafv2.CfnWebACL_OrStatementProperty{Statements: &prefixes}}
	}
	// WAF cannot send application/problem+json (its body types are plain
	// text, HTML and JSON, and it refuses a content-type header): the body
	// is the problem the functions answer, as application/json.
	tooLarge := httpapi.ProblemResponse(httpapi.TooLarge(EdgeMaxBody).Problem())
	s.CandidateWebACL = awswafv2.NewCfnWebACL(s.Stack, jsii.String("CandidateWebAcl"), &awswafv2.CfnWebACLProps{
		Description: jsii.String("Rate limit per client IP and body limit on the candidate routes"),
		CustomResponseBodies: map[string]*awswafv2.CfnWebACL_CustomResponseBodyProperty{
			edgeBodyTooLarge: {ContentType: jsii.String("APPLICATION_JSON"), Content: jsii.String(tooLarge.Body)},
		},
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
			{
				// After the rate rule, so that oversized requests count
				// towards a client's rate too. WAF sees the first 16 KiB
				// of a body; a larger one is "oversize", and matches.
				Name:     jsii.String("body-too-large"),
				Priority: jsii.Number(2),
				Action: &awswafv2.CfnWebACL_RuleActionProperty{Block: &awswafv2.CfnWebACL_BlockActionProperty{
					CustomResponse: &awswafv2.CfnWebACL_CustomResponseProperty{
						ResponseCode:          jsii.Number(float64(tooLarge.StatusCode)),
						CustomResponseBodyKey: jsii.String(edgeBodyTooLarge),
						ResponseHeaders: &[]*awswafv2.CfnWebACL_CustomHTTPHeaderProperty{
							{Name: jsii.String("Cache-Control"), Value: jsii.String(tooLarge.Headers["Cache-Control"])},
						},
					},
				}},
				Statement: &awswafv2.CfnWebACL_StatementProperty{
					SizeConstraintStatement: &awswafv2.CfnWebACL_SizeConstraintStatementProperty{
						FieldToMatch: &awswafv2.CfnWebACL_FieldToMatchProperty{
							Body: &awswafv2.CfnWebACL_BodyProperty{OversizeHandling: jsii.String("MATCH")},
						},
						ComparisonOperator:  jsii.String("GT"),
						Size:                jsii.Number(EdgeMaxBody),
						TextTransformations: &[]*awswafv2.CfnWebACL_TextTransformationProperty{{Priority: jsii.Number(0), Type: jsii.String("NONE")}},
					},
				},
				VisibilityConfig: visibility("BodyTooLarge"),
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
				// A dynamic reference, resolved by CloudFormation at deploy;
				// CloudFront replaces a viewer's header of the same name.
				CustomHeaders: &map[string]*string{
					app.Edge.Header: s.EdgeSecret.SecretValue().UnsafeUnwrap(),
				},
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
	return nil
}

// newEdgeOrigin defines the edge's origin secret, generated by Secrets
// Manager and read only by the edge's authorizer function, and the HTTP
// API's Lambda authorizer that addRoutes puts on the candidate routes. A
// request without the header is refused by API Gateway itself (401), one
// with another value by the authorizer's answer (403), before any page
// function runs.
func (s *StatelessStack) newEdgeOrigin(app topology.Application, cfg Config) error {
	if app.Edge.Authorizer.Name == "" {
		return fmt.Errorf("publicRateLimitPerIp: the topology has no edge authorizer")
	}
	// Nothing is kept with it: replaced or deleted with the stack.
	s.EdgeSecret = newGeneratedSecret(s.Stack, app.Name, app.Edge.Secret, awscdk.RemovalPolicy_DESTROY, reasonEdgeSecretRotation)
	s.edgeSecretName = app.Edge.Secret.Name
	fn, err := s.newFunction(app.Edge.Authorizer, cfg)
	if err != nil {
		return err
	}
	s.Functions[app.Edge.Authorizer.Name] = fn
	s.edgeAuthorizer = awsapigatewayv2authorizers.NewHttpLambdaAuthorizer(jsii.String(EdgeAuthorizerName), fn, &awsapigatewayv2authorizers.HttpLambdaAuthorizerProps{
		AuthorizerName:  jsii.String(EdgeAuthorizerName),
		IdentitySource:  jsii.Strings("$request.header." + app.Edge.Header),
		ResponseTypes:   &[]awsapigatewayv2authorizers.HttpLambdaResponseType{awsapigatewayv2authorizers.HttpLambdaResponseType_SIMPLE},
		ResultsCacheTtl: awscdk.Duration_Seconds(jsii.Number(EdgeAuthorizerCacheTTL)),
	})
	return nil
}

// candidateEdgeURL is the distribution's https:// URL.
func (s *StatelessStack) candidateEdgeURL() *string {
	return awscdk.Fn_Join(jsii.String(""), &[]*string{jsii.String("https://"), s.CandidateEdge.DistributionDomainName()})
}
