package main

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/consentflow/consentflow/infra/topology"
)

// Each function's role allows what its topology entry says it does, and
// nothing of the kind it does not: least privilege, checked per function.
func TestFunctionPermissionsFollowTheTopology(t *testing.T) {
	tpl := parsed(t, synthDefault(t).stateless)
	actions, wildcards := functionActions(t, tpl)
	for _, f := range topology.App.Functions {
		got, ok := actions[f.Name]
		if !ok {
			t.Errorf("function %s: no role policy found", f.Name)
			continue
		}
		has := func(a string) bool { return slices.Contains(got, a) }
		for _, c := range []struct {
			what   string
			want   bool
			action string
		}{
			{"starts a workflow", len(f.Starts) > 0, "states:StartExecution"},
			{"describes its executions", len(f.Starts) > 0, "states:DescribeExecution"},
			{"answers workflow tasks", len(f.AnswersTasks) > 0, "states:SendTaskSuccess"},
			{"sends email", f.SendsEmail, "ses:SendEmail"},
			{"reads a secret", len(f.ReadsSecrets) > 0, "secretsmanager:GetSecretValue"},
			{"describes a secret", false, "secretsmanager:DescribeSecret"},
			{"signs receipts", len(f.Signs) > 0, "kms:Sign"},
			{"reads the receipt key's public half", len(f.ReadsPublicKeys) > 0, "kms:GetPublicKey"},
		} {
			if has(c.action) != c.want {
				t.Errorf("function %s %s: %v, but its role allows %s: %v", f.Name, c.what, c.want, c.action, has(c.action))
			}
		}
		for _, a := range got {
			if a == "*" || strings.HasSuffix(a, ":*") {
				t.Errorf("function %s: wildcard action %s", f.Name, a)
			}
		}
		// Exactly the DynamoDB actions the topology lists (which the call
		// analysis in infra/topology checks against the code): no Scan,
		// Batch*, stream actions or DescribeTable unless listed.
		var want []string
		// The audit table's fixed pair (grantAudit): Query to read, and
		// PutItem to append; never an update or delete.
		switch f.Audit {
		case topology.Read:
			want = append(want, "dynamodb:Query")
		case topology.Append:
			want = append(want, "dynamodb:Query", "dynamodb:PutItem")
		}
		for _, actions := range f.Tables {
			for _, a := range actions {
				want = append(want, "dynamodb:"+string(a))
			}
		}
		if got, want := ofService(got, "dynamodb:"), sortedSet(want); !slices.Equal(got, want) {
			t.Errorf("function %s: DynamoDB actions %v, want exactly %v", f.Name, got, want)
		}
		// The data key: Decrypt for reading the table or objects (DynamoDB
		// and S3 decrypt with the caller's permission), GenerateDataKey only
		// for a function that writes objects to the SSE-KMS buckets
		// (PutObject, which a presigned upload is signed for too), nothing
		// more.
		decrypt, generate := len(f.Tables) > 0 || f.Audit != topology.NoAccess, false
		for _, actions := range f.Buckets {
			for _, a := range actions {
				switch a {
				case topology.GetObject, topology.GetObjectVersion:
					decrypt = true
				case topology.PutObject:
					generate = true
				}
			}
		}
		var wantKMS []string
		if decrypt {
			wantKMS = append(wantKMS, "kms:Decrypt")
		}
		if generate {
			wantKMS = append(wantKMS, "kms:GenerateDataKey")
		}
		// And on the receipt signing key, exactly what the topology says
		// (checked against the role above).
		if len(f.ReadsPublicKeys) > 0 {
			wantKMS = append(wantKMS, "kms:GetPublicKey")
		}
		if len(f.Signs) > 0 {
			wantKMS = append(wantKMS, "kms:Sign")
		}
		wantKMS = sortedSet(wantKMS)
		if got := ofService(got, "kms:"); !slices.Equal(got, wantKMS) {
			t.Errorf("function %s: KMS actions %v, want exactly %v", f.Name, got, wantKMS)
		}
		// Data, workflow and mail actions name their resources, never "*".
		for _, st := range wildcards[f.Name] {
			t.Errorf("function %s: %s on every resource", f.Name, st)
		}
	}
	for id, r := range tpl.Resources {
		if r.Type != "AWS::IAM::Role" {
			continue
		}
		for _, arn := range asList(r.Properties["ManagedPolicyArns"]) {
			if s := toJSONString(arn); strings.Contains(s, "FullAccess") {
				t.Errorf("role %s has managed policy %s", id, s)
			}
		}
	}
}

