package lambda

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// ServeHTTP serves the subset of the Lambda HTTP API (version 2015-03-31)
// that clients of a deployed app use: Invoke (RequestResponse, Event and
// DryRun), ListFunctions, GetFunction and GetFunctionConfiguration.
func (s *Service) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("X-Amzn-RequestId", newRequestID())
	const prefix = "/2015-03-31/functions"
	rest, ok := strings.CutPrefix(r.URL.EscapedPath(), prefix)
	if !ok {
		writeAPIError(w, &Error{Code: "UnknownOperationException", Status: http.StatusNotFound, Message: "Unknown operation " + r.Method + " " + r.URL.Path})
		return
	}
	segs := strings.Split(strings.Trim(rest, "/"), "/")
	for i, seg := range segs {
		if u, err := url.PathUnescape(seg); err == nil {
			segs[i] = u
		}
	}
	switch {
	case r.Method == http.MethodGet && (rest == "" || rest == "/"):
		s.listFunctions(w, r)
	case r.Method == http.MethodPost && len(segs) == 2 && segs[1] == "invocations":
		s.serveInvoke(w, r, segs[0])
	case r.Method == http.MethodGet && len(segs) == 1:
		s.getFunction(w, r, segs[0], false)
	case r.Method == http.MethodGet && len(segs) == 2 && segs[1] == "configuration":
		s.getFunction(w, r, segs[0], true)
	default:
		writeAPIError(w, &Error{Code: "UnknownOperationException", Status: http.StatusNotFound, Message: "Unknown operation " + r.Method + " " + r.URL.Path})
	}
}

