package stepfunctions

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
)

// definition is a parsed state machine, or a Parallel branch or Map item
// processor inside one.
type definition struct {
	StartAt        string
	States         map[string]*state
	TimeoutSeconds int64 // 0: none
}

// optPath is a path field that may be absent (the default "$"), null, or set.
// Set, it is compiled: read for InputPath, OutputPath and ItemsPath, ref
// for ResultPath.
type optPath struct {
	set  bool
	null bool
	path string
	read *valuePath
	ref  []pathSegment
}

var rootPath = &valuePath{text: "$", p: &compiledPath{text: "$", isRef: true, singular: true}}

func (p optPath) orDefault() optPath {
	if !p.set {
		return optPath{set: true, path: "$", read: rootPath}
	}
	return p
}

type state struct {
	Name    string
	Type    string
	Next    string
	End     bool
	Comment string

	InputPath, OutputPath, ResultPath optPath
	Parameters                        *template // nil when absent
	ResultSelector                    *template
	Result                            any
	HasResult                         bool

	// Task
	Resource             string
	TimeoutSeconds       int64
	TimeoutSecondsPath   *valuePath
	HeartbeatSeconds     int64
	HeartbeatSecondsPath *valuePath
	Retry                []retrier
	Catch                []catcher

	// Choice
	Choices []*choiceRule
	Default string

	// Wait
	Seconds       *int64
	Timestamp     string
	SecondsPath   *valuePath
	TimestampPath *valuePath

	// Fail
	Error, Cause         string
	ErrorPath, CausePath *dynamicString

	// Parallel
	Branches []*definition

	// Map
	ItemsPath          optPath
	ItemSelector       *template
	Processor          *definition
	MaxConcurrency     int64
	MaxConcurrencyPath *valuePath

	// usesContext says whether anything in the state reads the context
	// object ($$), so that runs of other states need not build it.
	usesContext bool
	// mayGrow says whether the state's output can be larger than its
	// input, so that its size must be checked.
	mayGrow bool
	// enteredType and exitedType are the history event types, e.g.
	// PassStateEntered, built once.
	enteredType, exitedType string
}

type retrier struct {
	ErrorEquals     []string
	IntervalSeconds float64
	MaxAttempts     int
	BackoffRate     float64
	MaxDelaySeconds float64
	JitterFull      bool
}

type catcher struct {
	ErrorEquals []string
	ResultPath  optPath
	Next        string
}

// definitionError is a problem CreateStateMachine reports as InvalidDefinition,
// in the style of ValidateStateMachineDefinition: a code, a message and where.
type definitionError struct {
	Code     string
	Message  string
	Location string
}

func (e *definitionError) Error() string {
	return fmt.Sprintf("%s: %s at %s", e.Code, e.Message, e.Location)
}

// definitionErrors collects every problem found in a definition.
type definitionErrors []*definitionError

func (es definitionErrors) Error() string {
	parts := make([]string, len(es))
	for i, e := range es {
		parts[i] = e.Error()
	}
	return fmt.Sprintf("Invalid State Machine Definition: '%s'", strings.Join(parts, ", "))
}

// parseDefinition parses and validates an ASL (JSONPath) definition.
func parseDefinition(text string) (*definition, error) {
	dec := json.NewDecoder(bytes.NewReader([]byte(text)))
	dec.UseNumber()
	var raw any
	if err := dec.Decode(&raw); err != nil {
		return nil, definitionErrors{{Code: "INVALID_JSON_DESCRIPTION", Message: err.Error(), Location: "/"}}
	}
	if dec.More() {
		return nil, definitionErrors{{Code: "INVALID_JSON_DESCRIPTION", Message: "trailing data after the definition", Location: "/"}}
	}
	p := &parser{}
	obj, ok := raw.(map[string]any)
	if !ok {
		return nil, definitionErrors{{Code: "SCHEMA_VALIDATION_FAILED", Message: "Expected value of type: Object", Location: "/"}}
	}
	if ql, ok := obj["QueryLanguage"]; ok && ql != "JSONPath" {
		p.fail("SCHEMA_VALIDATION_FAILED", "Only the JSONPath query language is supported locally", "/QueryLanguage")
	}
	d := p.machine(obj, "", true)
	if len(p.errs) > 0 {
		return nil, p.errs
	}
	return d, nil
}

