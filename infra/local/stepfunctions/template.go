package stepfunctions

import (
	"strings"
)

// evalTemplate evaluates a payload template (Parameters, ResultSelector,
// ItemSelector): fields whose names end in ".$" take the value of a path on
// input, a $$ path on the context object, or an intrinsic function call.
func evalTemplate(tmpl, input, ctxObj any) (any, *stateError) {
	switch t := tmpl.(type) {
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, v := range t {
			name, dynamic := strings.CutSuffix(k, ".$")
			if !dynamic {
				nv, err := evalTemplate(v, input, ctxObj)
				if err != nil {
					return nil, err
				}
				out[k] = nv
				continue
			}
			expr, _ := v.(string)
			switch {
			case strings.HasPrefix(expr, "States."):
				call, err := parseIntrinsic(expr)
				if err != nil {
					return nil, failf(ErrIntrinsicFailure, "%s", err)
				}
				val, serr := evalIntrinsic(call, input, ctxObj)
				if serr != nil {
					return nil, serr
				}
				out[name] = val
			case strings.HasPrefix(expr, "$$"):
				val, err := getPath(expr[1:], ctxObj)
				if err != nil {
					return nil, failf(ErrRuntime, "The JSONPath '%s' specified for the field '%s' could not be found in the input '%s'", expr, k, marshal(input))
				}
				out[name] = val
			default:
				val, err := getPath(expr, input)
				if err != nil {
					return nil, failf(ErrRuntime, "The JSONPath '%s' specified for the field '%s' could not be found in the input '%s'", expr, k, marshal(input))
				}
				out[name] = val
			}
		}
		return out, nil
	case []any:
		out := make([]any, len(t))
		for i, v := range t {
			nv, err := evalTemplate(v, input, ctxObj)
			if err != nil {
				return nil, err
			}
			out[i] = nv
		}
		return out, nil
	default:
		return tmpl, nil
	}
}