func (s *Service) serveInvoke(w http.ResponseWriter, r *http.Request, name string) {
	ref := name
	if q := r.URL.Query().Get("Qualifier"); q != "" {
		ref = name + ":" + q
	}
	fn, err := s.lookup(ref)
	if err != nil {
		writeAPIError(w, err)
		return
	}
	typ := r.Header.Get("X-Amz-Invocation-Type")
	if typ == "" {
		typ = "RequestResponse"
	}
	limit := MaxPayload
	switch typ {
	case "RequestResponse", "DryRun":
	case "Event":
		limit = MaxEventPayload
	default:
		writeAPIError(w, errInvalidParameter("1 validation error detected: Value '"+typ+
			"' at 'invocationType' failed to satisfy constraint: Member must satisfy enum value set: [Event, RequestResponse, DryRun]"))
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, int64(limit)+1))
	if err != nil {
		writeAPIError(w, &Error{Code: CodeService, Status: http.StatusInternalServerError, Message: "reading the payload: " + err.Error()})
		return
	}
	payload, err := checkPayload(body, limit)
	if err != nil {
		writeAPIError(w, err)
		return
	}
	switch typ {
	case "DryRun":
		w.WriteHeader(http.StatusNoContent)
		return
	case "Event":
		if err := s.invokeEvent(fn, payload); err != nil {
			writeAPIError(w, err)
			return
		}
		w.WriteHeader(http.StatusAccepted)
		return
	}
	res, err := s.invoke(r.Context(), fn, payload)
	if err != nil {
		writeAPIError(w, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("X-Amz-Executed-Version", "$LATEST")
	if res.FunctionError != "" {
		h.Set("X-Amz-Function-Error", res.FunctionError)
	}
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(res.Payload)
}

// functionConfiguration is the Lambda API's description of a function.
type functionConfiguration struct {
	FunctionName     string            `json:"FunctionName"`
	FunctionArn      string            `json:"FunctionArn"`
	Runtime          string            `json:"Runtime"`
	Role             string            `json:"Role"`
	Handler          string            `json:"Handler"`
	CodeSize         int64             `json:"CodeSize"`
	Description      string            `json:"Description"`
	Timeout          int               `json:"Timeout"`
	MemorySize       int               `json:"MemorySize"`
	LastModified     string            `json:"LastModified"`
	CodeSha256       string            `json:"CodeSha256"`
	Version          string            `json:"Version"`
	Environment      *environment      `json:"Environment,omitempty"`
	TracingConfig    map[string]string `json:"TracingConfig"`
	State            string            `json:"State"`
	LastUpdateStatus string            `json:"LastUpdateStatus"`
	PackageType      string            `json:"PackageType"`
	Architectures    []string          `json:"Architectures"`
	EphemeralStorage map[string]int    `json:"EphemeralStorage"`
}

type environment struct {
	Variables map[string]string `json:"Variables"`
}

func (s *Service) configuration(fn *function) functionConfiguration {
	def := fn.def
	c := functionConfiguration{
		FunctionName:     def.Name,
		FunctionArn:      fn.arn,
		Runtime:          "provided.al2023",
		Role:             "arn:aws:iam::" + s.cfg.AccountID + ":role/" + def.Name,
		Handler:          "bootstrap",
		Description:      def.Description,
		Timeout:          int((def.Timeout + time.Second - 1) / time.Second),
		MemorySize:       def.MemoryMB,
		LastModified:     s.loaded.Format("2006-01-02T15:04:05.000-0700"),
		Version:          "$LATEST",
		TracingConfig:    map[string]string{"Mode": "PassThrough"},
		State:            "Active",
		LastUpdateStatus: "Successful",
		PackageType:      "Zip",
		Architectures:    []string{"x86_64"},
		EphemeralStorage: map[string]int{"Size": 512},
	}
	if runtime.GOARCH == "arm64" {
		c.Architectures = []string{"arm64"}
	}
	if len(def.Env) > 0 {
		c.Environment = &environment{Variables: def.Env}
	}
	if st, err := os.Stat(def.Bootstrap); err == nil {
		c.CodeSize = st.Size()
		c.LastModified = st.ModTime().UTC().Format("2006-01-02T15:04:05.000-0700")
		if b, err := os.ReadFile(def.Bootstrap); err == nil {
			sum := sha256.Sum256(b)
			c.CodeSha256 = base64.StdEncoding.EncodeToString(sum[:])
		}
	}
	return c
}

func (s *Service) listFunctions(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	maxItems := 50
	if v, err := strconv.Atoi(q.Get("MaxItems")); err == nil && v > 0 && v <= 10000 {
		maxItems = v
	}
	start := 0
	if m := q.Get("Marker"); m != "" {
		i, err := strconv.Atoi(m)
		if err != nil || i < 0 || i > len(s.order) {
			writeAPIError(w, errInvalidParameter("Invalid Marker: "+m))
			return
		}
		start = i
	}
	end := min(start+maxItems, len(s.order))
	out := struct {
		Functions  []functionConfiguration `json:"Functions"`
		NextMarker *string                 `json:"NextMarker,omitempty"`
	}{Functions: []functionConfiguration{}}
	for _, name := range s.order[start:end] {
		out.Functions = append(out.Functions, s.configuration(s.fns[name]))
	}
	if end < len(s.order) {
		m := strconv.Itoa(end)
		out.NextMarker = &m
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Service) getFunction(w http.ResponseWriter, r *http.Request, name string, configOnly bool) {
	ref := name
	if q := r.URL.Query().Get("Qualifier"); q != "" {
		ref = name + ":" + q
	}
	fn, err := s.lookup(ref)
	if err != nil {
		writeAPIError(w, err)
		return
	}
	c := s.configuration(fn)
	if configOnly {
		writeJSON(w, http.StatusOK, c)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"Configuration": c,
		"Code":          map[string]string{"RepositoryType": "S3", "Location": "file://" + fn.def.Bootstrap},
		"Tags":          map[string]string{},
	})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// writeAPIError answers as the Lambda API does: the error code in the
// X-Amzn-ErrorType header, {"Type": "User", "Message": ...} in the body.
func writeAPIError(w http.ResponseWriter, err error) {
	var e *Error
	if !errors.As(err, &e) {
		e = &Error{Code: CodeService, Status: http.StatusInternalServerError, Message: err.Error()}
	}
	kind := "User"
	if e.Status >= 500 {
		kind = "Service"
	}
	w.Header().Set("X-Amzn-ErrorType", e.Code)
	writeJSON(w, e.Status, map[string]string{"Type": kind, "Message": e.Message})
}
