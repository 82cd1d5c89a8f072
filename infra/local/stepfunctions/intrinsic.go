package stepfunctions

import (
	"crypto/md5"
	"crypto/rand"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash"
	"math"
	"math/big"
	mrand "math/rand/v2"
	"sort"
	"strconv"
	"strings"
)

// intrinsicCall is a parsed intrinsic function call such as
// States.Format('Hello {}', $.name).
type intrinsicCall struct {
	name string
	args []intrinsicArg
}

type intrinsicArg struct {
	literal any            // a string, json.Number, bool or nil
	format  formatString   // a string literal's parts around its {} placeholders
	path    *valuePath     // $... or $$...
	call    *intrinsicCall // a nested call
}

func parseIntrinsic(s string) (*intrinsicCall, error) {
	p := &intrinsicParser{s: s}
	c, err := p.call()
	if err != nil {
		return nil, err
	}
	p.space()
	if p.i != len(p.s) {
		return nil, fmt.Errorf("unexpected %q after the call", p.s[p.i:])
	}
	return c, nil
}

type intrinsicParser struct {
	s string
	i int
}

func (p *intrinsicParser) space() {
	for p.i < len(p.s) && (p.s[p.i] == ' ' || p.s[p.i] == '\t' || p.s[p.i] == '\n') {
		p.i++
	}
}

func (p *intrinsicParser) call() (*intrinsicCall, error) {
	p.space()
	j := strings.IndexByte(p.s[p.i:], '(')
	if j < 0 {
		return nil, fmt.Errorf("missing ( in %q", p.s)
	}
	name := strings.TrimSpace(p.s[p.i : p.i+j])
	if _, ok := intrinsics[name]; !ok {
		return nil, fmt.Errorf("unknown intrinsic function %q", name)
	}
	p.i += j + 1
	c := &intrinsicCall{name: name}
	p.space()
	if p.i < len(p.s) && p.s[p.i] == ')' {
		p.i++
		return c, nil
	}
	for {
		a, err := p.arg()
		if err != nil {
			return nil, err
		}
		c.args = append(c.args, a)
		p.space()
		if p.i >= len(p.s) {
			return nil, fmt.Errorf("unclosed call to %s", name)
		}
		switch p.s[p.i] {
		case ',':
			p.i++
		case ')':
			p.i++
			return c, nil
		default:
			return nil, fmt.Errorf("unexpected %q in arguments of %s", p.s[p.i], name)
		}
	}
}

func (p *intrinsicParser) arg() (intrinsicArg, error) {
	p.space()
	if p.i >= len(p.s) {
		return intrinsicArg{}, fmt.Errorf("missing argument")
	}
	rest := p.s[p.i:]
	switch {
	case rest[0] == '\'':
		lit, n, err := parseStringLiteral(rest)
		if err != nil {
			return intrinsicArg{}, err
		}
		p.i += n
		return intrinsicArg{literal: lit.text(), format: lit}, nil
	case rest[0] == '$':
		// A path runs to the next top-level , or ).
		depth, i := 0, 0
		var quote byte
	loop:
		for ; i < len(rest); i++ {
			c := rest[i]
			switch {
			case quote != 0:
				if c == quote {
					quote = 0
				}
			case c == '\'' || c == '"':
				quote = c
			case c == '[' || c == '(':
				depth++
			case c == ']' || c == ')':
				if depth == 0 {
					break loop
				}
				depth--
			case c == ',' && depth == 0:
				break loop
			}
		}
		vp, err := compileValuePath(strings.TrimSpace(rest[:i]), false)
		if err != nil {
			return intrinsicArg{}, err
		}
		p.i += i
		return intrinsicArg{path: vp}, nil
	case strings.HasPrefix(rest, "States."):
		c, err := p.call()
		if err != nil {
			return intrinsicArg{}, err
		}
		return intrinsicArg{call: c}, nil
	default:
		i := 0
		for i < len(rest) && rest[i] != ',' && rest[i] != ')' {
			i++
		}
		tok := strings.TrimSpace(rest[:i])
		p.i += i
		switch tok {
		case "true":
			return intrinsicArg{literal: true}, nil
		case "false":
			return intrinsicArg{literal: false}, nil
		case "null":
			return intrinsicArg{literal: nil}, nil
		}
		if _, err := strconv.ParseFloat(tok, 64); err != nil {
			return intrinsicArg{}, fmt.Errorf("bad argument %q", tok)
		}
		return intrinsicArg{literal: json.Number(tok)}, nil
	}
}

