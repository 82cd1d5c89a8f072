package main

import (
	"encoding/json"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"

	"github.com/consentflow/consentflow/infra/topology"
)

// With publicRateLimitPerIp, CloudFront fronts the candidate routes with a
// web ACL that blocks a client IP above the limit (429) and anything but the
// candidate routes; candidate links point at CloudFront; the stack can only
// go to us-east-1; cdk-nag finds nothing unsuppressed. Without it, none of
// this exists.
func TestCandidateEdgeRateLimitsPerIP(t *testing.T) {
	s := synthEdge(t)
	s.stateless.HasResourceProperties(jsii.String("AWS::WAFv2::WebACL"), map[string]any{
		"Scope": "CLOUDFRONT",
		// In priority order: other paths are blocked before the rate is counted.
		"Rules": assertions.Match_ArrayWith(&[]any{
			assertions.Match_ObjectLike(&map[string]any{
				"Name":   "only-candidate-routes",
				"Action": map[string]any{"Block": map[string]any{}},
				// Every page a candidate's email links to passes: the consent,
				// manage and join-time pages and the receipt check.
				"Statement": map[string]any{"NotStatement": map[string]any{"Statement": map[string]any{
					"OrStatement": map[string]any{"Statements": []any{
						prefixMatch("/c/"), prefixMatch("/m/"), prefixMatch("/j/"), prefixMatch("/.well-known/"), prefixMatch("/receipts/"),
					}},
				}}},
			}),
			assertions.Match_ObjectLike(&map[string]any{
				"Name":   "rate-per-ip",
				"Action": map[string]any{"Block": map[string]any{"CustomResponse": map[string]any{"ResponseCode": 429}}},
				"Statement": map[string]any{"RateBasedStatement": map[string]any{
					"Limit": 300, "AggregateKeyType": "IP", "EvaluationWindowSec": 300,
				}},
			}),
		}),
		"VisibilityConfig": assertions.Match_ObjectLike(&map[string]any{"SampledRequestsEnabled": false}),
	})
	dist := only(t, resources(t, s.stateless, "AWS::CloudFront::Distribution"))
	cfg := toJSON(t, dist.Properties["DistributionConfig"])
	for _, want := range []string{`"WebACLId":{"Fn::GetAtt":["CandidateWebAcl`, `".execute-api."`, `"OriginProtocolPolicy":"https-only"`, `"ViewerProtocolPolicy":"https-only"`} {
		if !strings.Contains(cfg, want) {
			t.Errorf("distribution config lacks %s: %s", want, cfg)
		}
	}
	// Every method reaches the API (candidates POST their answer), uncached.
	if !strings.Contains(cfg, `"POST"`) || !strings.Contains(cfg, `"CachePolicyId":"4135ea2d-6df8-44a3-9df3-4b5a84be39ad"`) {
		t.Errorf("distribution does not pass every method uncached: %s", cfg)
	}
	for _, f := range topology.App.Functions {
		if _, ok := f.Env["PUBLIC_BASE_URL"]; !ok {
			continue
		}
		env := toJSON(t, resources(t, s.stateless, "AWS::Lambda::Function")[logicalIDByTag(t, s.stateless, "AWS::Lambda::Function", TagFunction)[f.Name]].Properties["Environment"])
		if !strings.Contains(env, `"PUBLIC_BASE_URL":{"Fn::Join":["",["https://",{"Fn::GetAtt":["CandidateEdge`) {
			t.Errorf("function %s: PUBLIC_BASE_URL is not the distribution: %s", f.Name, env)
		}
	}
	rules := toJSON(t, (*s.stateless.ToJSON())["Rules"])
	if !strings.Contains(rules, `"Fn::Equals":[{"Ref":"AWS::Region"},"us-east-1"]`) {
		t.Errorf("no rule keeps the stack in us-east-1: %s", rules)
	}
	noNagFindings(t, s)

	d := synthDefault(t)
	d.stateless.ResourceCountIs(jsii.String("AWS::CloudFront::Distribution"), jsii.Number(0))
	d.stateless.ResourceCountIs(jsii.String("AWS::WAFv2::WebACL"), jsii.Number(0))
}

