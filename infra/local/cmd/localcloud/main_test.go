package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/consentflow/consentflow/infra/local"
	"github.com/consentflow/consentflow/infra/topology"
)

// What `make dev` runs: it prints where everything is, serves the app with
// the printed token, and stops everything it started on a signal.
func TestLocalCloudCommand(t *testing.T) {
	root, _ := filepath.Abs(filepath.Join("..", "..", "..", ".."))
	dir := t.TempDir()
	bootstraps := os.Getenv("CONSENTFLOW_BOOTSTRAPS")
	if bootstraps == "" {
		bootstraps = filepath.Join(dir, "bootstraps")
		if err := local.Build(context.Background(), root, bootstraps, topology.App); err != nil {
			t.Fatal(err)
		}
	}
	bin := filepath.Join(dir, "localcloud")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	envFile := filepath.Join(dir, "local.env")
	cmd := exec.Command(bin, "-root", root, "-bootstraps", bootstraps, "-env-file", envFile,
		"-addr", "127.0.0.1:0", "-ses-addr", "127.0.0.1:0")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	stdout, _ := cmd.StdoutPipe()
	cmd.Stderr = os.Stderr
	stdin, _ := cmd.StdinPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }()

	printed := map[string]string{}
	lines := bufio.NewScanner(stdout)
	ready := false
	deadline := time.After(30 * time.Second)
	got := make(chan string)
	go func() {
		for lines.Scan() {
			got <- lines.Text()
		}
		close(got)
	}()
	field := regexp.MustCompile(`^\s+(App \(API and candidate pages\)|Recruiter console|Sign-in provider \(OIDC\)|Email outbox|Recruiter token)\s+(\S+)$`)
	for !ready || len(printed) < 5+6 {
		select {
		case line, ok := <-got:
			if !ok {
				t.Fatalf("the command ended early; printed %v", printed)
			}
			if strings.Contains(line, "is ready") {
				ready = true
			}
			if m := field.FindStringSubmatch(line); m != nil {
				printed[m[1]] = m[2]
			}
			if k, v, ok := strings.Cut(strings.TrimSpace(line), "="); ok && strings.HasPrefix(k, "AWS_ENDPOINT_URL_") {
				printed[k] = v
			}
		case <-deadline:
			t.Fatalf("not ready in 30 s; printed %v", printed)
		}
	}
	token := printed["Recruiter token"]
	if strings.Count(token, ".") != 2 {
		t.Fatalf("the printed token %q is not a JWT", token)
	}
	if printed["Recruiter console"] != printed["App (API and candidate pages)"]+"/console" {
		t.Errorf("console URL %q", printed["Recruiter console"])
	}
	discovery, err := http.Get(printed["Sign-in provider (OIDC)"] + "/.well-known/openid-configuration")
	if err != nil || discovery.StatusCode != http.StatusOK {
		t.Fatalf("sign-in provider at the printed URL: %v", err)
	}
	discovery.Body.Close()
	for _, svc := range []string{"DYNAMODB", "S3", "SESV2", "LAMBDA", "SFN"} {
		if !strings.HasPrefix(printed["AWS_ENDPOINT_URL_"+svc], "http://127.0.0.1:") {
			t.Errorf("no endpoint line for %s: %v", svc, printed)
		}
	}
	env, err := os.ReadFile(envFile)
	if err != nil || !strings.Contains(string(env), "AWS_ENDPOINT_URL_SFN="+printed["AWS_ENDPOINT_URL_SFN"]) {
		t.Errorf("local.env: %v\n%s", err, env)
	}

	req, _ := http.NewRequest("POST", printed["App (API and candidate pages)"]+"/api/candidates",
		strings.NewReader(`{"name":"Ada","email":"ada@example.com","locale":"en"}`))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("register through the printed URL and token: %d", res.StatusCode)
	}
	// A token the provider did not sign is refused as API Gateway refuses it.
	forged := token[:strings.LastIndex(token, ".")+1] + "AAAA"
	req, _ = http.NewRequest("POST", printed["App (API and candidate pages)"]+"/api/candidates",
		strings.NewReader(`{"name":"Ada","email":"ada@example.com","locale":"en"}`))
	req.Header.Set("Authorization", "Bearer "+forged)
	req.Header.Set("Content-Type", "application/json")
	res, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusUnauthorized || string(body) != `{"message":"Unauthorized"}` {
		t.Fatalf("a forged token: %d %s", res.StatusCode, body)
	}
	if health, err := http.Get(printed["Email outbox"] + "/health-check"); err != nil || health.StatusCode != http.StatusOK {
		t.Fatalf("outbox at the printed URL: %v", err)
	}

	// The time commands answer on standard input.
	io.WriteString(stdin, "advance 2d\ntime\n")
	for answered := false; !answered; {
		select {
		case line := <-got:
			answered = strings.Contains(line, "ahead by 48h0m0s")
		case <-time.After(10 * time.Second):
			t.Fatal(`no answer to "advance 2d" and "time"`)
		}
	}
	go func() {
		for range got { // keep reading, so the command never blocks on output
		}
	}()

	// Ctrl-C (SIGINT) stops everything: the command exits and the outbox no
	// longer answers.
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(15 * time.Second):
		t.Fatal("the command did not stop on Ctrl-C")
	}
	if _, err := http.Get(printed["Email outbox"] + "/health-check"); err == nil {
		t.Fatal("the email outbox still answers after Ctrl-C")
	}
}

// A taken port gets the flag that moves it and a free-looking choice.
func TestATakenPortGetsTheFlagThatMovesIt(t *testing.T) {
	for _, tt := range []struct {
		taken, want string
	}{
		{"127.0.0.1:8080", "make dev DEV_FLAGS='-addr 127.0.0.1:8081 -ses-addr 127.0.0.1:8005'"},
		{"127.0.0.1:8005", "make dev DEV_FLAGS='-ses-addr 127.0.0.1:8006 -addr 127.0.0.1:8080'"},
	} {
		err := fmt.Errorf("start: %w", &local.AddrInUseError{Service: "x", Addr: tt.taken, Err: syscall.EADDRINUSE})
		if got := addrHint(err, "127.0.0.1:8080", "127.0.0.1:8005"); !strings.Contains(got, tt.want) {
			t.Errorf("taken %s: hint %q, want it to contain %q", tt.taken, got, tt.want)
		}
	}
	if got := addrHint(errors.New("other"), "127.0.0.1:8080", "127.0.0.1:8005"); got != "" {
		t.Errorf("another error got a port hint: %q", got)
	}
}
