package main

import (
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"

	"github.com/consentflow/consentflow/infra/topology"
)

// The stateful stack cannot be deleted by accident, and deleting it anyway,
// or an update that drops a resource, leaves every store of personal data,
// its key, the user pool and the mail identity behind. A failed first
// create cleans up after itself (RetainExceptOnCreate), so a retry does not
// collide with leftovers; only the deletion-protected table and user pool,
// which a rollback could not delete, are plainly retained.
func TestStatefulStackIsRetained(t *testing.T) {
	s := synthDefault(t)
	if tp := s.app.Stateful.Stack.TerminationProtection(); tp == nil || !*tp {
		t.Error("the stateful stack is not termination protected")
	}
	checkRetained(t, s.stateful, map[string]string{
		"AWS::DynamoDB::Table":                       "Retain",
		"AWS::Cognito::UserPool":                     "Retain",
		"AWS::SecretsManager::Secret":                "RetainExceptOnCreate",
		"AWS::S3::Bucket":                            "RetainExceptOnCreate",
		"AWS::KMS::Key":                              "RetainExceptOnCreate",
		"AWS::SES::EmailIdentity":                    "RetainExceptOnCreate",
		"AWS::SES::ConfigurationSet":                 "RetainExceptOnCreate",
		"AWS::SES::ConfigurationSetEventDestination": "RetainExceptOnCreate",
	})
	// In the stateless stack, logs and their keys outlive the stack the same way.
	checkRetained(t, s.stateless, map[string]string{
		"AWS::Logs::LogGroup": "RetainExceptOnCreate",
		"AWS::KMS::Key":       "RetainExceptOnCreate",
	})
}

// The resources a rollback cannot delete (DeletionPolicy Retain) are
// created after every other resource of the stateful stack, one after the
// other: a first create that fails anywhere else rolls back completely.
func TestRetainedResourcesAreCreatedLast(t *testing.T) {
	s := synthDefault(t)
	resources := (*s.stateful.ToJSON())["Resources"].(map[string]any)
	deps := map[string][]string{} // logical id -> ids it depends on directly
	for id, r := range resources {
		res := r.(map[string]any)
		if d, ok := res["DependsOn"].([]any); ok {
			for _, x := range d {
				deps[id] = append(deps[id], x.(string))
			}
		}
		walkRefs(res["Properties"], func(ref string) {
			if _, ok := resources[ref]; ok {
				deps[id] = append(deps[id], ref)
			}
		})
	}
	after := func(id, other string) bool { // id is created after other
		seen := map[string]bool{}
		var visit func(string) bool
		visit = func(x string) bool {
			if seen[x] {
				return false
			}
			seen[x] = true
			for _, d := range deps[x] {
				if d == other || visit(d) {
					return true
				}
			}
			return false
		}
		return visit(id)
	}
	var retained []string
	for id, r := range resources {
		if r.(map[string]any)["DeletionPolicy"] == "Retain" {
			retained = append(retained, id)
		}
	}
	// Order the retained resources by their dependencies: they must form
	// a chain, each created after the one before.
	slices.SortFunc(retained, func(a, b string) int {
		switch {
		case after(a, b):
			return 1
		case after(b, a):
			return -1
		}
		return strings.Compare(a, b)
	})
	if len(retained) != 3 {
		t.Fatalf("retained resources %v, want the user pool and the two tables", retained)
	}
	for i := 1; i < len(retained); i++ {
		if !after(retained[i], retained[i-1]) {
			t.Errorf("%s is not created after %s", retained[i], retained[i-1])
		}
	}
	first := retained[0]
	for id := range resources {
		if slices.Contains(retained, id) || after(id, first) {
			continue // a retained resource, or one that needs it (the pool's client)
		}
		if !after(first, id) {
			t.Errorf("%s (%s) may be created after the retained %s", id, resources[id].(map[string]any)["Type"], first)
		}
	}
}

// walkRefs calls ref with every logical id a template value refers to (Ref,
// Fn::GetAtt).
func walkRefs(v any, ref func(string)) {
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			switch k {
			case "Ref":
				if s, ok := x.(string); ok {
					ref(s)
				}
			case "Fn::GetAtt":
				if a, ok := x.([]any); ok && len(a) > 0 {
					ref(a[0].(string))
				}
			}
			walkRefs(x, ref)
		}
	case []any:
		for _, x := range v {
			walkRefs(x, ref)
		}
	}
}

