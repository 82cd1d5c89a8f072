package lambda

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// maxResponse is the largest response a function may return (6 MB).
const maxResponse = 6 * 1024 * 1024

// invocation is one call of a function, handed to a runtime by GET /next.
type invocation struct {
	id       string
	arn      string
	traceID  string
	payload  []byte
	timeout  time.Duration
	received chan struct{} // closed when the runtime has taken it
	done     chan Result   // the runtime's response or error; buffered
}

// sandbox is one process of a function with its own Runtime API endpoint,
// as each AWS execution environment has.
type sandbox struct {
	fn *function
	// generation is the function's environment generation it started with.
	generation int
	cmd        *exec.Cmd
	ln         net.Listener
	srv        *http.Server
	logs       []*lineWriter
	start      time.Time
	initMS     float64 // cold start: process start to first GET /next

	next     chan *invocation // unbuffered: a send succeeds when GET /next takes it
	initErr  chan []byte      // what the runtime posted to /runtime/init/error
	exited   chan struct{}    // closed once the process has exited
	exitErr  error
	firstGet sync.Once

	mu      sync.Mutex
	current *invocation // the invocation the runtime is working on
	served  int         // invocations handed out
}

// startSandbox starts a new process of fn listening to its own Runtime API.
func startSandbox(fn *function) (*sandbox, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("listen for the runtime API of %s: %w", fn.def.Name, err)
	}
	sb := &sandbox{
		fn:      fn,
		ln:      ln,
		next:    make(chan *invocation),
		initErr: make(chan []byte, 1),
		exited:  make(chan struct{}),
		start:   time.Now(),
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /2018-06-01/runtime/invocation/next", sb.handleNext)
	mux.HandleFunc("POST /2018-06-01/runtime/invocation/{id}/response", sb.handleResponse)
	mux.HandleFunc("POST /2018-06-01/runtime/invocation/{id}/error", sb.handleError)
	mux.HandleFunc("POST /2018-06-01/runtime/init/error", sb.handleInitError)
	sb.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = sb.srv.Serve(ln) }()

	cmd := exec.Command(fn.def.Bootstrap)
	cmd.Dir = filepath.Dir(fn.def.Bootstrap)
	fn.mu.Lock()
	sb.generation = fn.generation
	fn.mu.Unlock()
	cmd.Env = fn.environ(ln.Addr().String())
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	prefix := "[" + fn.def.Name + "] "
	stdout := &lineWriter{sink: fn.svc.logs, prefix: prefix}
	stderr := &lineWriter{sink: fn.svc.logs, prefix: prefix}
	sb.logs = []*lineWriter{stdout, stderr}
	cmd.Stdout, cmd.Stderr = stdout, stderr
	cmd.WaitDelay = time.Second // a child holding our pipes must not hang Wait
	sb.cmd = cmd

	if err := cmd.Start(); err != nil {
		_ = sb.srv.Close()
		return nil, err
	}
	go sb.wait()
	return sb, nil
}

// wait reaps the process and tears down its Runtime API endpoint.
func (sb *sandbox) wait() {
	err := sb.cmd.Wait()
	sb.mu.Lock()
	sb.exitErr = err
	sb.mu.Unlock()
	for _, w := range sb.logs {
		w.flush()
	}
	close(sb.exited)
	_ = sb.srv.Close()
	sb.fn.forget(sb)
}

// kill ends the process and anything it started (its process group).
func (sb *sandbox) kill() {
	if sb.cmd.Process == nil {
		return
	}
	_ = syscall.Kill(-sb.cmd.Process.Pid, syscall.SIGKILL)
}

func (sb *sandbox) hasExited() bool {
	select {
	case <-sb.exited:
		return true
	default:
		return false
	}
}

// exitReason words a process exit as AWS does in Runtime.ExitError.
func (sb *sandbox) exitReason() string {
	sb.mu.Lock()
	err := sb.exitErr
	sb.mu.Unlock()
	if err == nil {
		return "Runtime exited without providing a reason"
	}
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return "Runtime exited with error: " + exit.ProcessState.String()
	}
	return "Runtime exited with error: " + err.Error()
}

// maxMemoryMB is the process's peak resident memory, if the OS tells.
func (sb *sandbox) maxMemoryMB() int {
	if sb.cmd.Process == nil {
		return 0
	}
	b, err := os.ReadFile("/proc/" + strconv.Itoa(sb.cmd.Process.Pid) + "/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")))
			if err == nil {
				return (kb + 1023) / 1024
			}
		}
	}
	return 0
}

func (sb *sandbox) handleNext(w http.ResponseWriter, r *http.Request) {
	sb.firstGet.Do(func() {
		sb.initMS = float64(time.Since(sb.start).Microseconds()) / 1000
	})
	var inv *invocation
	select {
	case inv = <-sb.next:
	case <-r.Context().Done():
		return
	case <-sb.exited:
		return
	}
	deadline := time.Now().Add(inv.timeout)
	sb.mu.Lock()
	sb.current = inv
	sb.served++
	sb.mu.Unlock()
	close(inv.received)

	h := w.Header()
	h.Set("Lambda-Runtime-Aws-Request-Id", inv.id)
	h.Set("Lambda-Runtime-Deadline-Ms", strconv.FormatInt(deadline.UnixMilli(), 10))
	h.Set("Lambda-Runtime-Invoked-Function-Arn", inv.arn)
	h.Set("Lambda-Runtime-Trace-Id", inv.traceID)
	h.Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(inv.payload)
}

