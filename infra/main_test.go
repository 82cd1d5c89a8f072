package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"

	"github.com/consentflow/consentflow/infra/topology"
)

func TestMain(m *testing.M) {
	code := m.Run()
	jsii.Close()
	os.Exit(code)
}

// repoRoot is where cdk.json and statemachines/ are; tests run in infra/.
const repoRoot = ".."

// cdkContext is cdk.json's context (feature flags and settings), as `cdk
// synth` passes it, with the Lambda assets pointed at the test placeholders.
func cdkContext(t testing.TB, overrides map[string]any) map[string]any {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(repoRoot, "cdk.json"))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Context map[string]any `json:"context"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatalf("cdk.json: %v", err)
	}
	doc.Context[ContextLambdaAssetRoot] = filepath.Join("testdata", "lambda")
	// cdk.json's controller, sender and notice are examples, refused
	// unless allowed; TestConfigFromContext checks the refusal.
	doc.Context[ContextAllowExampleSettings] = "true"
	for k, v := range overrides {
		doc.Context[k] = v
	}
	return doc.Context
}

// synthesized is one synthesized app and its templates.
type synthesized struct {
	app       *Consentflow
	stateful  assertions.Template
	stateless assertions.Template
}

// synth defines the app as main does (with cdk-nag) from app and the
// context overrides, and synthesizes both stacks.
func synth(t testing.TB, app topology.Application, overrides map[string]any, schedules ...Schedule) *synthesized {
	t.Helper()
	ctx := cdkContext(t, overrides)
	cdkApp := awscdk.NewApp(&awscdk.AppProps{Context: &ctx})
	cfg, err := ConfigFromContext(cdkApp.Node(), repoRoot)
	if err != nil {
		t.Fatal(err)
	}
	cf, err := NewConsentflow(cdkApp, app, cfg, schedules...)
	if err != nil {
		t.Fatal(err)
	}
	awscdk.Aspects_Of(cdkApp).Add(cdknag.NewAwsSolutionsChecks(&cdknag.NagPackProps{Verbose: jsii.Bool(true)}), nil)
	return &synthesized{
		app:       cf,
		stateful:  assertions.Template_FromStack(cf.Stateful.Stack, nil),
		stateless: assertions.Template_FromStack(cf.Stateless.Stack, nil),
	}
}

var (
	defaultOnce sync.Once
	defaultApp  *synthesized
)

// synthDefault is the app as cdk.json configures it, synthesized once.
func synthDefault(t testing.TB) *synthesized {
	t.Helper()
	defaultOnce.Do(func() { defaultApp = synth(t, topology.App, nil) })
	if defaultApp == nil {
		t.Fatal("default app did not synthesize")
	}
	return defaultApp
}

// parsed is a template as plain JSON.
func parsed(t testing.TB, tpl assertions.Template) Template {
	t.Helper()
	b, err := json.Marshal(tpl.ToJSON())
	if err != nil {
		t.Fatal(err)
	}
	var out Template
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// resources returns the resources of one type, by logical ID.
func resources(t testing.TB, tpl assertions.Template, typ string) map[string]TemplateResource {
	t.Helper()
	out := map[string]TemplateResource{}
	for id, r := range parsed(t, tpl).Resources {
		if r.Type == typ {
			out[id] = r
		}
	}
	return out
}

// logicalIDByTag maps topology names to logical IDs for a tagged type.
func logicalIDByTag(t testing.TB, tpl assertions.Template, typ, key string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for id, r := range resources(t, tpl, typ) {
		if name, ok := tag(r, key); ok {
			out[name] = id
		}
	}
	return out
}

// getAtt is the template form of {"Fn::GetAtt": [id, attr]}.
func getAtt(id, attr string) map[string]any {
	return map[string]any{"Fn::GetAtt": []any{id, attr}}
}

func toJSON(t testing.TB, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

var (
	everythingOnce sync.Once
	everythingApp  *synthesized
)

// everythingTopology is topology.App plus what it does not use yet: a
// function that reads and writes one bucket and reads the other, and a
// global secondary index that a querying function may query.
func everythingTopology() topology.Application {
	app := topology.App
	app.Functions = append([]topology.Function{}, topology.App.Functions...)
	f := app.Functions[0]
	f.Buckets = map[string][]topology.BucketAction{
		topology.CVBucket:        {topology.GetObject, topology.PutObject, topology.DeleteObject, topology.ListBucket},
		topology.RecordingBucket: {topology.GetObject},
	}
	f.Env = map[string]topology.Ref{"CV_BUCKET": {Kind: topology.BucketName, Name: topology.CVBucket}}
	for k, v := range app.Functions[0].Env {
		f.Env[k] = v
	}
	app.Functions[0] = f
	app.Table.Indexes = append(append([]topology.Index{}, app.Table.Indexes...), topology.Index{
		Name: "test-index", PartitionKey: topology.Key{Name: "gsi1pk", Type: "S"}, SortKey: topology.Key{Name: "gsi1sk", Type: "S"},
	})
	return app
}

// testSchedule starts the first workflow daily.
var testSchedule = Schedule{Name: "daily-sweep", Workflow: topology.App.Workflows[0].Name, Expression: "rate(1 day)", Input: `{"sweep":true}`}

// synthEverything synthesizes every optional feature at once: a schedule, a
// bucket user, a sender domain and an alarm email.
func synthEverything(t testing.TB) *synthesized {
	t.Helper()
	everythingOnce.Do(func() {
		everythingApp = synth(t, everythingTopology(), map[string]any{
			ContextSenderDomain: "example.com",
			ContextAlarmEmail:   "ops@example.com",
		}, testSchedule)
	})
	if everythingApp == nil {
		t.Fatal("app with every feature did not synthesize")
	}
	return everythingApp
}