// checkRetained checks the DeletionPolicy of every resource of each type
// (and that the type occurs), and that a replacement retains the old one.
func checkRetained(t *testing.T, tpl assertions.Template, want map[string]string) {
	t.Helper()
	raw := (*tpl.ToJSON())["Resources"].(map[string]any)
	for typ, policy := range want {
		n := 0
		for id, r := range raw {
			res := r.(map[string]any)
			if res["Type"] != typ {
				continue
			}
			n++
			if res["DeletionPolicy"] != policy || res["UpdateReplacePolicy"] != "Retain" {
				t.Errorf("%s %s: DeletionPolicy %v, UpdateReplacePolicy %v, want %s and Retain", typ, id, res["DeletionPolicy"], res["UpdateReplacePolicy"], policy)
			}
		}
		if n == 0 {
			t.Errorf("no %s in the stack", typ)
		}
	}
}

// The table has the topology's keys, point-in-time recovery, deletion
// protection, and encryption under the customer-managed data key.
func TestTable(t *testing.T) {
	s := synthDefault(t)
	key := ""
	for id := range resources(t, s.stateful, "AWS::KMS::Key") {
		if strings.HasPrefix(id, "DataKey") {
			key = id
		}
	}
	tk := topology.App.Table
	s.stateful.HasResourceProperties(jsii.String("AWS::DynamoDB::Table"), map[string]any{
		"KeySchema": []any{
			map[string]any{"AttributeName": tk.PartitionKey.Name, "KeyType": "HASH"},
			map[string]any{"AttributeName": tk.SortKey.Name, "KeyType": "RANGE"},
		},
		"BillingMode":                      "PAY_PER_REQUEST",
		"PointInTimeRecoverySpecification": map[string]any{"PointInTimeRecoveryEnabled": true},
		"DeletionProtectionEnabled":        true,
		"SSESpecification": map[string]any{
			"SSEEnabled":     true,
			"SSEType":        "KMS",
			"KMSMasterKeyId": getAtt(key, "Arn"),
		},
	})
}

// Each candidate bucket blocks public access, refuses plain HTTP, encrypts
// under the data key, keeps versions only for a while so that erasure is
// final, and logs access to the access-log bucket.
func TestCandidateBuckets(t *testing.T) {
	s := synthDefault(t)
	buckets := resources(t, s.stateful, "AWS::S3::Bucket")
	var logs, key string
	for id := range buckets {
		if strings.HasPrefix(id, "AccessLogs") {
			logs = id
		}
	}
	for id := range resources(t, s.stateful, "AWS::KMS::Key") {
		if strings.HasPrefix(id, "DataKey") {
			key = id
		}
	}
	for _, b := range topology.App.Buckets {
		id := ""
		for candidate := range buckets {
			if strings.HasPrefix(candidate, topology.Pascal(b.Name)+"Bucket") {
				id = candidate
			}
		}
		if id == "" {
			t.Errorf("bucket %s missing", b.Name)
			continue
		}
		p := buckets[id].Properties
		checks := []struct{ what, got, want string }{
			{"public access block", toJSON(t, p["PublicAccessBlockConfiguration"]), toJSON(t, map[string]any{
				"BlockPublicAcls": true, "BlockPublicPolicy": true, "IgnorePublicAcls": true, "RestrictPublicBuckets": true})},
			{"encryption", toJSON(t, p["BucketEncryption"]), toJSON(t, map[string]any{"ServerSideEncryptionConfiguration": []any{map[string]any{
				"BucketKeyEnabled":              true,
				"ServerSideEncryptionByDefault": map[string]any{"KMSMasterKeyID": getAtt(key, "Arn"), "SSEAlgorithm": "aws:kms"},
			}}})},
			{"versioning", toJSON(t, p["VersioningConfiguration"]), `{"Status":"Enabled"}`},
			{"access logs", toJSON(t, p["LoggingConfiguration"]), toJSON(t, map[string]any{
				"DestinationBucketName": map[string]any{"Ref": logs}, "LogFilePrefix": b.Name + "/"})},
		}
		for _, c := range checks {
			if c.got != c.want {
				t.Errorf("bucket %s: %s = %s, want %s", b.Name, c.what, c.got, c.want)
			}
		}
		rules := toJSON(t, p["LifecycleConfiguration"])
		for _, want := range []string{`"NoncurrentVersionExpiration":{"NoncurrentDays":7}`, `"ExpiredObjectDeleteMarker":true`} {
			if !strings.Contains(rules, want) {
				t.Errorf("bucket %s: lifecycle %s lacks %s", b.Name, rules, want)
			}
		}
		s.stateful.HasResourceProperties(jsii.String("AWS::S3::BucketPolicy"), map[string]any{
			"Bucket": map[string]any{"Ref": id},
			"PolicyDocument": map[string]any{"Statement": assertions.Match_ArrayWith(&[]any{assertions.Match_ObjectLike(&map[string]any{
				"Effect":    "Deny",
				"Condition": map[string]any{"Bool": map[string]any{"aws:SecureTransport": "false"}},
			})})},
		})
	}
}

