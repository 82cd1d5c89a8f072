// Package lambda runs Lambda functions on this machine the way AWS Lambda
// runs them: each function's real `bootstrap` executable is started as a
// process that talks to its own Lambda Runtime API endpoint served here.
// Processes start on first invoke (a cold start), stay warm, and a function
// gets another process while all of its processes are busy.
//
// Service.Invoke is the Go entry point; Service.ServeHTTP speaks the subset
// of the Lambda HTTP API (Invoke, ListFunctions, GetFunction) that the AWS
// SDKs and the AWS CLI use, so clients can point AWS_ENDPOINT_URL_LAMBDA at it.
package lambda

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Defaults AWS applies where a function leaves a setting zero.
const (
	DefaultTimeout        = 3 * time.Second
	DefaultMemoryMB       = 128
	DefaultMaxConcurrency = 10
	DefaultInitTimeout    = 10 * time.Second
	DefaultRegion         = "us-east-1"
	DefaultAccountID      = "000000000000"
)

// Payload limits of the Invoke API.
const (
	MaxPayload      = 6 * 1024 * 1024 // RequestResponse
	MaxEventPayload = 1024 * 1024     // Event (asynchronous)
)

// FunctionErrorUnhandled is Result.FunctionError when the function failed:
// its handler returned an error, it panicked, crashed or timed out.
const FunctionErrorUnhandled = "Unhandled"

// Function is one Lambda function.
type Function struct {
	Name        string
	Bootstrap   string // path of the executable; its folder is LAMBDA_TASK_ROOT
	Description string
	// Env is added to the environment AWS gives every function. Keys AWS
	// reserves (AWS_REGION, AWS_LAMBDA_*, _HANDLER, ...) are refused.
	Env      map[string]string
	Timeout  time.Duration // zero: DefaultTimeout
	MemoryMB int           // zero: DefaultMemoryMB
}

// Config configures a Service.
type Config struct {
	Region    string // zero: DefaultRegion
	AccountID string // zero: DefaultAccountID
	Functions []Function
	// Logs receives what function processes write to stdout and stderr, each
	// line prefixed with "[function-name] ", plus the START/END/REPORT lines
	// Lambda writes to CloudWatch. Nil discards them.
	Logs io.Writer
	// Logger receives the service's own events (cold starts, timeouts,
	// crashes). It never logs payloads. Nil discards them.
	Logger *slog.Logger
	// MaxConcurrency caps the processes of each function; further invokes
	// queue until one is free. Zero: DefaultMaxConcurrency.
	MaxConcurrency int
	// InitTimeout bounds a cold start: from process start to the runtime
	// asking for its first invocation. Zero: DefaultInitTimeout.
	InitTimeout time.Duration
}

// Result is the outcome of an invocation the function itself answered.
type Result struct {
	// Payload is the function's response, or its error document
	// {"errorMessage": ..., "errorType": ...} when FunctionError is set.
	Payload []byte
	// FunctionError is FunctionErrorUnhandled when the function failed.
	FunctionError string
}

// errorDoc is the error document a runtime reports.
type errorDoc struct {
	Message    string          `json:"errorMessage"`
	Type       string          `json:"errorType"`
	StackTrace json.RawMessage `json:"stackTrace,omitempty"`
}

// ErrorType is the errorType of a failed invocation ("" when it succeeded):
// the error's Go type name for aws-lambda-go handlers, "Sandbox.Timedout",
// "Runtime.ExitError" and so on. Step Functions matches it in ErrorEquals.
func (r Result) ErrorType() string {
	if r.FunctionError == "" {
		return ""
	}
	var doc errorDoc
	if json.Unmarshal(r.Payload, &doc) != nil || doc.Type == "" {
		return "Unhandled"
	}
	return doc.Type
}

// ErrorMessage is the errorMessage of a failed invocation.
func (r Result) ErrorMessage() string {
	if r.FunctionError == "" {
		return ""
	}
	var doc errorDoc
	if json.Unmarshal(r.Payload, &doc) != nil {
		return string(r.Payload)
	}
	return doc.Message
}

func functionError(typ, msg string) Result {
	b, _ := json.Marshal(errorDoc{Message: msg, Type: typ})
	return Result{Payload: b, FunctionError: FunctionErrorUnhandled}
}

func validErrorBody(b []byte) bool {
	var doc errorDoc
	return json.Unmarshal(b, &doc) == nil && doc.Type != ""
}

