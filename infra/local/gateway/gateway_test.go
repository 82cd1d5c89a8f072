package gateway_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/consentflow/consentflow/infra/local/gateway"
	"github.com/consentflow/consentflow/infra/local/lambda"
)

const token = "local-recruiter-token"

var (
	svc   *lambda.Service
	calls atomic.Int64 // invocations that reached the Lambda service
)

// countingInvoker counts the invocations the gateway makes of the real
// Lambda service, so tests can tell a refused request never ran a function.
type countingInvoker struct{ *lambda.Service }

func (c countingInvoker) Invoke(ctx context.Context, fn string, payload []byte) (lambda.Result, error) {
	calls.Add(1)
	return c.Service.Invoke(ctx, fn, payload)
}

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	dir, err := os.MkdirTemp("", "gateway-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	bootstrap := filepath.Join(dir, "bootstrap")
	build := exec.Command("go", "build", "-tags", "lambda.norpc", "-o", bootstrap, "./testdata/echo")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building the echo handler:", err)
		return 1
	}
	svc, err = lambda.Start(lambda.Config{Functions: []lambda.Function{{Name: "echo", Bootstrap: bootstrap, Timeout: 5 * time.Second}}})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer svc.Close()
	return m.Run()
}

var routes = []gateway.Route{
	{Method: "POST", Path: "/api/candidates", Function: "echo", Auth: true},
	{Method: "POST", Path: "/api/candidates/{id}/consent-requests", Function: "echo", Auth: true},
	{Method: "GET", Path: "/api/candidates/{id}/consents", Function: "echo", Auth: true},
	{Method: "GET", Path: "/api/candidates/me/consents", Function: "echo", Auth: true},
	{Method: "GET", Path: "/c/{token}", Function: "echo"},
	{Method: "POST", Path: "/c/{token}", Function: "echo"},
	{Method: "ANY", Path: "/files/{path+}", Function: "echo"},
	{Method: "GET", Path: "/files/readme", Function: "echo"},
	{Method: "GET", Path: "/gone", Function: "no-such-function"},
}

func TestValidateAcceptsTheRoutes(t *testing.T) {
	if err := gateway.Validate(routes); err != nil {
		t.Fatalf("Validate: %v", err)
	}
}

func newServer(t *testing.T, timeout time.Duration) *httptest.Server {
	t.Helper()
	g := gateway.New(gateway.Config{
		Routes:     routes,
		Invoker:    countingInvoker{svc},
		Authorizer: gateway.StaticToken{Token: token, Claims: gateway.LocalRecruiter},
		APIID:      "consentflow",
		AccountID:  "123456789012",
		Timeout:    timeout,
	})
	srv := httptest.NewServer(g)
	t.Cleanup(srv.Close)
	return srv
}

func do(t *testing.T, req *http.Request) (*http.Response, []byte) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, body
}

// echoed sends req and returns the event the echo function received.
func echoed(t *testing.T, req *http.Request) (events.APIGatewayV2HTTPRequest, *http.Response) {
	t.Helper()
	resp, body := do(t, req)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%s %s: status %d: %s", req.Method, req.URL, resp.StatusCode, body)
	}
	var ev events.APIGatewayV2HTTPRequest
	if err := json.Unmarshal(body, &ev); err != nil {
		t.Fatalf("decoding the echoed event %s: %v", body, err)
	}
	return ev, resp
}