// formatString is a string literal split at its unescaped {} placeholders,
// with its escapes already resolved: States.Format fills the gaps between
// the parts. A literal without placeholders has one part.
type formatString []string

func (f formatString) text() string { return strings.Join(f, "{}") }

// parseStringLiteral reads a quoted intrinsic string literal at the start of
// s and says how many bytes it took. Inside it \\ is a backslash, \' a quote
// and \{ \} literal braces; any other escape is an error.
func parseStringLiteral(s string) (formatString, int, error) {
	var parts formatString
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\\':
			if i+1 >= len(s) || !strings.ContainsRune(`\'{}`, rune(s[i+1])) {
				return nil, 0, fmt.Errorf("invalid escape in string literal %s (only \\\\, \\', \\{ and \\} are allowed)", s[:min(i+2, len(s))])
			}
			i++
			b.WriteByte(s[i])
		case c == '\'':
			return append(parts, b.String()), i + 1, nil
		case c == '{' && i+1 < len(s) && s[i+1] == '}':
			parts = append(parts, b.String())
			b.Reset()
			i++
		default:
			b.WriteByte(c)
		}
	}
	return nil, 0, fmt.Errorf("unclosed string literal")
}

// evalIntrinsic runs a call against the effective input and context object.
func evalIntrinsic(c *intrinsicCall, input any, ctxObj map[string]any) (any, *stateError) {
	args := make([]any, len(c.args))
	for i, a := range c.args {
		switch {
		case a.call != nil:
			v, err := evalIntrinsic(a.call, input, ctxObj)
			if err != nil {
				return nil, err
			}
			args[i] = v
		case a.path != nil:
			v, err := a.path.read(input, ctxObj)
			if err != nil {
				return nil, failf(ErrRuntime, "%s", err)
			}
			args[i] = v
		case a.format != nil && c.name == "States.Format" && i == 0:
			args[i] = a.format
		default:
			args[i] = a.literal
		}
	}
	v, err := intrinsics[c.name](args)
	if err != nil {
		return nil, failf(ErrIntrinsicFailure, "The evaluation of the intrinsic function %s failed: %s", c.name, err)
	}
	return v, nil
}

type intrinsicFunc func(args []any) (any, error)

var intrinsics map[string]intrinsicFunc

func init() {
	intrinsics = map[string]intrinsicFunc{
		"States.Format":         fnFormat,
		"States.StringToJson":   fnStringToJSON,
		"States.JsonToString":   fnJSONToString,
		"States.Array":          func(a []any) (any, error) { return append([]any{}, a...), nil },
		"States.ArrayPartition": fnArrayPartition,
		"States.ArrayContains":  fnArrayContains,
		"States.ArrayRange":     fnArrayRange,
		"States.ArrayGetItem":   fnArrayGetItem,
		"States.ArrayLength":    fnArrayLength,
		"States.ArrayUnique":    fnArrayUnique,
		"States.Base64Encode":   fnBase64Encode,
		"States.Base64Decode":   fnBase64Decode,
		"States.Hash":           fnHash,
		"States.JsonMerge":      fnJSONMerge,
		"States.MathRandom":     fnMathRandom,
		"States.MathAdd":        fnMathAdd,
		"States.StringSplit":    fnStringSplit,
		"States.UUID":           fnUUID,
	}
}

func wantArgs(a []any, min, max int) error {
	if len(a) < min || len(a) > max {
		if min == max {
			return fmt.Errorf("expected %d arguments, got %d", min, len(a))
		}
		return fmt.Errorf("expected %d to %d arguments, got %d", min, max, len(a))
	}
	return nil
}

