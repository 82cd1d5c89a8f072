package stepfunctions

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// ServeHTTP serves the Step Functions API: AWS JSON 1.0, POST / with
// X-Amz-Target: AWSStepFunctions.<Operation>.
func (e *Engine) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	if req.Method != http.MethodPost {
		writeError(w, &apiError{Type: "UnknownOperationException", Message: "Step Functions expects POST", Status: 404})
		return
	}
	op, ok := strings.CutPrefix(req.Header.Get("X-Amz-Target"), "AWSStepFunctions.")
	if !ok {
		writeError(w, &apiError{Type: "UnknownOperationException", Message: "missing or unknown X-Amz-Target", Status: 400})
		return
	}
	body, err := io.ReadAll(io.LimitReader(req.Body, 4<<20))
	if err != nil {
		writeError(w, &apiError{Type: "SerializationException", Message: err.Error(), Status: 400})
		return
	}
	if len(body) == 0 {
		body = []byte("{}")
	}
	h, ok := e.operations()[op]
	if !ok {
		writeError(w, &apiError{Type: "UnknownOperationException", Message: "The local Step Functions engine does not support " + op, Status: 400})
		return
	}
	out, aerr := h(body)
	if aerr != nil {
		e.log.Info("api error", "operation", op, "error", aerr.Type)
		writeError(w, aerr)
		return
	}
	b, _ := json.Marshal(out)
	w.Header().Set("Content-Type", "application/x-amz-json-1.0")
	w.Header().Set("x-amzn-RequestId", newUUID())
	_, _ = w.Write(b)
}

func writeError(w http.ResponseWriter, e *apiError) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.0")
	w.Header().Set("X-Amzn-ErrorType", e.Type)
	w.Header().Set("x-amzn-RequestId", newUUID())
	w.WriteHeader(e.Status)
	b, _ := json.Marshal(map[string]string{"__type": "com.amazonaws.swf.service.v2.model#" + e.Type, "message": e.Message})
	_, _ = w.Write(b)
}

type handler func(body []byte) (any, *apiError)

func (e *Engine) operations() map[string]handler {
	return map[string]handler{
		"CreateStateMachine":               decode(e.createStateMachine),
		"UpdateStateMachine":               decode(e.updateStateMachine),
		"DescribeStateMachine":             decode(e.describeStateMachine),
		"DeleteStateMachine":               decode(e.deleteStateMachine),
		"ListStateMachines":                decode(e.listStateMachines),
		"ValidateStateMachineDefinition":   decode(e.validateStateMachineDefinition),
		"DescribeStateMachineForExecution": decode(e.describeStateMachineForExecution),
		"StartExecution":                   decode(e.startExecution),
		"DescribeExecution":                decode(e.describeExecution),
		"ListExecutions":                   decode(e.listExecutions),
		"StopExecution":                    decode(e.stopExecution),
		"GetExecutionHistory":              decode(e.getExecutionHistory),
		"SendTaskSuccess":                  decode(e.sendTaskSuccess),
		"SendTaskFailure":                  decode(e.sendTaskFailure),
		"SendTaskHeartbeat":                decode(e.sendTaskHeartbeat),
	}
}

func decode[In any](f func(In) (any, *apiError)) handler {
	return func(body []byte) (any, *apiError) {
		var in In
		if err := json.Unmarshal(body, &in); err != nil {
			return nil, apiErrorf("SerializationException", "%s", err)
		}
		return f(in)
	}
}

// validName reports whether s may name a state machine or an execution:
// 1 to 80 characters, none of them whitespace, a control character or one of
// ? * < > { } [ ] " # % \ ^ | ~ ` $ & , ; : / (AWS docs, Step Functions
// service quotas, names).
func validName(s string) bool {
	if n := utf8.RuneCountInString(s); n < 1 || n > 80 || !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if unicode.IsSpace(r) || r <= 0x1f || (r >= 0x7f && r <= 0x9f) || strings.ContainsRune("?*<>{}[]\"#%\\^|~`$&,;:/", r) {
			return false
		}
	}
	return true
}

func (e *Engine) machineARN(name string) string {
	return fmt.Sprintf("arn:aws:states:%s:%s:stateMachine:%s", e.cfg.Region, e.cfg.AccountID, name)
}

