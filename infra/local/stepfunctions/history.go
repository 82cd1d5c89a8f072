package stepfunctions

import (
	"strings"
	"time"
)

// event is one execution history event, with AWS's type names. Events are
// kept typed and hold the state's input or output as a value: JSON is
// written only when GetExecutionHistory asks for the event. Values held here
// are never modified afterwards (the engine builds new values rather than
// changing old ones).
type event struct {
	at   int64 // milliseconds since the epoch, as the API shows them
	Type string

	// stateName and data are the details of StateEntered and StateExited
	// events (name, and input or output), and of ExecutionStarted and
	// ExecutionSucceeded (input or output, with no name). data is a
	// jsonText when its JSON is known already (the execution input).
	stateName string
	data      any

	// details holds the details of every other event type, and extra
	// details of the ones above. A value of type lazyJSON is written as JSON
	// text when the event is read.
	details map[string]any

	ID, PreviousID int32
	hasData        bool
}

// jsonText is a value's JSON, when known already.
type jsonText string

// lazyJSON is a value a history event shows as JSON text, encoded only when
// the history is read.
type lazyJSON struct{ v any }

// detailsKeys maps an event type to the field of HistoryEvent holding its details.
var detailsKeys = map[string]string{
	"ExecutionStarted":          "executionStartedEventDetails",
	"ExecutionSucceeded":        "executionSucceededEventDetails",
	"ExecutionFailed":           "executionFailedEventDetails",
	"ExecutionAborted":          "executionAbortedEventDetails",
	"ExecutionTimedOut":         "executionTimedOutEventDetails",
	"TaskScheduled":             "taskScheduledEventDetails",
	"TaskStarted":               "taskStartedEventDetails",
	"TaskSubmitted":             "taskSubmittedEventDetails",
	"TaskSucceeded":             "taskSucceededEventDetails",
	"TaskFailed":                "taskFailedEventDetails",
	"TaskTimedOut":              "taskTimedOutEventDetails",
	"TaskStartFailed":           "taskStartFailedEventDetails",
	"LambdaFunctionScheduled":   "lambdaFunctionScheduledEventDetails",
	"LambdaFunctionSucceeded":   "lambdaFunctionSucceededEventDetails",
	"LambdaFunctionFailed":      "lambdaFunctionFailedEventDetails",
	"LambdaFunctionTimedOut":    "lambdaFunctionTimedOutEventDetails",
	"LambdaFunctionStartFailed": "lambdaFunctionStartFailedEventDetails",
	"MapStateStarted":           "mapStateStartedEventDetails",
	"MapIterationStarted":       "mapIterationStartedEventDetails",
	"MapIterationSucceeded":     "mapIterationSucceededEventDetails",
	"MapIterationFailed":        "mapIterationFailedEventDetails",
	"MapIterationAborted":       "mapIterationAbortedEventDetails",
}

func detailsKeyFor(typ string) string {
	if k, ok := detailsKeys[typ]; ok {
		return k
	}
	switch {
	case len(typ) > len("StateEntered") && strings.HasSuffix(typ, "StateEntered"):
		return "stateEnteredEventDetails"
	case len(typ) > len("StateExited") && strings.HasSuffix(typ, "StateExited"):
		return "stateExitedEventDetails"
	}
	return ""
}

// toJSON renders the event as a HistoryEvent of the API. Without data, the
// input, output and parameters are left out (includeExecutionData false).
func (ev *event) toJSON(includeData bool) map[string]any {
	m := map[string]any{
		"id":        ev.ID,
		"timestamp": float64(ev.at) / 1000,
		"type":      ev.Type,
	}
	if ev.PreviousID > 0 {
		m["previousEventId"] = ev.PreviousID
	}
	key := detailsKeyFor(ev.Type)
	if key == "" {
		return m
	}
	switch {
	case ev.hasData:
		d := map[string]any{}
		field := "output"
		if strings.HasSuffix(ev.Type, "Entered") || ev.Type == "ExecutionStarted" {
			field = "input"
		}
		if ev.stateName != "" {
			d["name"] = ev.stateName
		}
		if ev.details != nil {
			for k, v := range ev.details {
				d[k] = v
			}
		}
		if includeData {
			if text, ok := ev.data.(jsonText); ok {
				d[field] = string(text)
			} else {
				d[field] = marshal(ev.data)
			}
		}
		d[field+"Details"] = map[string]any{"truncated": false}
		m[key] = d
	case ev.details != nil:
		d := make(map[string]any, len(ev.details))
		for k, v := range ev.details {
			switch k {
			case "input", "output", "parameters":
				if !includeData {
					continue
				}
			}
			if l, ok := v.(lazyJSON); ok {
				v = marshal(l.v)
			}
			d[k] = v
		}
		m[key] = d
	}
	return m
}

// epoch renders a time as AWS JSON protocols do: seconds since the epoch.
func epoch(t time.Time) float64 {
	return float64(t.UnixMilli()) / 1000
}

// thread is a sequence of events within an execution (the execution itself,
// a Parallel branch or a Map iteration), for previousEventId.
type thread struct {
	x    *execution
	last int64
}

// emit records an event with generic details.
func (t *thread) emit(now time.Time, typ string, details map[string]any) int64 {
	return t.add(event{Type: typ, at: now.UnixMilli(), details: details})
}

// emitData records an event whose details are a state name (or none) and
// the state's input or output.
func (t *thread) emitData(now time.Time, typ, name string, data any) int64 {
	return t.add(event{Type: typ, at: now.UnixMilli(), stateName: name, data: data, hasData: true})
}

func (t *thread) add(ev event) int64 {
	t.x.mu.Lock()
	defer t.x.mu.Unlock()
	ev.ID = int32(len(t.x.history) + 1)
	ev.PreviousID = int32(t.last)
	t.x.history = append(t.x.history, ev)
	t.last = int64(ev.ID)
	return t.last
}
