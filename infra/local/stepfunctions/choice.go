package stepfunctions

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"time"
)

// choiceRule is a Choice state rule: a comparison on Variable, or And, Or, Not.
type choiceRule struct {
	Next     string
	Variable string
	Op       string // the comparison operator, e.g. "StringEquals"
	Operand  any    // the literal, or the path for the *Path forms
	And, Or  []*choiceRule
	Not      *choiceRule
	matcher  *regexp.Regexp

	// Resolved when the definition is parsed.
	variable    *valuePath // Variable
	operandPath *valuePath // the operand of a *Path comparison
	baseOp      string     // Op without its Path suffix
}

var comparisonOps = map[string]string{ // operator → operand type
	"StringEquals": "string", "StringLessThan": "string", "StringGreaterThan": "string",
	"StringLessThanEquals": "string", "StringGreaterThanEquals": "string", "StringMatches": "string",
	"NumericEquals": "number", "NumericLessThan": "number", "NumericGreaterThan": "number",
	"NumericLessThanEquals": "number", "NumericGreaterThanEquals": "number",
	"BooleanEquals":   "bool",
	"TimestampEquals": "timestamp", "TimestampLessThan": "timestamp", "TimestampGreaterThan": "timestamp",
	"TimestampLessThanEquals": "timestamp", "TimestampGreaterThanEquals": "timestamp",
	"IsNull": "bool", "IsPresent": "bool", "IsNumeric": "bool", "IsString": "bool", "IsBoolean": "bool", "IsTimestamp": "bool",
}

func (p *parser) choice(v any, loc string, top bool) *choiceRule {
	obj, ok := v.(map[string]any)
	if !ok {
		p.fail("SCHEMA_VALIDATION_FAILED", "Expected value of type: Object", loc)
		return &choiceRule{}
	}
	r := &choiceRule{}
	if top {
		r.Next = p.str(obj, "Next", loc, true)
	} else if _, ok := obj["Next"]; ok {
		p.fail("SCHEMA_VALIDATION_FAILED", "Field Next is not supported in a nested rule", loc+"/Next")
	}
	n := 0
	for k, val := range obj {
		switch k {
		case "Next", "Comment":
		case "Variable":
			s, ok := val.(string)
			if !ok {
				p.fail("SCHEMA_VALIDATION_FAILED", "Expected value of type: String", loc+"/Variable")
				continue
			}
			r.Variable = s
			vp, err := compileValuePath(s, false)
			if err != nil {
				p.fail("INVALID_JSON_PATH", "Invalid JSON path: "+s, loc+"/Variable")
			}
			r.variable = vp
		case "And", "Or":
			n++
			list, ok := val.([]any)
			if !ok || len(list) == 0 {
				p.fail("SCHEMA_VALIDATION_FAILED", k+" must be a non-empty array", loc+"/"+k)
				continue
			}
			for i, sub := range list {
				rule := p.choice(sub, fmt.Sprintf("%s/%s/%d", loc, k, i), false)
				if k == "And" {
					r.And = append(r.And, rule)
				} else {
					r.Or = append(r.Or, rule)
				}
			}
		case "Not":
			n++
			r.Not = p.choice(val, loc+"/Not", false)
		default:
			base, isPath := strings.CutSuffix(k, "Path")
			typ, known := comparisonOps[k]
			if !known {
				typ, known = comparisonOps[base]
				if !known || strings.HasPrefix(base, "Is") {
					p.fail("SCHEMA_VALIDATION_FAILED", "Field "+k+" is not supported in a Choice rule", loc+"/"+k)
					continue
				}
			} else {
				isPath = false
			}
			n++
			r.Op = k
			r.Operand = val
			r.baseOp = k
			if isPath {
				r.baseOp = base
			}
			switch {
			case isPath:
				s, ok := val.(string)
				if !ok {
					p.fail("SCHEMA_VALIDATION_FAILED", "Expected value of type: String", loc+"/"+k)
				} else if vp, err := compileValuePath(s, false); err != nil {
					p.fail("INVALID_JSON_PATH", "Invalid JSON path: "+s, loc+"/"+k)
				} else {
					r.operandPath = vp
				}
			case typ == "string":
				s, ok := val.(string)
				if !ok {
					p.fail("SCHEMA_VALIDATION_FAILED", "Expected value of type: String", loc+"/"+k)
				} else if k == "StringMatches" {
					r.matcher = wildcard(s)
				}
			case typ == "number":
				if _, ok := val.(json.Number); !ok {
					p.fail("SCHEMA_VALIDATION_FAILED", "Expected value of type: Number", loc+"/"+k)
				}
			case typ == "bool":
				if _, ok := val.(bool); !ok {
					p.fail("SCHEMA_VALIDATION_FAILED", "Expected value of type: Boolean", loc+"/"+k)
				}
			case typ == "timestamp":
				s, ok := val.(string)
				if _, valid := parseTimestamp(s); !ok || !valid {
					p.fail("SCHEMA_VALIDATION_FAILED", "String does not match RFC3339 timestamp", loc+"/"+k)
				}
			}
		}
	}
	if n != 1 {
		p.fail("SCHEMA_VALIDATION_FAILED", "A Choice rule must have exactly one comparison operator, And, Or or Not", loc)
	}
	if r.Op != "" && r.Variable == "" {
		p.fail("SCHEMA_VALIDATION_FAILED", "These fields are required: [Variable]", loc)
	}
	return r
}