// Every customer-managed key lets only AWS services create grants, and every
// encryption key rotates. Signing keys (asymmetric, which KMS cannot rotate
// automatically) only sign and verify.
func TestKeys(t *testing.T) {
	for name, tpl := range map[string]assertions.Template{"stateful": synthDefault(t).stateful, "stateless": synthDefault(t).stateless} {
		for id, k := range resources(t, tpl, "AWS::KMS::Key") {
			switch spec := k.Properties["KeySpec"]; {
			case spec == nil || spec == "SYMMETRIC_DEFAULT":
				if k.Properties["EnableKeyRotation"] != true {
					t.Errorf("%s key %s does not rotate", name, id)
				}
			case k.Properties["KeyUsage"] != "SIGN_VERIFY":
				t.Errorf("%s key %s: asymmetric key %v for %v, want SIGN_VERIFY only", name, id, spec, k.Properties["KeyUsage"])
			}
			if policy := toJSON(t, k.Properties["KeyPolicy"]); !strings.Contains(policy, `"kms:GrantIsForAWSResource":"false"`) {
				t.Errorf("%s key %s: policy does not limit grants to AWS services", name, id)
			}
		}
	}
	// Every log group of the stateless stack is encrypted with its logs key.
	s := synthDefault(t)
	for id, lg := range resources(t, s.stateless, "AWS::Logs::LogGroup") {
		if got := toJSON(t, lg.Properties["KmsKeyId"]); !strings.Contains(got, "LogsKey") {
			t.Errorf("log group %s: KmsKeyId %s, want the logs key", id, got)
		}
	}
}

// Each topology secret is generated by Secrets Manager (nobody sets or sees
// its value), and retained (TestStatefulStackIsRetained); its ARN reaches the
// functions that read it (TestFunctionEnvironment).
func TestSecretsAreGenerated(t *testing.T) {
	s := synthDefault(t)
	tpl := s.stateful
	tpl.ResourceCountIs(jsii.String("AWS::SecretsManager::Secret"), jsii.Number(float64(len(topology.App.Secrets))))
	tpl.HasResourceProperties(jsii.String("AWS::SecretsManager::Secret"), map[string]any{
		"GenerateSecretString": map[string]any{"PasswordLength": 64, "ExcludePunctuation": true},
	})
}

// Receipts are signed with an asymmetric ECC_NIST_P256 key kept in the
// stateful stack (retained: TestStatefulStackIsRetained), and only the
// functions the topology names may use it, each for its one action.
func TestReceiptSigningKey(t *testing.T) {
	s := synthDefault(t)
	s.stateful.HasResourceProperties(jsii.String("AWS::KMS::Key"), map[string]any{
		"KeySpec": "ECC_NIST_P256", "KeyUsage": "SIGN_VERIFY", "PendingWindowInDays": 30,
	})
	actions, _ := functionActions(t, parsed(t, s.stateless))
	signers, readers := 0, 0
	for fn, acts := range actions {
		for _, a := range acts {
			switch a {
			case "kms:Sign":
				signers++
				if f, _ := topology.App.Function(fn); len(f.Signs) == 0 {
					t.Errorf("%s may sign", fn)
				}
			case "kms:GetPublicKey":
				readers++
				if f, _ := topology.App.Function(fn); len(f.ReadsPublicKeys) == 0 {
					t.Errorf("%s may read the public key", fn)
				}
			}
		}
	}
	if signers != 1 || readers != 2 {
		t.Errorf("%d functions may sign (want 1: send-consent-receipt), %d may read the public key (want 2)", signers, readers)
	}
}
