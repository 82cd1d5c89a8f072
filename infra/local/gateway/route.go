package gateway

import (
	"fmt"
	"strings"
)

// Route is one route of the HTTP API, served by a function.
type Route struct {
	// Method is an HTTP method or ANY.
	Method string
	// Path uses {param} segments, and a last {param+} segment for the rest
	// of the path, as API Gateway writes them; "$default" catches every
	// request no other route matches.
	Path     string
	Function string
	// Auth routes need a bearer token the Authorizer accepts.
	Auth bool
}

// Key is the API Gateway route key, "POST /api/candidates/{id}" or "$default".
func (r Route) Key() string {
	if r.Path == defaultRoute {
		return defaultRoute
	}
	return r.Method + " " + r.Path
}

const defaultRoute = "$default"

type segKind int

// The order is the order of precedence: a literal segment is more specific
// than a {param}, which is more specific than a greedy {param+}.
const (
	literal segKind = iota
	param
	greedy
)

type segment struct {
	kind segKind
	text string // the literal, or the parameter's name
}

// route is a Route parsed for matching.
type route struct {
	Route
	segs []segment
}

var methods = map[string]bool{
	"GET": true, "POST": true, "PUT": true, "PATCH": true, "DELETE": true, "HEAD": true, "OPTIONS": true, "ANY": true,
}

func parseRoute(r Route) (route, error) {
	if r.Function == "" {
		return route{}, fmt.Errorf("route %s: no function", r.Key())
	}
	if r.Path == defaultRoute {
		return route{Route: r}, nil
	}
	if !methods[r.Method] {
		return route{}, fmt.Errorf("route %s: unknown method %q", r.Key(), r.Method)
	}
	if !strings.HasPrefix(r.Path, "/") {
		return route{}, fmt.Errorf("route %s: the path must start with /", r.Key())
	}
	var segs []segment
	names := map[string]bool{}
	parts := splitPath(r.Path)
	for i, p := range parts {
		switch {
		case strings.HasPrefix(p, "{") && strings.HasSuffix(p, "+}"):
			if i != len(parts)-1 {
				return route{}, fmt.Errorf("route %s: a greedy parameter must be the last segment", r.Key())
			}
			segs = append(segs, segment{kind: greedy, text: p[1 : len(p)-2]})
		case strings.HasPrefix(p, "{") && strings.HasSuffix(p, "}"):
			segs = append(segs, segment{kind: param, text: p[1 : len(p)-1]})
		case p == "" && i != len(parts)-1:
			return route{}, fmt.Errorf("route %s: empty path segment", r.Key())
		case strings.ContainsAny(p, "{}"):
			return route{}, fmt.Errorf("route %s: a parameter must be a whole segment", r.Key())
		default:
			segs = append(segs, segment{kind: literal, text: p})
			continue
		}
		name := segs[len(segs)-1].text
		if name == "" || names[name] {
			return route{}, fmt.Errorf("route %s: parameter names must be unique and not empty", r.Key())
		}
		names[name] = true
	}
	return route{Route: r, segs: segs}, nil
}

// splitPath splits "/a/b" into ["a", "b"]; "/" is [""].
func splitPath(path string) []string {
	return strings.Split(strings.TrimPrefix(path, "/"), "/")
}

// match tells whether the route serves method and (decoded) path, and
// returns its path parameters.
func (rt route) match(method string, parts []string) (map[string]string, bool) {
	if rt.Path == defaultRoute {
		return nil, true
	}
	if rt.Method != "ANY" && rt.Method != method {
		return nil, false
	}
	var params map[string]string
	set := func(k, v string) {
		if params == nil {
			params = map[string]string{}
		}
		params[k] = v
	}
	for i, seg := range rt.segs {
		if seg.kind == greedy {
			if i >= len(parts) {
				return nil, false
			}
			rest := strings.Join(parts[i:], "/")
			if rest == "" {
				return nil, false
			}
			set(seg.text, rest)
			return params, true
		}
		if i >= len(parts) {
			return nil, false
		}
		switch seg.kind {
		case literal:
			if parts[i] != seg.text {
				return nil, false
			}
		case param:
			if parts[i] == "" {
				return nil, false
			}
			set(seg.text, parts[i])
		}
	}
	if len(parts) != len(rt.segs) {
		return nil, false
	}
	return params, true
}

// moreSpecific tells whether a wins over b when both match a request:
// segment by segment, literal over {param} over {param+}; then an explicit
// method over ANY; $default loses to everything.
func moreSpecific(a, b route) bool {
	if (a.Path == defaultRoute) != (b.Path == defaultRoute) {
		return b.Path == defaultRoute
	}
	for i := 0; i < len(a.segs) && i < len(b.segs); i++ {
		if a.segs[i].kind != b.segs[i].kind {
			return a.segs[i].kind < b.segs[i].kind
		}
	}
	if len(a.segs) != len(b.segs) {
		return len(a.segs) > len(b.segs)
	}
	return a.Method != "ANY" && b.Method == "ANY"
}