func argString(a any, what string) (string, error) {
	s, ok := a.(string)
	if !ok {
		return "", fmt.Errorf("%s must be a string, not %s", what, strings.ToLower(jsonTypeName(a)))
	}
	return s, nil
}

func argArray(a any, what string) ([]any, error) {
	s, ok := a.([]any)
	if !ok {
		return nil, fmt.Errorf("%s must be an array, not %s", what, strings.ToLower(jsonTypeName(a)))
	}
	return s, nil
}

// argRounded accepts any number and rounds it as Java's Math.round does
// (half up), as AWS does for States.MathAdd and States.MathRandom.
func argRounded(a any, what string) (int64, error) {
	n, ok := a.(json.Number)
	if !ok {
		return 0, fmt.Errorf("%s must be a number, not %s", what, strings.ToLower(jsonTypeName(a)))
	}
	if i, err := n.Int64(); err == nil {
		return i, nil
	}
	f, err := n.Float64()
	if err != nil {
		return 0, fmt.Errorf("%s must be a number, not %s", what, n)
	}
	return int64(math.Floor(f + 0.5)), nil
}

// argInt accepts an integer, or a number with no fraction.
func argInt(a any, what string) (int64, error) {
	n, ok := a.(json.Number)
	if !ok {
		return 0, fmt.Errorf("%s must be an integer, not %s", what, strings.ToLower(jsonTypeName(a)))
	}
	if i, err := n.Int64(); err == nil {
		return i, nil
	}
	f, err := n.Float64()
	if err != nil || f != math.Trunc(f) {
		return 0, fmt.Errorf("%s must be an integer, not %s", what, n)
	}
	return int64(f), nil
}

func fnFormat(a []any) (any, error) {
	if len(a) < 1 {
		return nil, fmt.Errorf("expected at least 1 argument")
	}
	parts, ok := a[0].(formatString)
	if !ok {
		// A template from a path has no escapes: every {} is a placeholder.
		tmpl, err := argString(a[0], "the format string")
		if err != nil {
			return nil, err
		}
		parts = strings.Split(tmpl, "{}")
	}
	switch {
	case len(parts)-1 > len(a)-1:
		return nil, fmt.Errorf("the format string has more {} than arguments")
	case len(parts)-1 < len(a)-1:
		return nil, fmt.Errorf("the format string has fewer {} than arguments")
	}
	var b strings.Builder
	for i, part := range parts {
		if i > 0 {
			b.WriteString(formatArg(a[i]))
		}
		b.WriteString(part)
	}
	return b.String(), nil
}

