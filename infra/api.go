package main

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigatewayv2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigatewayv2authorizers"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigatewayv2integrations"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscognito"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/jsii-runtime-go"

	"github.com/consentflow/consentflow/infra/topology"
)

// Throttling of the HTTP API, in requests per second (steady rate) and
// requests (burst). Candidate routes are public, so they get less.
const (
	APIRateLimit        = 50
	APIBurstLimit       = 100
	PublicRateLimit     = 10
	PublicBurstLimit    = 20
	RecruiterAuthorizer = "Recruiters"
)

// accessLogFormat is one JSON line per request. It leaves out the caller's
// IP address, user agent and the raw path (which holds a candidate's link
// token): the route key says which route was hit.
var accessLogFormat = mustJSON(map[string]string{
	"requestId":          "$context.requestId",
	"requestTime":        "$context.requestTimeEpoch",
	"routeKey":           "$context.routeKey",
	"status":             "$context.status",
	"responseLength":     "$context.responseLength",
	"responseLatency":    "$context.responseLatency",
	"integrationStatus":  "$context.integrationStatus",
	"integrationLatency": "$context.integrationLatency",
	"integrationError":   "$context.integrationErrorMessage",
	"authorizerError":    "$context.authorizer.error",
	"protocol":           "$context.protocol",
})

// newAPI defines the HTTP API and its $default stage, with JSON access logs
// and throttling. Routes are added by addRoutes once the functions exist.
func (s *StatelessStack) newAPI(app topology.Application, cfg Config) {
	s.API = awsapigatewayv2.NewHttpApi(s.Stack, jsii.String("Api"), &awsapigatewayv2.HttpApiProps{
		Description: jsii.String(app.Name + ": recruiter API and candidate consent pages"),
	})
	s.APILogs = awslogs.NewLogGroup(s.Stack, jsii.String("ApiAccessLogs"), &awslogs.LogGroupProps{
		Retention:     cfg.LogRetention,
		EncryptionKey: s.LogsKey,
		RemovalPolicy: awscdk.RemovalPolicy_RETAIN_ON_UPDATE_OR_DELETE,
	})
	stage := s.API.DefaultStage().Node().DefaultChild().(awsapigatewayv2.CfnStage)
	stage.SetAccessLogSettings(&awsapigatewayv2.CfnStage_AccessLogSettingsProperty{
		DestinationArn: s.APILogs.LogGroupArn(),
		Format:         jsii.String(accessLogFormat),
	})
	stage.SetDefaultRouteSettings(&awsapigatewayv2.CfnStage_RouteSettingsProperty{
		ThrottlingRateLimit:    jsii.Number(APIRateLimit),
		ThrottlingBurstLimit:   jsii.Number(APIBurstLimit),
		DetailedMetricsEnabled: jsii.Bool(true),
	})
}

// addRoutes adds every topology route: recruiter routes behind a JWT
// authorizer on the recruiters' user pool, public ones throttled harder.
func (s *StatelessStack) addRoutes(app topology.Application, pool awscognito.IUserPool, clients ...awscognito.IUserPoolClient) error {
	// The audience: the recruiter client and the console's, whose tokens the
	// console passes on when it calls the API for a recruiter.
	authorizer := awsapigatewayv2authorizers.NewHttpUserPoolAuthorizer(jsii.String(RecruiterAuthorizer), pool, &awsapigatewayv2authorizers.HttpUserPoolAuthorizerProps{
		UserPoolClients: &clients,
	})
	integrations := map[string]awsapigatewayv2integrations.HttpLambdaIntegration{}
	publicSettings := map[string]any{}
	var publicRoutes []awsapigatewayv2.HttpRoute
	for _, r := range app.Routes {
		fn, ok := s.Functions[r.Function]
		if !ok {
			return fmt.Errorf("route %s: unknown function %q", r.Key(), r.Function)
		}
		integration, ok := integrations[r.Function]
		if !ok {
			integration = awsapigatewayv2integrations.NewHttpLambdaIntegration(jsii.String(topology.Pascal(r.Function)+"Integration"), fn, &awsapigatewayv2integrations.HttpLambdaIntegrationProps{
				PayloadFormatVersion: awsapigatewayv2.PayloadFormatVersion_VERSION_2_0(),
			})
			integrations[r.Function] = integration
		}
		route := awsapigatewayv2.NewHttpRoute(s.Stack, jsii.String(routeID(r)), &awsapigatewayv2.HttpRouteProps{
			HttpApi:     s.API,
			RouteKey:    awsapigatewayv2.HttpRouteKey_With(jsii.String(r.Path), awsapigatewayv2.HttpMethod(strings.ToUpper(r.Method))),
			Integration: integration,
			Authorizer:  s.routeAuthorizer(app, r, authorizer),
		})
		s.Routes[r.Key()] = route
		if r.Auth == topology.Public {
			suppress(route, suppression("AwsSolutions-APIG4", reasonPublicRoute))
			// Route settings replace the stage defaults for the route, so
			// they repeat detailed metrics.
			publicSettings[r.Key()] = map[string]any{
				"ThrottlingRateLimit":    PublicRateLimit,
				"ThrottlingBurstLimit":   PublicBurstLimit,
				"DetailedMetricsEnabled": true,
			}
			publicRoutes = append(publicRoutes, route)
			s.publicRouteKeys = append(s.publicRouteKeys, r.Key())
		}
	}
	if len(publicSettings) > 0 {
		stage := s.API.DefaultStage().Node().DefaultChild().(awsapigatewayv2.CfnStage)
		stage.SetRouteSettings(publicSettings)
		// API Gateway refuses settings for a route that does not exist yet
		// ("Unable to find Route by key"): create the routes first.
		for _, route := range publicRoutes {
			stage.AddResourceDependency(route.Node().DefaultChild().(awscdk.CfnResource), jsii.String("route settings name the route"))
		}
	}
	return nil
}

// routeAuthorizer is a route's authorizer: the recruiters' JWT authorizer,
// the edge's origin authorizer for the public routes the edge serves (when
// there is an edge), none for other public routes.
func (s *StatelessStack) routeAuthorizer(app topology.Application, r topology.Route, recruiter awsapigatewayv2.IHttpRouteAuthorizer) awsapigatewayv2.IHttpRouteAuthorizer {
	switch {
	case r.Auth == topology.Recruiter:
		return recruiter
	case s.edgeAuthorizer != nil && slices.ContainsFunc(app.Edge.PathPrefixes, func(p string) bool { return strings.HasPrefix(r.Path, p) }):
		return s.edgeAuthorizer
	}
	return awsapigatewayv2.NewHttpNoneAuthorizer()
}

// routeID turns "POST /api/candidates/{id}/consents" into a construct id.
func routeID(r topology.Route) string {
	var b strings.Builder
	b.WriteString(topology.Pascal(strings.ToLower(r.Method)))
	for _, seg := range strings.Split(r.Path, "/") {
		seg = strings.Trim(seg, "{}")
		b.WriteString(topology.Pascal(seg))
	}
	return b.String() + "Route"
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}
