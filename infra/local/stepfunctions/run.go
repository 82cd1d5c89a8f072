package stepfunctions

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math"
	mrand "math/rand/v2"
	"sync"
	"time"

	"github.com/consentflow/consentflow/infra/local/clock"
)

// maxPayload is the Step Functions limit on state input and output.
const maxPayload = 262144

// cancelled is the error of a state stopped because its execution (or its
// Parallel or Map sibling) ended. It is told apart by its flag, not its
// name, so no error a task returns can pass for it.
func cancelled() *stateError { return &stateError{cancelled: true} }

// run interprets one execution.
type run struct {
	e       *Engine
	x       *execution
	execCtx map[string]any
	smCtx   map[string]any
}

// scope is where a state runs: its event thread, and the Map item if inside one.
type scope struct {
	th *thread
}

func isoTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

func (e *Engine) now() time.Time { return e.cfg.Clock.Now() }

// execute runs x to completion in the calling goroutine.
func (e *Engine) execute(ctx context.Context, x *execution) {
	defer close(x.done)
	r := &run{
		e: e, x: x,
		execCtx: map[string]any{
			"Id": x.arn, "Input": x.inputValue, "Name": x.name, "RoleArn": x.machine.roleArn,
			"StartTime": isoTime(x.start), "RedriveCount": json.Number("0"),
		},
		smCtx: map[string]any{"Id": x.machine.arn, "Name": x.machine.name},
	}
	x.history = make([]event, 0, max(x.machine.historyHint.Load(), 8))
	th := &thread{x: x}
	th.add(event{Type: "ExecutionStarted", at: x.start.UnixMilli(), data: jsonText(x.input), hasData: true,
		details: map[string]any{"roleArn": x.machine.roleArn}})
	logs := e.log.Enabled(ctx, slog.LevelInfo)
	if logs {
		e.log.Info("execution started", "execution", x.arn)
	}

	if x.def.TimeoutSeconds > 0 {
		t := e.cfg.Clock.NewTimer(secondsDuration(float64(x.def.TimeoutSeconds)))
		go func() {
			select {
			case <-t.C():
				x.cancel(errTimedOut)
			case <-ctx.Done():
				t.Stop()
			}
		}()
	}

	out, serr := r.machine(ctx, x.def, x.inputValue, &scope{th: th})
	now := e.now()

	x.mu.Lock()
	x.stop = now
	x.mu.Unlock()
	var status string
	switch {
	case ctx.Err() != nil:
		cause := context.Cause(ctx)
		var ac *abortCause
		switch {
		case errors.Is(cause, errTimedOut):
			status = statusTimedOut
			th.emit(now, "ExecutionTimedOut", map[string]any{"error": ErrTimeout, "cause": "The execution timed out."})
			x.setEnd(status, "", ErrTimeout, "The execution timed out.")
		case errors.As(cause, &ac):
			status = statusAborted
			d := map[string]any{}
			if ac.errName != "" {
				d["error"] = ac.errName
			}
			if ac.cause != "" {
				d["cause"] = ac.cause
			}
			th.emit(now, "ExecutionAborted", d)
			x.setEnd(status, "", ac.errName, ac.cause)
		default:
			status = statusAborted
			th.emit(now, "ExecutionAborted", map[string]any{"cause": "The local Step Functions engine shut down."})
			x.setEnd(status, "", "", "The local Step Functions engine shut down.")
		}
	case serr != nil:
		status = statusFailed
		d := map[string]any{}
		if !serr.nullName {
			d["error"] = serr.Name
		}
		if !serr.nullCause {
			d["cause"] = serr.Cause
		}
		th.emit(now, "ExecutionFailed", d)
		x.setEnd(status, "", serr.Name, serr.Cause)
	default:
		status = statusSucceeded
		th.emitData(now, "ExecutionSucceeded", "", out)
		x.setOutput(out)
		x.setEnd(status, "", "", "")
	}
	x.mu.Lock()
	x.machine.historyHint.Store(int64(len(x.history)))
	x.mu.Unlock()
	e.closeTokens(x)
	x.cancel(nil)
	switch {
	case !logs:
	case status == statusFailed:
		e.log.Info("execution ended", "execution", x.arn, "status", status, "error", serr.Name)
	default:
		e.log.Info("execution ended", "execution", x.arn, "status", status)
	}
}