// wildcard compiles a StringMatches pattern: * matches any run of
// characters, \* a literal *, \\ a literal \.
func wildcard(s string) *regexp.Regexp {
	var b strings.Builder
	b.WriteString("^")
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\\' && i+1 < len(s):
			i++
			b.WriteString(regexp.QuoteMeta(string(s[i])))
		case c == '*':
			b.WriteString("(?s:.*)")
		default:
			b.WriteString(regexp.QuoteMeta(string(c)))
		}
	}
	b.WriteString("$")
	return regexp.MustCompile(b.String())
}

func parseTimestamp(s string) (time.Time, bool) {
	if !strings.Contains(s, "T") || !(strings.HasSuffix(s, "Z") || strings.LastIndexAny(s, "+-") > strings.Index(s, "T")) {
		return time.Time{}, false
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, false
	}
	return t, true
}

// eval evaluates a rule against the Choice state's effective input.
func (r *choiceRule) eval(input any, ctxObj map[string]any) (bool, *stateError) {
	switch {
	case r.And != nil:
		for _, sub := range r.And {
			ok, err := sub.eval(input, ctxObj)
			if err != nil || !ok {
				return false, err
			}
		}
		return true, nil
	case r.Or != nil:
		for _, sub := range r.Or {
			ok, err := sub.eval(input, ctxObj)
			if err != nil || ok {
				return ok, err
			}
		}
		return false, nil
	case r.Not != nil:
		ok, err := r.Not.eval(input, ctxObj)
		return !ok && err == nil, err
	}
	v, perr := r.variable.read(input, ctxObj)
	if r.Op == "IsPresent" {
		return (perr == nil) == r.Operand.(bool), nil
	}
	if perr != nil {
		return false, failf(ErrRuntime, "Invalid path '%s': The choice state's condition path references an invalid value.", r.Variable)
	}
	operand := r.Operand
	op := r.baseOp
	if r.operandPath != nil {
		ov, err := r.operandPath.read(input, ctxObj)
		if err != nil {
			return false, failf(ErrRuntime, "Invalid path '%s': The choice state's condition path references an invalid value.", r.operandPath.text)
		}
		operand = ov
	}
	want, _ := operand.(bool)
	switch op {
	case "IsNull":
		return (v == nil) == want, nil
	case "IsNumeric":
		_, ok := v.(json.Number)
		return ok == want, nil
	case "IsString":
		_, ok := v.(string)
		return ok == want, nil
	case "IsBoolean":
		_, ok := v.(bool)
		return ok == want, nil
	case "IsTimestamp":
		s, ok := v.(string)
		if ok {
			_, ok = parseTimestamp(s)
		}
		return ok == want, nil
	case "BooleanEquals":
		b, ok := v.(bool)
		o, ok2 := operand.(bool)
		return ok && ok2 && b == o, nil
	case "StringMatches":
		s, ok := v.(string)
		pat, ok2 := operand.(string)
		if !ok || !ok2 {
			return false, nil
		}
		m := r.matcher
		if m == nil {
			m = wildcard(pat)
		}
		return m.MatchString(s), nil
	}
	switch comparisonOps[op] {
	case "string":
		s, ok := v.(string)
		o, ok2 := operand.(string)
		if !ok || !ok2 {
			return false, nil
		}
		return compare(op, strings.Compare(s, o)), nil
	case "number":
		a, ok := v.(json.Number)
		b, ok2 := operand.(json.Number)
		if !ok || !ok2 {
			return false, nil
		}
		return compare(op, numCmp(a, b)), nil
	case "timestamp":
		s, ok := v.(string)
		o, ok2 := operand.(string)
		if !ok || !ok2 {
			return false, nil
		}
		t1, ok := parseTimestamp(s)
		t2, ok2 := parseTimestamp(o)
		if !ok || !ok2 {
			return false, nil
		}
		return compare(op, t1.Compare(t2)), nil
	}
	return false, failf(ErrRuntime, "unknown comparison %s", op)
}

func compare(op string, c int) bool {
	switch {
	case strings.HasSuffix(op, "GreaterThanEquals"):
		return c >= 0
	case strings.HasSuffix(op, "LessThanEquals"):
		return c <= 0
	case strings.HasSuffix(op, "GreaterThan"):
		return c > 0
	case strings.HasSuffix(op, "LessThan"):
		return c < 0
	default:
		return c == 0
	}
}
