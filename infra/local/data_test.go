package local_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/consentflow/consentflow/infra/local"
	"github.com/consentflow/consentflow/infra/topology"
)

// With a data folder, what a recruiter registered is still there after the
// local cloud restarts; without one it is gone.
func TestDataFolderKeepsCandidatesAcrossRestarts(t *testing.T) {
	ctx := context.Background()
	root, _ := filepath.Abs(filepath.Join("..", ".."))
	dir := t.TempDir()
	start := func(dataDir string) *local.Cloud {
		c, err := local.Start(ctx, topology.App, local.Config{Root: root, Bootstraps: bootstraps, DataDir: dataDir})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	call := func(c *local.Cloud, method, path, body string) (int, string) {
		req, _ := http.NewRequest(method, c.AppURL+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+c.RecruiterToken)
		req.Header.Set("Content-Type", "application/json")
		res, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}

	first := start(dir)
	status, body := call(first, "POST", "/api/candidates", `{"name":"Ada","email":"ada-restart@example.com","locale":"en"}`)
	if status != http.StatusCreated {
		t.Fatalf("register: %d %s", status, body)
	}
	var cand struct{ ID string }
	if err := json.Unmarshal([]byte(body), &cand); err != nil || cand.ID == "" {
		t.Fatalf("register: %s %v", body, err)
	}
	id := cand.ID
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}

	second := start(dir)
	status, body = call(second, "GET", "/api/candidates/"+id+"/consents", "")
	if err := second.Close(); err != nil {
		t.Fatal(err)
	}
	if status != http.StatusOK {
		t.Fatalf("after a restart with -data: %d %s", status, body)
	}

	fresh := start("")
	defer fresh.Close()
	if status, body = call(fresh, "GET", "/api/candidates/"+id+"/consents", ""); status != http.StatusNotFound {
		t.Fatalf("without a data folder: %d %s", status, body)
	}
}