type parser struct{ errs definitionErrors }

func (p *parser) fail(code, msg, loc string) {
	p.errs = append(p.errs, &definitionError{Code: code, Message: msg, Location: loc})
}

// maxWaitSeconds is the largest Seconds of a Wait state (AWS docs, Wait state).
const maxWaitSeconds = 99999999

var topLevelFields = []string{"Comment", "StartAt", "States", "TimeoutSeconds", "Version", "QueryLanguage"}
var branchFields = []string{"Comment", "StartAt", "States", "ProcessorConfig"}

func (p *parser) machine(obj map[string]any, loc string, top bool) *definition {
	allowed := branchFields
	if top {
		allowed = topLevelFields
	}
	for k := range obj {
		if !slices.Contains(allowed, k) {
			p.fail("SCHEMA_VALIDATION_FAILED", fmt.Sprintf("Field %s is not supported", k), loc+"/"+k)
		}
	}
	d := &definition{States: map[string]*state{}}
	d.StartAt = p.str(obj, "StartAt", loc, true)
	if top {
		if n, ok := p.integer(obj, "TimeoutSeconds", loc, 1); ok {
			d.TimeoutSeconds = n
		}
	}
	statesRaw, ok := obj["States"]
	if !ok {
		p.fail("SCHEMA_VALIDATION_FAILED", "These fields are required: [States]", loc+"/")
		return d
	}
	states, ok := statesRaw.(map[string]any)
	if !ok {
		p.fail("SCHEMA_VALIDATION_FAILED", "Expected value of type: Object", loc+"/States")
		return d
	}
	names := make([]string, 0, len(states))
	for name := range states {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		sloc := loc + "/States/" + name
		if len(name) > 80 {
			p.fail("SCHEMA_VALIDATION_FAILED", "State name is longer than 80 characters", sloc)
		}
		sobj, ok := states[name].(map[string]any)
		if !ok {
			p.fail("SCHEMA_VALIDATION_FAILED", "Expected value of type: Object", sloc)
			continue
		}
		d.States[name] = p.state(name, sobj, sloc)
	}
	if d.StartAt != "" {
		if _, ok := d.States[d.StartAt]; !ok {
			p.fail("MISSING_TRANSITION_TARGET", "State \""+d.StartAt+"\" is not found", loc+"/StartAt")
		}
	}
	// Transitions and reachability.
	reach := map[string]bool{}
	var walk func(string)
	walk = func(n string) {
		s, ok := d.States[n]
		if !ok || reach[n] {
			return
		}
		reach[n] = true
		for _, t := range s.targets() {
			walk(t)
		}
	}
	walk(d.StartAt)
	hasTerminal := false
	for _, name := range names {
		s := d.States[name]
		if s == nil {
			continue
		}
		sloc := loc + "/States/" + name
		for _, t := range s.targetsWithField() {
			if _, ok := d.States[t.name]; !ok {
				p.fail("MISSING_TRANSITION_TARGET", "Missing 'Next' target: "+t.name, sloc+"/"+t.field)
			}
		}
		if s.End || s.Type == "Succeed" || s.Type == "Fail" {
			hasTerminal = true
		}
		if d.StartAt != "" && !reach[name] {
			p.fail("UNREACHABLE_STATE", "State \""+name+"\" is not reachable", sloc)
		}
	}
	if len(states) > 0 && !hasTerminal {
		p.fail("NO_TERMINAL_STATE", "No terminal state found in machine", loc+"/States")
	}
	return d
}

type target struct{ field, name string }

