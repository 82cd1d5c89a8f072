package stepfunctions

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/theory/jsonpath"
)

// pathSegment is one step of a reference path: a member name or an index.
type pathSegment struct {
	name  string
	index int
	isIdx bool
}

// compiledPath is a JSONPath. Reference paths (single node, only names and
// indexes) are evaluated by hand; anything else goes to theory/jsonpath.
type compiledPath struct {
	text     string
	ref      []pathSegment // set for a reference path
	isRef    bool
	query    *jsonpath.Path
	singular bool
}

var errNotReference = errors.New("not a reference path")

// parseReferencePath parses $, $.a.b, $['a'][0] and the like.
func parseReferencePath(s string) ([]pathSegment, error) {
	if !strings.HasPrefix(s, "$") {
		return nil, fmt.Errorf("%w: %q must start with $", errNotReference, s)
	}
	var segs []pathSegment
	i := 1
	for i < len(s) {
		switch s[i] {
		case '.':
			i++
			j := i
			for j < len(s) && s[j] != '.' && s[j] != '[' {
				j++
			}
			name := s[i:j]
			if name == "" || strings.ContainsAny(name, "*@?() ,:'\"") && !isPlainName(name) {
				return nil, fmt.Errorf("%w: bad member name in %q", errNotReference, s)
			}
			segs = append(segs, pathSegment{name: name})
			i = j
		case '[':
			j := strings.IndexByte(s[i:], ']')
			if j < 0 {
				return nil, fmt.Errorf("%w: unclosed [ in %q", errNotReference, s)
			}
			inner := s[i+1 : i+j]
			switch {
			case len(inner) >= 2 && (inner[0] == '\'' && inner[len(inner)-1] == '\'' || inner[0] == '"' && inner[len(inner)-1] == '"'):
				segs = append(segs, pathSegment{name: inner[1 : len(inner)-1]})
			default:
				n, err := strconv.Atoi(inner)
				if err != nil || n < 0 {
					return nil, fmt.Errorf("%w: bad index in %q", errNotReference, s)
				}
				segs = append(segs, pathSegment{index: n, isIdx: true})
			}
			i += j + 1
		default:
			return nil, fmt.Errorf("%w: unexpected %q in %q", errNotReference, s[i], s)
		}
	}
	return segs, nil
}

func isPlainName(name string) bool {
	for _, r := range name {
		if strings.ContainsRune("*@?()[] ,'\"", r) {
			return false
		}
	}
	return true
}

var pathCache syncMap[string, *compiledPath]

// compilePath compiles a JSONPath, accepting a little of Jayway's dialect
// (AWS's), such as $.[?(@.x)] for $[?(@.x)].
func compilePath(s string) (*compiledPath, error) {
	if p, ok := pathCache.Load(s); ok {
		return p, nil
	}
	p := &compiledPath{text: s}
	if segs, err := parseReferencePath(s); err == nil {
		p.ref, p.isRef, p.singular = segs, true, true
	} else {
		text := strings.ReplaceAll(s, ".[", "[")
		q, err := jsonpath.Parse(text)
		if err != nil {
			return nil, fmt.Errorf("invalid JSONPath %q: %w", s, err)
		}
		p.query = q
		p.singular = q.Query().Singular() != nil
	}
	pathCache.Store(s, p)
	return p, nil
}

// errNoResults is returned when a definite path selects nothing. As in
// Jayway JsonPath (AWS's), a missing member before the last step is told
// apart from a missing last one: "Missing property in path $['a']" names the
// path up to the missing member, "No results for path" names the whole path.
type errNoResults struct {
	path    string // as written
	missing string // set when a member before the last step is missing: the normalized path to it
}

func (e *errNoResults) Error() string {
	if e.missing != "" {
		return fmt.Sprintf("Invalid path '%s' : Missing property in path %s", e.path, e.missing)
	}
	return fmt.Sprintf("Invalid path '%s' : No results for path: %s", e.path, normalizedPath(strings.Replace(e.path, "$$", "$", 1)))
}

func normalizedPath(s string) string {
	segs, err := parseReferencePath(s)
	if err != nil {
		return s
	}
	return normalizedSegs(segs)
}

func normalizedSegs(segs []pathSegment) string {
	var b strings.Builder
	b.WriteString("$")
	for _, sg := range segs {
		if sg.isIdx {
			fmt.Fprintf(&b, "[%d]", sg.index)
		} else {
			fmt.Fprintf(&b, "['%s']", sg.name)
		}
	}
	return b.String()
}

// get evaluates the path on v. A definite path returns its one node, or
// errNoResults; an indefinite one returns a (possibly empty) array.
func (p *compiledPath) get(v any) (any, error) {
	if p.isRef {
		cur := v
		for i, sg := range p.ref {
			switch c := cur.(type) {
			case map[string]any:
				if sg.isIdx {
					return nil, &errNoResults{path: p.text}
				}
				next, ok := c[sg.name]
				if !ok {
					if i < len(p.ref)-1 {
						return nil, &errNoResults{path: p.text, missing: normalizedSegs(p.ref[:i+1])}
					}
					return nil, &errNoResults{path: p.text}
				}
				cur = next
			case []any:
				if !sg.isIdx || sg.index >= len(c) {
					return nil, &errNoResults{path: p.text}
				}
				cur = c[sg.index]
			default:
				return nil, &errNoResults{path: p.text}
			}
		}
		return cur, nil
	}
	nodes := p.query.Select(v)
	if p.singular {
		if len(nodes) == 0 {
			return nil, &errNoResults{path: p.text}
		}
		return nodes[0], nil
	}
	out := make([]any, len(nodes))
	copy(out, nodes)
	return out, nil
}

