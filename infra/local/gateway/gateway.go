// Package gateway is a local HTTP front that behaves like an Amazon API
// Gateway HTTP API with Lambda proxy integrations (payload format 2.0): it
// routes a request to a function, hands it the event API Gateway would, and
// turns the function's answer into the HTTP response API Gateway would send.
package gateway

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/consentflow/consentflow/infra/local/lambda"
)

// Invoker invokes a function by name; *lambda.Service is one.
type Invoker interface {
	Invoke(ctx context.Context, function string, payload []byte) (lambda.Result, error)
}

// Authorizer checks the caller of a route that needs auth and returns the
// claims API Gateway's JWT authorizer would pass to the function.
type Authorizer interface {
	Authorize(r *http.Request) (claims map[string]string, ok bool)
}

// Limits and defaults of API Gateway HTTP APIs.
const (
	MaxBody            = 10 * 1024 * 1024 // request payload quota
	DefaultTimeout     = 30 * time.Second // the integration timeout (its maximum in AWS)
	DefaultAPIID       = "local"
	DefaultAccountID   = "000000000000"
	DefaultRegion      = "us-east-1"
	stage              = "$default"
	requestTimeFormat  = "02/Jan/2006:15:04:05 -0700"
	contentTypeJSONStr = "application/json"
)

// Config configures a Gateway.
type Config struct {
	Routes  []Route
	Invoker Invoker
	// Authorizer checks Auth routes. Nil refuses every Auth route.
	Authorizer Authorizer
	APIID      string // zero: DefaultAPIID
	AccountID  string // zero: DefaultAccountID
	// Region names the API's default domain,
	// <APIID>.execute-api.<Region>.amazonaws.com, used as domainName when a
	// request carries no Host. Zero: DefaultRegion.
	Region  string
	Timeout time.Duration // integration timeout; zero: DefaultTimeout
	// Logger receives one access line per request: method, route key,
	// status and latency. Never paths (they hold consent tokens) or bodies.
	Logger *slog.Logger
}

// Gateway is the HTTP front. It is an http.Handler.
type Gateway struct {
	cfg    Config
	routes []route
	log    *slog.Logger
}

// New returns a Gateway serving cfg.Routes. The route table is static
// program data (the topology), so a table Validate refuses, or a missing
// Invoker, is a programming error: New panics with Validate's message.
func New(cfg Config) *Gateway {
	if cfg.Invoker == nil {
		panic("gateway: no Invoker")
	}
	if cfg.APIID == "" {
		cfg.APIID = DefaultAPIID
	}
	if cfg.AccountID == "" {
		cfg.AccountID = DefaultAccountID
	}
	if cfg.Region == "" {
		cfg.Region = DefaultRegion
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	routes, err := parseRoutes(cfg.Routes)
	if err != nil {
		panic(err.Error())
	}
	g := &Gateway{cfg: cfg, routes: routes, log: cfg.Logger}
	if g.log == nil {
		g.log = slog.New(slog.DiscardHandler)
	}
	return g
}

// Validate checks a route table as API Gateway would when the routes are
// created: well-formed methods and paths, no route key twice.
func Validate(routes []Route) error {
	_, err := parseRoutes(routes)
	return err
}

func parseRoutes(routes []Route) ([]route, error) {
	seen := map[string]bool{}
	out := make([]route, 0, len(routes))
	for _, r := range routes {
		rt, err := parseRoute(r)
		if err != nil {
			return nil, fmt.Errorf("gateway: %w", err)
		}
		if seen[r.Key()] {
			return nil, fmt.Errorf("gateway: route %s defined twice", r.Key())
		}
		seen[r.Key()] = true
		out = append(out, rt)
	}
	return out, nil
}

// Routes returns the routes the gateway serves, in the order given.
func (g *Gateway) Routes() []Route {
	out := make([]Route, len(g.routes))
	for i, rt := range g.routes {
		out[i] = rt.Route
	}
	return out
}

// find returns the most specific route for method and the decoded path.
func (g *Gateway) find(method, path string) (route, map[string]string, bool) {
	parts := splitPath(path)
	var best route
	var bestParams map[string]string
	found := false
	for _, rt := range g.routes {
		params, ok := rt.match(method, parts)
		if !ok {
			continue
		}
		if !found || moreSpecific(rt, best) {
			best, bestParams, found = rt, params, true
		}
	}
	return best, bestParams, found
}

// ServeHTTP serves one request as API Gateway would.
func (g *Gateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	began := time.Now()
	requestID := newRequestID()
	w.Header().Set("Apigw-Requestid", requestID)
	status, key := g.serve(w, r, requestID, began)
	g.log.Info("http api request", "requestId", requestID, "method", r.Method, "routeKey", key,
		"status", status, "ms", time.Since(began).Milliseconds())
}

func (g *Gateway) serve(w http.ResponseWriter, r *http.Request, requestID string, began time.Time) (status int, routeKey string) {
	rt, params, ok := g.find(r.Method, r.URL.Path)
	if !ok {
		return writeMessage(w, http.StatusNotFound, "Not Found"), ""
	}
	key := rt.Key()
	var claims map[string]string
	if rt.Auth {
		if g.cfg.Authorizer == nil {
			return writeMessage(w, http.StatusUnauthorized, "Unauthorized"), key
		}
		c, ok := g.cfg.Authorizer.Authorize(r)
		if !ok {
			return writeMessage(w, http.StatusUnauthorized, "Unauthorized"), key
		}
		claims = c
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, MaxBody+1))
	if err != nil {
		return writeMessage(w, http.StatusBadRequest, "Bad Request"), key
	}
	if len(body) > MaxBody {
		return writeMessage(w, http.StatusRequestEntityTooLarge, "Request Entity Too Large"), key
	}
	event := g.event(r, rt, params, claims, body, requestID, began)
	payload, err := json.Marshal(event)
	if err != nil {
		return writeMessage(w, http.StatusInternalServerError, "Internal Server Error"), key
	}
	ctx, cancel := context.WithTimeout(r.Context(), g.cfg.Timeout)
	defer cancel()
	res, err := g.cfg.Invoker.Invoke(ctx, rt.Function, payload)
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return writeMessage(w, http.StatusServiceUnavailable, "Service Unavailable"), key
	case err != nil:
		g.log.Error("http api integration failed", "requestId", requestID, "routeKey", key, "error", err)
		return writeMessage(w, http.StatusInternalServerError, "Internal Server Error"), key
	case res.FunctionError != "":
		g.log.Warn("http api function failed", "requestId", requestID, "routeKey", key, "errorType", res.ErrorType())
		return writeMessage(w, http.StatusInternalServerError, "Internal Server Error"), key
	}
	resp, err := response(res.Payload)
	if err != nil {
		g.log.Error("http api malformed Lambda proxy response", "requestId", requestID, "routeKey", key, "error", err)
		return writeMessage(w, http.StatusInternalServerError, "Internal Server Error"), key
	}
	return resp.write(w), key
}

