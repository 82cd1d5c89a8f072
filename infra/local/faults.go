package local

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"

	"github.com/consentflow/consentflow/infra/local/lambda"
)

// Services whose API calls Faults can fail.
const (
	DynamoDB = "dynamodb"
	S3       = "s3"
	SES      = "ses" // SES v2 and v1 alike
	SFN      = "sfn" // the Step Functions API the functions call (SendTaskSuccess, StartExecution, ...)
)

// Fault makes calls to one service fail as AWS would when it has trouble:
// with an HTTP status and an AWS error code the SDKs parse (and retry, for
// the codes they consider transient).
type Fault struct {
	Service string // DynamoDB, S3, SES or SFN
	// Action is the API action to fail ("PutItem", "TransactWriteItems",
	// "SendEmail", "DeleteObject", ...); empty fails every action.
	Action string
	// Status and Code are what the service answers, e.g. 503
	// "ServiceUnavailable" or 500 "InternalServerError"; zero values
	// answer 503 with a code fitting the service.
	Status  int
	Code    string
	Message string
	// Times is how many calls fail; 0 fails every call until the fault is
	// cleared.
	Times int
}

// Faults injects failures into the local cloud's services and functions,
// for tests of what the product does when AWS has a bad minute. It is safe
// for concurrent use. A Cloud's Faults start empty.
type Faults struct {
	mu     sync.Mutex
	rules  []*rule
	lambda *lambda.Service
	// Failed counts the calls each service failed on purpose.
	failed map[string]int
}

type rule struct {
	Fault
	left int // -1: until cleared
}

// Fail adds a fault and returns a function that clears it.
func (f *Faults) Fail(fault Fault) (clear func()) {
	fault.Service = strings.ToLower(fault.Service)
	if fault.Status == 0 {
		fault.Status = http.StatusServiceUnavailable
	}
	if fault.Code == "" {
		fault.Code = map[string]string{DynamoDB: "ServiceUnavailable", S3: "ServiceUnavailable", SES: "ServiceUnavailableException", SFN: "ServiceUnavailable"}[fault.Service]
	}
	if fault.Message == "" {
		fault.Message = "injected fault: the service is unavailable"
	}
	r := &rule{Fault: fault, left: fault.Times}
	if fault.Times == 0 {
		r.left = -1
	}
	f.mu.Lock()
	f.rules = append(f.rules, r)
	f.mu.Unlock()
	return func() {
		f.mu.Lock()
		defer f.mu.Unlock()
		for i, x := range f.rules {
			if x == r {
				f.rules = append(f.rules[:i], f.rules[i+1:]...)
				return
			}
		}
	}
}

// Clear removes every service fault.
func (f *Faults) Clear() {
	f.mu.Lock()
	f.rules = nil
	f.mu.Unlock()
}

// Failed is how many calls to service were failed on purpose so far.
func (f *Faults) Failed(service string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.failed[strings.ToLower(service)]
}

// CrashOnce makes the function's next invocation end as a crashed process
// does: the process dies, and the caller gets Runtime.ExitError.
func (f *Faults) CrashOnce(function string) error {
	return f.lambda.InjectOnce(function, lambda.Crash)
}

// TimeOutOnce makes the function's next invocation run to its end and then
// be reported as timed out (Sandbox.Timedout), its process killed: the
// worst case of a timeout, where the work was done but the caller cannot
// know it.
func (f *Faults) TimeOutOnce(function string) error {
	return f.lambda.InjectOnce(function, lambda.Timeout)
}

// Pending is how many injected crashes and timeouts the function has yet
// to meet.
func (f *Faults) Pending(function string) int { return f.lambda.PendingFaults(function) }

// take reports the fault that fails this call, if any, and counts it.
func (f *Faults) take(service, action string) (Fault, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i, r := range f.rules {
		if r.Service != service || (r.Action != "" && r.Action != action) {
			continue
		}
		if r.left > 0 {
			r.left--
			if r.left == 0 {
				f.rules = append(f.rules[:i], f.rules[i+1:]...)
			}
		}
		if f.failed == nil {
			f.failed = map[string]int{}
		}
		f.failed[service]++
		return r.Fault, true
	}
	return Fault{}, false
}

// wrap puts the fault layer in front of a service's HTTP handler.
func (f *Faults) wrap(service string, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fault, ok := f.take(service, action(service, r))
		if !ok {
			h.ServeHTTP(w, r)
			return
		}
		writeFault(w, service, fault)
	})
}

// action names the API action of a request in each service's protocol.
func action(service string, r *http.Request) string {
	switch service {
	case DynamoDB, SFN:
		_, a, _ := strings.Cut(r.Header.Get("X-Amz-Target"), ".")
		return a
	case SES:
		if r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/outbound-emails") {
			return "SendEmail"
		}
		if r.Method == http.MethodPost && r.URL.Path == "/" && r.Body != nil {
			// SES v1's query protocol names the action in the form; the
			// body is read and put back for the service.
			b, _ := io.ReadAll(r.Body)
			r.Body = io.NopCloser(bytes.NewReader(b))
			q, _ := url.ParseQuery(string(b))
			return q.Get("Action")
		}
		return r.Method + " " + r.URL.Path
	case S3:
		return s3Action(r)
	}
	return ""
}

func s3Action(r *http.Request) string {
	q := r.URL.Query()
	object := strings.Count(strings.Trim(r.URL.Path, "/"), "/") >= 1
	switch {
	case r.Method == http.MethodPost && q.Has("delete"):
		return "DeleteObjects"
	case r.Method == http.MethodGet && q.Has("versions"):
		return "ListObjectVersions"
	case r.Method == http.MethodGet && !object:
		return "ListObjectsV2"
	case r.Method == http.MethodGet:
		return "GetObject"
	case r.Method == http.MethodHead:
		return "HeadObject"
	case r.Method == http.MethodPut && r.Header.Get("X-Amz-Copy-Source") != "":
		return "CopyObject"
	case r.Method == http.MethodPut && object:
		return "PutObject"
	case r.Method == http.MethodDelete && object:
		return "DeleteObject"
	}
	return r.Method
}

// writeFault answers in the error format of the service's protocol.
func writeFault(w http.ResponseWriter, service string, f Fault) {
	switch service {
	case DynamoDB, SFN:
		prefix := map[string]string{DynamoDB: "com.amazonaws.dynamodb.v20120810#", SFN: "com.amazonaws.states#"}[service]
		w.Header().Set("Content-Type", "application/x-amz-json-1.0")
		w.WriteHeader(f.Status)
		_ = json.NewEncoder(w).Encode(map[string]string{"__type": prefix + f.Code, "message": f.Message})
	case SES:
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Amzn-ErrorType", f.Code)
		w.WriteHeader(f.Status)
		_ = json.NewEncoder(w).Encode(map[string]string{"message": f.Message})
	default:
		w.Header().Set("Content-Type", "application/xml")
		w.WriteHeader(f.Status)
		fmt.Fprintf(w, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>%s</Code><Message>%s</Message></Error>", f.Code, f.Message)
	}
}

// proxy forwards to a service that runs in its own process (the SES
// outbox), so that faults can be put in front of it.
func proxy(target string) (http.Handler, error) {
	u, err := url.Parse(target)
	if err != nil {
		return nil, err
	}
	return httputil.NewSingleHostReverseProxy(u), nil
}