func TestEventShape(t *testing.T) {
	srv := newServer(t, 0)
	body := `{"purposes":["talent_pool"]}`
	req, _ := http.NewRequest("POST", srv.URL+"/api/candidates/c%2042/consent-requests?x=1&x=2&y=%C3%A9", strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "consent-test/1.0")
	req.Header.Add("X-Multi", "a")
	req.Header.Add("X-Multi", "b")
	req.Header.Add("Cookie", "a=1; b=2")
	before := time.Now()
	ev, resp := echoed(t, req)
	host := strings.TrimPrefix(srv.URL, "http://")

	str := []struct{ field, got, want string }{
		{"version", ev.Version, "2.0"},
		{"routeKey", ev.RouteKey, "POST /api/candidates/{id}/consent-requests"},
		{"rawPath", ev.RawPath, "/api/candidates/c 42/consent-requests"},
		{"rawQueryString", ev.RawQueryString, "x=1&x=2&y=%C3%A9"},
		{"cookies", strings.Join(ev.Cookies, "|"), "a=1|b=2"},
		{"headers.x-multi", ev.Headers["x-multi"], "a,b"},
		{"headers.content-type", ev.Headers["content-type"], "application/json"},
		{"headers.content-length", ev.Headers["content-length"], fmt.Sprint(len(body))},
		{"headers.host", ev.Headers["host"], host},
		{"headers.user-agent", ev.Headers["user-agent"], "consent-test/1.0"},
		{"headers.x-forwarded-for", ev.Headers["x-forwarded-for"], "127.0.0.1"},
		{"headers.x-forwarded-proto", ev.Headers["x-forwarded-proto"], "http"},
		{"headers.x-forwarded-port", ev.Headers["x-forwarded-port"], host[strings.LastIndex(host, ":")+1:]},
		{"queryStringParameters.x", ev.QueryStringParameters["x"], "1,2"},
		{"queryStringParameters.y", ev.QueryStringParameters["y"], "é"},
		{"pathParameters.id", ev.PathParameters["id"], "c 42"},
		{"requestContext.accountId", ev.RequestContext.AccountID, "123456789012"},
		{"requestContext.apiId", ev.RequestContext.APIID, "consentflow"},
		{"requestContext.domainName", ev.RequestContext.DomainName, host},
		{"requestContext.domainPrefix", ev.RequestContext.DomainPrefix, "127"},
		{"requestContext.http.method", ev.RequestContext.HTTP.Method, "POST"},
		{"requestContext.http.path", ev.RequestContext.HTTP.Path, "/api/candidates/c 42/consent-requests"},
		{"requestContext.http.protocol", ev.RequestContext.HTTP.Protocol, "HTTP/1.1"},
		{"requestContext.http.sourceIp", ev.RequestContext.HTTP.SourceIP, "127.0.0.1"},
		{"requestContext.http.userAgent", ev.RequestContext.HTTP.UserAgent, "consent-test/1.0"},
		{"requestContext.requestId", ev.RequestContext.RequestID, resp.Header.Get("Apigw-Requestid")},
		{"requestContext.routeKey", ev.RequestContext.RouteKey, "POST /api/candidates/{id}/consent-requests"},
		{"requestContext.stage", ev.RequestContext.Stage, "$default"},
		{"body", ev.Body, body},
	}
	for _, c := range str {
		if c.got != c.want {
			t.Errorf("%s = %q, want %q", c.field, c.got, c.want)
		}
	}
	if _, ok := ev.Headers["cookie"]; ok {
		t.Errorf("the cookie header was passed on; API Gateway moves it to cookies")
	}
	if _, ok := ev.Headers["authorization"]; !ok {
		t.Errorf("the authorization header is missing")
	}
	if !strings.HasPrefix(ev.Headers["x-amzn-trace-id"], "Root=1-") {
		t.Errorf("x-amzn-trace-id = %q", ev.Headers["x-amzn-trace-id"])
	}
	if ev.IsBase64Encoded {
		t.Errorf("a JSON body was base64-encoded")
	}
	at, err := time.Parse("02/Jan/2006:15:04:05 -0700", ev.RequestContext.Time)
	if err != nil || at.Before(before.Truncate(time.Second)) || at.After(time.Now()) {
		t.Errorf("requestContext.time = %q (%v), want the request's time", ev.RequestContext.Time, err)
	}
	if epoch := time.UnixMilli(ev.RequestContext.TimeEpoch); epoch.Before(before.Add(-time.Millisecond)) || epoch.After(time.Now()) {
		t.Errorf("requestContext.timeEpoch = %d, want the request's time", ev.RequestContext.TimeEpoch)
	}
	if ev.RequestContext.Authorizer == nil || ev.RequestContext.Authorizer.JWT == nil {
		t.Fatalf("requestContext.authorizer.jwt is missing")
	}
	jwt := ev.RequestContext.Authorizer.JWT
	if jwt.Claims["sub"] != "local-recruiter" || strings.Join(jwt.Scopes, " ") != "consent/recruiter" {
		t.Errorf("jwt claims %v scopes %v", jwt.Claims, jwt.Scopes)
	}
}