// formatArg renders a value as Java's toString would: strings bare, objects
// as {k=v, ...} and arrays as [a, b].
func formatArg(v any) string {
	switch t := v.(type) {
	case nil:
		return "null"
	case string:
		return t
	case bool:
		return strconv.FormatBool(t)
	case json.Number:
		return t.String()
	case []any:
		parts := make([]string, len(t))
		for i, e := range t {
			parts[i] = formatArg(e)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case map[string]any:
		keys := sortedKeys(t)
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = k + "=" + formatArg(t[k])
		}
		return "{" + strings.Join(parts, ", ") + "}"
	default:
		return fmt.Sprint(t)
	}
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func fnStringToJSON(a []any) (any, error) {
	if err := wantArgs(a, 1, 1); err != nil {
		return nil, err
	}
	s, err := argString(a[0], "the argument")
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	return unmarshal(s)
}

func fnJSONToString(a []any) (any, error) {
	if err := wantArgs(a, 1, 1); err != nil {
		return nil, err
	}
	return marshal(a[0]), nil
}

func fnArrayPartition(a []any) (any, error) {
	if err := wantArgs(a, 2, 2); err != nil {
		return nil, err
	}
	arr, err := argArray(a[0], "the first argument")
	if err != nil {
		return nil, err
	}
	n, err := argInt(a[1], "the chunk size")
	if err != nil {
		return nil, err
	}
	if n <= 0 {
		return nil, fmt.Errorf("the chunk size must be positive, not %d", n)
	}
	out := []any{}
	for i := 0; i < len(arr); i += int(n) {
		end := min(i+int(n), len(arr))
		out = append(out, append([]any{}, arr[i:end]...))
	}
	return out, nil
}

func fnArrayContains(a []any) (any, error) {
	if err := wantArgs(a, 2, 2); err != nil {
		return nil, err
	}
	arr, err := argArray(a[0], "the first argument")
	if err != nil {
		return nil, err
	}
	for _, e := range arr {
		if jsonEqual(e, a[1]) {
			return true, nil
		}
	}
	return false, nil
}

func fnArrayRange(a []any) (any, error) {
	if err := wantArgs(a, 3, 3); err != nil {
		return nil, err
	}
	var n [3]int64
	for i := range 3 {
		v, err := argInt(a[i], "every argument")
		if err != nil {
			return nil, err
		}
		n[i] = v
	}
	if n[2] == 0 {
		return nil, fmt.Errorf("the step must not be 0")
	}
	out := []any{}
	for v := n[0]; (n[2] > 0 && v <= n[1]) || (n[2] < 0 && v >= n[1]); v += n[2] {
		out = append(out, json.Number(strconv.FormatInt(v, 10)))
		if len(out) > 1000 {
			return nil, fmt.Errorf("the range has more than 1000 items")
		}
	}
	return out, nil
}

func fnArrayGetItem(a []any) (any, error) {
	if err := wantArgs(a, 2, 2); err != nil {
		return nil, err
	}
	arr, err := argArray(a[0], "the first argument")
	if err != nil {
		return nil, err
	}
	i, err := argInt(a[1], "the index")
	if err != nil {
		return nil, err
	}
	if i < 0 || i >= int64(len(arr)) {
		return nil, fmt.Errorf("index %d out of bounds for an array of %d", i, len(arr))
	}
	return arr[i], nil
}

func fnArrayLength(a []any) (any, error) {
	if err := wantArgs(a, 1, 1); err != nil {
		return nil, err
	}
	arr, err := argArray(a[0], "the argument")
	if err != nil {
		return nil, err
	}
	return json.Number(strconv.Itoa(len(arr))), nil
}

func fnArrayUnique(a []any) (any, error) {
	if err := wantArgs(a, 1, 1); err != nil {
		return nil, err
	}
	arr, err := argArray(a[0], "the argument")
	if err != nil {
		return nil, err
	}
	out := []any{}
	for _, e := range arr {
		dup := false
		for _, o := range out {
			if jsonEqual(e, o) {
				dup = true
				break
			}
		}
		if !dup {
			out = append(out, e)
		}
	}
	return out, nil
}

func fnBase64Encode(a []any) (any, error) {
	if err := wantArgs(a, 1, 1); err != nil {
		return nil, err
	}
	s, err := argString(a[0], "the argument")
	if err != nil {
		return nil, err
	}
	return base64.StdEncoding.EncodeToString([]byte(s)), nil
}

func fnBase64Decode(a []any) (any, error) {
	if err := wantArgs(a, 1, 1); err != nil {
		return nil, err
	}
	s, err := argString(a[0], "the argument")
	if err != nil {
		return nil, err
	}
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("not base64: %w", err)
	}
	return string(b), nil
}

func fnHash(a []any) (any, error) {
	if err := wantArgs(a, 2, 2); err != nil {
		return nil, err
	}
	alg, err := argString(a[1], "the algorithm")
	if err != nil {
		return nil, err
	}
	var h hash.Hash
	switch alg {
	case "MD5":
		h = md5.New()
	case "SHA-1":
		h = sha1.New()
	case "SHA-256":
		h = sha256.New()
	case "SHA-384":
		h = sha512.New384()
	case "SHA-512":
		h = sha512.New()
	default:
		return nil, fmt.Errorf("unknown hash algorithm %q (want MD5, SHA-1, SHA-256, SHA-384 or SHA-512)", alg)
	}
	data, ok := a[0].(string)
	if !ok {
		data = marshal(a[0])
	}
	h.Write([]byte(data))
	return hex.EncodeToString(h.Sum(nil)), nil
}

