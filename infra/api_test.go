package main

import (
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"

	"github.com/consentflow/consentflow/infra/topology"
)

// Recruiter routes need a JWT from the recruiters' user pool; candidate
// routes need none but are throttled harder than the rest of the API.
func TestRoutesAuthorizationAndThrottling(t *testing.T) {
	s := synthDefault(t)
	routes := resources(t, s.stateless, "AWS::ApiGatewayV2::Route")
	byKey := map[string]TemplateResource{}
	idOf := map[string]string{}
	for id, r := range routes {
		byKey[r.Properties["RouteKey"].(string)] = r
		idOf[r.Properties["RouteKey"].(string)] = id
	}
	authorizers := resources(t, s.stateless, "AWS::ApiGatewayV2::Authorizer")
	if len(authorizers) != 1 {
		t.Fatalf("%d authorizers, want 1", len(authorizers))
	}
	var authorizerID string
	for id, a := range authorizers {
		authorizerID = id
		if a.Properties["AuthorizerType"] != "JWT" {
			t.Errorf("authorizer type %v, want JWT", a.Properties["AuthorizerType"])
		}
		issuer := toJSON(t, a.Properties["JwtConfiguration"].(map[string]any)["Issuer"])
		if !strings.Contains(issuer, "cognito-idp") || !strings.Contains(issuer, "RecruiterPool") {
			t.Errorf("JWT issuer %s is not the recruiters' user pool", issuer)
		}
	}
	stage := only(t, resources(t, s.stateless, "AWS::ApiGatewayV2::Stage"))
	routeSettings, _ := stage.Properties["RouteSettings"].(map[string]any)
	for _, r := range topology.App.Routes {
		route, ok := byKey[r.Key()]
		if !ok {
			t.Errorf("route %s missing", r.Key())
			continue
		}
		settings, throttled := routeSettings[r.Key()].(map[string]any)
		switch r.Auth {
		case topology.Recruiter:
			if route.Properties["AuthorizationType"] != "JWT" || toJSON(t, route.Properties["AuthorizerId"]) != toJSON(t, map[string]any{"Ref": authorizerID}) {
				t.Errorf("recruiter route %s: authorization %v %v, want the JWT authorizer", r.Key(), route.Properties["AuthorizationType"], route.Properties["AuthorizerId"])
			}
		case topology.Public:
			if route.Properties["AuthorizationType"] != "NONE" {
				t.Errorf("public route %s: authorization %v, want NONE", r.Key(), route.Properties["AuthorizationType"])
			}
			if !throttled || settings["ThrottlingRateLimit"] != float64(PublicRateLimit) || settings["ThrottlingBurstLimit"] != float64(PublicBurstLimit) || settings["DetailedMetricsEnabled"] != true {
				t.Errorf("public route %s: route settings %v, want rate %d burst %d with detailed metrics", r.Key(), settings, PublicRateLimit, PublicBurstLimit)
			}
			// API Gateway refuses route settings for a route not yet created.
			if deps := toJSON(t, stage.DependsOn); !strings.Contains(deps, `"`+idOf[r.Key()]+`"`) {
				t.Errorf("the stage does not wait for public route %s (DependsOn %s): the deploy would fail", r.Key(), deps)
			}
		}
	}
	def, _ := stage.Properties["DefaultRouteSettings"].(map[string]any)
	if def["ThrottlingRateLimit"] != float64(APIRateLimit) || def["ThrottlingBurstLimit"] != float64(APIBurstLimit) {
		t.Errorf("default route settings %v, want rate %d burst %d", def, APIRateLimit, APIBurstLimit)
	}
}