func (s *state) targetsWithField() []target {
	var out []target
	if s.Next != "" {
		out = append(out, target{"Next", s.Next})
	}
	if s.Default != "" {
		out = append(out, target{"Default", s.Default})
	}
	for i, c := range s.Choices {
		if c.Next != "" {
			out = append(out, target{fmt.Sprintf("Choices/%d/Next", i), c.Next})
		}
	}
	for i, c := range s.Catch {
		if c.Next != "" {
			out = append(out, target{fmt.Sprintf("Catch/%d/Next", i), c.Next})
		}
	}
	return out
}

func (s *state) targets() []string {
	var out []string
	for _, t := range s.targetsWithField() {
		out = append(out, t.name)
	}
	return out
}

var commonFields = []string{"Type", "Comment"}
var fieldsByType = map[string][]string{
	"Task":     {"Next", "End", "InputPath", "OutputPath", "Parameters", "ResultSelector", "ResultPath", "Resource", "TimeoutSeconds", "TimeoutSecondsPath", "HeartbeatSeconds", "HeartbeatSecondsPath", "Retry", "Catch", "Credentials"},
	"Pass":     {"Next", "End", "InputPath", "OutputPath", "Parameters", "ResultPath", "Result"},
	"Choice":   {"InputPath", "OutputPath", "Choices", "Default"},
	"Wait":     {"Next", "End", "InputPath", "OutputPath", "Seconds", "Timestamp", "SecondsPath", "TimestampPath"},
	"Succeed":  {"InputPath", "OutputPath"},
	"Fail":     {"Error", "Cause", "ErrorPath", "CausePath"},
	"Parallel": {"Next", "End", "InputPath", "OutputPath", "Parameters", "ResultSelector", "ResultPath", "Branches", "Retry", "Catch"},
	"Map":      {"Next", "End", "InputPath", "OutputPath", "Parameters", "ItemSelector", "ResultSelector", "ResultPath", "ItemsPath", "Iterator", "ItemProcessor", "MaxConcurrency", "MaxConcurrencyPath", "Retry", "Catch", "ToleratedFailurePercentage", "ToleratedFailureCount", "Label"},
}