func (e *Engine) executionARN(machine, name string) string {
	return fmt.Sprintf("arn:aws:states:%s:%s:execution:%s:%s", e.cfg.Region, e.cfg.AccountID, machine, name)
}

type createStateMachineInput struct {
	Name       string `json:"name"`
	Definition string `json:"definition"`
	RoleArn    string `json:"roleArn"`
	Type       string `json:"type"`
}

func (e *Engine) createStateMachine(in createStateMachineInput) (any, *apiError) {
	if !validName(in.Name) {
		return nil, apiErrorf("InvalidName", "Invalid Name: '%s'", in.Name)
	}
	typ := in.Type
	if typ == "" {
		typ = "STANDARD"
	}
	if typ != "STANDARD" && typ != "EXPRESS" {
		return nil, apiErrorf("ValidationException", "1 validation error detected: Value '%s' at 'type' failed to satisfy constraint: Member must satisfy enum value set: [STANDARD, EXPRESS]", typ)
	}
	def, err := parseDefinition(in.Definition)
	if err != nil {
		return nil, apiErrorf("InvalidDefinition", "%s", err)
	}
	if typ == "EXPRESS" {
		if err := expressOnly(def); err != nil {
			return nil, apiErrorf("InvalidDefinition", "%s", err)
		}
	}
	arn := e.machineARN(in.Name)
	e.mu.Lock()
	defer e.mu.Unlock()
	if m, ok := e.machines[arn]; ok {
		if m.definition == in.Definition && m.roleArn == in.RoleArn && m.typ == typ {
			return map[string]any{"stateMachineArn": arn, "creationDate": epoch(m.created)}, nil
		}
		return nil, apiErrorf("StateMachineAlreadyExists", "State Machine Already Exists: '%s'", arn)
	}
	now := e.now()
	e.machines[arn] = &stateMachine{arn: arn, name: in.Name, typ: typ, roleArn: in.RoleArn, definition: in.Definition, def: def, created: now, updated: now}
	e.order = append(e.order, arn)
	e.log.Info("state machine created", "stateMachine", arn)
	return map[string]any{"stateMachineArn": arn, "creationDate": epoch(now)}, nil
}

// expressOnly rejects the integration patterns an Express workflow does not
// support: it may only call and return (AWS docs, service integration
// patterns: Express supports Request Response only).
func expressOnly(d *definition) error {
	for name, st := range d.States {
		if st.Type == "Task" {
			if res, err := parseResource(st.Resource); err == nil && res.pattern != "" {
				return fmt.Errorf("an Express state machine does not support the .%s integration pattern of state %q", res.pattern, name)
			}
		}
		for _, b := range st.Branches {
			if err := expressOnly(b); err != nil {
				return err
			}
		}
		if st.Processor != nil {
			if err := expressOnly(st.Processor); err != nil {
				return err
			}
		}
	}
	return nil
}

type updateStateMachineInput struct {
	StateMachineArn string  `json:"stateMachineArn"`
	Definition      *string `json:"definition"`
	RoleArn         *string `json:"roleArn"`
}

