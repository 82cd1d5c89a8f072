package main

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscognito"
	"github.com/aws/jsii-runtime-go"

	"github.com/consentflow/consentflow/infra/topology"
)

// SignIn is how recruiters sign in to the console: Cognito managed login on
// a Cognito domain of the user pool, and the console's public app client
// (authorization code with PKCE, callback and sign-out URLs on the API's own
// URL). It lives in the stateless stack beside the API, so the stateful
// stack does not depend on it.
type SignIn struct {
	Domain awscognito.UserPoolDomain
	Client awscognito.UserPoolClient
	facts  map[string]*string // by topology.SignIn* name
}

// Token lifetimes of the console client, as the recruiter client's.
const (
	consoleTokenHours   = 1
	consoleRefreshHours = 12
)

// newSignIn defines the managed-login domain and the console client on pool.
func (s *StatelessStack) newSignIn(pool awscognito.IUserPool, cfg Config) *SignIn {
	prefix := jsii.String(cfg.SignInDomainPrefix)
	if cfg.SignInDomainPrefix == "" {
		// Cognito domain prefixes are unique per region: the account id makes
		// the default one unique without knowing it at synth.
		prefix = awscdk.Fn_Join(jsii.String(""), &[]*string{jsii.String("consentflow-"), awscdk.Aws_ACCOUNT_ID()})
	}
	domain := awscognito.NewUserPoolDomain(s.Stack, jsii.String("SignInDomain"), &awscognito.UserPoolDomainProps{
		UserPool:            pool,
		CognitoDomain:       &awscognito.CognitoDomainOptions{DomainPrefix: prefix},
		ManagedLoginVersion: awscognito.ManagedLoginVersion_NEWER_MANAGED_LOGIN,
	})
	api := s.API.ApiEndpoint()
	client := awscognito.NewUserPoolClient(s.Stack, jsii.String("ConsoleClient"), &awscognito.UserPoolClientProps{
		UserPool:           pool,
		UserPoolClientName: jsii.String("consentflow-console"),
		GenerateSecret:     jsii.Bool(false),
		AuthFlows:          &awscognito.AuthFlow{}, // only the managed login's code flow
		OAuth: &awscognito.OAuthSettings{
			Flows:        &awscognito.OAuthFlows{AuthorizationCodeGrant: jsii.Bool(true)},
			Scopes:       &[]awscognito.OAuthScope{awscognito.OAuthScope_OPENID(), awscognito.OAuthScope_EMAIL()},
			CallbackUrls: &[]*string{awscdk.Fn_Join(jsii.String(""), &[]*string{api, jsii.String("/console/callback")})},
			LogoutUrls:   &[]*string{awscdk.Fn_Join(jsii.String(""), &[]*string{api, jsii.String("/console/signed-out")})},
		},
		SupportedIdentityProviders: &[]awscognito.UserPoolClientIdentityProvider{awscognito.UserPoolClientIdentityProvider_COGNITO()},
		PreventUserExistenceErrors: jsii.Bool(true),
		EnableTokenRevocation:      jsii.Bool(true),
		AccessTokenValidity:        awscdk.Duration_Hours(jsii.Number(consoleTokenHours)),
		IdTokenValidity:            awscdk.Duration_Hours(jsii.Number(consoleTokenHours)),
		RefreshTokenValidity:       awscdk.Duration_Hours(jsii.Number(consoleRefreshHours)),
	})
	// Managed login (not the classic hosted UI) shows its pages once the
	// client has a branding; Cognito's own look is enough.
	awscognito.NewCfnManagedLoginBranding(s.Stack, jsii.String("ConsoleLoginBranding"), &awscognito.CfnManagedLoginBrandingProps{
		UserPoolId:               pool.UserPoolId(),
		ClientId:                 client.UserPoolClientId(),
		UseCognitoProvidedValues: jsii.Bool(true),
	})
	join := func(parts ...*string) *string { return awscdk.Fn_Join(jsii.String(""), &parts) }
	base := domain.BaseUrl(nil)
	// The issuer of the pool's tokens, as API Gateway's authorizer checks it.
	issuer := join(jsii.String("https://cognito-idp."), awscdk.Aws_REGION(), jsii.String(".amazonaws.com/"), pool.UserPoolId())
	return &SignIn{Domain: domain, Client: client, facts: map[string]*string{
		topology.SignInIssuer:       issuer,
		topology.SignInClientID:     client.UserPoolClientId(),
		topology.SignInAuthorizeURL: join(base, jsii.String("/oauth2/authorize")),
		topology.SignInTokenURL:     join(base, jsii.String("/oauth2/token")),
		topology.SignInLogoutURL:    join(base, jsii.String("/logout")),
		topology.SignInJWKSURL:      join(issuer, jsii.String("/.well-known/jwks.json")),
	}}
}

// Fact resolves a SignIn reference of a function's environment.
func (si *SignIn) Fact(name string) (*string, error) {
	v, ok := si.facts[name]
	if !ok {
		return nil, fmt.Errorf("unknown sign-in fact %q", name)
	}
	return v, nil
}

// domainPrefixRE is what Cognito accepts as a domain prefix.
var domainPrefixRE = regexp.MustCompile(`^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$`)

func domainPrefixError(p string) string {
	if !domainPrefixRE.MatchString(p) {
		return "lower-case letters, digits and hyphens, 1 to 63 characters, not starting or ending with a hyphen"
	}
	for _, w := range []string{"aws", "amazon", "cognito"} {
		if strings.Contains(p, w) {
			return "Cognito refuses a prefix containing " + w
		}
	}
	return ""
}
