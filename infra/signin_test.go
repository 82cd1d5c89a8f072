package main

import (
	"strings"
	"testing"

	"github.com/aws/jsii-runtime-go"
)

// Recruiters sign in to the console with Cognito managed login: the code
// flow with a public client (PKCE), callback and sign-out URLs on the API's
// own URL, the console's client in the authorizer's audience, and the
// outputs a deployer needs.
func TestConsoleSignIn(t *testing.T) {
	s := synthDefault(t)
	domain := only(t, resources(t, s.stateless, "AWS::Cognito::UserPoolDomain"))
	if domain.Properties["ManagedLoginVersion"] != float64(2) {
		t.Errorf("domain %v, want managed login (version 2)", domain.Properties)
	}
	if prefix := toJSON(t, domain.Properties["Domain"]); !strings.Contains(prefix, "consentflow-") || !strings.Contains(prefix, "AWS::AccountId") {
		t.Errorf("default domain prefix %s, want consentflow-<account id>", prefix)
	}
	var consoleID string
	for id, c := range resources(t, s.stateless, "AWS::Cognito::UserPoolClient") {
		p := c.Properties
		if p["ClientName"] != "consentflow-console" {
			continue
		}
		consoleID = id
		if toJSON(t, p["AllowedOAuthFlows"]) != `["code"]` || p["AllowedOAuthFlowsUserPoolClient"] != true || p["GenerateSecret"] != false {
			t.Errorf("console client flows %v, user pool client %v, secret %v: want the code flow on a public client",
				p["AllowedOAuthFlows"], p["AllowedOAuthFlowsUserPoolClient"], p["GenerateSecret"])
		}
		if cb := toJSON(t, p["CallbackURLs"]); !strings.Contains(cb, "/console/callback") || !strings.Contains(cb, "ApiEndpoint") {
			t.Errorf("callback URLs %s, want the API's URL + /console/callback", cb)
		}
		if out := toJSON(t, p["LogoutURLs"]); !strings.Contains(out, "/console/signed-out") {
			t.Errorf("sign-out URLs %s", out)
		}
		if scopes := toJSON(t, p["AllowedOAuthScopes"]); !strings.Contains(scopes, "openid") {
			t.Errorf("scopes %s", scopes)
		}
	}
	if consoleID == "" {
		t.Fatal("no console app client in the stateless stack")
	}
	only(t, resources(t, s.stateless, "AWS::Cognito::ManagedLoginBranding"))
	auth := toJSON(t, only(t, resources(t, s.stateless, "AWS::ApiGatewayV2::Authorizer")).Properties["JwtConfiguration"])
	if !strings.Contains(auth, consoleID) {
		t.Errorf("authorizer %s: the console client is not in the audience", auth)
	}

	outputs := s.stateless.FindOutputs(jsii.String("*"), map[string]any{})
	for _, name := range []string{"AppUrl", "ConsoleUrl", "UserPoolId", "ConsoleClientId", "SignInUrl"} {
		if _, ok := (*outputs)[name]; !ok {
			t.Errorf("no stack output %s", name)
		}
	}

	// The console function knows the provider and the API.
	fn := resources(t, s.stateless, "AWS::Lambda::Function")[logicalIDByTag(t, s.stateless, "AWS::Lambda::Function", TagFunction)["serve-console"]]
	env := toJSON(t, fn.Properties["Environment"])
	for _, v := range []string{"API_URL", "SIGNIN_ISSUER", "SIGNIN_CLIENT_ID", "SIGNIN_AUTHORIZE_URL", "SIGNIN_TOKEN_URL", "SIGNIN_LOGOUT_URL", "SIGNIN_JWKS_URL"} {
		if !strings.Contains(env, `"`+v+`"`) {
			t.Errorf("serve-console lacks %s: %s", v, env)
		}
	}
	if !strings.Contains(env, "cognito-idp.") || !strings.Contains(env, "/oauth2/token") {
		t.Errorf("serve-console's provider: %s", env)
	}
}