func (p *parser) state(name string, obj map[string]any, loc string) *state {
	s := &state{Name: name}
	if b, err := marshalBytes(obj); err == nil {
		s.usesContext = bytes.Contains(b, []byte("$$"))
	}
	s.Type = p.str(obj, "Type", loc, true)
	s.enteredType, s.exitedType = s.Type+"StateEntered", s.Type+"StateExited"
	s.mayGrow = s.Type != "Choice" && s.Type != "Wait" && s.Type != "Succeed"
	fields, ok := fieldsByType[s.Type]
	if !ok {
		if s.Type != "" {
			p.fail("SCHEMA_VALIDATION_FAILED", "The field 'Type' should have one of these values: [Task, Wait, Pass, Succeed, Fail, Choice, Parallel, Map]", loc+"/Type")
		}
		return s
	}
	keys := make([]string, 0, len(obj))
	for k := range obj {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if !slices.Contains(fields, k) && !slices.Contains(commonFields, k) {
			p.fail("SCHEMA_VALIDATION_FAILED", fmt.Sprintf("Field %s is not supported for a %s state", k, s.Type), loc+"/"+k)
		}
	}
	s.Comment = p.str(obj, "Comment", loc, false)
	s.Next = p.str(obj, "Next", loc, false)
	if v, ok := obj["End"]; ok {
		b, isBool := v.(bool)
		if !isBool {
			p.fail("SCHEMA_VALIDATION_FAILED", "Expected value of type: Boolean", loc+"/End")
		}
		s.End = b
	}
	switch s.Type {
	case "Task", "Pass", "Wait", "Parallel", "Map":
		switch {
		case s.Next != "" && s.End:
			p.fail("SCHEMA_VALIDATION_FAILED", "Next and End cannot both be set", loc)
		case s.Next == "" && !s.End:
			p.fail("SCHEMA_VALIDATION_FAILED", "This state must have either 'Next' or 'End: true'", loc)
		}
	}
	s.InputPath = p.path(obj, "InputPath", loc, false)
	s.OutputPath = p.path(obj, "OutputPath", loc, false)
	s.ResultPath = p.path(obj, "ResultPath", loc, true)
	if v, ok := obj["Parameters"]; ok {
		s.Parameters = p.template(v, loc+"/Parameters")
	}
	if v, ok := obj["ResultSelector"]; ok {
		s.ResultSelector = p.template(v, loc+"/ResultSelector")
	}
	if v, ok := obj["Result"]; ok {
		s.Result, s.HasResult = v, true
	}
	switch s.Type {
	case "Task":
		s.Resource = p.str(obj, "Resource", loc, true)
		if s.Resource != "" && !strings.HasPrefix(s.Resource, "arn:") {
			p.fail("INVALID_RESOURCE", "Invalid resource: "+s.Resource, loc+"/Resource")
		}
		if n, ok := p.integer(obj, "TimeoutSeconds", loc, 1); ok {
			s.TimeoutSeconds = n
		}
		if n, ok := p.integer(obj, "HeartbeatSeconds", loc, 1); ok {
			s.HeartbeatSeconds = n
		}
		s.TimeoutSecondsPath = p.refPath(obj, "TimeoutSecondsPath", loc)
		s.HeartbeatSecondsPath = p.refPath(obj, "HeartbeatSecondsPath", loc)
		if _, a := obj["TimeoutSeconds"]; a && s.TimeoutSecondsPath != nil {
			p.fail("SCHEMA_VALIDATION_FAILED", "TimeoutSeconds and TimeoutSecondsPath cannot both be set", loc)
		}
		if _, a := obj["HeartbeatSeconds"]; a && s.HeartbeatSecondsPath != nil {
			p.fail("SCHEMA_VALIDATION_FAILED", "HeartbeatSeconds and HeartbeatSecondsPath cannot both be set", loc)
		}
		if s.TimeoutSeconds > 0 && s.HeartbeatSeconds >= s.TimeoutSeconds {
			p.fail("SCHEMA_VALIDATION_FAILED", "HeartbeatSeconds must be smaller than TimeoutSeconds", loc+"/HeartbeatSeconds")
		}
	case "Choice":
		s.Default = p.str(obj, "Default", loc, false)
		list, ok := obj["Choices"].([]any)
		if !ok || len(list) == 0 {
			p.fail("SCHEMA_VALIDATION_FAILED", "Choices must be a non-empty array", loc+"/Choices")
		}
		for i, c := range list {
			cloc := fmt.Sprintf("%s/Choices/%d", loc, i)
			s.Choices = append(s.Choices, p.choice(c, cloc, true))
		}
	case "Wait":
		n := 0
		if v, ok := obj["Seconds"]; ok {
			n++
			if sec, ok := p.integer(obj, "Seconds", loc, 0); ok {
				if sec > maxWaitSeconds {
					p.fail("SCHEMA_VALIDATION_FAILED", fmt.Sprintf("Expected value <= %d", maxWaitSeconds), loc+"/Seconds")
				}
				s.Seconds = &sec
			}
			_ = v
		}
		if _, ok := obj["Timestamp"]; ok {
			n++
			s.Timestamp = p.str(obj, "Timestamp", loc, false)
			if _, ok := parseTimestamp(s.Timestamp); !ok {
				p.fail("SCHEMA_VALIDATION_FAILED", "String does not match RFC3339 timestamp", loc+"/Timestamp")
			}
		}
		if _, ok := obj["SecondsPath"]; ok {
			n++
			s.SecondsPath = p.refPath(obj, "SecondsPath", loc)
		}
		if _, ok := obj["TimestampPath"]; ok {
			n++
			s.TimestampPath = p.refPath(obj, "TimestampPath", loc)
		}
		if n != 1 {
			p.fail("SCHEMA_VALIDATION_FAILED", "A Wait state must have exactly one of Seconds, Timestamp, SecondsPath, TimestampPath", loc)
		}
	case "Fail":
		s.Error = p.str(obj, "Error", loc, false)
		s.Cause = p.str(obj, "Cause", loc, false)
		s.ErrorPath = p.dynamicString(obj, "ErrorPath", loc)
		s.CausePath = p.dynamicString(obj, "CausePath", loc)
		if s.Error != "" && s.ErrorPath != nil {
			p.fail("SCHEMA_VALIDATION_FAILED", "Error and ErrorPath cannot both be set", loc)
		}
		if s.Cause != "" && s.CausePath != nil {
			p.fail("SCHEMA_VALIDATION_FAILED", "Cause and CausePath cannot both be set", loc)
		}
	case "Parallel":
		list, ok := obj["Branches"].([]any)
		switch {
		case !ok:
			p.fail("SCHEMA_VALIDATION_FAILED", "Branches must be an array", loc+"/Branches")
		case len(list) == 0:
			p.fail("SCHEMA_VALIDATION_FAILED", "Value cannot be empty", loc+"/Branches")
		}
		for i, b := range list {
			bloc := fmt.Sprintf("%s/Branches/%d", loc, i)
			bobj, ok := b.(map[string]any)
			if !ok {
				p.fail("SCHEMA_VALIDATION_FAILED", "Expected value of type: Object", bloc)
				continue
			}
			s.Branches = append(s.Branches, p.machine(bobj, bloc, false))
		}
	case "Map":
		s.ItemsPath = p.path(obj, "ItemsPath", loc, false)
		if v, ok := obj["ItemSelector"]; ok {
			s.ItemSelector = p.template(v, loc+"/ItemSelector")
		} else if s.Parameters != nil {
			s.ItemSelector, s.Parameters = s.Parameters, nil
		}
		field := "ItemProcessor"
		proc, ok := obj[field]
		if !ok {
			field = "Iterator"
			proc, ok = obj[field]
		}
		pobj, isObj := proc.(map[string]any)
		if !ok || !isObj {
			p.fail("SCHEMA_VALIDATION_FAILED", "These fields are required: [ItemProcessor]", loc)
		} else {
			if cfg, ok := pobj["ProcessorConfig"].(map[string]any); ok {
				if mode, _ := cfg["Mode"].(string); mode == "DISTRIBUTED" {
					p.fail("SCHEMA_VALIDATION_FAILED", "Distributed Map is not supported locally", loc+"/"+field+"/ProcessorConfig/Mode")
				}
			}
			s.Processor = p.machine(pobj, loc+"/"+field, false)
		}
		if n, ok := p.integer(obj, "MaxConcurrency", loc, 0); ok {
			s.MaxConcurrency = n
		}
		s.MaxConcurrencyPath = p.refPath(obj, "MaxConcurrencyPath", loc)
	}
	switch s.Type {
	case "Task", "Parallel", "Map":
		s.Retry = p.retriers(obj, loc)
		s.Catch = p.catchers(obj, loc)
	}
	return s
}

