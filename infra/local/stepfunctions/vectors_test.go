package stepfunctions_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"
)

// vector is one recorded behaviour: a definition, an input, and the expected
// output, or the expected error and (part of the) cause. Source says where
// the expectation comes from.
type vector struct {
	Name          string          `json:"name"`
	Source        string          `json:"source"`
	Definition    json.RawMessage `json:"definition"`
	Input         json.RawMessage `json:"input"`
	Output        json.RawMessage `json:"output"`
	Status        string          `json:"status"`
	Error         *string         `json:"error"`
	CauseContains string          `json:"causeContains"`
	Invocations   map[string]int  `json:"invocations"`
}

// vectorFunctions are the Lambda functions vectors may call.
func vectorFunctions() map[string]fn {
	return map[string]fn{
		"identity": func(p json.RawMessage) (any, *functionError) { return p, nil },
		"fail": func(p json.RawMessage) (any, *functionError) {
			var in struct{ ErrorType, Message string }
			_ = json.Unmarshal(p, &in)
			if in.ErrorType == "" {
				in.ErrorType = "CustomError"
			}
			return nil, &functionError{Type: in.ErrorType, Message: in.Message}
		},
		"silent": func(json.RawMessage) (any, *functionError) { return map[string]any{}, nil },
	}
}

func loadVectors(t *testing.T) []vector {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", "vectors", "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no vectors: %v", err)
	}
	var all []vector
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var vs []vector
		if err := json.Unmarshal(b, &vs); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		for i := range vs {
			vs[i].Name = strings.TrimSuffix(filepath.Base(f), ".json") + "/" + vs[i].Name
		}
		all = append(all, vs...)
	}
	return all
}

func TestVectors(t *testing.T) {
	vectors := loadVectors(t)
	if len(vectors) < 60 {
		t.Errorf("only %d vectors, want at least 60", len(vectors))
	}
	for _, v := range vectors {
		t.Run(v.Name, func(t *testing.T) {
			if v.Source == "" {
				t.Fatal("vector has no source")
			}
			h := newHarness(t, vectorFunctions())
			sm := h.create("vector", string(v.Definition))
			input := "{}"
			if len(v.Input) > 0 {
				input = string(v.Input)
			}
			arn := h.start(sm, "", input)
			out := h.wait(arn, true)
			want := v.Status
			if want == "" {
				want = "SUCCEEDED"
				if v.Error != nil {
					want = "FAILED"
				}
			}
			if string(out.Status) != want {
				t.Fatalf("status %s (error %q, cause %q), want %s", out.Status, aws.ToString(out.Error), aws.ToString(out.Cause), want)
			}
			if v.Error != nil && aws.ToString(out.Error) != *v.Error {
				t.Errorf("error %q (cause %q), want %q", aws.ToString(out.Error), aws.ToString(out.Cause), *v.Error)
			}
			if v.CauseContains != "" && !strings.Contains(aws.ToString(out.Cause), v.CauseContains) {
				t.Errorf("cause %q, want it to contain %q", aws.ToString(out.Cause), v.CauseContains)
			}
			if len(v.Output) > 0 {
				var got, exp any
				if err := json.Unmarshal([]byte(aws.ToString(out.Output)), &got); err != nil {
					t.Fatalf("output %q: %v", aws.ToString(out.Output), err)
				}
				if err := json.Unmarshal(v.Output, &exp); err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(got, exp) {
					t.Errorf("output %s, want %s", aws.ToString(out.Output), v.Output)
				}
			}
			for name, n := range v.Invocations {
				if got := h.lambda.callCount(name); got != n {
					t.Errorf("%s invoked %d times, want %d", name, got, n)
				}
			}
		})
	}
}

// TestVectorsAreValidDefinitions checks every vector's definition passes
// ValidateStateMachineDefinition.
func TestVectorsAreValidDefinitions(t *testing.T) {
	h := newHarness(t, nil)
	for _, v := range loadVectors(t) {
		out, err := h.sfn.ValidateStateMachineDefinition(context.Background(), &sfn.ValidateStateMachineDefinitionInput{Definition: aws.String(string(v.Definition))})
		if err != nil {
			t.Fatalf("%s: %v", v.Name, err)
		}
		if out.Result != types.ValidateStateMachineDefinitionResultCodeOk {
			t.Errorf("%s: %s", v.Name, fmt.Sprint(out.Diagnostics))
		}
	}
}