// ofService returns the actions of one service (by prefix), sorted, each once.
func ofService(actions []string, prefix string) []string {
	var out []string
	for _, a := range actions {
		if strings.HasPrefix(a, prefix) {
			out = append(out, a)
		}
	}
	return sortedSet(out)
}

func sortedSet(s []string) []string {
	out := append([]string{}, s...)
	slices.Sort(out)
	return slices.Compact(out)
}

// A function with buckets gets exactly their actions, object actions on the
// objects and listing on the bucket, and of the data key Decrypt to read
// and GenerateDataKey to write; a querying function may query the table's
// indexes.
func TestBucketAndIndexGrantsAreExact(t *testing.T) {
	s := synthEverything(t)
	tpl := parsed(t, s.stateless)
	actions, _ := functionActions(t, tpl)
	app := everythingTopology()
	f := app.Functions[0]
	got := actions[f.Name]
	var wantS3 []string
	for _, list := range f.Buckets {
		for _, a := range list {
			wantS3 = append(wantS3, "s3:"+string(a))
		}
	}
	if got, want := ofService(got, "s3:"), sortedSet(wantS3); !slices.Equal(got, want) {
		t.Errorf("function %s: S3 actions %v, want exactly %v", f.Name, got, want)
	}
	if got, want := ofService(got, "kms:"), []string{"kms:Decrypt", "kms:GenerateDataKey"}; !slices.Equal(got, want) {
		t.Errorf("function %s: KMS actions %v, want exactly %v", f.Name, got, want)
	}
	// Only the CV bucket is listed, on the bucket; objects under /*.
	policies := toJSONString(policiesOf(t, tpl, f.Name))
	if !strings.Contains(policies, `"s3:ListBucket"`) || strings.Count(policies, `/*"`) < 2 {
		t.Errorf("function %s: bucket statements %s", f.Name, policies)
	}
	for _, fn := range app.Functions {
		queries := slices.Contains(fn.Tables[topology.ConsentTable], topology.Query)
		if got := strings.Contains(toJSONString(policiesOf(t, tpl, fn.Name)), "/index/test-index"); got != queries {
			t.Errorf("function %s: may query the index: %v, queries the table: %v", fn.Name, got, queries)
		}
	}
}

// policiesOf returns the statements of every policy attached to the role of
// the function named name.
func policiesOf(t *testing.T, tpl Template, name string) []any {
	t.Helper()
	var out []any
	for _, r := range tpl.Resources {
		if r.Type != "AWS::Lambda::Function" {
			continue
		}
		if n, ok := tag(r, TagFunction); !ok || n != name {
			continue
		}
		role := getAttRef(r.Properties["Role"])
		for _, p := range tpl.Resources {
			if p.Type != "AWS::IAM::Policy" {
				continue
			}
			for _, ro := range asList(p.Properties["Roles"]) {
				if ref(ro) == role {
					doc, _ := p.Properties["PolicyDocument"].(map[string]any)
					out = append(out, asList(doc["Statement"])...)
				}
			}
		}
	}
	return out
}