func (x *execution) setEnd(status, output, errName, cause string) {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.status, x.errName, x.cause = status, errName, cause
	if output != "" {
		x.output = output
	}
}

// setOutput keeps the execution's output as a value; snapshot writes it as
// JSON the first time it is asked for.
func (x *execution) setOutput(v any) {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.outputValue, x.hasOutputValue = v, true
}

// machine runs a definition (the execution, a branch or an iteration).
func (r *run) machine(ctx context.Context, d *definition, input any, sc *scope) (any, *stateError) {
	name := d.StartAt
	for {
		if ctx.Err() != nil {
			return nil, cancelled()
		}
		s := d.States[name]
		out, next, err := r.state(ctx, s, input, sc)
		if err != nil {
			return nil, err
		}
		if next == "" {
			return out, nil
		}
		input, name = out, next
	}
}

// stateRun holds what one state's run needs to know about itself.
type stateRun struct {
	r       *run
	s       *state
	sc      *scope
	entered time.Time
	eventID int64
	input   any
}

func (sr *stateRun) context(retry int, token string, mapItem map[string]any) map[string]any {
	if !sr.s.usesContext {
		return nil
	}
	state := map[string]any{"Name": sr.s.Name, "EnteredTime": isoTime(sr.entered)}
	// Only states that can retry carry RetryCount: AWS records a Pass
	// state's $$.State as Name and EnteredTime alone.
	if retries(sr.s.Type) {
		state["RetryCount"] = json.Number(fmt.Sprint(retry))
	}
	m := map[string]any{
		"Execution":    sr.r.execCtx,
		"StateMachine": sr.r.smCtx,
		"State":        state,
	}
	if token != "" {
		m["Task"] = map[string]any{"Token": token}
	}
	if mapItem != nil {
		m["Map"] = map[string]any{"Item": mapItem}
	}
	return m
}

// retries reports whether a state type may have a Retry field.
func retries(typ string) bool {
	return typ == "Task" || typ == "Parallel" || typ == "Map"
}

func (sr *stateRun) runtimeErr(format string, args ...any) *stateError {
	return &stateError{Name: ErrRuntime, Cause: fmt.Sprintf("An error occurred while executing the state '%s' (entered at the event id #%d). ", sr.s.Name, sr.eventID) + fmt.Sprintf(format, args...)}
}

// wrapRuntime adds the state and event to a States.Runtime error's cause.
func (sr *stateRun) wrapRuntime(err *stateError) *stateError {
	if err != nil && err.Name == ErrRuntime {
		return sr.runtimeErr("%s", err.Cause)
	}
	return err
}

// pathContext is the context object when p reads it, else nil.
func (sr *stateRun) pathContext(p *valuePath) map[string]any {
	if p.context {
		return sr.context(0, "", nil)
	}
	return nil
}

// shown renders a value in a runtime error's cause: a string as it is,
// anything else as JSON.
func shown(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	return marshal(v)
}

func (sr *stateRun) inputPath(v any) (any, *stateError)  { return sr.selectPath(sr.s.InputPath, v) }
func (sr *stateRun) outputPath(v any) (any, *stateError) { return sr.selectPath(sr.s.OutputPath, v) }

// selectPath applies an InputPath or OutputPath: absent keeps the value,
// null gives {}, and a path that selects nothing is States.Runtime.
func (sr *stateRun) selectPath(p optPath, v any) (any, *stateError) {
	switch {
	case !p.set:
		return v, nil
	case p.null:
		return map[string]any{}, nil
	}
	var ctxObj map[string]any
	if p.read.context {
		ctxObj = sr.context(0, "", nil)
	}
	out, err := p.read.read(v, ctxObj)
	if err != nil {
		return nil, sr.runtimeErr("%s", err)
	}
	return out, nil
}

