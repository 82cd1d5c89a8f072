package stepfunctions_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// TestRuntimeErrorCauses pins the causes of States.Runtime failures for paths
// that select nothing, as AWS words them (recorded in LocalStack's
// test_base_scenarios snapshot, test_invalid_jsonpath and
// test_wait_timestamp_path).
func TestRuntimeErrorCauses(t *testing.T) {
	const input = `{"int-literal":0}`
	cases := []struct {
		name, definition, input, cause string
	}{
		{
			name:       "parameters path",
			definition: `{"StartAt":"pass","States":{"pass":{"Type":"Pass","Parameters":{"value.$":"$.no_such_jsonpath"},"End":true}}}`,
			input:      input,
			cause:      `An error occurred while executing the state 'pass' (entered at the event id #2). The JSONPath '$.no_such_jsonpath' specified for the field 'value.$' could not be found in the input '{"int-literal":0}'`,
		},
		{
			name:       "parameters context path",
			definition: `{"StartAt":"pass","States":{"pass":{"Type":"Pass","Parameters":{"value.$":"$$.Execution.Input.no_such_jsonpath"},"End":true}}}`,
			input:      input,
			cause:      `An error occurred while executing the state 'pass' (entered at the event id #2). The JSONPath '$$.Execution.Input.no_such_jsonpath' specified for the field 'value.$' could not be found in the input '{"int-literal":0}'`,
		},
		{
			name:       "error path",
			definition: `{"StartAt":"pass","States":{"pass":{"Type":"Pass","Parameters":{"Error":"error-value"},"Next":"fail"},"fail":{"Type":"Fail","ErrorPath":"$.ErrorX"}}}`,
			input:      input,
			cause:      `An error occurred while executing the state 'fail' (entered at the event id #4). The JSONPath '$.ErrorX' specified for the field 'ErrorPath' could not be found in the input '{"Error":"error-value"}'`,
		},
		{
			name:       "cause path",
			definition: `{"StartAt":"pass","States":{"pass":{"Type":"Pass","Parameters":{"Error":"error-value"},"Next":"fail"},"fail":{"Type":"Fail","ErrorPath":"$.Error","CausePath":"$.NoSuchCausePath"}}}`,
			input:      input,
			cause:      `An error occurred while executing the state 'fail' (entered at the event id #4). The JSONPath '$.NoSuchCausePath' specified for the field 'CausePath' could not be found in the input '{"Error":"error-value"}'`,
		},
		{
			name:       "timestamp path",
			definition: `{"StartAt":"WaitUntil","States":{"WaitUntil":{"Type":"Wait","TimestampPath":"$.TimestampValue","End":true}}}`,
			input:      `{"TimestampValue":"2016-12-05 21:29:29Z"}`,
			cause:      `An error occurred while executing the state 'WaitUntil' (entered at the event id #2). The TimestampPath parameter does not reference a valid ISO-8601 extended offset date-time format string: $.TimestampValue == 2016-12-05 21:29:29Z`,
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := newHarness(t, nil)
			out := h.wait(h.start(h.create("runtime", c.definition), "", c.input), true)
			if string(out.Status) != "FAILED" || aws.ToString(out.Error) != "States.Runtime" {
				t.Fatalf("status %s, error %q, want FAILED with States.Runtime", out.Status, aws.ToString(out.Error))
			}
			if got := aws.ToString(out.Cause); got != c.cause {
				t.Errorf("cause\n %s\nwant\n %s", got, c.cause)
			}
		})
	}
}