func (e *Engine) updateStateMachine(in updateStateMachineInput) (any, *apiError) {
	if in.Definition == nil && in.RoleArn == nil {
		return nil, apiErrorf("MissingRequiredParameter", "Either the definition or the roleArn must be specified")
	}
	var def *definition
	if in.Definition != nil {
		d, err := parseDefinition(*in.Definition)
		if err != nil {
			return nil, apiErrorf("InvalidDefinition", "%s", err)
		}
		def = d
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	m, aerr := e.machineLocked(in.StateMachineArn)
	if aerr != nil {
		return nil, aerr
	}
	if def != nil && m.typ == "EXPRESS" {
		if err := expressOnly(def); err != nil {
			return nil, apiErrorf("InvalidDefinition", "%s", err)
		}
	}
	if def != nil {
		m.def, m.definition = def, *in.Definition
	}
	if in.RoleArn != nil {
		m.roleArn = *in.RoleArn
	}
	m.updated = e.now()
	return map[string]any{"updateDate": epoch(m.updated)}, nil
}

func (e *Engine) machineLocked(arn string) (*stateMachine, *apiError) {
	if !strings.HasPrefix(arn, "arn:aws:states:") || !strings.Contains(arn, ":stateMachine:") {
		return nil, apiErrorf("InvalidArn", "Invalid Arn: '%s'", arn)
	}
	m, ok := e.machines[arn]
	if !ok {
		return nil, apiErrorf("StateMachineDoesNotExist", "State Machine Does Not Exist: '%s'", arn)
	}
	return m, nil
}

type arnInput struct {
	StateMachineArn string `json:"stateMachineArn"`
	ExecutionArn    string `json:"executionArn"`
}

func (m *stateMachine) describe() map[string]any {
	return map[string]any{
		"stateMachineArn": m.arn, "name": m.name, "status": "ACTIVE", "definition": m.definition,
		"roleArn": m.roleArn, "type": m.typ, "creationDate": epoch(m.created),
		"loggingConfiguration": map[string]any{"level": "OFF", "includeExecutionData": false},
		"tracingConfiguration": map[string]any{"enabled": false},
	}
}

func (e *Engine) describeStateMachine(in arnInput) (any, *apiError) {
	e.mu.Lock()
	defer e.mu.Unlock()
	m, aerr := e.machineLocked(in.StateMachineArn)
	if aerr != nil {
		return nil, aerr
	}
	return m.describe(), nil
}

func (e *Engine) describeStateMachineForExecution(in arnInput) (any, *apiError) {
	x, aerr := e.execution(in.ExecutionArn)
	if aerr != nil {
		return nil, aerr
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	d := x.machine.describe()
	d["updateDate"] = epoch(x.machine.updated)
	return d, nil
}

func (e *Engine) deleteStateMachine(in arnInput) (any, *apiError) {
	e.mu.Lock()
	m, aerr := e.machineLocked(in.StateMachineArn)
	if aerr != nil {
		e.mu.Unlock()
		return nil, aerr
	}
	delete(e.machines, m.arn)
	for i, a := range e.order {
		if a == m.arn {
			e.order = append(e.order[:i], e.order[i+1:]...)
			break
		}
	}
	running := append([]*execution(nil), m.executions...)
	e.mu.Unlock()
	for _, x := range running {
		x.cancel(&abortCause{cause: "The state machine was deleted."})
	}
	return map[string]any{}, nil
}

type pageInput struct {
	MaxResults      int    `json:"maxResults"`
	NextToken       string `json:"nextToken"`
	StateMachineArn string `json:"stateMachineArn"`
	StatusFilter    string `json:"statusFilter"`
}

// page slices items by maxResults and an opaque numeric nextToken.
func page[T any](items []T, in pageInput) ([]T, string, *apiError) {
	start := 0
	if in.NextToken != "" {
		n, err := strconv.Atoi(in.NextToken)
		if err != nil || n < 0 || n > len(items) {
			return nil, "", apiErrorf("InvalidToken", "Invalid pagination token")
		}
		start = n
	}
	size := in.MaxResults
	if size <= 0 || size > 1000 {
		size = 100
	}
	end := min(start+size, len(items))
	next := ""
	if end < len(items) {
		next = strconv.Itoa(end)
	}
	return items[start:end], next, nil
}

func (e *Engine) listStateMachines(in pageInput) (any, *apiError) {
	e.mu.Lock()
	var all []map[string]any
	for _, arn := range e.order {
		m := e.machines[arn]
		all = append(all, map[string]any{"stateMachineArn": m.arn, "name": m.name, "type": m.typ, "creationDate": epoch(m.created)})
	}
	e.mu.Unlock()
	items, next, aerr := page(all, in)
	if aerr != nil {
		return nil, aerr
	}
	out := map[string]any{"stateMachines": orEmpty(items)}
	if next != "" {
		out["nextToken"] = next
	}
	return out, nil
}

func orEmpty[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

type validateInput struct {
	Definition string `json:"definition"`
}

func (e *Engine) validateStateMachineDefinition(in validateInput) (any, *apiError) {
	_, err := parseDefinition(in.Definition)
	if err == nil {
		return map[string]any{"result": "OK", "diagnostics": []any{}}, nil
	}
	var diags []any
	if des, ok := err.(definitionErrors); ok {
		for _, d := range des {
			diags = append(diags, map[string]any{"severity": "ERROR", "code": d.Code, "message": d.Message, "location": d.Location})
		}
	}
	return map[string]any{"result": "FAIL", "diagnostics": diags}, nil
}

type startExecutionInput struct {
	StateMachineArn string  `json:"stateMachineArn"`
	Name            string  `json:"name"`
	Input           *string `json:"input"`
}

func (e *Engine) startExecution(in startExecutionInput) (any, *apiError) {
	text := "{}"
	if in.Input != nil {
		text = *in.Input
	}
	if len(text) > maxPayload {
		return nil, apiErrorf("InvalidExecutionInput", "Execution input is larger than %d bytes", maxPayload)
	}
	value, err := unmarshal(text)
	if err != nil {
		return nil, apiErrorf("InvalidExecutionInput", "Invalid State Machine Execution Input: '%s'", err)
	}
	name := in.Name
	if name == "" {
		name = newUUID()
	}
	if !validName(name) {
		return nil, apiErrorf("InvalidName", "Invalid Name: '%s'", name)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return nil, apiErrorf("ServiceUnavailable", "The local Step Functions engine is shutting down")
	}
	m, aerr := e.machineLocked(in.StateMachineArn)
	if aerr != nil {
		return nil, aerr
	}
	arn := e.executionARN(m.name, name)
	if x, ok := e.executions[arn]; ok {
		if x.currentStatus() == statusRunning && x.input == text {
			return map[string]any{"executionArn": x.arn, "startDate": epoch(x.start)}, nil
		}
		return nil, apiErrorf("ExecutionAlreadyExists", "Execution Already Exists: '%s'", arn)
	}
	ctx, cancel := context.WithCancelCause(e.ctx)
	x := &execution{
		arn: arn, name: name, machine: m, def: m.def, input: text, inputValue: value,
		start: e.now(), status: statusRunning, cancel: cancel, done: make(chan struct{}),
	}
	e.executions[arn] = x
	m.executions = append(m.executions, x)
	e.wg.Add(1)
	go func() {
		defer e.wg.Done()
		e.execute(ctx, x)
	}()
	return map[string]any{"executionArn": arn, "startDate": epoch(x.start)}, nil
}

func (e *Engine) execution(arn string) (*execution, *apiError) {
	if !strings.HasPrefix(arn, "arn:aws:states:") || !strings.Contains(arn, ":execution:") {
		return nil, apiErrorf("InvalidArn", "Invalid Arn: '%s'", arn)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	x, ok := e.executions[arn]
	if !ok {
		return nil, apiErrorf("ExecutionDoesNotExist", "Execution Does Not Exist: '%s'", arn)
	}
	return x, nil
}

func (x *execution) summary() map[string]any {
	status, _, _, _, stop := x.snapshot()
	m := map[string]any{
		"executionArn": x.arn, "stateMachineArn": x.machine.arn, "name": x.name,
		"status": status, "startDate": epoch(x.start),
	}
	if status != statusRunning {
		m["stopDate"] = epoch(stop)
	}
	return m
}

func (e *Engine) describeExecution(in arnInput) (any, *apiError) {
	x, aerr := e.execution(in.ExecutionArn)
	if aerr != nil {
		return nil, aerr
	}
	m := x.summary()
	status, output, errName, cause, _ := x.snapshot()
	m["input"] = x.input
	m["inputDetails"] = map[string]any{"included": true}
	m["redriveCount"] = 0
	m["redriveStatus"] = "NOT_REDRIVABLE"
	if status == statusSucceeded {
		m["output"] = output
		m["outputDetails"] = map[string]any{"included": true}
	}
	if status != statusRunning && status != statusSucceeded {
		if errName != "" {
			m["error"] = errName
		}
		if cause != "" {
			m["cause"] = cause
		}
	}
	return m, nil
}

func (e *Engine) listExecutions(in pageInput) (any, *apiError) {
	e.mu.Lock()
	m, aerr := e.machineLocked(in.StateMachineArn)
	if aerr != nil {
		e.mu.Unlock()
		return nil, aerr
	}
	xs := append([]*execution(nil), m.executions...)
	e.mu.Unlock()
	var all []map[string]any
	for i := len(xs) - 1; i >= 0; i-- { // newest first
		s := xs[i].summary()
		if in.StatusFilter != "" && s["status"] != in.StatusFilter {
			continue
		}
		all = append(all, s)
	}
	items, next, aerr := page(all, in)
	if aerr != nil {
		return nil, aerr
	}
	out := map[string]any{"executions": orEmpty(items)}
	if next != "" {
		out["nextToken"] = next
	}
	return out, nil
}

type stopExecutionInput struct {
	ExecutionArn string `json:"executionArn"`
	Error        string `json:"error"`
	Cause        string `json:"cause"`
}

func (e *Engine) stopExecution(in stopExecutionInput) (any, *apiError) {
	x, aerr := e.execution(in.ExecutionArn)
	if aerr != nil {
		return nil, aerr
	}
	x.cancel(&abortCause{errName: in.Error, cause: in.Cause})
	select {
	case <-x.done:
	case <-time.After(10 * time.Second):
	}
	_, _, _, _, stop := x.snapshot()
	return map[string]any{"stopDate": epoch(stop)}, nil
}

type historyInput struct {
	ExecutionArn         string `json:"executionArn"`
	MaxResults           int    `json:"maxResults"`
	NextToken            string `json:"nextToken"`
	ReverseOrder         bool   `json:"reverseOrder"`
	IncludeExecutionData *bool  `json:"includeExecutionData"`
}

func (e *Engine) getExecutionHistory(in historyInput) (any, *apiError) {
	x, aerr := e.execution(in.ExecutionArn)
	if aerr != nil {
		return nil, aerr
	}
	include := in.IncludeExecutionData == nil || *in.IncludeExecutionData
	x.mu.Lock()
	events := make([]map[string]any, len(x.history))
	for i := range x.history {
		events[i] = x.history[i].toJSON(include)
	}
	x.mu.Unlock()
	if in.ReverseOrder {
		for i, j := 0, len(events)-1; i < j; i, j = i+1, j-1 {
			events[i], events[j] = events[j], events[i]
		}
	}
	items, next, aerr := page(events, pageInput{MaxResults: in.MaxResults, NextToken: in.NextToken})
	if aerr != nil {
		return nil, aerr
	}
	out := map[string]any{"events": orEmpty(items)}
	if next != "" {
		out["nextToken"] = next
	}
	return out, nil
}

type taskSuccessInput struct {
	TaskToken string `json:"taskToken"`
	Output    string `json:"output"`
}

func (e *Engine) sendTaskSuccess(in taskSuccessInput) (any, *apiError) {
	v, err := unmarshal(in.Output)
	if err != nil {
		return nil, apiErrorf("InvalidOutput", "Invalid Output: '%s'", err)
	}
	if len(in.Output) > maxPayload {
		return nil, apiErrorf("InvalidOutput", "Output is larger than %d bytes", maxPayload)
	}
	if aerr := e.completeToken(in.TaskToken, callback{output: v}); aerr != nil {
		return nil, aerr
	}
	return map[string]any{}, nil
}

type taskFailureInput struct {
	TaskToken string  `json:"taskToken"`
	Error     *string `json:"error"`
	Cause     *string `json:"cause"`
}

func (e *Engine) sendTaskFailure(in taskFailureInput) (any, *apiError) {
	se := &stateError{nullName: in.Error == nil, nullCause: in.Cause == nil}
	if in.Error != nil {
		se.Name = *in.Error
	}
	if in.Cause != nil {
		se.Cause = *in.Cause
	}
	if aerr := e.completeToken(in.TaskToken, callback{err: se}); aerr != nil {
		return nil, aerr
	}
	return map[string]any{}, nil
}

type heartbeatInput struct {
	TaskToken string `json:"taskToken"`
}

func (e *Engine) sendTaskHeartbeat(in heartbeatInput) (any, *apiError) {
	t, aerr := e.lookupToken(in.TaskToken)
	if aerr != nil {
		return nil, aerr
	}
	select {
	case t.heartbeat <- struct{}{}:
	default:
	}
	return map[string]any{}, nil
}