func TestPublicRouteHasNoAuthorizer(t *testing.T) {
	srv := newServer(t, 0)
	req, _ := http.NewRequest("GET", srv.URL+"/c/tok%2Ben", nil)
	ev, _ := echoed(t, req)
	if ev.RequestContext.Authorizer != nil {
		t.Errorf("a public route got an authorizer: %+v", ev.RequestContext.Authorizer)
	}
	if ev.PathParameters["token"] != "tok+en" {
		t.Errorf("pathParameters.token = %q, want the decoded tok+en", ev.PathParameters["token"])
	}
	if ev.Body != "" || ev.IsBase64Encoded || ev.QueryStringParameters != nil || ev.Cookies != nil {
		t.Errorf("a bare GET got body %q base64 %v query %v cookies %v", ev.Body, ev.IsBase64Encoded, ev.QueryStringParameters, ev.Cookies)
	}
}

func TestBodyEncoding(t *testing.T) {
	srv := newServer(t, 0)
	tests := []struct {
		contentType string
		body        string
		wantBase64  bool
	}{
		{"application/json", `{"a":1}`, false},
		{"application/json; charset=utf-8", `{"a":1}`, false},
		{"text/html; charset=utf-8", "<p>hi</p>", false},
		{"text/plain", "plain", false},
		{"application/xml", "<a/>", false},
		{"application/javascript", "f()", false},
		{"application/x-www-form-urlencoded", "decision=given&purpose=talent_pool", true},
		{"application/octet-stream", "\x00\x01\x02", true},
		{"multipart/form-data; boundary=x", "--x--", true},
		{"application/problem+json", `{"a":1}`, true},
		{"", "no content type", true},
	}
	for _, tt := range tests {
		t.Run(tt.contentType, func(t *testing.T) {
			req, _ := http.NewRequest("POST", srv.URL+"/c/tok", strings.NewReader(tt.body))
			req.Header["Content-Type"] = nil
			if tt.contentType != "" {
				req.Header.Set("Content-Type", tt.contentType)
			}
			ev, _ := echoed(t, req)
			if ev.IsBase64Encoded != tt.wantBase64 {
				t.Errorf("isBase64Encoded = %v, want %v", ev.IsBase64Encoded, tt.wantBase64)
			}
			got := ev.Body
			if ev.IsBase64Encoded {
				b, err := base64.StdEncoding.DecodeString(ev.Body)
				if err != nil {
					t.Fatalf("body %q is not base64: %v", ev.Body, err)
				}
				got = string(b)
			}
			if got != tt.body {
				t.Errorf("body = %q, want %q", got, tt.body)
			}
		})
	}
}