func (sr *stateRun) resultPath(p optPath, input, result any) (any, *stateError) {
	switch {
	case !p.set:
		return result, nil
	case p.null:
		return input, nil
	}
	out, err := setSegs(input, p.ref, result)
	if err != nil {
		return nil, failf(ErrReferencePathConflict, "Unable to apply ReferencePath %s to input %s", p.path, marshal(input))
	}
	return out, nil
}

// finish applies ResultSelector, ResultPath and OutputPath to a result.
func (sr *stateRun) finish(result any, ctxObj map[string]any) (any, *stateError) {
	if sr.s.ResultSelector != nil {
		v, err := sr.s.ResultSelector.eval(result, ctxObj)
		if err != nil {
			return nil, sr.wrapRuntime(err)
		}
		result = v
	}
	out, err := sr.resultPath(sr.s.ResultPath, sr.input, result)
	if err != nil {
		return nil, err
	}
	return sr.outputPath(out)
}

func (sr *stateRun) checkSize(v any) *stateError {
	if exceedsPayload(v) {
		return failf(ErrDataLimitExceeded, "The state/task '%s' returned a result with a size exceeding the maximum number of bytes service limit.", sr.s.Name)
	}
	return nil
}

// checkInputSize fails with States.DataLimitExceeded when a state's input,
// after Parameters, is larger than the payload quota (AWS error-handling docs).
func (sr *stateRun) checkInputSize(v any) *stateError {
	if exceedsPayload(v) {
		return failf(ErrDataLimitExceeded, "The state/task '%s' has an input with a size exceeding the maximum number of bytes service limit.", sr.s.Name)
	}
	return nil
}

func (sr *stateRun) parameters(tmpl *template, input any, ctxObj map[string]any) (any, *stateError) {
	if tmpl == nil {
		return input, nil
	}
	v, err := tmpl.eval(input, ctxObj)
	return v, sr.wrapRuntime(err)
}

// state runs one state and says where to go next ("" when the machine ends).
func (r *run) state(ctx context.Context, s *state, input any, sc *scope) (any, string, *stateError) {
	now := r.e.now()
	id := sc.th.emitData(now, s.enteredType, s.Name, input)
	sr := &stateRun{r: r, s: s, sc: sc, entered: now, eventID: id, input: input}
	var out any
	var next string
	var err *stateError
	switch s.Type {
	case "Pass":
		out, err = sr.pass()
	case "Succeed":
		out, err = sr.inputPath(input)
		if err == nil {
			out, err = sr.outputPath(out)
		}
	case "Fail":
		return nil, "", sr.fail()
	case "Choice":
		out, next, err = sr.choice()
		if err != nil {
			return nil, "", err
		}
	case "Wait":
		out, err = sr.wait(ctx)
	case "Task", "Parallel", "Map":
		out, next, err = sr.withRetryAndCatch(ctx)
		if err != nil {
			return nil, "", err
		}
	default:
		return nil, "", failf(ErrRuntime, "unsupported state type %s", s.Type)
	}
	if err != nil {
		return nil, "", err
	}
	if s.Type != "Choice" && next == "" {
		next = s.Next
	}
	// AWS limits every state's output. Choice, Wait and Succeed output a
	// part of their input, which was checked already.
	if s.mayGrow && exceedsPayload(out) {
		return nil, "", failf(ErrDataLimitExceeded, "The state/task '%s' returned a result with a size exceeding the maximum number of bytes service limit.", s.Name)
	}
	sc.th.emitData(r.e.now(), s.exitedType, s.Name, out)
	return out, next, nil
}

func (sr *stateRun) pass() (any, *stateError) {
	eff, err := sr.inputPath(sr.input)
	if err != nil {
		return nil, err
	}
	ctxObj := sr.context(0, "", nil)
	result, err := sr.parameters(sr.s.Parameters, eff, ctxObj)
	if err != nil {
		return nil, err
	}
	if sr.s.HasResult {
		result = sr.s.Result
	}
	out, err := sr.resultPath(sr.s.ResultPath, sr.input, result)
	if err != nil {
		return nil, err
	}
	return sr.outputPath(out)
}