// valuePath is a path field read at run time (InputPath, ItemsPath,
// SecondsPath, ErrorPath, a Choice Variable, a template's "x.$" value...),
// compiled when the definition is parsed. Written with $$ it reads the
// context object instead of the state's input, as AWS allows everywhere but
// ResultPath.
type valuePath struct {
	text    string // as written
	context bool
	p       *compiledPath
}

// compileValuePath compiles a path that may start with $$; reference
// paths must select a single node with names and indexes only.
func compileValuePath(s string, reference bool) (*valuePath, error) {
	vp := &valuePath{text: s}
	expr := s
	if strings.HasPrefix(s, "$$") {
		vp.context, expr = true, s[1:]
	}
	var err error
	if reference {
		var segs []pathSegment
		if segs, err = parseReferencePath(expr); err == nil {
			vp.p = &compiledPath{text: s, ref: segs, isRef: true, singular: true}
		}
	} else {
		vp.p, err = compilePath(expr)
		if err == nil && vp.context {
			cp := *vp.p
			cp.text = s
			vp.p = &cp
		}
	}
	if err != nil {
		return nil, err
	}
	return vp, nil
}

// read evaluates the path on the input, or on the context object.
func (vp *valuePath) read(input any, ctxObj map[string]any) (any, error) {
	if vp.context {
		return vp.p.get(ctxObj)
	}
	return vp.p.get(input)
}

// getPath compiles and evaluates s on v.
func getPath(s string, v any) (any, error) {
	p, err := compilePath(s)
	if err != nil {
		return nil, err
	}
	return p.get(v)
}

// setPath returns a copy of doc with value put at the reference path s,
// creating objects on the way. It fails when the path runs through a value
// that is not an object. Definitions parse their ResultPath once and call
// setSegs.
func setPath(doc any, s string, value any) (any, error) {
	segs, err := parseReferencePath(s)
	if err != nil {
		return nil, err
	}
	return setSegs(doc, segs, value)
}

func setSegs(doc any, segs []pathSegment, value any) (any, error) {
	if len(segs) == 0 {
		return value, nil
	}
	sg := segs[0]
	switch d := doc.(type) {
	case map[string]any:
		if sg.isIdx {
			return nil, fmt.Errorf("cannot index an object with [%d]", sg.index)
		}
		child, ok := d[sg.name]
		if !ok && len(segs) > 1 {
			child = map[string]any{}
		}
		nv, err := setSegs(child, segs[1:], value)
		if err != nil {
			return nil, err
		}
		out := maps.Clone(d)
		out[sg.name] = nv
		return out, nil
	case []any:
		if !sg.isIdx || sg.index >= len(d) {
			return nil, fmt.Errorf("cannot set %v in an array of %d", sg, len(d))
		}
		nv, err := setSegs(d[sg.index], segs[1:], value)
		if err != nil {
			return nil, err
		}
		out := append([]any(nil), d...)
		out[sg.index] = nv
		return out, nil
	default:
		return nil, fmt.Errorf("cannot set a field in a %s", strings.ToLower(jsonTypeName(doc)))
	}
}

// marshal renders a JSON value the way Step Functions prints it.
func marshal(v any) string {
	b, err := marshalBytes(v)
	if err != nil {
		return "null"
	}
	return string(b)
}

func marshalBytes(v any) ([]byte, error) {
	var buf strings.Builder
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	s := buf.String()
	return []byte(s[:len(s)-1]), nil
}

// unmarshal parses JSON keeping numbers exact.
func unmarshal(s string) (any, error) {
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, errors.New("trailing data after JSON value")
	}
	return v, nil
}

// exceedsPayload reports whether v, written as JSON, is longer than the
// payload quota. It counts without encoding, and stops once past the quota.
func exceedsPayload(v any) bool {
	return jsonSize(v, maxPayload) > maxPayload
}

// jsonSize returns the length of v's JSON encoding (as marshal writes it),
// or some number above limit once the count passes limit.
func jsonSize(v any, limit int) int {
	switch t := v.(type) {
	case nil:
		return 4
	case bool:
		if t {
			return 4
		}
		return 5
	case json.Number:
		return len(t)
	case string:
		return quotedSize(t)
	case []any:
		n := 2 + max(len(t)-1, 0)
		for _, e := range t {
			if n > limit {
				break
			}
			n += jsonSize(e, limit-n)
		}
		return n
	case map[string]any:
		n := 2 + max(len(t)-1, 0)
		for k, e := range t {
			if n > limit {
				break
			}
			n += quotedSize(k) + 1 + jsonSize(e, limit-n)
		}
		return n
	default:
		b, err := marshalBytes(v)
		if err != nil {
			return 4
		}
		return len(b)
	}
}

// quotedSize is the length of s as a JSON string, with encoding/json's
// escapes (HTML characters left as they are).
func quotedSize(s string) int {
	n := 2
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\' || c == '\n' || c == '\r' || c == '\t' || c == '\b' || c == '\f':
				n += 2
			case c < 0x20:
				n += 6
			default:
				n++
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			n += 6 // \ufffd
		case r == '\u2028' || r == '\u2029':
			n += 6
		default:
			n += size
		}
		i += size
	}
	return n
}