// Service runs functions. It is safe for concurrent use.
type Service struct {
	cfg    Config
	log    *slog.Logger
	logs   *logSink
	fns    map[string]*function
	order  []string
	loaded time.Time

	mu     sync.Mutex // guards wg.Add against Close
	wg     sync.WaitGroup
	closed atomic.Bool
	done   chan struct{}
	once   sync.Once
}

// function is a Function with its processes.
type function struct {
	svc   *Service
	def   Function
	arn   string
	slots chan struct{} // one per running invocation, up to MaxConcurrency

	mu   sync.Mutex
	idle []*sandbox
	live map[*sandbox]struct{}
	// generation counts environment updates; a process of an older
	// generation is not reused.
	generation int
}

var nameRE = regexp.MustCompile(`^[a-zA-Z0-9_-]{1,64}$`)

// reservedEnv are the variables AWS sets itself and refuses in a
// function's configuration.
var reservedEnv = map[string]bool{
	"_HANDLER": true, "_X_AMZN_TRACE_ID": true, "AWS_DEFAULT_REGION": true, "AWS_REGION": true,
	"AWS_EXECUTION_ENV": true, "AWS_LAMBDA_FUNCTION_NAME": true, "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": true,
	"AWS_LAMBDA_FUNCTION_VERSION": true, "AWS_LAMBDA_INITIALIZATION_TYPE": true, "AWS_LAMBDA_LOG_GROUP_NAME": true,
	"AWS_LAMBDA_LOG_STREAM_NAME": true, "AWS_ACCESS_KEY": true, "AWS_ACCESS_KEY_ID": true, "AWS_SECRET_ACCESS_KEY": true,
	"AWS_SESSION_TOKEN": true, "AWS_LAMBDA_RUNTIME_API": true, "LAMBDA_TASK_ROOT": true, "LAMBDA_RUNTIME_DIR": true,
}

// Start checks cfg and returns a Service. No process starts until a
// function is invoked.
func Start(cfg Config) (*Service, error) {
	if cfg.Region == "" {
		cfg.Region = DefaultRegion
	}
	if cfg.AccountID == "" {
		cfg.AccountID = DefaultAccountID
	}
	if cfg.MaxConcurrency <= 0 {
		cfg.MaxConcurrency = DefaultMaxConcurrency
	}
	if cfg.InitTimeout <= 0 {
		cfg.InitTimeout = DefaultInitTimeout
	}
	logs := cfg.Logs
	if logs == nil {
		logs = io.Discard
	}
	logger := cfg.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	s := &Service{
		cfg:    cfg,
		log:    logger,
		logs:   &logSink{w: logs},
		fns:    make(map[string]*function, len(cfg.Functions)),
		loaded: time.Now().UTC(),
		done:   make(chan struct{}),
	}
	for _, f := range cfg.Functions {
		if !nameRE.MatchString(f.Name) {
			return nil, fmt.Errorf("function %q: a name is 1 to 64 letters, digits, hyphens or underscores", f.Name)
		}
		if _, dup := s.fns[f.Name]; dup {
			return nil, fmt.Errorf("function %s defined twice", f.Name)
		}
		if f.Bootstrap == "" {
			return nil, fmt.Errorf("function %s: no bootstrap", f.Name)
		}
		abs, err := filepath.Abs(f.Bootstrap)
		if err != nil {
			return nil, fmt.Errorf("function %s: bootstrap path: %w", f.Name, err)
		}
		f.Bootstrap = abs
		for k := range f.Env {
			if reservedEnv[k] {
				return nil, fmt.Errorf("function %s: environment variable %s is reserved by Lambda", f.Name, k)
			}
		}
		if f.Timeout <= 0 {
			f.Timeout = DefaultTimeout
		}
		if f.MemoryMB <= 0 {
			f.MemoryMB = DefaultMemoryMB
		}
		s.fns[f.Name] = &function{
			svc:   s,
			def:   f,
			arn:   s.ARN(f.Name),
			slots: make(chan struct{}, cfg.MaxConcurrency),
			live:  map[*sandbox]struct{}{},
		}
		s.order = append(s.order, f.Name)
	}
	sort.Strings(s.order)
	return s, nil
}

// ARN is the ARN AWS would give the function named name.
func (s *Service) ARN(name string) string {
	return "arn:aws:lambda:" + s.cfg.Region + ":" + s.cfg.AccountID + ":function:" + name
}