// Access logs go to a log group with retention, as JSON without the
// caller's IP address or the raw path (which holds link tokens).
func TestAPIAccessLogs(t *testing.T) {
	s := synthDefault(t)
	stage := only(t, resources(t, s.stateless, "AWS::ApiGatewayV2::Stage"))
	als, _ := stage.Properties["AccessLogSettings"].(map[string]any)
	format, _ := als["Format"].(string)
	for _, forbidden := range []string{"$context.identity.sourceIp", "$context.path", "$context.identity.userAgent"} {
		if strings.Contains(format, forbidden) {
			t.Errorf("access log format logs %s", forbidden)
		}
	}
	if !strings.Contains(format, "$context.routeKey") || !strings.Contains(format, "$context.status") {
		t.Errorf("access log format %s lacks the route key or status", format)
	}
	dest := toJSON(t, als["DestinationArn"])
	for id, lg := range resources(t, s.stateless, "AWS::Logs::LogGroup") {
		if dest == toJSON(t, getAtt(id, "Arn")) {
			if lg.Properties["RetentionInDays"] != float64(DefaultLogRetentionDays) {
				t.Errorf("access log retention %v, want %d", lg.Properties["RetentionInDays"], DefaultLogRetentionDays)
			}
			return
		}
	}
	t.Errorf("access logs go to %s, not a log group of the stack", dest)
}

// An existing user pool replaces the one the stateful stack creates; its
// client and the console's are the authorizer's audience.
func TestExistingUserPool(t *testing.T) {
	s := synth(t, topology.App, map[string]any{
		ContextRecruiterUserPoolID:       "eu-west-1_AbCdEf123",
		ContextRecruiterUserPoolClientID: "1example23456789",
	})
	s.stateful.ResourceCountIs(jsii.String("AWS::Cognito::UserPool"), jsii.Number(0))
	s.stateless.HasResourceProperties(jsii.String("AWS::ApiGatewayV2::Authorizer"), map[string]any{
		"AuthorizerType": "JWT",
		"JwtConfiguration": map[string]any{
			"Audience": assertions.Match_ArrayWith(&[]any{"1example23456789"}),
			"Issuer":   assertions.Match_AnyValue(),
		},
	})
	issuer := toJSON(t, only(t, resources(t, s.stateless, "AWS::ApiGatewayV2::Authorizer")).Properties["JwtConfiguration"].(map[string]any)["Issuer"])
	if !strings.Contains(issuer, "eu-west-1_AbCdEf123") {
		t.Errorf("issuer %s does not name the existing pool", issuer)
	}
}

// The created user pool is invitation-only, with MFA and a strong password policy.
func TestRecruiterUserPool(t *testing.T) {
	s := synthDefault(t)
	s.stateful.HasResource(jsii.String("AWS::Cognito::UserPool"), map[string]any{
		"DeletionPolicy": "Retain",
		"Properties": assertions.Match_ObjectLike(&map[string]any{
			"AdminCreateUserConfig": map[string]any{"AllowAdminCreateUserOnly": true},
			"MfaConfiguration":      "ON",
			"DeletionProtection":    "ACTIVE",
			"Policies": map[string]any{"PasswordPolicy": assertions.Match_ObjectLike(&map[string]any{
				"MinimumLength": 12, "RequireSymbols": true, "RequireNumbers": true,
			})},
		}),
	})
	// Recruiters sign in with SRP only: no OAuth flow, so no callback URL a
	// token could be sent to.
	client := only(t, resources(t, s.stateful, "AWS::Cognito::UserPoolClient"))
	for _, k := range []string{"AllowedOAuthFlows", "CallbackURLs", "AllowedOAuthScopes"} {
		if v, ok := client.Properties[k]; ok {
			t.Errorf("recruiter client has %s = %v", k, v)
		}
	}
	if client.Properties["AllowedOAuthFlowsUserPoolClient"] == true || client.Properties["EnableTokenRevocation"] != true {
		t.Errorf("recruiter client %v", client.Properties)
	}
}

func only(t testing.TB, m map[string]TemplateResource) TemplateResource {
	t.Helper()
	if len(m) != 1 {
		t.Fatalf("%d resources, want 1", len(m))
	}
	for _, r := range m {
		return r
	}
	return TemplateResource{}
}