// event builds the payload format 2.0 event API Gateway sends.
func (g *Gateway) event(r *http.Request, rt route, params map[string]string, claims map[string]string,
	body []byte, requestID string, at time.Time) events.APIGatewayV2HTTPRequest {
	sourceIP := r.RemoteAddr
	if host, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		sourceIP = host
	}
	domain := r.Host
	if domain == "" {
		domain = g.cfg.APIID + ".execute-api." + g.cfg.Region + ".amazonaws.com"
	}
	host := domain
	if h, _, err := net.SplitHostPort(domain); err == nil {
		host = h
	}
	prefix, _, _ := strings.Cut(host, ".")

	headers := map[string]string{}
	var cookies []string
	names := make([]string, 0, len(r.Header))
	for k := range r.Header {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		lk := strings.ToLower(k)
		vs := r.Header[k]
		if lk == "cookie" {
			for _, v := range vs {
				for c := range strings.SplitSeq(v, ";") {
					if c = strings.TrimSpace(c); c != "" {
						cookies = append(cookies, c)
					}
				}
			}
			continue
		}
		if prev, ok := headers[lk]; ok {
			headers[lk] = prev + "," + strings.Join(vs, ",")
		} else {
			headers[lk] = strings.Join(vs, ",")
		}
	}
	headers["host"] = r.Host
	if len(body) > 0 {
		headers["content-length"] = strconv.Itoa(len(body))
	}
	if xff, ok := headers["x-forwarded-for"]; ok {
		headers["x-forwarded-for"] = xff + ", " + sourceIP
	} else {
		headers["x-forwarded-for"] = sourceIP
	}
	proto, port := "http", "80"
	if r.TLS != nil {
		proto, port = "https", "443"
	}
	if la, ok := r.Context().Value(http.LocalAddrContextKey).(net.Addr); ok {
		if _, p, err := net.SplitHostPort(la.String()); err == nil {
			port = p
		}
	}
	headers["x-forwarded-port"] = port
	headers["x-forwarded-proto"] = proto
	headers["x-amzn-trace-id"] = fmt.Sprintf("Root=1-%08x-%s", at.Unix(), randomHex(12))

	var query map[string]string
	if r.URL.RawQuery != "" {
		values, _ := url.ParseQuery(r.URL.RawQuery)
		for k, vs := range values {
			if query == nil {
				query = map[string]string{}
			}
			query[k] = strings.Join(vs, ",")
		}
	}

	ev := events.APIGatewayV2HTTPRequest{
		Version:               "2.0",
		RouteKey:              rt.Key(),
		RawPath:               r.URL.Path, // decoded, as HTTP APIs deliver it
		RawQueryString:        r.URL.RawQuery,
		Cookies:               cookies,
		Headers:               headers,
		QueryStringParameters: query,
		PathParameters:        params,
		RequestContext: events.APIGatewayV2HTTPRequestContext{
			RouteKey:     rt.Key(),
			AccountID:    g.cfg.AccountID,
			Stage:        stage,
			RequestID:    requestID,
			APIID:        g.cfg.APIID,
			DomainName:   domain,
			DomainPrefix: prefix,
			Time:         at.UTC().Format(requestTimeFormat),
			TimeEpoch:    at.UnixMilli(),
			HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{
				Method:    r.Method,
				Path:      r.URL.Path,
				Protocol:  r.Proto,
				SourceIP:  sourceIP,
				UserAgent: r.UserAgent(),
			},
		},
	}
	if rt.Auth {
		jwt := &events.APIGatewayV2HTTPRequestContextAuthorizerJWTDescription{Claims: claims}
		if scope := claims["scope"]; scope != "" {
			jwt.Scopes = strings.Fields(scope)
		}
		ev.RequestContext.Authorizer = &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{JWT: jwt}
	}
	if len(body) > 0 {
		if isText(r.Header.Get("Content-Type")) {
			ev.Body = string(body)
		} else {
			ev.Body = base64.StdEncoding.EncodeToString(body)
			ev.IsBase64Encoded = true
		}
	}
	return ev
}

