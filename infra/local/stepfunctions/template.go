package stepfunctions

import (
	"fmt"
	"strings"
)

// template is a payload template (Parameters, ResultSelector, ItemSelector)
// compiled when the definition is parsed: fields whose names end in ".$"
// take the value of a path on the input, a $$ path on the context object, or
// an intrinsic function call; everything else is copied as written.
type template struct {
	literal any             // a value without ".$" fields, used as is (values are never modified in place)
	fields  []templateField // an object with ".$" fields somewhere inside
	items   []*template     // an array with ".$" fields somewhere inside
	isArray bool
}

type templateField struct {
	key  string    // the output name (".$" removed)
	node *template // a nested template, or nil for a ".$" field
	expr string    // the ".$" field's value as written
	src  string    // the ".$" field's name as written
	path *valuePath
	call *intrinsicCall
}

// template compiles a payload template, reporting bad ".$" fields.
func (p *parser) template(v any, loc string) *template {
	if !hasDynamicField(v) {
		return &template{literal: v}
	}
	switch t := v.(type) {
	case map[string]any:
		out := &template{fields: make([]templateField, 0, len(t))}
		for k, val := range t {
			name, dynamic := strings.CutSuffix(k, ".$")
			if !dynamic {
				out.fields = append(out.fields, templateField{key: k, node: p.template(val, loc+"/"+k)})
				continue
			}
			f := templateField{key: name, src: k}
			s, ok := val.(string)
			if !ok {
				p.fail("SCHEMA_VALIDATION_FAILED", "The value for the field '"+k+"' must be a STRING that contains a JSONPath but was a "+jsonTypeName(val), loc+"/"+k)
				continue
			}
			f.expr = s
			if strings.HasPrefix(s, "States.") {
				call, err := parseIntrinsic(s)
				if err != nil {
					p.fail("INVALID_INTRINSIC_FUNCTION", "The value for the field '"+k+"' must be a valid JSONPath or a valid intrinsic function call: "+err.Error(), loc+"/"+k)
					continue
				}
				f.call = call
			} else {
				vp, err := compileValuePath(s, false)
				if err != nil {
					p.fail("INVALID_JSON_PATH", "The value for the field '"+k+"' must be a valid JSONPath", loc+"/"+k)
					continue
				}
				f.path = vp
			}
			out.fields = append(out.fields, f)
		}
		return out
	case []any:
		out := &template{isArray: true, items: make([]*template, len(t))}
		for i, val := range t {
			out.items[i] = p.template(val, fmt.Sprintf("%s[%d]", loc, i))
		}
		return out
	}
	return &template{literal: v}
}

// hasDynamicField reports whether a template value has a ".$" field at any depth.
func hasDynamicField(v any) bool {
	switch t := v.(type) {
	case map[string]any:
		for k, val := range t {
			if strings.HasSuffix(k, ".$") || hasDynamicField(val) {
				return true
			}
		}
	case []any:
		for _, val := range t {
			if hasDynamicField(val) {
				return true
			}
		}
	}
	return false
}

// eval evaluates the template against a state's input and context object.
func (t *template) eval(input any, ctxObj map[string]any) (any, *stateError) {
	switch {
	case t.fields != nil:
		out := make(map[string]any, len(t.fields))
		for i := range t.fields {
			f := &t.fields[i]
			var v any
			switch {
			case f.node != nil:
				nv, err := f.node.eval(input, ctxObj)
				if err != nil {
					return nil, err
				}
				v = nv
			case f.call != nil:
				nv, err := evalIntrinsic(f.call, input, ctxObj)
				if err != nil {
					return nil, err
				}
				v = nv
			default:
				nv, err := f.path.read(input, ctxObj)
				if err != nil {
					return nil, failf(ErrRuntime, "The JSONPath '%s' specified for the field '%s' could not be found in the input '%s'", f.expr, f.src, marshal(input))
				}
				v = nv
			}
			out[f.key] = v
		}
		return out, nil
	case t.isArray:
		out := make([]any, len(t.items))
		for i, it := range t.items {
			nv, err := it.eval(input, ctxObj)
			if err != nil {
				return nil, err
			}
			out[i] = nv
		}
		return out, nil
	default:
		return t.literal, nil
	}
}