func (p *parser) str(obj map[string]any, field, loc string, required bool) string {
	v, ok := obj[field]
	if !ok {
		if required {
			p.fail("SCHEMA_VALIDATION_FAILED", "These fields are required: ["+field+"]", loc)
		}
		return ""
	}
	s, ok := v.(string)
	if !ok {
		p.fail("SCHEMA_VALIDATION_FAILED", "Expected value of type: String", loc+"/"+field)
	}
	return s
}

func (p *parser) integer(obj map[string]any, field, loc string, min int64) (int64, bool) {
	v, ok := obj[field]
	if !ok {
		return 0, false
	}
	n, isNum := v.(json.Number)
	if !isNum {
		p.fail("SCHEMA_VALIDATION_FAILED", "Expected value of type: Integer", loc+"/"+field)
		return 0, false
	}
	i, err := n.Int64()
	if err != nil {
		p.fail("SCHEMA_VALIDATION_FAILED", "Expected value of type: Integer", loc+"/"+field)
		return 0, false
	}
	if i < min {
		p.fail("SCHEMA_VALIDATION_FAILED", fmt.Sprintf("Expected value >= %d", min), loc+"/"+field)
		return 0, false
	}
	return i, true
}

func (p *parser) number(obj map[string]any, field, loc string, def float64) float64 {
	v, ok := obj[field]
	if !ok {
		return def
	}
	n, isNum := v.(json.Number)
	if !isNum {
		p.fail("SCHEMA_VALIDATION_FAILED", "Expected value of type: Number", loc+"/"+field)
		return def
	}
	f, _ := n.Float64()
	return f
}