func TestRouting(t *testing.T) {
	srv := newServer(t, 0)
	tests := []struct {
		method, path string
		wantStatus   int
		wantRoute    string
		wantParams   map[string]string
	}{
		{"GET", "/api/candidates/me/consents", 200, "GET /api/candidates/me/consents", nil},
		{"GET", "/api/candidates/c-1/consents", 200, "GET /api/candidates/{id}/consents", map[string]string{"id": "c-1"}},
		{"POST", "/api/candidates", 200, "POST /api/candidates", nil},
		{"GET", "/files/readme", 200, "GET /files/readme", nil},
		{"GET", "/files/a/b/c.pdf", 200, "ANY /files/{path+}", map[string]string{"path": "a/b/c.pdf"}},
		{"DELETE", "/files/x", 200, "ANY /files/{path+}", map[string]string{"path": "x"}},
		{"GET", "/nowhere", 404, "", nil},
		{"GET", "/api/candidates", 404, "", nil}, // only POST is routed
		{"HEAD", "/c/tok", 404, "", nil},
		{"OPTIONS", "/api/candidates", 404, "", nil},
		{"GET", "/c/", 404, "", nil},
		{"GET", "/files/", 404, "", nil},
		{"GET", "/api/candidates/c-1/consents/extra", 404, "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			req, _ := http.NewRequest(tt.method, srv.URL+tt.path, nil)
			req.Header.Set("Authorization", "Bearer "+token)
			resp, body := do(t, req)
			if resp.StatusCode != tt.wantStatus {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, tt.wantStatus, body)
			}
			if tt.wantStatus == 404 {
				if tt.method != "HEAD" && string(body) != `{"message":"Not Found"}` {
					t.Errorf("body %s, want {\"message\":\"Not Found\"}", body)
				}
				return
			}
			var ev events.APIGatewayV2HTTPRequest
			if err := json.Unmarshal(body, &ev); err != nil {
				t.Fatal(err)
			}
			if ev.RouteKey != tt.wantRoute {
				t.Errorf("routeKey %q, want %q", ev.RouteKey, tt.wantRoute)
			}
			if fmt.Sprint(ev.PathParameters) != fmt.Sprint(tt.wantParams) {
				t.Errorf("pathParameters %v, want %v", ev.PathParameters, tt.wantParams)
			}
		})
	}
}

func TestUnauthorized(t *testing.T) {
	srv := newServer(t, 0)
	tests := []struct {
		name, auth string
		wantStatus int
	}{
		{"no token", "", 401},
		{"wrong token", "Bearer nope", 401},
		{"other scheme", "Basic " + token, 401},
		{"bearer in lower case", "bearer " + token, 200},
		{"token without scheme", token, 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest("GET", srv.URL+"/api/candidates/c-1/consents", nil)
			if tt.auth != "" {
				req.Header.Set("Authorization", tt.auth)
			}
			before := calls.Load()
			resp, body := do(t, req)
			if resp.StatusCode != tt.wantStatus {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, tt.wantStatus, body)
			}
			invoked := calls.Load() - before
			if tt.wantStatus == 401 {
				if string(body) != `{"message":"Unauthorized"}` {
					t.Errorf("body %s", body)
				}
				if invoked != 0 {
					t.Errorf("an unauthorized request invoked the function")
				}
			} else if invoked != 1 {
				t.Errorf("%d invocations, want 1", invoked)
			}
		})
	}
}

func TestResponses(t *testing.T) {
	srv := newServer(t, 0)
	tests := []struct {
		mode        string
		path        string
		wantStatus  int
		wantBody    []byte
		wantHeaders map[string][]string
	}{
		{mode: "simple", wantStatus: 200, wantBody: []byte(`{"hello":"world"}`),
			wantHeaders: map[string][]string{"Content-Type": {"application/json"}}},
		{mode: "string", wantStatus: 200, wantBody: []byte("just text"),
			wantHeaders: map[string][]string{"Content-Type": {"application/json"}}},
		{mode: "cookies", wantStatus: 201, wantBody: []byte("created"),
			wantHeaders: map[string][]string{
				"Content-Type": {"text/plain"},
				"X-Single":     {"one"},
				"X-Multi":      {"a", "b"},
				"Set-Cookie":   {"session=abc; HttpOnly", "theme=dark"},
			}},
		{mode: "binary", wantStatus: 200, wantBody: []byte{0, 1, 2, 255},
			wantHeaders: map[string][]string{"Content-Type": {"application/octet-stream"}}},
		{mode: "error", wantStatus: 500, wantBody: []byte(`{"message":"Internal Server Error"}`)},
		{mode: "malformed", wantStatus: 500, wantBody: []byte(`{"message":"Internal Server Error"}`)},
		{mode: "unknown function", path: "/gone", wantStatus: 500, wantBody: []byte(`{"message":"Internal Server Error"}`)},
	}
	for _, tt := range tests {
		t.Run(tt.mode, func(t *testing.T) {
			path := tt.path
			if path == "" {
				path = "/c/tok?mode=" + tt.mode
			}
			req, _ := http.NewRequest("GET", srv.URL+path, nil)
			resp, body := do(t, req)
			if resp.StatusCode != tt.wantStatus {
				t.Errorf("status %d, want %d", resp.StatusCode, tt.wantStatus)
			}
			if !bytes.Equal(body, tt.wantBody) {
				t.Errorf("body %q, want %q", body, tt.wantBody)
			}
			for k, want := range tt.wantHeaders {
				if got := resp.Header.Values(k); strings.Join(got, "|") != strings.Join(want, "|") {
					t.Errorf("header %s = %q, want %q", k, got, want)
				}
			}
			if resp.Header.Get("Apigw-Requestid") == "" {
				t.Errorf("no apigw-requestid header")
			}
		})
	}
}

