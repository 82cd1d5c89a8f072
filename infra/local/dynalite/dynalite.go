// Package dynalite starts dynalite (npm), a second DynamoDB implementation
// that mirrors DynamoDB's validation and messages (without transactions), for
// tests that compare the local DynamoDB and the store against it.
package dynalite

import (
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// Start runs dynalite from the repository's node_modules for the length of
// the test and returns its URL. Tables become ACTIVE (and deleted tables go)
// without dynalite's default delays.
func Start(t testing.TB) string {
	t.Helper()
	cli, err := cliPath()
	if err != nil {
		t.Fatalf("dynalite is not installed (run npm ci at the repo root, as make test does): %v", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	cmd := exec.Command("node", cli, "--host", "127.0.0.1", "--port", fmt.Sprint(port), "--createTableMs", "0", "--deleteTableMs", "0", "--updateTableMs", "0")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	url := fmt.Sprintf("http://127.0.0.1:%d", port)
	for deadline := time.Now().Add(10 * time.Second); ; {
		if res, err := http.Get(url); err == nil {
			res.Body.Close()
			return url
		}
		if time.Now().After(deadline) {
			t.Fatal("dynalite did not start")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// cliPath finds node_modules/dynalite/cli.js in the nearest folder above
// the working directory that has a go.mod (the repository root).
func cliPath() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			cli := filepath.Join(dir, "node_modules", "dynalite", "cli.js")
			_, err := os.Stat(cli)
			return cli, err
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("no go.mod above the working directory")
		}
		dir = parent
	}
}
