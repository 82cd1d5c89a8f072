package main

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/sfn"

	"github.com/consentflow/consentflow/infra/local"
	"github.com/consentflow/consentflow/infra/topology"
)

// The synthesized template and a running local cloud, both built from the
// topology, serve the same functions, routes and state machines. The local
// side is read through its own APIs (Lambda ListFunctions, Step Functions
// ListStateMachines) and its HTTP front's route table.
func TestTemplateAndLocalCloudHaveTheSameTopology(t *testing.T) {
	template := InventoryOf(parsed(t, synthDefault(t).stateless))

	root, err := filepath.Abs(repoRoot)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	bootstraps := os.Getenv("CONSENTFLOW_BOOTSTRAPS")
	if bootstraps == "" {
		bootstraps = t.TempDir()
		if err := local.Build(ctx, root, bootstraps, topology.App); err != nil {
			t.Fatal(err)
		}
	}
	cloud, err := local.Start(ctx, topology.App, local.Config{Root: root, Bootstraps: bootstraps})
	if err != nil {
		t.Fatal(err)
	}
	defer cloud.Close()

	var got Inventory
	fns := lambda.New(lambda.Options{Region: local.Region, BaseEndpoint: aws.String(cloud.Endpoints["LAMBDA"]), Credentials: aws.AnonymousCredentials{}})
	pages := lambda.NewListFunctionsPaginator(fns, &lambda.ListFunctionsInput{})
	for pages.HasMorePages() {
		out, err := pages.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range out.Functions {
			got.Functions = append(got.Functions, aws.ToString(f.FunctionName))
		}
	}
	machines := sfn.New(sfn.Options{Region: local.Region, BaseEndpoint: aws.String(cloud.Endpoints["SFN"]), Credentials: aws.AnonymousCredentials{}})
	sms, err := machines.ListStateMachines(ctx, &sfn.ListStateMachinesInput{})
	if err != nil {
		t.Fatal(err)
	}
	for _, sm := range sms.StateMachines {
		got.StateMachines = append(got.StateMachines, aws.ToString(sm.Name))
	}
	for _, r := range cloud.Routes() {
		got.Routes = append(got.Routes, r.Key())
	}
	for _, s := range [][]string{got.Functions, got.Routes, got.StateMachines} {
		sort.Strings(s)
	}
	for _, c := range []struct {
		what               string
		local, synthesized []string
	}{
		{"functions", got.Functions, template.Functions},
		{"routes", got.Routes, template.Routes},
		{"state machines", got.StateMachines, template.StateMachines},
	} {
		if len(c.local) == 0 || !slices.Equal(c.local, c.synthesized) {
			t.Errorf("%s: local cloud serves %v, template has %v", c.what, c.local, c.synthesized)
		}
	}
}