var (
	edgeOnce sync.Once
	edgeApp  *synthesized
)

// synthEdge is the app with publicRateLimitPerIp=300, synthesized once.
func synthEdge(t testing.TB) *synthesized {
	t.Helper()
	edgeOnce.Do(func() { edgeApp = synth(t, topology.App, map[string]any{ContextPublicRateLimitPerIP: "300"}) })
	if edgeApp == nil {
		t.Fatal("app with the candidate edge did not synthesize")
	}
	return edgeApp
}

// With the edge, the candidate routes answer only requests that carry the
// origin header CloudFront sends: a REQUEST authorizer (payload 2.0, simple
// responses, cached per header value) on each of them and on nothing else,
// run by the verify-edge-origin function, which API Gateway may invoke; the
// distribution sends the header with the generated secret's value, which
// only that function's role may read. Without the edge there is no
// authorizer, secret or function of it, and the routes have no authorizer.
func TestCandidateRoutesAnswerOnlyTheEdge(t *testing.T) {
	s := synthEdge(t)
	tpl := parsed(t, s.stateless)
	fnID := logicalIDByTag(t, s.stateless, "AWS::Lambda::Function", TagFunction)[topology.EdgeAuthorizer]
	if fnID == "" {
		t.Fatalf("no %s function", topology.EdgeAuthorizer)
	}
	authorizers := resources(t, s.stateless, "AWS::ApiGatewayV2::Authorizer")
	edgeID := ""
	for id, a := range authorizers {
		if a.Properties["Name"] == EdgeAuthorizerName {
			edgeID = id
		}
	}
	if edgeID == "" {
		t.Fatalf("no authorizer %s among %v", EdgeAuthorizerName, authorizers)
	}
	a := authorizers[edgeID].Properties
	for what, want := range map[string]any{
		"AuthorizerType":                 "REQUEST",
		"IdentitySource":                 []any{"$request.header.x-consentflow-edge"},
		"AuthorizerPayloadFormatVersion": "2.0",
		"EnableSimpleResponses":          true,
		"AuthorizerResultTtlInSeconds":   float64(EdgeAuthorizerCacheTTL),
	} {
		if toJSON(t, a[what]) != toJSON(t, want) {
			t.Errorf("authorizer %s = %s, want %s", what, toJSON(t, a[what]), toJSON(t, want))
		}
	}
	if uri := toJSON(t, a["AuthorizerUri"]); !strings.Contains(uri, fnID) {
		t.Errorf("the authorizer does not invoke %s: %s", topology.EdgeAuthorizer, uri)
	}
	candidateRoutes := 0
	for id, r := range resources(t, s.stateless, "AWS::ApiGatewayV2::Route") {
		key, _ := r.Properties["RouteKey"].(string)
		_, path, _ := strings.Cut(key, " ")
		candidate := slices.ContainsFunc(topology.CandidatePathPrefixes, func(p string) bool { return strings.HasPrefix(path, p) })
		if candidate {
			candidateRoutes++
		}
		if got := ref(r.Properties["AuthorizerId"]) == edgeID; got != candidate {
			t.Errorf("route %s (%s): edge authorizer %v, want %v", key, id, got, candidate)
		}
		if candidate && r.Properties["AuthorizationType"] != "CUSTOM" {
			t.Errorf("route %s: authorization %v, want CUSTOM", key, r.Properties["AuthorizationType"])
		}
	}
	if candidateRoutes != 11 {
		t.Errorf("%d candidate routes, want 11: /c/{token} (2), /m/{token} (4), /j/{token} (3), the receipt keys and the receipt check", candidateRoutes)
	}
	// API Gateway may invoke the authorizer, from this API's authorizers only.
	invoked := false
	for _, p := range resources(t, s.stateless, "AWS::Lambda::Permission") {
		if getAttRef(p.Properties["FunctionName"]) == fnID && p.Properties["Principal"] == "apigateway.amazonaws.com" &&
			p.Properties["Action"] == "lambda:InvokeFunction" && strings.Contains(toJSON(t, p.Properties["SourceArn"]), "/authorizers/") {
			invoked = true
		}
	}
	if !invoked {
		t.Error("API Gateway has no permission to invoke the authorizer")
	}

	// The secret: generated, in this stack, gone with it.
	secrets := resources(t, s.stateless, "AWS::SecretsManager::Secret")
	secretID := ""
	for id := range secrets {
		secretID = id
	}
	if len(secrets) != 1 || secrets[secretID].Properties["GenerateSecretString"] == nil {
		t.Fatalf("stateless secrets %v, want one generated secret", secrets)
	}
	var raw struct {
		Resources map[string]struct{ DeletionPolicy string }
	}
	if err := json.Unmarshal([]byte(toJSON(t, s.stateless.ToJSON())), &raw); err != nil {
		t.Fatal(err)
	}
	if p := raw.Resources[secretID].DeletionPolicy; p != "Delete" {
		t.Errorf("the edge secret's deletion policy is %q, want Delete (nothing is kept with it)", p)
	}
	cfg := toJSON(t, only(t, resources(t, s.stateless, "AWS::CloudFront::Distribution")).Properties["DistributionConfig"])
	want := `"OriginCustomHeaders":[{"HeaderName":"x-consentflow-edge","HeaderValue":{"Fn::Join":["",["{{resolve:secretsmanager:",{"Ref":"` + secretID + `"},":SecretString:::}}"]]}}]`
	if !strings.Contains(cfg, want) {
		t.Errorf("the origin does not get the header from the secret, want %s in %s", want, cfg)
	}
	fn := resources(t, s.stateless, "AWS::Lambda::Function")[fnID]
	if env := toJSON(t, fn.Properties["Environment"]); env != `{"Variables":{"EDGE_SECRET_ARN":{"Ref":"`+secretID+`"}}}` {
		t.Errorf("the authorizer's environment: %s", env)
	}

	// Only the authorizer's role reads the secret, and only its value; and
	// the authorizer's role allows nothing else but its logs and traces.
	roles := map[string]string{} // role logical ID → function name
	for _, f := range resources(t, s.stateless, "AWS::Lambda::Function") {
		name, _ := tag(f, TagFunction)
		roles[getAttRef(f.Properties["Role"])] = name
	}
	for _, tp := range []Template{tpl, parsed(t, s.stateful)} {
		for id, r := range tp.Resources {
			if r.Type == "AWS::SecretsManager::ResourcePolicy" && strings.Contains(toJSON(t, r.Properties), secretID) {
				t.Errorf("resource policy %s on the edge secret", id)
			}
			if r.Type != "AWS::IAM::Policy" {
				continue
			}
			doc, _ := r.Properties["PolicyDocument"].(map[string]any)
			for _, st := range asList(doc["Statement"]) {
				stm, _ := st.(map[string]any)
				if !strings.Contains(toJSON(t, stm["Resource"]), `"`+secretID+`"`) {
					continue
				}
				for _, role := range asList(r.Properties["Roles"]) {
					if roles[ref(role)] != topology.EdgeAuthorizer {
						t.Errorf("policy %s lets role %s (%s) use the edge secret: %s", id, ref(role), roles[ref(role)], toJSON(t, stm))
					}
				}
				if toJSON(t, stm["Action"]) != `"secretsmanager:GetSecretValue"` {
					t.Errorf("policy %s: %s on the edge secret, want GetSecretValue only", id, toJSON(t, stm["Action"]))
				}
			}
		}
	}
	actions, _ := functionActions(t, tpl)
	for _, a := range actions[topology.EdgeAuthorizer] {
		service, _, _ := strings.Cut(a, ":")
		if !slices.Contains([]string{"logs", "xray"}, service) && a != "secretsmanager:GetSecretValue" {
			t.Errorf("the authorizer's role allows %s", a)
		}
	}
	if !slices.Contains(actions[topology.EdgeAuthorizer], "secretsmanager:GetSecretValue") {
		t.Error("the authorizer's role cannot read the secret")
	}

	d := synthDefault(t)
	d.stateless.ResourceCountIs(jsii.String("AWS::ApiGatewayV2::Authorizer"), jsii.Number(1)) // the recruiters' JWT authorizer
	d.stateless.ResourceCountIs(jsii.String("AWS::SecretsManager::Secret"), jsii.Number(0))
	d.stateless.ResourcePropertiesCountIs(jsii.String("AWS::ApiGatewayV2::Route"), map[string]any{"AuthorizationType": "CUSTOM"}, jsii.Number(0))
	if _, ok := logicalIDByTag(t, d.stateless, "AWS::Lambda::Function", TagFunction)[topology.EdgeAuthorizer]; ok {
		t.Errorf("without the edge, the template has the %s function", topology.EdgeAuthorizer)
	}
	if all := toJSON(t, d.stateless.ToJSON()); strings.Contains(all, topology.EdgeOriginHeader) || strings.Contains(all, "EdgeOrigin") {
		t.Error("without the edge, the template names its header or secret")
	}
}