func (sr *stateRun) fail() *stateError {
	s := sr.s
	e := &stateError{Name: s.Error, Cause: s.Cause}
	ctxObj := sr.context(0, "", nil)
	dyn := func(d *dynamicString) (string, *stateError) {
		var v any
		if d.call != nil {
			val, serr := evalIntrinsic(d.call, sr.input, ctxObj)
			if serr != nil {
				return "", sr.wrapRuntime(serr)
			}
			v = val
		} else {
			val, perr := d.path.read(sr.input, ctxObj)
			if perr != nil {
				return "", sr.runtimeErr("The JSONPath '%s' specified for the field '%s' could not be found in the input '%s'", d.path.text, d.field, marshal(sr.input))
			}
			v = val
		}
		str, ok := v.(string)
		if !ok {
			return "", sr.runtimeErr("The value at the path '%s' is not a string: %s", d.text(), marshal(v))
		}
		return str, nil
	}
	if s.ErrorPath != nil {
		v, err := dyn(s.ErrorPath)
		if err != nil {
			return err
		}
		e.Name = v
	}
	if s.CausePath != nil {
		v, err := dyn(s.CausePath)
		if err != nil {
			return err
		}
		e.Cause = v
	}
	return e
}

func (sr *stateRun) choice() (any, string, *stateError) {
	eff, err := sr.inputPath(sr.input)
	if err != nil {
		return nil, "", err
	}
	ctxObj := sr.context(0, "", nil)
	next := ""
	for _, rule := range sr.s.Choices {
		ok, err := rule.eval(eff, ctxObj)
		if err != nil {
			return nil, "", sr.wrapRuntime(err)
		}
		if ok {
			next = rule.Next
			break
		}
	}
	if next == "" {
		next = sr.s.Default
	}
	if next == "" {
		return nil, "", failf(ErrNoChoiceMatched, "No Matches!")
	}
	out, err := sr.outputPath(eff)
	return out, next, err
}

func (sr *stateRun) wait(ctx context.Context) (any, *stateError) {
	s := sr.s
	eff, err := sr.inputPath(sr.input)
	if err != nil {
		return nil, err
	}
	now := sr.r.e.now()
	var until time.Time
	switch {
	case s.Seconds != nil:
		until = now.Add(secondsDuration(float64(*s.Seconds)))
	case s.Timestamp != "":
		until, _ = parseTimestamp(s.Timestamp)
	case s.SecondsPath != nil:
		v, perr := s.SecondsPath.read(eff, sr.pathContext(s.SecondsPath))
		if perr != nil {
			return nil, sr.runtimeErr("The SecondsPath parameter does not reference an input value: %s", s.SecondsPath.text)
		}
		n, ok := v.(json.Number)
		sec, ierr := n.Int64()
		if !ok || ierr != nil {
			return nil, sr.runtimeErr("The SecondsPath parameter cannot be parsed as a long value: %s == %s", s.SecondsPath.text, shown(v))
		}
		if sec < 0 {
			return nil, sr.runtimeErr("The SecondsPath parameter references a negative value: %s == %d", s.SecondsPath.text, sec)
		}
		until = now.Add(secondsDuration(float64(sec)))
	case s.TimestampPath != nil:
		v, perr := s.TimestampPath.read(eff, sr.pathContext(s.TimestampPath))
		if perr != nil {
			return nil, sr.runtimeErr("%s", perr)
		}
		str, isString := v.(string)
		t, ok := parseTimestamp(str)
		if !ok {
			shown := str
			if !isString {
				shown = marshal(v)
			}
			return nil, sr.runtimeErr("The TimestampPath parameter does not reference a valid ISO-8601 extended offset date-time format string: %s == %s", s.TimestampPath.text, shown)
		}
		until = t
	}
	if err := clock.Sleep(ctx, sr.r.e.cfg.Clock, until.Sub(now)); err != nil {
		return nil, cancelled()
	}
	return sr.outputPath(eff)
}

