package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/consentflow/consentflow/infra/topology"
)

// Definition is a workflow's ASL file as the CDK app deploys it: the text,
// with ${Key} placeholders left for DefinitionSubstitutions, and the calls
// its Task states make, from which the state machine's policy is built.
type Definition struct {
	Workflow topology.Workflow
	ASL      string
	// Invokes lists the functions the Task states invoke, by topology name.
	Invokes []string
}

// DefinitionError reports an ASL file the CDK app cannot deploy safely.
type DefinitionError struct {
	Workflow string
	State    string
	Problem  string
}

func (e *DefinitionError) Error() string {
	if e.State == "" {
		return fmt.Sprintf("workflow %s: %s", e.Workflow, e.Problem)
	}
	return fmt.Sprintf("workflow %s, state %q: %s", e.Workflow, e.State, e.Problem)
}

// LoadDefinition reads statemachines/<workflow>.asl.json under repoRoot.
func LoadDefinition(repoRoot string, w topology.Workflow) (Definition, error) {
	b, err := os.ReadFile(filepath.Join(repoRoot, w.File()))
	if err != nil {
		return Definition{}, fmt.Errorf("load workflow %s: %w", w.Name, err)
	}
	return ParseDefinition(w, b)
}

var placeholder = regexp.MustCompile(`\$\{([A-Za-z0-9_]+)\}`)

// ParseDefinition checks an ASL document against its topology workflow and
// lists the functions it invokes. Every Task must be a Lambda invocation of a
// substituted function ARN: any other integration needs its own permissions
// here before it can be deployed, so it is an error rather than a silent gap.
func ParseDefinition(w topology.Workflow, asl []byte) (Definition, error) {
	var doc stateMachineDoc
	if err := json.Unmarshal(asl, &doc); err != nil {
		return Definition{}, &DefinitionError{Workflow: w.Name, Problem: "not JSON: " + err.Error()}
	}
	subs := w.Substitutions()
	for _, m := range placeholder.FindAllStringSubmatch(string(asl), -1) {
		if _, ok := subs[m[1]]; !ok {
			return Definition{}, &DefinitionError{Workflow: w.Name, Problem: fmt.Sprintf("placeholder ${%s} is not one of the topology's substitutions", m[1])}
		}
	}
	invoked := map[string]bool{}
	if err := doc.walk(func(name string, s stateDoc) error {
		if s.Type != "Task" {
			return nil
		}
		fn, err := s.invokedFunction(subs)
		if err != nil {
			return &DefinitionError{Workflow: w.Name, State: name, Problem: err.Error()}
		}
		invoked[fn] = true
		return nil
	}); err != nil {
		return Definition{}, err
	}
	d := Definition{Workflow: w, ASL: string(asl)}
	for fn := range invoked {
		d.Invokes = append(d.Invokes, fn)
	}
	sort.Strings(d.Invokes)
	for _, fn := range w.Functions {
		if !invoked[fn] {
			return Definition{}, &DefinitionError{Workflow: w.Name, Problem: fmt.Sprintf("topology lists function %s but no Task invokes it", fn)}
		}
	}
	return d, nil
}

type stateMachineDoc struct {
	StartAt string              `json:"StartAt"`
	States  map[string]stateDoc `json:"States"`
}

type stateDoc struct {
	Type          string            `json:"Type"`
	Resource      string            `json:"Resource"`
	Parameters    map[string]any    `json:"Parameters"`
	Arguments     map[string]any    `json:"Arguments"`
	Branches      []stateMachineDoc `json:"Branches"`
	Iterator      *stateMachineDoc  `json:"Iterator"`
	ItemProcessor *stateMachineDoc  `json:"ItemProcessor"`
}

// walk visits every state, nested ones (Parallel branches, Map processors)
// included.
func (m stateMachineDoc) walk(visit func(name string, s stateDoc) error) error {
	names := make([]string, 0, len(m.States))
	for n := range m.States {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		s := m.States[n]
		if err := visit(n, s); err != nil {
			return err
		}
		nested := append([]stateMachineDoc{}, s.Branches...)
		if s.Iterator != nil {
			nested = append(nested, *s.Iterator)
		}
		if s.ItemProcessor != nil {
			nested = append(nested, *s.ItemProcessor)
		}
		for _, sub := range nested {
			if err := sub.walk(visit); err != nil {
				return err
			}
		}
	}
	return nil
}

// invokedFunction returns the topology function a Task state invokes.
func (s stateDoc) invokedFunction(subs map[string]string) (string, error) {
	target := s.Resource
	switch strings.TrimSuffix(s.Resource, ".waitForTaskToken") {
	case "arn:aws:states:::lambda:invoke":
		args := s.Parameters
		if args == nil {
			args = s.Arguments
		}
		name, _ := args["FunctionName"].(string)
		if name == "" {
			return "", fmt.Errorf("lambda:invoke needs a literal FunctionName (a dynamic %q cannot be granted narrowly)", "FunctionName.$")
		}
		target = name
	}
	m := placeholder.FindStringSubmatch(target)
	if m == nil || m[0] != target {
		return "", fmt.Errorf("resource %q is not a Lambda invocation of a ${<Function>FunctionArn} placeholder; add its permissions to the CDK app first", s.Resource)
	}
	fn, ok := subs[m[1]]
	if !ok {
		return "", fmt.Errorf("placeholder ${%s} names no function of the workflow", m[1])
	}
	return fn, nil
}