// lookup finds a function by name, partial ARN or ARN, with an optional
// $LATEST qualifier, as the Lambda API accepts them.
func (s *Service) lookup(ref string) (*function, error) {
	name, qualifier := ref, ""
	parts := strings.Split(ref, ":")
	switch {
	case strings.HasPrefix(ref, "arn:"):
		// arn:aws:lambda:region:account:function:name[:qualifier]
		if (len(parts) != 7 && len(parts) != 8) || parts[2] != "lambda" || parts[5] != "function" ||
			parts[3] != s.cfg.Region || parts[4] != s.cfg.AccountID {
			return nil, errNotFound(ref)
		}
		name = parts[6]
		if len(parts) == 8 {
			qualifier = parts[7]
		}
	case len(parts) >= 3 && parts[1] == "function":
		// account:function:name[:qualifier]
		if len(parts) > 4 || parts[0] != s.cfg.AccountID {
			return nil, errNotFound(ref)
		}
		name = parts[2]
		if len(parts) == 4 {
			qualifier = parts[3]
		}
	case len(parts) == 2:
		name, qualifier = parts[0], parts[1]
	case len(parts) > 2:
		return nil, errNotFound(ref)
	}
	fn, ok := s.fns[name]
	if !ok {
		return nil, errNotFound(s.ARN(name))
	}
	if qualifier != "" && qualifier != "$LATEST" {
		return nil, errNotFound(fn.arn + ":" + qualifier)
	}
	return fn, nil
}

// checkPayload enforces what the Invoke API enforces of a payload: a size
// limit and valid JSON. An empty payload becomes {}.
func checkPayload(payload []byte, limit int) ([]byte, error) {
	if len(payload) > limit {
		return nil, errTooLarge(limit)
	}
	if len(strings.TrimSpace(string(payload))) == 0 {
		return []byte("{}"), nil
	}
	if !json.Valid(payload) {
		var v any
		err := json.Unmarshal(payload, &v)
		return nil, errInvalidJSON(err)
	}
	return payload, nil
}

// Invoke calls function (a name or ARN) synchronously with payload and
// returns what it answered. The error is a *Error when Lambda itself
// refused the call (unknown function, payload too large, service closed),
// or the context's error when ctx ended first; the invocation then still
// runs to its end, as it would in AWS. A failed function is not an error:
// it is a Result with FunctionError set.
func (s *Service) Invoke(ctx context.Context, function string, payload []byte) (Result, error) {
	fn, err := s.lookup(function)
	if err != nil {
		return Result{}, err
	}
	payload, err = checkPayload(payload, MaxPayload)
	if err != nil {
		return Result{}, err
	}
	return s.invoke(ctx, fn, payload)
}

func (s *Service) invoke(ctx context.Context, fn *function, payload []byte) (Result, error) {
	type outcome struct {
		res Result
		err error
	}
	out := make(chan outcome, 1)
	if !s.track() {
		return Result{}, errClosed()
	}
	inv := newInvocation(fn, payload)
	go func() {
		defer s.wg.Done()
		res, err := fn.execute(ctx, inv)
		out <- outcome{res, err}
	}()
	select {
	case o := <-out:
		return o.res, o.err
	case <-ctx.Done():
		return Result{}, ctx.Err()
	}
}

// invokeEvent queues an asynchronous invocation and returns at once.
func (s *Service) invokeEvent(fn *function, payload []byte) error {
	if !s.track() {
		return errClosed()
	}
	inv := newInvocation(fn, payload)
	go func() {
		defer s.wg.Done()
		res, err := fn.execute(context.Background(), inv)
		switch {
		case err != nil:
			s.log.Warn("asynchronous invocation not run", "function", fn.def.Name, "requestId", inv.id, "error", err)
		case res.FunctionError != "":
			s.log.Warn("asynchronous invocation failed", "function", fn.def.Name, "requestId", inv.id, "errorType", res.ErrorType())
		}
	}()
	return nil
}

// track counts a running invocation so Close can wait for it.
func (s *Service) track() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed.Load() {
		return false
	}
	s.wg.Add(1)
	return true
}

func newInvocation(fn *function, payload []byte) *invocation {
	return &invocation{
		id:       newRequestID(),
		arn:      fn.arn,
		traceID:  newTraceID(),
		payload:  payload,
		timeout:  fn.def.Timeout,
		received: make(chan struct{}),
		done:     make(chan Result, 1),
	}
}