func fnJSONMerge(a []any) (any, error) {
	if err := wantArgs(a, 3, 3); err != nil {
		return nil, err
	}
	x, ok1 := a[0].(map[string]any)
	y, ok2 := a[1].(map[string]any)
	if !ok1 || !ok2 {
		return nil, fmt.Errorf("both values to merge must be objects")
	}
	if deep, _ := a[2].(bool); deep {
		return nil, fmt.Errorf("deep merge is not supported; the third argument must be false")
	}
	out := make(map[string]any, len(x)+len(y))
	for k, v := range x {
		out[k] = v
	}
	for k, v := range y {
		out[k] = v
	}
	return out, nil
}

func fnMathRandom(a []any) (any, error) {
	if err := wantArgs(a, 2, 3); err != nil {
		return nil, err
	}
	lo, err := argRounded(a[0], "the start")
	if err != nil {
		return nil, err
	}
	hi, err := argRounded(a[1], "the end")
	if err != nil {
		return nil, err
	}
	if hi <= lo {
		return nil, fmt.Errorf("the end must be greater than the start")
	}
	var r *mrand.Rand
	if len(a) == 3 {
		seed, err := argRounded(a[2], "the seed")
		if err != nil {
			return nil, err
		}
		r = mrand.New(mrand.NewPCG(uint64(seed), uint64(seed)))
	} else {
		r = mrand.New(mrand.NewPCG(mrand.Uint64(), mrand.Uint64()))
	}
	return json.Number(strconv.FormatInt(lo+r.Int64N(hi-lo), 10)), nil
}

func fnMathAdd(a []any) (any, error) {
	if err := wantArgs(a, 2, 2); err != nil {
		return nil, err
	}
	x, err := argRounded(a[0], "the first argument")
	if err != nil {
		return nil, err
	}
	y, err := argRounded(a[1], "the second argument")
	if err != nil {
		return nil, err
	}
	return json.Number(strconv.FormatInt(x+y, 10)), nil
}

func fnStringSplit(a []any) (any, error) {
	if err := wantArgs(a, 2, 2); err != nil {
		return nil, err
	}
	s, err := argString(a[0], "the first argument")
	if err != nil {
		return nil, err
	}
	d, err := argString(a[1], "the delimiter")
	if err != nil {
		return nil, err
	}
	out := []any{}
	for _, part := range strings.FieldsFunc(s, func(r rune) bool { return strings.ContainsRune(d, r) }) {
		out = append(out, part)
	}
	return out, nil
}

func fnUUID(a []any) (any, error) {
	if err := wantArgs(a, 0, 0); err != nil {
		return nil, err
	}
	return newUUID(), nil
}

func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// jsonEqual compares JSON values, numbers by value.
func jsonEqual(x, y any) bool {
	switch a := x.(type) {
	case json.Number:
		b, ok := y.(json.Number)
		if !ok {
			return false
		}
		return numCmp(a, b) == 0
	case []any:
		b, ok := y.([]any)
		if !ok || len(a) != len(b) {
			return false
		}
		for i := range a {
			if !jsonEqual(a[i], b[i]) {
				return false
			}
		}
		return true
	case map[string]any:
		b, ok := y.(map[string]any)
		if !ok || len(a) != len(b) {
			return false
		}
		for k, v := range a {
			w, ok := b[k]
			if !ok || !jsonEqual(v, w) {
				return false
			}
		}
		return true
	default:
		return x == y
	}
}

// numCmp compares two JSON numbers exactly.
func numCmp(a, b json.Number) int {
	if x, err := strconv.ParseInt(string(a), 10, 64); err == nil {
		if y, err := strconv.ParseInt(string(b), 10, 64); err == nil {
			return cmpInt(x, y)
		}
	}
	x, ok1 := new(big.Float).SetString(a.String())
	y, ok2 := new(big.Float).SetString(b.String())
	if !ok1 || !ok2 {
		return strings.Compare(a.String(), b.String())
	}
	return x.Cmp(y)
}

func cmpInt(x, y int64) int {
	switch {
	case x < y:
		return -1
	case x > y:
		return 1
	}
	return 0
}
