// Command serve-console serves the recruiters' console under /console:
// sign-in with the OpenID Connect provider (authorization code and PKCE, the
// token kept in an HttpOnly cookie), the candidates and their consents, and
// actions that call the recruiter API with the recruiter's own token.
package main

import (
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/consentflow/consentflow/shared/env"
	"github.com/consentflow/consentflow/shared/signin"
	"github.com/consentflow/consentflow/shared/store"
)

func main() {
	log := env.Logger()
	vars := env.Require(log, "TABLE_NAME", "API_URL")
	provider, err := signin.ProviderFromEnv(os.Getenv)
	if err != nil {
		env.Fatal(log, err)
	}
	logout, err := url.Parse(provider.LogoutURL)
	if err != nil {
		env.Fatal(log, err)
	}
	base := strings.TrimSuffix(vars[1], "/")
	h := &Handler{
		Store:          store.New(dynamodb.NewFromConfig(env.AWS(log)), vars[0], env.Require(log, "AUDIT_TABLE_NAME")[0]),
		API:            &APIClient{BaseURL: base},
		SignIn:         provider,
		Verifier:       provider.Verifier(),
		BaseURL:        base,
		ProviderOrigin: logout.Scheme + "://" + logout.Host,
		ErasureWindow:  env.Days(log, "ERASURE_DIGEST_DAYS"),
		Log:            log,
		Now:            time.Now,
	}
	lambda.Start(h.Handle)
}
