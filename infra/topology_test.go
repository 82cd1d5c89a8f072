package main

import (
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"

	"github.com/consentflow/consentflow/infra/topology"
)

// The template holds exactly the topology's functions, routes and workflows.
func TestTemplateMatchesTopology(t *testing.T) {
	s := synthDefault(t)
	got := InventoryOf(parsed(t, s.stateless))
	var want Inventory
	for _, f := range topology.App.Functions {
		want.Functions = append(want.Functions, f.Name)
	}
	for _, r := range topology.App.Routes {
		want.Routes = append(want.Routes, r.Key())
	}
	for _, w := range topology.App.Workflows {
		want.StateMachines = append(want.StateMachines, w.Name)
	}
	want.sort()
	for _, c := range []struct {
		what      string
		got, want []string
	}{
		{"functions", got.Functions, want.Functions},
		{"routes", got.Routes, want.Routes},
		{"state machines", got.StateMachines, want.StateMachines},
	} {
		if !slices.Equal(c.got, c.want) {
			t.Errorf("%s: template has %v, topology has %v", c.what, c.got, c.want)
		}
	}
	if stateful := InventoryOf(parsed(t, s.stateful)); len(stateful.Functions)+len(stateful.Routes)+len(stateful.StateMachines) != 0 {
		t.Errorf("stateful stack holds stateless resources: %+v", stateful)
	}
}

