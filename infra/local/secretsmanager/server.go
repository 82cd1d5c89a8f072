// Package secretsmanager is a local stand-in for AWS Secrets Manager: the
// JSON 1.1 API's GetSecretValue and DescribeSecret over secrets generated
// when it starts, so functions read them with the same SDK call as in AWS
// (through AWS_ENDPOINT_URL_SECRETS_MANAGER).
package secretsmanager

import (
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Server serves the secrets it was given. It is an http.Handler.
type Server struct {
	region, account string

	mu      sync.Mutex
	secrets map[string]*secret // by name
}

type secret struct {
	name, arn, value, version string
	created                   time.Time
}

// New returns a server with no secrets, naming ARNs in region and account.
func New(region, account string) *Server {
	return &Server{region: region, account: account, secrets: map[string]*secret{}}
}

// Generate creates the secret name with a random value, as the CDK stack's
// generated secret does in AWS, and returns its ARN.
func (s *Server) Generate(name string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if sec, ok := s.secrets[name]; ok {
		return sec.arn
	}
	// Secrets Manager suffixes an ARN with six random characters.
	suffix := strings.ToLower(rand.Text())[:6]
	sec := &secret{
		name: name, value: rand.Text() + rand.Text(), version: newVersion(), created: time.Now(),
		arn: fmt.Sprintf("arn:aws:secretsmanager:%s:%s:secret:%s-%s", s.region, s.account, name, suffix),
	}
	s.secrets[name] = sec
	return sec.arn
}

// ARN returns the ARN of a generated secret, or "".
func (s *Server) ARN(name string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if sec, ok := s.secrets[name]; ok {
		return sec.arn
	}
	return ""
}

func (s *Server) find(id string) (*secret, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, sec := range s.secrets {
		if id == sec.name || id == sec.arn {
			return sec, true
		}
	}
	return nil, false
}

// ServeHTTP answers the JSON 1.1 protocol: POST / with X-Amz-Target
// secretsmanager.<Action>.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	action, ok := strings.CutPrefix(r.Header.Get("X-Amz-Target"), "secretsmanager.")
	if r.Method != http.MethodPost || !ok {
		writeError(w, http.StatusBadRequest, "UnknownOperationException", "")
		return
	}
	var in struct {
		SecretID string `json:"SecretId"`
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil || json.Unmarshal(body, &in) != nil {
		writeError(w, http.StatusBadRequest, "SerializationException", "the request is not valid JSON")
		return
	}
	if action != "GetSecretValue" && action != "DescribeSecret" {
		writeError(w, http.StatusBadRequest, "UnknownOperationException", "the local Secrets Manager does not implement "+action)
		return
	}
	if in.SecretID == "" {
		writeError(w, http.StatusBadRequest, "InvalidParameterException", "SecretId is required")
		return
	}
	sec, ok := s.find(in.SecretID)
	if !ok {
		writeError(w, http.StatusBadRequest, "ResourceNotFoundException", "Secrets Manager can't find the specified secret.")
		return
	}
	created := float64(sec.created.UnixMilli()) / 1000
	out := map[string]any{"ARN": sec.arn, "Name": sec.name}
	switch action {
	case "GetSecretValue":
		out["SecretString"] = sec.value
		out["VersionId"] = sec.version
		out["VersionStages"] = []string{"AWSCURRENT"}
		out["CreatedDate"] = created
	case "DescribeSecret":
		out["CreatedDate"] = created
		out["VersionIdsToStages"] = map[string][]string{sec.version: {"AWSCURRENT"}}
	}
	b, _ := json.Marshal(out)
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	_, _ = w.Write(b)
}

func writeError(w http.ResponseWriter, status int, code, msg string) {
	b, _ := json.Marshal(map[string]string{"__type": code, "message": msg})
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.Header().Set("X-Amzn-Errortype", code)
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

func newVersion() string {
	t := rand.Text() // 26 base32 characters
	return strings.ToLower(t[:8] + "-" + t[8:12] + "-" + t[12:16] + "-" + t[16:20] + "-" + t[20:26])
}