// withRetryAndCatch runs a Task, Parallel or Map state with its Retry and
// Catch rules.
func (sr *stateRun) withRetryAndCatch(ctx context.Context) (any, string, *stateError) {
	s := sr.s
	attempts := make([]int, len(s.Retry))
	retryCount := 0
	for {
		var out any
		var err *stateError
		switch s.Type {
		case "Task":
			out, err = sr.task(ctx, retryCount)
		case "Parallel":
			out, err = sr.parallel(ctx, retryCount)
		case "Map":
			out, err = sr.mapState(ctx, retryCount)
		}
		if err == nil {
			return out, "", nil
		}
		if err.cancelled || ctx.Err() != nil {
			return nil, "", cancelled()
		}
		if delay, ok := retryDelay(s.Retry, attempts, err); ok {
			if clock.Sleep(ctx, sr.r.e.cfg.Clock, delay) != nil {
				return nil, "", cancelled()
			}
			retryCount++
			continue
		}
		for _, c := range s.Catch {
			if !err.matches(c.ErrorEquals) {
				continue
			}
			out, perr := sr.resultPath(c.ResultPath, sr.input, err.catchOutput())
			if perr != nil {
				return nil, "", perr
			}
			return out, c.Next, nil
		}
		return nil, "", err
	}
}

// secondsDuration converts seconds to a Duration, clamped to the longest
// Duration rather than overflowing.
func secondsDuration(sec float64) time.Duration {
	if d := sec * float64(time.Second); d < float64(math.MaxInt64) {
		return time.Duration(d)
	}
	return math.MaxInt64
}

// retryDelay picks the first retrier matching err and says how long to wait
// before the next attempt, or false when no retry is left.
func retryDelay(rs []retrier, attempts []int, err *stateError) (time.Duration, bool) {
	for i, r := range rs {
		if !err.matches(r.ErrorEquals) {
			continue
		}
		if attempts[i] >= r.MaxAttempts {
			return 0, false
		}
		d := r.IntervalSeconds * math.Pow(r.BackoffRate, float64(attempts[i]))
		if r.MaxDelaySeconds > 0 && d > r.MaxDelaySeconds {
			d = r.MaxDelaySeconds
		}
		if r.JitterFull {
			d = mrand.Float64() * d
		}
		attempts[i]++
		return secondsDuration(d), true
	}
	return 0, false
}

func (sr *stateRun) parallel(ctx context.Context, retry int) (any, *stateError) {
	s := sr.s
	eff, err := sr.inputPath(sr.input)
	if err != nil {
		return nil, err
	}
	ctxObj := sr.context(retry, "", nil)
	in, err := sr.parameters(s.Parameters, eff, ctxObj)
	if err != nil {
		return nil, err
	}
	if err := sr.checkInputSize(in); err != nil {
		return nil, err
	}
	sr.sc.th.emit(sr.r.e.now(), "ParallelStateStarted", nil)
	results := make([]any, len(s.Branches))
	bctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	var once sync.Once
	var first *stateError
	for i, b := range s.Branches {
		wg.Add(1)
		go func() {
			defer wg.Done()
			th := &thread{x: sr.r.x, last: sr.sc.th.last}
			out, berr := sr.r.machine(bctx, b, in, &scope{th: th})
			if berr != nil {
				if !berr.cancelled {
					once.Do(func() { first = berr; cancel() })
				}
				return
			}
			results[i] = out
		}()
	}
	wg.Wait()
	if ctx.Err() != nil {
		return nil, cancelled()
	}
	if first != nil {
		sr.sc.th.emit(sr.r.e.now(), "ParallelStateFailed", map[string]any{"error": first.Name, "cause": first.Cause})
		return nil, first
	}
	sr.sc.th.emit(sr.r.e.now(), "ParallelStateSucceeded", nil)
	return sr.finish(results, ctxObj)
}