// ReadInventory reads what `cdk synth` writes to cdk.out.
func TestReadInventoryOfAssembly(t *testing.T) {
	s := synthDefault(t)
	dir := t.TempDir()
	for name, tpl := range map[string]assertions.Template{"a.template.json": s.stateful, "b.template.json": s.stateless} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(toJSON(t, tpl.ToJSON())), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	inv, err := ReadInventory(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(inv.Functions) != len(topology.App.Functions) || len(inv.Routes) != len(topology.App.Routes) ||
		len(inv.StateMachines) != len(topology.App.Workflows) {
		t.Errorf("inventory %+v does not match the topology", inv)
	}
	if _, err := ReadInventory(t.TempDir()); err == nil {
		t.Error("an empty folder gave an inventory, want an error")
	}
}

// Every function runs its own bootstrap on Graviton, with JSON logs kept for
// the configured retention, tracing on, and its own role.
func TestFunctionsRunTheirBootstrap(t *testing.T) {
	s := synthDefault(t)
	fns := resources(t, s.stateless, "AWS::Lambda::Function")
	roles := map[any]string{}
	for id, fn := range fns {
		name, _ := tag(fn, TagFunction)
		p := fn.Properties
		checks := []struct {
			what      string
			got, want any
		}{
			{"runtime", p["Runtime"], "provided.al2023"},
			{"architectures", toJSON(t, p["Architectures"]), `["arm64"]`},
			{"handler", p["Handler"], "bootstrap"},
			{"tracing", toJSON(t, p["TracingConfig"]), `{"Mode":"Active"}`},
			{"log format", toJSON(t, p["LoggingConfig"].(map[string]any)["LogFormat"]), `"JSON"`},
		}
		for _, c := range checks {
			if c.got != c.want {
				t.Errorf("function %s (%s): %s = %v, want %v", name, id, c.what, c.got, c.want)
			}
		}
		role := toJSON(t, p["Role"])
		if other, dup := roles[role]; dup {
			t.Errorf("functions %s and %s share a role", name, other)
		}
		roles[role] = name
	}
	s.stateless.ResourcePropertiesCountIs(jsii.String("AWS::Logs::LogGroup"), map[string]any{"RetentionInDays": DefaultLogRetentionDays},
		jsii.Number(float64(len(topology.App.Functions)+len(topology.App.Workflows)+1)))
	s.stateless.ResourceCountIs(jsii.String("AWS::IAM::ManagedPolicy"), jsii.Number(0))
	for id, role := range resources(t, s.stateless, "AWS::IAM::Role") {
		if arns, ok := role.Properties["ManagedPolicyArns"]; ok {
			t.Errorf("role %s has managed policies %v", id, arns)
		}
	}
}

// Each function's environment resolves its topology references: settings
// from context, the table name, the workflow ARN, and an empty public base
// URL becomes the API's own URL.
func TestFunctionEnvironment(t *testing.T) {
	s := synthDefault(t)
	ctx := cdkContext(t, nil)
	fnIDs := logicalIDByTag(t, s.stateless, "AWS::Lambda::Function", TagFunction)
	smIDs := logicalIDByTag(t, s.stateless, "AWS::StepFunctions::StateMachine", TagWorkflow)
	fns := resources(t, s.stateless, "AWS::Lambda::Function")
	apiID := ""
	for id := range resources(t, s.stateless, "AWS::ApiGatewayV2::Api") {
		apiID = id
	}
	for _, f := range topology.App.Functions {
		fn := fns[fnIDs[f.Name]]
		environment, _ := fn.Properties["Environment"].(map[string]any) // none: a function with no variables
		vars, _ := environment["Variables"].(map[string]any)
		if len(vars) != len(f.Env) {
			t.Errorf("function %s: %d environment variables, topology has %d", f.Name, len(vars), len(f.Env))
		}
		for name, ref := range f.Env {
			got := toJSON(t, vars[name])
			switch {
			case ref.Kind == topology.Setting && ref.Name == topology.SettingPublicBaseURL:
				if !strings.Contains(got, apiID) {
					t.Errorf("function %s: %s = %s, want the API's URL", f.Name, name, got)
				}
			case ref.Kind == topology.Setting:
				if want := toJSON(t, ctx[ref.Name]); got != want {
					t.Errorf("function %s: %s = %s, want %s from cdk.json", f.Name, name, got, want)
				}
			case ref.Kind == topology.WorkflowArn:
				if want := toJSON(t, map[string]any{"Ref": smIDs[ref.Name]}); got != want {
					t.Errorf("function %s: %s = %s, want %s", f.Name, name, got, want)
				}
			case ref.Kind == topology.SecretArn:
				if !strings.Contains(got, topology.Pascal(ref.Name)+"Secret") || !strings.Contains(got, "consentflow-stateful") {
					t.Errorf("function %s: %s = %s, want the stateful stack's secret ARN", f.Name, name, got)
				}
			case ref.Kind == topology.TableName:
				if !strings.Contains(got, "Table") || !strings.Contains(got, "consentflow-stateful") {
					t.Errorf("function %s: %s = %s, want the stateful stack's table name", f.Name, name, got)
				}
			}
		}
	}
}

// A context value reaches the functions that read the setting.
func TestSettingsComeFromContext(t *testing.T) {
	s := synth(t, topology.App, map[string]any{
		topology.SettingControllerName: "Acme Hiring GmbH",
		topology.SettingPublicBaseURL:  "https://consent.acme.example",
	})
	for _, f := range topology.App.Functions {
		if _, ok := f.Env["CONTROLLER_NAME"]; !ok {
			continue
		}
		s.stateless.HasResourceProperties(jsii.String("AWS::Lambda::Function"), map[string]any{
			"Tags": assertions.Match_ArrayWith(&[]any{map[string]any{"Key": TagFunction, "Value": f.Name}}),
			"Environment": map[string]any{"Variables": assertions.Match_ObjectLike(&map[string]any{
				"CONTROLLER_NAME": "Acme Hiring GmbH",
				"PUBLIC_BASE_URL": "https://consent.acme.example",
			})},
		})
	}
}

// Each state machine runs its ASL file with a substitution for each function
// the topology lists, resolved to that function's ARN.
func TestWorkflowsRunTheirASLFile(t *testing.T) {
	s := synthDefault(t)
	fnIDs := logicalIDByTag(t, s.stateless, "AWS::Lambda::Function", TagFunction)
	smIDs := logicalIDByTag(t, s.stateless, "AWS::StepFunctions::StateMachine", TagWorkflow)
	sms := resources(t, s.stateless, "AWS::StepFunctions::StateMachine")
	for _, w := range topology.App.Workflows {
		sm := sms[smIDs[w.Name]]
		wantType := "EXPRESS"
		if w.Standard {
			wantType = "STANDARD"
		}
		if sm.Properties["StateMachineType"] != wantType {
			t.Errorf("workflow %s: type %v, want %s", w.Name, sm.Properties["StateMachineType"], wantType)
		}
		asl, err := os.ReadFile(filepath.Join(repoRoot, w.File()))
		if err != nil {
			t.Fatal(err)
		}
		if got := toJSON(t, sm.Properties["DefinitionString"]); got != toJSON(t, string(asl)) {
			t.Errorf("workflow %s: the definition is not %s verbatim", w.Name, w.File())
		}
		subs, _ := sm.Properties["DefinitionSubstitutions"].(map[string]any)
		var keys []string
		for k := range subs {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		var want []string
		for k, fn := range w.Substitutions() {
			want = append(want, k)
			if got, wantRef := toJSON(t, subs[k]), toJSON(t, getAtt(fnIDs[fn], "Arn")); got != wantRef {
				t.Errorf("workflow %s: %s = %s, want %s (%s)", w.Name, k, got, wantRef, fn)
			}
		}
		sort.Strings(want)
		if !slices.Equal(keys, want) {
			t.Errorf("workflow %s: substitutions %v, want %v", w.Name, keys, want)
		}
	}
}
