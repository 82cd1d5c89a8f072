package main

import (
	"strings"
	"testing"
)

// Each workflow logs to a group under /aws/vendedlogs/states/ whose name
// ends with the stack's unique id: a group retained from a deleted stack
// never collides with the next one's.
func TestWorkflowLogGroupIsVended(t *testing.T) {
	s := synthDefault(t)
	tpl := parsed(t, s.stateless)
	smIDs := logicalIDByTag(t, s.stateless, "AWS::StepFunctions::StateMachine", TagWorkflow)
	for name, id := range smIDs {
		sm := tpl.Resources[id]
		dest := toJSON(t, sm.Properties["LoggingConfiguration"])
		group := ""
		for gid, r := range tpl.Resources {
			if r.Type == "AWS::Logs::LogGroup" && strings.Contains(dest, `"`+gid+`"`) {
				group = toJSON(t, r.Properties["LogGroupName"])
			}
		}
		for _, want := range []string{`"/aws/vendedlogs/states/"`, `"AWS::StackName"`, `"-` + name + `-"`, `"AWS::StackId"`} {
			if !strings.Contains(group, want) {
				t.Errorf("workflow %s logs to a group named %s, which lacks %s", name, group, want)
			}
		}
	}
	if len(smIDs) == 0 {
		t.Fatal("no workflows")
	}
}