func (p *parser) path(obj map[string]any, field, loc string, reference bool) optPath {
	v, ok := obj[field]
	if !ok {
		return optPath{}
	}
	if v == nil {
		return optPath{set: true, null: true}
	}
	s, ok := v.(string)
	if !ok {
		p.fail("SCHEMA_VALIDATION_FAILED", "Expected value of type: String", loc+"/"+field)
		return optPath{}
	}
	out := optPath{set: true, path: s}
	var err error
	if reference {
		out.ref, err = parseReferencePath(s)
	} else {
		out.read, err = compileValuePath(s, false)
	}
	if err != nil {
		p.fail("INVALID_JSON_PATH", "Invalid JSON path: "+s, loc+"/"+field)
	}
	return out
}

// refPath reads a reference path field such as SecondsPath; $$ paths read
// the context object.
func (p *parser) refPath(obj map[string]any, field, loc string) *valuePath {
	s := p.str(obj, field, loc, false)
	if s == "" {
		return nil
	}
	vp, err := compileValuePath(s, true)
	if err != nil {
		p.fail("INVALID_REFERENCE_PATH", "Invalid reference path: "+s, loc+"/"+field)
		return nil
	}
	return vp
}

// dynamicString is a Fail state's ErrorPath or CausePath: a path (on the
// input, or with $$ on the context object) or an intrinsic function call.
type dynamicString struct {
	field string
	path  *valuePath
	call  *intrinsicCall
}

// text is the field's value as written.
func (d *dynamicString) text() string {
	if d.path != nil {
		return d.path.text
	}
	return d.call.name
}

func (p *parser) dynamicString(obj map[string]any, field, loc string) *dynamicString {
	s := p.str(obj, field, loc, false)
	if s == "" {
		return nil
	}
	d := &dynamicString{field: field}
	var err error
	if strings.HasPrefix(s, "States.") {
		d.call, err = parseIntrinsic(s)
	} else {
		d.path, err = compileValuePath(s, false)
	}
	if err != nil {
		p.fail("SCHEMA_VALIDATION_FAILED", "The value for the field '"+field+"' must be a valid JSONPath or a valid intrinsic function call", loc+"/"+field)
		return nil
	}
	return d
}

func (p *parser) errorNames(obj map[string]any, loc string) []string {
	list, ok := obj["ErrorEquals"].([]any)
	if !ok || len(list) == 0 {
		p.fail("SCHEMA_VALIDATION_FAILED", "ErrorEquals must be a non-empty array of strings", loc+"/ErrorEquals")
		return nil
	}
	var out []string
	for i, v := range list {
		s, ok := v.(string)
		if !ok {
			p.fail("SCHEMA_VALIDATION_FAILED", "Expected value of type: String", fmt.Sprintf("%s/ErrorEquals/%d", loc, i))
			continue
		}
		if s == ErrALL && len(list) > 1 {
			p.fail("SCHEMA_VALIDATION_FAILED", "States.ALL must appear alone in ErrorEquals", loc+"/ErrorEquals")
		}
		if strings.HasPrefix(s, "States.") && !slices.Contains(builtinErrors, s) {
			p.fail("SCHEMA_VALIDATION_FAILED", "Unknown States.* error name: "+s, fmt.Sprintf("%s/ErrorEquals/%d", loc, i))
		}
		out = append(out, s)
	}
	return out
}