// With the edge, a candidate-route body over EdgeMaxBody (WAF's inspection
// limit: anything larger is oversize, which matches) is refused at the
// edge with 413 and the problem the functions answer for a body too large.
// Without the edge there is no web ACL at all.
func TestCandidateEdgeRefusesLargeBodies(t *testing.T) {
	s := synthEdge(t)
	acl := only(t, resources(t, s.stateless, "AWS::WAFv2::WebACL")).Properties
	var rule map[string]any
	for _, r := range asList(acl["Rules"]) {
		if m, _ := r.(map[string]any); m["Name"] == "body-too-large" {
			rule = m
		}
	}
	if rule == nil {
		t.Fatalf("no body-too-large rule: %s", toJSON(t, acl["Rules"]))
	}
	if got, want := toJSON(t, rule["Statement"]), `{"SizeConstraintStatement":{"ComparisonOperator":"GT","FieldToMatch":{"Body":{"OversizeHandling":"MATCH"}},"Size":16384,"TextTransformations":[{"Priority":0,"Type":"NONE"}]}}`; got != want {
		t.Errorf("body rule statement %s, want %s", got, want)
	}
	response, _ := rule["Action"].(map[string]any)["Block"].(map[string]any)["CustomResponse"].(map[string]any)
	if response["ResponseCode"] != float64(413) {
		t.Errorf("body rule answers %v, want 413", response["ResponseCode"])
	}
	key, _ := response["CustomResponseBodyKey"].(string)
	body, _ := acl["CustomResponseBodies"].(map[string]any)[key].(map[string]any)
	if body["ContentType"] != "APPLICATION_JSON" {
		t.Errorf("413 body content type %v, want APPLICATION_JSON", body["ContentType"])
	}
	var problem map[string]any
	if err := json.Unmarshal([]byte(body["Content"].(string)), &problem); err != nil {
		t.Fatalf("413 body %v: %v", body["Content"], err)
	}
	if problem["type"] != "/problems/body-too-large" || problem["status"] != float64(413) || problem["title"] != "Body too large" ||
		problem["detail"] != "the body is larger than 16384 bytes" {
		t.Errorf("413 body is not the body-too-large problem: %v", problem)
	}
	// Other paths are blocked first, and oversized requests count towards
	// the rate before they are refused.
	if names := ruleNames(acl); !slices.Equal(names, []string{"only-candidate-routes", "rate-per-ip", "body-too-large"}) {
		t.Errorf("rules in priority order %v", names)
	}
}

func ruleNames(acl map[string]any) []string {
	rules := asList(acl["Rules"])
	slices.SortFunc(rules, func(a, b any) int {
		return int(a.(map[string]any)["Priority"].(float64) - b.(map[string]any)["Priority"].(float64))
	})
	var out []string
	for _, r := range rules {
		out = append(out, r.(map[string]any)["Name"].(string))
	}
	return out
}

// prefixMatch is the WAF statement matching a path prefix.
func prefixMatch(prefix string) any {
	return assertions.Match_ObjectLike(&map[string]any{"ByteMatchStatement": assertions.Match_ObjectLike(&map[string]any{
		"SearchString": prefix, "PositionalConstraint": "STARTS_WITH",
	})})
}
