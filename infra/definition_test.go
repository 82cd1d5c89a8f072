package main

import (
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/consentflow/consentflow/infra/topology"
)

func TestParseDefinition(t *testing.T) {
	twoFunctions := topology.Workflow{Name: "test", Functions: []string{"record-consent-request", "send-consent-link"}}
	for _, c := range []struct {
		file     string
		workflow topology.Workflow
		invokes  []string
		problem  string // part of the DefinitionError; empty: no error
	}{
		{"parallel-and-map", twoFunctions, []string{"record-consent-request", "send-consent-link"}, ""},
		{"dynamodb-task", twoFunctions, nil, "not a Lambda invocation"},
		{"dynamic-function", twoFunctions, nil, "literal FunctionName"},
		{"unknown-placeholder", twoFunctions, nil, "${DeleteEverythingFunctionArn} is not one of the topology's substitutions"},
		{"unused-function", twoFunctions, nil, "topology lists function send-consent-link but no Task invokes it"},
		{"not-json", twoFunctions, nil, "not JSON"},
	} {
		t.Run(c.file, func(t *testing.T) {
			b, err := os.ReadFile(filepath.Join("testdata", "asl", c.file+".asl.json"))
			if err != nil {
				t.Fatal(err)
			}
			d, err := ParseDefinition(c.workflow, b)
			if c.problem == "" {
				if err != nil {
					t.Fatal(err)
				}
				if !slices.Equal(d.Invokes, c.invokes) {
					t.Errorf("invokes %v, want %v", d.Invokes, c.invokes)
				}
				return
			}
			var de *DefinitionError
			if !errors.As(err, &de) {
				t.Fatalf("error %v, want a *DefinitionError", err)
			}
			if !strings.Contains(err.Error(), c.problem) {
				t.Errorf("error %q, want it to say %q", err, c.problem)
			}
		})
	}
}

// Every workflow's ASL file parses against the topology.
func TestTopologyDefinitionsParse(t *testing.T) {
	for _, w := range topology.App.Workflows {
		d, err := LoadDefinition(repoRoot, w)
		if err != nil {
			t.Fatal(err)
		}
		want := append([]string{}, w.Functions...)
		sort.Strings(want)
		if !slices.Equal(d.Invokes, want) {
			t.Errorf("workflow %s invokes %v, topology lists %v", w.Name, d.Invokes, want)
		}
	}
}

// A state machine's role may invoke exactly the functions its ASL file
// names, and do nothing else but deliver its logs and traces.
func TestWorkflowPolicyMatchesASL(t *testing.T) {
	s := synthEverything(t)
	fnIDs := logicalIDByTag(t, s.stateless, "AWS::Lambda::Function", TagFunction)
	smIDs := logicalIDByTag(t, s.stateless, "AWS::StepFunctions::StateMachine", TagWorkflow)
	sms := resources(t, s.stateless, "AWS::StepFunctions::StateMachine")
	policies := resources(t, s.stateless, "AWS::IAM::Policy")
	placeholderRE := regexp.MustCompile(`\$\{([A-Za-z0-9]+)FunctionArn\}`)
	logsAndTraces := map[string]bool{
		"logs:CreateLogDelivery": true, "logs:DeleteLogDelivery": true, "logs:DescribeLogGroups": true,
		"logs:DescribeResourcePolicies": true, "logs:GetLogDelivery": true, "logs:ListLogDeliveries": true,
		"logs:PutResourcePolicy": true, "logs:UpdateLogDelivery": true, "xray:GetSamplingRules": true,
		"xray:GetSamplingTargets": true, "xray:PutTelemetryRecords": true, "xray:PutTraceSegments": true,
	}
	for _, w := range topology.App.Workflows {
		asl, err := os.ReadFile(filepath.Join(repoRoot, w.File()))
		if err != nil {
			t.Fatal(err)
		}
		// What the ASL file calls: every ${<Pascal>FunctionArn} it holds.
		var want []string
		for _, m := range placeholderRE.FindAllStringSubmatch(string(asl), -1) {
			for _, f := range topology.App.Functions {
				if topology.Pascal(f.Name) == m[1] {
					want = append(want, toJSON(t, getAtt(fnIDs[f.Name], "Arn")))
				}
			}
		}
		sort.Strings(want)
		want = slices.Compact(want)

		// RoleArn is {"Fn::GetAtt": [role, "Arn"]}; policies name it {"Ref": role}.
		roleArn, _ := sms[smIDs[w.Name]].Properties["RoleArn"].(map[string]any)["Fn::GetAtt"].([]any)
		if len(roleArn) != 2 {
			t.Fatalf("workflow %s: RoleArn is not a role of the stack", w.Name)
		}
		roleRef := toJSON(t, map[string]any{"Ref": roleArn[0]})
		var invokes []string
		for id, p := range policies {
			if !slices.ContainsFunc(p.Properties["Roles"].([]any), func(r any) bool { return toJSON(t, r) == roleRef }) {
				continue
			}
			for _, st := range p.Properties["PolicyDocument"].(map[string]any)["Statement"].([]any) {
				st := st.(map[string]any)
				actions := st["Action"]
				if a, ok := actions.(string); ok {
					actions = []any{a}
				}
				for _, a := range actions.([]any) {
					switch {
					case a == "lambda:InvokeFunction":
						res := st["Resource"]
						if _, ok := res.([]any); !ok {
							res = []any{res}
						}
						for _, r := range res.([]any) {
							invokes = append(invokes, toJSON(t, r))
						}
					case logsAndTraces[a.(string)]:
						if st["Resource"] != "*" {
							t.Errorf("workflow %s: %s on %v", w.Name, a, st["Resource"])
						}
					default:
						t.Errorf("workflow %s: policy %s allows %s, which its ASL file does not use", w.Name, id, a)
					}
				}
			}
		}
		sort.Strings(invokes)
		if !slices.Equal(invokes, want) {
			t.Errorf("workflow %s may invoke %v, its ASL file invokes %v", w.Name, invokes, want)
		}
	}
}