func (sr *stateRun) mapState(ctx context.Context, retry int) (any, *stateError) {
	s := sr.s
	eff, err := sr.inputPath(sr.input)
	if err != nil {
		return nil, err
	}
	ctxObj := sr.context(retry, "", nil)
	in := eff
	itemsPath := s.ItemsPath.orDefault()
	var itemsVal any = in
	if !itemsPath.null {
		v, perr := itemsPath.read.read(in, ctxObj)
		if perr != nil {
			return nil, sr.runtimeErr("%s", perr)
		}
		itemsVal = v
	}
	items, ok := itemsVal.([]any)
	if !ok {
		return nil, sr.runtimeErr("Item path %s in the input '%s' is not an array", itemsPath.path, marshal(in))
	}
	limit := s.MaxConcurrency
	if s.MaxConcurrencyPath != nil {
		v, perr := s.MaxConcurrencyPath.read(in, ctxObj)
		if perr != nil {
			return nil, sr.runtimeErr("%s", perr)
		}
		n, _ := v.(json.Number)
		i, ierr := n.Int64()
		if ierr != nil {
			return nil, sr.runtimeErr("The MaxConcurrencyPath field refers to value \"%s\" which is not a valid integer: %s", shown(v), s.MaxConcurrencyPath.text)
		}
		if i < 0 {
			// AWS was recorded stalling here (test_max_concurrency_path_negative); failing is clearer locally.
			return nil, sr.runtimeErr("The MaxConcurrencyPath field refers to value \"%d\" which is negative: %s", i, s.MaxConcurrencyPath.text)
		}
		limit = i
	}
	if limit == 0 || limit > int64(len(items)) {
		limit = int64(max(len(items), 1))
	}
	sr.sc.th.emit(sr.r.e.now(), "MapStateStarted", map[string]any{"length": len(items)})
	results := make([]any, len(items))
	mctx, cancel := context.WithCancel(ctx)
	defer cancel()
	sem := make(chan struct{}, limit)
	var wg sync.WaitGroup
	var once sync.Once
	var first *stateError
	for i, item := range items {
		select {
		case sem <- struct{}{}:
		case <-mctx.Done():
		}
		if mctx.Err() != nil {
			break
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			th := &thread{x: sr.r.x, last: sr.sc.th.last}
			itemCtx := sr.context(retry, "", map[string]any{"Index": json.Number(fmt.Sprint(i)), "Value": item})
			val := item
			if s.ItemSelector != nil {
				v, ierr := s.ItemSelector.eval(in, itemCtx)
				if ierr == nil {
					ierr = sr.checkInputSize(v)
				}
				if ierr != nil {
					once.Do(func() { first = sr.wrapRuntime(ierr); cancel() })
					return
				}
				val = v
			}
			th.emit(sr.r.e.now(), "MapIterationStarted", map[string]any{"name": s.Name, "index": i})
			out, ierr := sr.r.machine(mctx, s.Processor, val, &scope{th: th})
			if ierr != nil {
				if !ierr.cancelled {
					th.emit(sr.r.e.now(), "MapIterationFailed", map[string]any{"name": s.Name, "index": i})
					once.Do(func() { first = ierr; cancel() })
				} else {
					th.emit(sr.r.e.now(), "MapIterationAborted", map[string]any{"name": s.Name, "index": i})
				}
				return
			}
			th.emit(sr.r.e.now(), "MapIterationSucceeded", map[string]any{"name": s.Name, "index": i})
			results[i] = out
		}()
	}
	wg.Wait()
	if ctx.Err() != nil {
		return nil, cancelled()
	}
	if first != nil {
		sr.sc.th.emit(sr.r.e.now(), "MapStateFailed", map[string]any{"error": first.Name, "cause": first.Cause})
		return nil, first
	}
	sr.sc.th.emit(sr.r.e.now(), "MapStateSucceeded", nil)
	return sr.finish(results, ctxObj)
}
