// Command infra is Consentflow's AWS CDK app. It synthesizes, from the one
// topology in infra/topology, a stateful stack (table, buckets, keys, user
// pool) and a stateless stack (functions, workflows, HTTP API, mail,
// schedules, alarms, dashboard), checked by cdk-nag's AwsSolutions rules.
//
//	npx cdk synth          # from the repo root; cdk.json runs `go run ./infra`
package main

import (
	"fmt"
	"os"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"

	"github.com/consentflow/consentflow/infra/topology"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "infra:", err)
		jsii.Close()
		os.Exit(1)
	}
	jsii.Close()
}

func run() error {
	app := awscdk.NewApp(nil)
	root, err := FindRepoRoot(".")
	if err != nil {
		return err
	}
	cfg, err := ConfigFromContext(app.Node(), root)
	if err != nil {
		return err
	}
	if _, err := NewConsentflow(app, topology.App, cfg); err != nil {
		return err
	}
	awscdk.Aspects_Of(app).Add(cdknag.NewAwsSolutionsChecks(&cdknag.NagPackProps{Verbose: jsii.Bool(true)}), nil)
	app.Synth(nil)
	return nil
}