// Close stops every process the service started and waits for them to
// exit. Invocations still running fail; later ones are refused.
func (s *Service) Close() error {
	var err error
	s.once.Do(func() {
		s.mu.Lock()
		s.closed.Store(true)
		close(s.done)
		s.mu.Unlock()

		var all []*sandbox
		for _, fn := range s.fns {
			fn.mu.Lock()
			for sb := range fn.live {
				all = append(all, sb)
			}
			fn.idle = nil
			fn.mu.Unlock()
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		var errs []error
		for _, sb := range all {
			if e := sb.stop(ctx); e != nil {
				errs = append(errs, e)
			}
		}
		s.wg.Wait()
		err = errors.Join(errs...)
	})
	return err
}

// execute runs inv on a process of fn, starting one if none is free.
func (fn *function) execute(ctx context.Context, inv *invocation) (Result, error) {
	for attempt := 0; ; attempt++ {
		sb, cold, err := fn.acquire(ctx)
		if err != nil {
			var svcErr *Error
			if errors.As(err, &svcErr) || errors.Is(err, ctx.Err()) {
				return Result{}, err
			}
			// The executable could not be started: AWS reports this as a
			// function error of the runtime.
			fn.svc.log.Error("lambda process did not start", "function", fn.def.Name, "error", err)
			return functionError("Runtime.InvalidEntrypoint", requestPrefix(inv)+"Error: "+err.Error()), nil
		}
		if cold {
			fn.svc.log.Info("lambda cold start", "function", fn.def.Name, "pid", sb.cmd.Process.Pid)
		}
		fn.svc.logs.writeLine("["+fn.def.Name+"] ", []byte("START RequestId: "+inv.id+" Version: $LATEST"))
		began := time.Now()
		res, delivered, alive := sb.run(inv, fn.svc.cfg.InitTimeout)
		took := time.Since(began)
		memory := sb.maxMemoryMB()
		fn.release(sb, alive)
		if !delivered && !cold && attempt < 3 {
			// A warm process that exited between invocations never saw
			// this one: run it on another process.
			continue
		}
		fn.report(inv, sb, res, cold, took, memory)
		return res, nil
	}
}

// report writes the END and REPORT lines Lambda writes after an invocation,
// and logs failures of the sandbox.
func (fn *function) report(inv *invocation, sb *sandbox, res Result, cold bool, took time.Duration, memory int) {
	prefix := "[" + fn.def.Name + "] "
	ms := float64(took.Microseconds()) / 1000
	line := fmt.Sprintf("REPORT RequestId: %s\tDuration: %.2f ms\tBilled Duration: %d ms\tMemory Size: %d MB\tMax Memory Used: %d MB",
		inv.id, ms, int64(ms+0.999), fn.def.MemoryMB, memory)
	if cold {
		line += fmt.Sprintf("\tInit Duration: %.2f ms", sb.initMS)
	}
	switch typ := res.ErrorType(); typ {
	case "Sandbox.Timedout":
		line += "\tStatus: timeout"
		fn.svc.log.Warn("lambda timed out", "function", fn.def.Name, "requestId", inv.id, "timeout", fn.def.Timeout.String())
	case "Runtime.ExitError":
		line += "\tStatus: error\tError Type: Runtime.ExitError"
		fn.svc.log.Warn("lambda process exited", "function", fn.def.Name, "requestId", inv.id, "reason", sb.exitReason())
	}
	fn.svc.logs.writeLine(prefix, []byte("END RequestId: "+inv.id))
	fn.svc.logs.writeLine(prefix, []byte(line))
}

// acquire takes one of fn's concurrency slots, waiting while all are in
// use, and returns an idle process or a newly started one (cold).
func (fn *function) acquire(ctx context.Context) (sb *sandbox, cold bool, err error) {
	select {
	case fn.slots <- struct{}{}:
	case <-ctx.Done():
		return nil, false, ctx.Err()
	case <-fn.svc.done:
		return nil, false, errClosed()
	}
	fn.mu.Lock()
	for len(fn.idle) > 0 {
		sb := fn.idle[len(fn.idle)-1]
		fn.idle = fn.idle[:len(fn.idle)-1]
		if !sb.hasExited() {
			fn.mu.Unlock()
			return sb, false, nil
		}
	}
	fn.mu.Unlock()

	sb, err = startSandbox(fn)
	if err != nil {
		<-fn.slots
		return nil, false, err
	}
	fn.mu.Lock()
	if fn.svc.closed.Load() {
		fn.mu.Unlock()
		sb.kill()
		<-fn.slots
		return nil, false, errClosed()
	}
	fn.live[sb] = struct{}{}
	fn.mu.Unlock()
	return sb, true, nil
}

// release gives back the slot of an invocation and keeps its process warm
// when it can take another one.
func (fn *function) release(sb *sandbox, alive bool) {
	fn.mu.Lock()
	current := sb.generation == fn.generation
	fn.mu.Unlock()
	if alive && !current {
		alive = false
	}
	if alive && !sb.hasExited() && !fn.svc.closed.Load() {
		fn.mu.Lock()
		fn.idle = append(fn.idle, sb)
		fn.mu.Unlock()
	} else if !alive {
		sb.kill()
	}
	<-fn.slots
}

// forget drops an exited process.
func (fn *function) forget(sb *sandbox) {
	fn.mu.Lock()
	defer fn.mu.Unlock()
	delete(fn.live, sb)
	for i, idle := range fn.idle {
		if idle == sb {
			fn.idle = append(fn.idle[:i], fn.idle[i+1:]...)
			break
		}
	}
}

// UpdateEnvironment replaces a function's environment variables, as
// UpdateFunctionConfiguration does: invocations from then on run in
// processes started with the new environment. Idle processes are stopped;
// one running an invocation finishes it and is not reused.
func (s *Service) UpdateEnvironment(name string, env map[string]string) error {
	fn, err := s.lookup(name)
	if err != nil {
		return err
	}
	for k := range env {
		if reservedEnv[k] {
			return fmt.Errorf("function %s: environment variable %s is reserved by Lambda", fn.def.Name, k)
		}
	}
	copied := make(map[string]string, len(env))
	for k, v := range env {
		copied[k] = v
	}
	fn.mu.Lock()
	fn.def.Env = copied
	fn.generation++
	idle := fn.idle
	fn.idle = nil
	fn.mu.Unlock()
	for _, sb := range idle {
		sb.kill()
	}
	return nil
}

// environ is the environment of a process of fn whose Runtime API listens
// on addr: what AWS gives a provided.al2023 function, then fn's Env. The
// host's environment is not inherited, except PATH.
func (fn *function) environ(addr string) []string {
	fn.mu.Lock()
	def := fn.def
	fn.mu.Unlock()
	root := filepath.Dir(def.Bootstrap)
	env := []string{
		"AWS_LAMBDA_FUNCTION_NAME=" + def.Name,
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE=" + strconv.Itoa(def.MemoryMB),
		"AWS_LAMBDA_FUNCTION_VERSION=$LATEST",
		"AWS_LAMBDA_INITIALIZATION_TYPE=on-demand",
		"AWS_LAMBDA_LOG_GROUP_NAME=/aws/lambda/" + def.Name,
		"AWS_LAMBDA_LOG_STREAM_NAME=" + time.Now().UTC().Format("2006/01/02") + "/[$LATEST]" + randomHex(16),
		"AWS_REGION=" + fn.svc.cfg.Region,
		"AWS_DEFAULT_REGION=" + fn.svc.cfg.Region,
		"AWS_LAMBDA_RUNTIME_API=" + addr,
		"_HANDLER=" + filepath.Base(def.Bootstrap),
		"LAMBDA_TASK_ROOT=" + root,
		"LAMBDA_RUNTIME_DIR=" + root,
		"AWS_ACCESS_KEY_ID=local",
		"AWS_SECRET_ACCESS_KEY=local",
		"AWS_SESSION_TOKEN=local",
		"TZ=:UTC",
		"LANG=en_US.UTF-8",
		"PATH=" + os.Getenv("PATH"),
	}
	keys := make([]string, 0, len(def.Env))
	for k := range def.Env {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		env = append(env, k+"="+def.Env[k])
	}
	return env
}

func randomHex(n int) string {
	b := make([]byte, n/2)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// newRequestID returns a random UUID, as Lambda request ids are.
func newRequestID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// newTraceID returns an X-Ray trace header as Lambda passes it.
func newTraceID() string {
	return fmt.Sprintf("Root=1-%08x-%s;Parent=%s;Sampled=0", time.Now().Unix(), randomHex(24), randomHex(16))
}