// isText tells whether API Gateway passes a body of this content type as
// text. HTTP APIs pass text/*, application/json, application/xml and
// application/javascript as text and base64-encode everything else,
// application/x-www-form-urlencoded and a missing content type included.
func isText(contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return false
	}
	switch {
	case strings.HasPrefix(mt, "text/"):
		return true
	case mt == "application/json", mt == "application/xml", mt == "application/javascript":
		return true
	}
	return false
}

// proxyResponse is a function's answer, read as payload format 2.0 reads it.
type proxyResponse struct {
	status  int
	headers http.Header
	body    []byte
}

// response reads a function's answer: a structured response when it is a
// JSON object with a statusCode, otherwise a "simple response" (200,
// application/json, the value as the body; a JSON string is unquoted).
func response(payload []byte) (proxyResponse, error) {
	var probe map[string]json.RawMessage
	if err := json.Unmarshal(payload, &probe); err == nil {
		if _, ok := probe["statusCode"]; ok {
			return structured(payload)
		}
	} else if !json.Valid(payload) {
		return proxyResponse{}, fmt.Errorf("the function's answer is not JSON")
	}
	body := payload
	var s string
	if json.Unmarshal(payload, &s) == nil {
		body = []byte(s)
	}
	h := http.Header{}
	h.Set("Content-Type", contentTypeJSONStr)
	return proxyResponse{status: http.StatusOK, headers: h, body: body}, nil
}

func structured(payload []byte) (proxyResponse, error) {
	var v events.APIGatewayV2HTTPResponse
	if err := json.Unmarshal(payload, &v); err != nil {
		return proxyResponse{}, fmt.Errorf("decoding the proxy response: %w", err)
	}
	if v.StatusCode < 100 || v.StatusCode > 599 {
		return proxyResponse{}, fmt.Errorf("status code %d out of range", v.StatusCode)
	}
	h := http.Header{}
	for k, vs := range v.MultiValueHeaders {
		for _, val := range vs {
			h.Add(k, val)
		}
	}
	for k, val := range v.Headers {
		h.Set(k, val)
	}
	for _, c := range v.Cookies {
		h.Add("Set-Cookie", c)
	}
	if h.Get("Content-Type") == "" {
		h.Set("Content-Type", contentTypeJSONStr)
	}
	body := []byte(v.Body)
	if v.IsBase64Encoded {
		b, err := base64.StdEncoding.DecodeString(v.Body)
		if err != nil {
			return proxyResponse{}, fmt.Errorf("decoding the base64 body: %w", err)
		}
		body = b
	}
	return proxyResponse{status: v.StatusCode, headers: h, body: body}, nil
}

func (p proxyResponse) write(w http.ResponseWriter) int {
	h := w.Header()
	for k, vs := range p.headers {
		h[k] = append(h[k], vs...)
	}
	h.Set("Content-Length", strconv.Itoa(len(p.body)))
	w.WriteHeader(p.status)
	_, _ = w.Write(p.body)
	return p.status
}

// writeMessage answers as API Gateway does on its own: {"message": ...}.
func writeMessage(w http.ResponseWriter, status int, msg string) int {
	b, _ := json.Marshal(map[string]string{"message": msg})
	w.Header().Set("Content-Type", contentTypeJSONStr)
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	_, _ = w.Write(b)
	return status
}

// newRequestID returns an id shaped like API Gateway's ("JKJaXmPLvHcESHA=").
func newRequestID() string {
	b := make([]byte, 11)
	_, _ = rand.Read(b)
	return base64.StdEncoding.EncodeToString(b)
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