// handlers reads a Retry or Catch field: a list of objects with only the
// allowed fields, each returned with its location. States.ALL must stand in
// the last one only.
func (p *parser) handlers(obj map[string]any, field, kind, loc string, allowed []string) (entries []map[string]any, locs []string) {
	v, ok := obj[field]
	if !ok {
		return nil, nil
	}
	list, ok := v.([]any)
	if !ok {
		p.fail("SCHEMA_VALIDATION_FAILED", "Expected value of type: Array", loc+"/"+field)
		return nil, nil
	}
	for i, e := range list {
		eloc := fmt.Sprintf("%s/%s/%d", loc, field, i)
		eobj, ok := e.(map[string]any)
		if !ok {
			p.fail("SCHEMA_VALIDATION_FAILED", "Expected value of type: Object", eloc)
			continue
		}
		for k := range eobj {
			if !slices.Contains(allowed, k) {
				p.fail("SCHEMA_VALIDATION_FAILED", "Field "+k+" is not supported in a "+kind, eloc+"/"+k)
			}
		}
		if i != len(list)-1 && slices.Contains(names(eobj), ErrALL) {
			p.fail("SCHEMA_VALIDATION_FAILED", "States.ALL must be the last "+strings.ToLower(kind), eloc)
		}
		entries, locs = append(entries, eobj), append(locs, eloc)
	}
	return entries, locs
}

// names reads ErrorEquals leniently, for the States.ALL position check;
// errorNames reports what is wrong with it.
func names(obj map[string]any) []string {
	list, _ := obj["ErrorEquals"].([]any)
	var out []string
	for _, v := range list {
		if s, ok := v.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

func (p *parser) retriers(obj map[string]any, loc string) []retrier {
	entries, locs := p.handlers(obj, "Retry", "Retrier", loc,
		[]string{"ErrorEquals", "IntervalSeconds", "MaxAttempts", "BackoffRate", "MaxDelaySeconds", "JitterStrategy", "Comment"})
	var out []retrier
	for i, robj := range entries {
		rloc := locs[i]
		rt := retrier{ErrorEquals: p.errorNames(robj, rloc), IntervalSeconds: 1, MaxAttempts: 3, BackoffRate: 2}
		if n, ok := p.integer(robj, "IntervalSeconds", rloc, 1); ok {
			rt.IntervalSeconds = float64(n)
		}
		if n, ok := p.integer(robj, "MaxAttempts", rloc, 0); ok {
			rt.MaxAttempts = int(n)
		}
		rt.BackoffRate = p.number(robj, "BackoffRate", rloc, 2)
		if rt.BackoffRate < 1 {
			p.fail("SCHEMA_VALIDATION_FAILED", "BackoffRate must be >= 1.0", rloc+"/BackoffRate")
		}
		if n, ok := p.integer(robj, "MaxDelaySeconds", rloc, 1); ok {
			rt.MaxDelaySeconds = float64(n)
		}
		switch js := p.str(robj, "JitterStrategy", rloc, false); js {
		case "", "NONE":
		case "FULL":
			rt.JitterFull = true
		default:
			p.fail("SCHEMA_VALIDATION_FAILED", "JitterStrategy must be FULL or NONE", rloc+"/JitterStrategy")
		}
		out = append(out, rt)
	}
	return out
}

func (p *parser) catchers(obj map[string]any, loc string) []catcher {
	entries, locs := p.handlers(obj, "Catch", "Catcher", loc, []string{"ErrorEquals", "ResultPath", "Next", "Comment"})
	var out []catcher
	for i, cobj := range entries {
		out = append(out, catcher{ErrorEquals: p.errorNames(cobj, locs[i]), ResultPath: p.path(cobj, "ResultPath", locs[i], true), Next: p.str(cobj, "Next", locs[i], true)})
	}
	return out
}

func jsonTypeName(v any) string {
	switch v.(type) {
	case nil:
		return "NULL"
	case bool:
		return "BOOLEAN"
	case json.Number, float64, int:
		return "NUMBER"
	case string:
		return "STRING"
	case []any:
		return "ARRAY"
	default:
		return "OBJECT"
	}
}