func TestIntegrationTimeout(t *testing.T) {
	srv := newServer(t, 300*time.Millisecond)
	req, _ := http.NewRequest("GET", srv.URL+"/c/tok?mode=sleep", nil)
	resp, body := do(t, req)
	if resp.StatusCode != http.StatusServiceUnavailable || string(body) != `{"message":"Service Unavailable"}` {
		t.Errorf("status %d body %s, want 503 Service Unavailable", resp.StatusCode, body)
	}
}

func TestBodyTooLarge(t *testing.T) {
	srv := newServer(t, 0)
	before := calls.Load()
	req, _ := http.NewRequest("POST", srv.URL+"/c/tok", bytes.NewReader(make([]byte, gateway.MaxBody+1)))
	req.Header.Set("Content-Type", "application/octet-stream")
	resp, body := do(t, req)
	if resp.StatusCode != http.StatusRequestEntityTooLarge || string(body) != `{"message":"Request Entity Too Large"}` {
		t.Errorf("status %d body %s, want 413", resp.StatusCode, body)
	}
	if calls.Load() != before {
		t.Errorf("an oversized request invoked the function")
	}
}

func TestValidateRefusesBadRoutes(t *testing.T) {
	tests := []struct {
		name  string
		route []gateway.Route
	}{
		{"duplicate", []gateway.Route{{Method: "GET", Path: "/a", Function: "f"}, {Method: "GET", Path: "/a", Function: "g"}}},
		{"relative path", []gateway.Route{{Method: "GET", Path: "a", Function: "f"}}},
		{"greedy not last", []gateway.Route{{Method: "GET", Path: "/{p+}/a", Function: "f"}}},
		{"partial parameter", []gateway.Route{{Method: "GET", Path: "/a{id}", Function: "f"}}},
		{"repeated parameter", []gateway.Route{{Method: "GET", Path: "/{id}/{id}", Function: "f"}}},
		{"unknown method", []gateway.Route{{Method: "FETCH", Path: "/a", Function: "f"}}},
		{"no function", []gateway.Route{{Method: "GET", Path: "/a"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := gateway.Validate(tt.route); err == nil {
				t.Errorf("Validate accepted %+v", tt.route)
			}
			defer func() {
				if recover() == nil {
					t.Errorf("New accepted %+v", tt.route)
				}
			}()
			gateway.New(gateway.Config{Routes: tt.route, Invoker: svc})
		})
	}
}

// BenchmarkRequest measures a request through the gateway to a warm function.
func BenchmarkRequest(b *testing.B) {
	g := gateway.New(gateway.Config{Routes: routes, Invoker: svc})
	srv := httptest.NewServer(g)
	defer srv.Close()
	get := func() {
		resp, err := http.Get(srv.URL + "/c/tok?mode=simple")
		if err != nil {
			b.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			b.Fatalf("status %d", resp.StatusCode)
		}
	}
	get() // warm
	for b.Loop() {
		get()
	}
}
