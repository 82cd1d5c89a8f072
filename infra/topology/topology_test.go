package topology

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestAppIsConsistent(t *testing.T) {
	if err := App.Validate(); err != nil {
		t.Fatal(err)
	}
}

func TestEveryFunctionAndWorkflowHasItsSource(t *testing.T) {
	root := filepath.Join("..", "..")
	for _, f := range App.EveryFunction() {
		if _, err := os.Stat(filepath.Join(root, "functions", f.Name, "main.go")); err != nil {
			t.Errorf("function %s: %v", f.Name, err)
		}
	}
	for _, w := range App.Workflows {
		if _, err := os.Stat(filepath.Join(root, w.File())); err != nil {
			t.Errorf("workflow %s: %v", w.Name, err)
		}
	}
}

func TestSubstitutionKey(t *testing.T) {
	for in, want := range map[string]string{
		"record-decision":   "RecordDecisionFunctionArn",
		"send-consent-link": "SendConsentLinkFunctionArn",
	} {
		if got := SubstitutionKey(in); got != want {
			t.Errorf("SubstitutionKey(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestScheduleRatesAndTargets(t *testing.T) {
	for expr, want := range map[string]time.Duration{
		"rate(15 minutes)": 15 * time.Minute, "rate(1 hour)": time.Hour, "rate(2 days)": 48 * time.Hour,
		"rate(1 hours)": 0, "rate(5 minute)": 0, "rate(0 minutes)": 0, "cron(0 3 * * ? *)": 0, "rate(x minutes)": 0,
	} {
		got, ok := Schedule{Expression: expr}.Every()
		if got != want || ok != (want != 0) {
			t.Errorf("%s: %v %v, want %v", expr, got, ok, want)
		}
	}
	bad := App
	bad.Schedules = []Schedule{{Name: "x", Function: "redrive-consent-requests", Workflow: ConsentRequestWorkflow, Expression: "rate(1 day)"}}
	if bad.Validate() == nil {
		t.Error("a schedule with two targets validated")
	}
	bad.Schedules = []Schedule{{Name: "x", Function: "no-such-function", Expression: "rate(1 day)"}}
	if bad.Validate() == nil {
		t.Error("a schedule of an unknown function validated")
	}
	bad.Schedules = []Schedule{{Name: "x", Function: "redrive-consent-requests", Expression: "every day"}}
	if bad.Validate() == nil {
		t.Error("a schedule with a bad expression validated")
	}
}

// The edge's secret is read by its authorizer alone, is no stateful secret,
// and its authorizer serves no route and is none of Functions.
func TestTheEdgeSecretIsTheAuthorizersAlone(t *testing.T) {
	withFunctions := func(fs []Function) Application {
		a := App
		a.Functions = fs
		return a
	}
	reader := App.Functions[0]
	reader.ReadsSecrets = []string{EdgeOriginSecret}
	bad := map[string]Application{
		"another function reads it":         withFunctions(append([]Function{reader}, App.Functions[1:]...)),
		"the authorizer is also a function": withFunctions(append(append([]Function{}, App.Functions...), App.Edge.Authorizer)),
	}
	stateful := App
	stateful.Secrets = append(append([]Secret{}, App.Secrets...), App.Edge.Secret)
	bad["it is also a stateful secret"] = stateful
	routed := App
	routed.Routes = append(append([]Route{}, App.Routes...), Route{Method: "GET", Path: "/x", Function: EdgeAuthorizer, Auth: Public})
	bad["the authorizer serves a route"] = routed
	upper := App
	upper.Edge.Header = "X-Consentflow-Edge"
	bad["the header is not lower case"] = upper
	for what, a := range bad {
		if a.Validate() == nil {
			t.Errorf("%s: the topology validated", what)
		}
	}
	none := App
	none.Edge = Edge{}
	if err := none.Validate(); err != nil {
		t.Errorf("no edge: %v", err)
	}
	if got := len(App.EveryFunction()); got != len(App.Functions)+1 {
		t.Errorf("EveryFunction: %d functions, want Functions and the authorizer", got)
	}
}
