package workflow_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/consentflow/consentflow/infra/topology"
	"github.com/consentflow/consentflow/shared/workflow"
)

// steps maps each function a workflow invokes to its input and output types.
var steps = map[string]struct{ in, out any }{
	"record-consent-request": {workflow.RecordRequestInput{}, workflow.RecordRequestOutput{}},
	"send-consent-link":      {workflow.SendLinkInput{}, workflow.SendLinkOutput{}},
	"send-consent-receipt":   {workflow.SendReceiptInput{}, workflow.SendReceiptOutput{}},
	"expire-consent-request": {workflow.ExpireInput{}, workflow.ExpireOutput{}},
	"begin-erasure":          {workflow.BeginErasureInput{}, workflow.BeginErasureOutput{}},
	"delete-object-versions": {workflow.DeleteVersionsInput{}, workflow.DeleteVersionsOutput{}},
	"complete-erasure":       {workflow.CompleteErasureInput{}, workflow.ErasureResult{}},
	"record-erasure-failure": {workflow.RecordErasureFailureInput{}, workflow.RecordErasureFailureOutput{}},
	"send-erasure-notice":    {workflow.SendErasureNoticeInput{}, workflow.SendErasureNoticeOutput{}},
	"erase-profile":          {workflow.EraseProfileInput{}, workflow.EraseProfileOutput{}},
}

// states lists a definition's states, those of Map and Parallel states
// included, by name.
func states(def map[string]any) map[string]map[string]any {
	out := map[string]map[string]any{}
	ss, _ := def["States"].(map[string]any)
	for name, v := range ss {
		st, _ := v.(map[string]any)
		out[name] = st
		for _, key := range []string{"ItemProcessor", "Iterator"} {
			if inner, ok := st[key].(map[string]any); ok {
				for n, s := range states(inner) {
					out[n] = s
				}
			}
		}
		if branches, ok := st["Branches"].([]any); ok {
			for _, b := range branches {
				inner, _ := b.(map[string]any)
				for n, s := range states(inner) {
					out[n] = s
				}
			}
		}
	}
	return out
}

// jsonFields lists a struct's JSON names, and which of them are required
// (no omitempty).
func jsonFields(v any) (all, required []string) {
	t := reflect.TypeOf(v)
	for i := 0; i < t.NumField(); i++ {
		name, opts, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		if name == "" || name == "-" {
			continue
		}
		all = append(all, name)
		if !strings.Contains(opts, "omitempty") {
			required = append(required, name)
		}
	}
	return all, required
}

var payloadField = regexp.MustCompile(`^\$\.Payload\.([A-Za-z0-9_]+)`)

// TestASLPassesWhatEachStepTakes checks every Lambda task of every
// workflow: its Payload has exactly the step's input fields (an unknown
// field would fail the strictly decoding step; a missing required one
// would leave it empty), and its ResultSelector reads only fields the step
// returns.
func TestASLPassesWhatEachStepTakes(t *testing.T) {
	byKey := map[string]string{}
	for _, f := range topology.App.Functions {
		byKey["${"+topology.SubstitutionKey(f.Name)+"}"] = f.Name
	}
	checked := 0
	for _, w := range topology.App.Workflows {
		b, err := os.ReadFile(filepath.Join("..", "..", w.File()))
		if err != nil {
			t.Fatal(err)
		}
		var def map[string]any
		if err := json.Unmarshal(b, &def); err != nil {
			t.Fatal(err)
		}
		for name, st := range states(def) {
			params, _ := st["Parameters"].(map[string]any)
			fn, ok := byKey[toString(params["FunctionName"])]
			if st["Type"] != "Task" || !ok {
				continue
			}
			step, ok := steps[fn]
			if !ok {
				t.Errorf("%s / %q invokes %s, whose input and output are not typed in package workflow", w.Name, name, fn)
				continue
			}
			checked++
			payload, _ := params["Payload"].(map[string]any)
			var passed []string
			for k := range payload {
				passed = append(passed, strings.TrimSuffix(k, ".$"))
			}
			all, required := jsonFields(step.in)
			for _, k := range passed {
				if !slices.Contains(all, k) {
					t.Errorf("%s / %q passes %q to %s, which does not take it (it takes %v)", w.Name, name, k, fn, all)
				}
			}
			for _, k := range required {
				if !slices.Contains(passed, k) {
					t.Errorf("%s / %q does not pass %q to %s", w.Name, name, k, fn)
				}
			}
			outs, _ := jsonFields(step.out)
			sel, _ := st["ResultSelector"].(map[string]any)
			for _, v := range sel {
				if m := payloadField.FindStringSubmatch(toString(v)); m != nil && !slices.Contains(outs, m[1]) {
					t.Errorf("%s / %q selects %q from %s's output, which has only %v", w.Name, name, m[1], fn, outs)
				}
			}
		}
	}
	if checked == 0 {
		t.Fatal("no Lambda task found: the test checked nothing")
	}
}

func toString(v any) string {
	s, _ := v.(string)
	return s
}
