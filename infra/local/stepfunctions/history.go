package stepfunctions

import "time"

// event is one execution history event, with AWS's type names.
type event struct {
	ID         int64
	PreviousID int64
	Type       string
	Timestamp  time.Time
	detailsKey string
	details    map[string]any
}

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
	case len(typ) > len("StateEntered") && typ[len(typ)-len("StateEntered"):] == "StateEntered":
		return "stateEnteredEventDetails"
	case len(typ) > len("StateExited") && typ[len(typ)-len("StateExited"):] == "StateExited":
		return "stateExitedEventDetails"
	}
	return ""
}

func (ev *event) toJSON(includeData bool) map[string]any {
	m := map[string]any{
		"id":        ev.ID,
		"timestamp": epoch(ev.Timestamp),
		"type":      ev.Type,
	}
	if ev.PreviousID > 0 {
		m["previousEventId"] = ev.PreviousID
	}
	if ev.detailsKey != "" && ev.details != nil {
		d := ev.details
		if !includeData {
			d = map[string]any{}
			for k, v := range ev.details {
				switch k {
				case "input", "output", "parameters":
				default:
					d[k] = v
				}
			}
		}
		m[ev.detailsKey] = d
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

func (t *thread) emit(now time.Time, typ string, details map[string]any) int64 {
	t.x.mu.Lock()
	defer t.x.mu.Unlock()
	id := int64(len(t.x.history) + 1)
	ev := &event{ID: id, PreviousID: t.last, Type: typ, Timestamp: now, detailsKey: detailsKeyFor(typ), details: details}
	t.x.history = append(t.x.history, ev)
	t.last = id
	return id
}
