// Package ses runs the local stand-in for Amazon SES: the aws-ses-v2-local
// outbox (npm), which accepts SESv2 and SES v1 SendEmail calls and keeps
// every email in memory, and reads that outbox back for tests and tools.
package ses

import (
	"bytes"
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
	"sync"
	"syscall"
	"time"
)

// Config configures the outbox process.
type Config struct {
	// Addr is host:port to listen on; port 0 picks a free port. Zero:
	// "127.0.0.1:0".
	Addr string
	// NodeModules is the node_modules folder that holds aws-ses-v2-local
	// (the repo root's, after `npm ci`).
	NodeModules string
	// Node is the node executable. Zero: "node" on PATH.
	Node string
	// Logs receives the process's output, each line prefixed "[ses] ".
	// Nil discards it.
	Logs io.Writer
}

// Server is a running outbox process.
type Server struct {
	url    string
	cmd    *exec.Cmd
	exited chan struct{}
	once   sync.Once
	*Outbox
}

// Start starts the outbox and returns once it answers its health check, or
// fails when ctx ends first (ctx without a deadline gets 15 seconds).
func Start(ctx context.Context, cfg Config) (*Server, error) {
	if cfg.Addr == "" {
		cfg.Addr = "127.0.0.1:0"
	}
	if cfg.Node == "" {
		cfg.Node = "node"
	}
	if cfg.NodeModules == "" {
		return nil, errors.New("ses: Config.NodeModules is required")
	}
	cli := filepath.Join(cfg.NodeModules, "aws-ses-v2-local", "dist", "cli.js")
	if _, err := os.Stat(cli); err != nil {
		return nil, fmt.Errorf("ses: aws-ses-v2-local is not installed (run npm ci in the repo root): %w", err)
	}
	host, port, err := hostPort(cfg.Addr)
	if err != nil {
		return nil, err
	}
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, 15*time.Second)
		defer cancel()
	}

	cmd := exec.Command(cfg.Node, cli, "--host", host, "--port", strconv.Itoa(port))
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	logs := cfg.Logs
	if logs == nil {
		logs = io.Discard
	}
	out := &prefixWriter{w: logs, prefix: "[ses] "}
	cmd.Stdout, cmd.Stderr = out, out
	cmd.WaitDelay = time.Second
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("ses: start %s: %w", cli, err)
	}
	s := &Server{
		url:    "http://" + net.JoinHostPort(host, strconv.Itoa(port)),
		cmd:    cmd,
		exited: make(chan struct{}),
	}
	s.Outbox = NewOutbox(s.url)
	var waitErr error
	go func() {
		waitErr = cmd.Wait()
		out.flush()
		close(s.exited)
	}()

	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		if s.healthy(ctx) {
			return s, nil
		}
		select {
		case <-s.exited:
			return nil, fmt.Errorf("ses: %s exited before it was ready: %v", cli, waitErr)
		case <-ctx.Done():
			s.Close()
			return nil, fmt.Errorf("ses: waiting for %s/health-check: %w", s.url, ctx.Err())
		case <-tick.C:
		}
	}
}

func (s *Server) healthy(ctx context.Context) bool {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.url+"/health-check", nil)
	if err != nil {
		return false
	}
	resp, err := s.Outbox.http.Do(req)
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

// URL is the outbox's endpoint: the SESv2 client's BaseEndpoint (or
// AWS_ENDPOINT_URL_SESV2) and the web outbox.
func (s *Server) URL() string { return s.url }

// PID is the process id of the outbox.
func (s *Server) PID() int { return s.cmd.Process.Pid }

// Close kills the outbox and anything it started, and waits for it to exit.
func (s *Server) Close() error {
	var err error
	s.once.Do(func() {
		_ = syscall.Kill(-s.cmd.Process.Pid, syscall.SIGKILL)
		select {
		case <-s.exited:
		case <-time.After(5 * time.Second):
			err = fmt.Errorf("ses: process %d did not exit", s.cmd.Process.Pid)
		}
	})
	return err
}

// hostPort splits addr and, for port 0, picks a free port.
func hostPort(addr string) (string, int, error) {
	host, p, err := net.SplitHostPort(addr)
	if err != nil {
		return "", 0, fmt.Errorf("ses: address %q: %w", addr, err)
	}
	if host == "" {
		host = "127.0.0.1"
	}
	port, err := strconv.Atoi(p)
	if err != nil {
		return "", 0, fmt.Errorf("ses: port %q: %w", p, err)
	}
	if port == 0 {
		ln, err := net.Listen("tcp", net.JoinHostPort(host, "0"))
		if err != nil {
			return "", 0, fmt.Errorf("ses: pick a free port: %w", err)
		}
		port = ln.Addr().(*net.TCPAddr).Port
		ln.Close()
	}
	return host, port, nil
}

// prefixWriter writes whole lines to w, each prefixed.
type prefixWriter struct {
	mu      sync.Mutex
	w       io.Writer
	prefix  string
	partial []byte
}

func (p *prefixWriter) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := len(b)
	p.partial = append(p.partial, b...)
	for {
		i := bytes.IndexByte(p.partial, '\n')
		if i < 0 {
			break
		}
		line := append([]byte(p.prefix), p.partial[:i+1]...)
		_, _ = p.w.Write(line)
		p.partial = p.partial[i+1:]
	}
	return n, nil
}

func (p *prefixWriter) flush() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.partial) > 0 {
		_, _ = p.w.Write(append(append([]byte(p.prefix), p.partial...), '\n'))
		p.partial = nil
	}
}