// finish completes the current invocation if id names it.
func (sb *sandbox) finish(id string, res Result) bool {
	sb.mu.Lock()
	inv := sb.current
	if inv == nil || inv.id != id {
		sb.mu.Unlock()
		return false
	}
	sb.current = nil
	sb.mu.Unlock()
	inv.done <- res
	return true
}

// abandon drops the current invocation (after a timeout), so a late
// response from the runtime is refused.
func (sb *sandbox) abandon() {
	sb.mu.Lock()
	sb.current = nil
	sb.mu.Unlock()
}

func (sb *sandbox) handleResponse(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	body, err := io.ReadAll(io.LimitReader(r.Body, maxResponse+1))
	if err != nil {
		runtimeAPIError(w, http.StatusBadRequest, "InvalidRequest", "reading the response: "+err.Error())
		return
	}
	if len(body) > maxResponse {
		sb.finish(id, functionError("Function.ResponseSizeTooLarge",
			fmt.Sprintf("Response payload size exceeded maximum allowed payload size (%d bytes).", maxResponse)))
		runtimeAPIError(w, http.StatusRequestEntityTooLarge, "RequestEntityTooLarge", "response too large")
		return
	}
	if !sb.finish(id, Result{Payload: body}) {
		runtimeAPIError(w, http.StatusBadRequest, "InvalidRequestID", "no invocation "+id+" in progress")
		return
	}
	runtimeAccepted(w)
}

func (sb *sandbox) handleError(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	body, err := io.ReadAll(io.LimitReader(r.Body, maxResponse))
	if err != nil {
		runtimeAPIError(w, http.StatusBadRequest, "InvalidRequest", "reading the error: "+err.Error())
		return
	}
	res := Result{Payload: body, FunctionError: FunctionErrorUnhandled}
	if !validErrorBody(body) {
		// A runtime that posts something other than an error document:
		// AWS names the error from the Lambda-Runtime-Function-Error-Type header.
		typ := r.Header.Get("Lambda-Runtime-Function-Error-Type")
		if typ == "" {
			typ = "Runtime.Unknown"
		}
		res = functionError(typ, string(body))
	}
	if !sb.finish(id, res) {
		runtimeAPIError(w, http.StatusBadRequest, "InvalidRequestID", "no invocation "+id+" in progress")
		return
	}
	runtimeAccepted(w)
}

func (sb *sandbox) handleInitError(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, maxResponse))
	if !validErrorBody(body) {
		typ := r.Header.Get("Lambda-Runtime-Function-Error-Type")
		if typ == "" {
			typ = "Runtime.Unknown"
		}
		body = functionError(typ, string(body)).Payload
	}
	select {
	case sb.initErr <- body:
	default:
	}
	runtimeAccepted(w)
}

func runtimeAccepted(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusAccepted)
	_, _ = io.WriteString(w, `{"status":"OK"}`)
}

func runtimeAPIError(w http.ResponseWriter, status int, typ, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(functionError(typ, msg).Payload)
}

// run hands inv to the process and waits for its outcome, enforcing the
// deadline. delivered is false when the process exited before taking the
// invocation, so the function never saw it and it may be retried elsewhere.
// alive tells whether the process can take another invocation.
func (sb *sandbox) run(inv *invocation, initTimeout time.Duration) (res Result, delivered, alive bool) {
	initTimer := time.NewTimer(initTimeout)
	defer initTimer.Stop()
	select {
	case sb.next <- inv:
	case <-sb.exited:
		if body, ok := sb.initError(); ok {
			return Result{Payload: body, FunctionError: FunctionErrorUnhandled}, true, false
		}
		return functionError("Runtime.ExitError", requestPrefix(inv)+"Error: "+sb.exitReason()), false, false
	case body := <-sb.initErr:
		sb.kill()
		return Result{Payload: body, FunctionError: FunctionErrorUnhandled}, true, false
	case <-initTimer.C:
		sb.kill()
		return functionError("Sandbox.Timedout", fmt.Sprintf("%sError: Task timed out after %.2f seconds",
			requestPrefix(inv), initTimeout.Seconds())), true, false
	}
	<-inv.received

	timer := time.NewTimer(inv.timeout)
	defer timer.Stop()
	select {
	case res := <-inv.done:
		return res, true, true
	case <-sb.exited:
		// A runtime that reports an error and then exits (a panic) has
		// already handed its result over.
		select {
		case res := <-inv.done:
			return res, true, false
		default:
		}
		return functionError("Runtime.ExitError", requestPrefix(inv)+"Error: "+sb.exitReason()), true, false
	case <-timer.C:
		sb.abandon()
		select {
		case res := <-inv.done:
			return res, true, true
		default:
		}
		sb.kill()
		return functionError("Sandbox.Timedout", fmt.Sprintf("%sError: Task timed out after %.2f seconds",
			requestPrefix(inv), inv.timeout.Seconds())), true, false
	}
}

func (sb *sandbox) initError() ([]byte, bool) {
	select {
	case body := <-sb.initErr:
		return body, true
	default:
		return nil, false
	}
}

func requestPrefix(inv *invocation) string {
	return "RequestId: " + inv.id + " "
}

// stop kills the process and waits for it to be reaped.
func (sb *sandbox) stop(ctx context.Context) error {
	sb.kill()
	select {
	case <-sb.exited:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("process %d of %s did not exit: %w", sb.cmd.Process.Pid, sb.fn.def.Name, ctx.Err())
	}
}