// functionActions maps each function (by topology name) to the actions of
// every policy attached to its role, and lists the data, workflow and mail
// actions it is allowed on resource "*".
func functionActions(t *testing.T, tpl Template) (actions map[string][]string, wildcards map[string][]string) {
	t.Helper()
	roleOf := map[string]string{} // role logical ID → function name
	for _, r := range tpl.Resources {
		if r.Type != "AWS::Lambda::Function" {
			continue
		}
		name, ok := tag(r, TagFunction)
		if !ok {
			continue
		}
		if role := getAttRef(r.Properties["Role"]); role != "" {
			roleOf[role] = name
		}
	}
	out := map[string][]string{}
	wildcards = map[string][]string{}
	for _, r := range tpl.Resources {
		if r.Type != "AWS::IAM::Policy" {
			continue
		}
		for _, role := range asList(r.Properties["Roles"]) {
			fn, ok := roleOf[ref(role)]
			if !ok {
				continue
			}
			doc, _ := r.Properties["PolicyDocument"].(map[string]any)
			for _, st := range asList(doc["Statement"]) {
				stm, _ := st.(map[string]any)
				if stm["Effect"] != "Allow" {
					continue
				}
				everywhere := slices.ContainsFunc(asList(stm["Resource"]), func(r any) bool { return r == "*" })
				for _, a := range asList(stm["Action"]) {
					out[fn] = append(out[fn], a.(string))
					service, _, _ := strings.Cut(a.(string), ":")
					if everywhere && slices.Contains([]string{"dynamodb", "states", "ses", "s3"}, service) ||
						everywhere && slices.Contains([]string{"kms:Sign", "kms:GetPublicKey", "kms:Verify"}, a.(string)) {
						wildcards[fn] = append(wildcards[fn], a.(string))
					}
				}
			}
		}
	}
	return out, wildcards
}

func asList(v any) []any {
	switch v := v.(type) {
	case []any:
		return v
	case nil:
		return nil
	}
	return []any{v}
}

func ref(v any) string {
	m, _ := v.(map[string]any)
	s, _ := m["Ref"].(string)
	return s
}

func getAttRef(v any) string {
	m, _ := v.(map[string]any)
	if att, ok := m["Fn::GetAtt"].([]any); ok && len(att) > 0 {
		s, _ := att[0].(string)
		return s
	}
	return ref(v)
}

func toJSONString(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// Function roles may only add audit events and read them: on the audit
// table, PutItem (the store makes every put conditional on
// attribute_not_exists) and Query, never UpdateItem, DeleteItem or batch
// writes. A function appends only when its topology entry says so.
func TestAuditTableIsAppendOnly(t *testing.T) {
	tpl := parsed(t, synthDefault(t).stateless)
	roleOf := map[string]string{}
	for _, r := range tpl.Resources {
		if r.Type != "AWS::Lambda::Function" {
			continue
		}
		if name, ok := tag(r, TagFunction); ok {
			roleOf[getAttRef(r.Properties["Role"])] = name
		}
	}
	onAudit := map[string][]string{}
	for _, r := range tpl.Resources {
		if r.Type != "AWS::IAM::Policy" {
			continue
		}
		doc, _ := r.Properties["PolicyDocument"].(map[string]any)
		for _, role := range asList(r.Properties["Roles"]) {
			fn, ok := roleOf[ref(role)]
			if !ok {
				continue
			}
			for _, st := range asList(doc["Statement"]) {
				stm, _ := st.(map[string]any)
				if stm["Effect"] != "Allow" || !strings.Contains(toJSONString(stm["Resource"]), "AuditTable") {
					continue
				}
				for _, a := range asList(stm["Action"]) {
					onAudit[fn] = append(onAudit[fn], a.(string))
				}
			}
		}
	}
	for _, f := range topology.App.Functions {
		got := onAudit[f.Name]
		for _, a := range got {
			if a != "dynamodb:Query" && a != "dynamodb:PutItem" {
				t.Errorf("function %s may %s on the audit table; only PutItem and Query are allowed", f.Name, a)
			}
		}
		if want := f.Audit == topology.Append; slices.Contains(got, "dynamodb:PutItem") != want {
			t.Errorf("function %s appends audit events: %v, but its role allows PutItem on the audit table: %v", f.Name, want, got)
		}
		if want := f.Audit != topology.NoAccess; slices.Contains(got, "dynamodb:Query") != want {
			t.Errorf("function %s reads the audit table: %v, but its role allows Query on it: %v", f.Name, want, got)
		}
	}
	if len(onAudit) == 0 {
		t.Fatal("no role names the audit table: the test found nothing to check")
	}
}
