// Package topology is the one description of Consentflow's deployable shape:
// its functions, HTTP routes, workflows, table and buckets. The CDK stacks
// (package infra) and the local cloud (package infra/local) are both built
// from App, so what runs on a laptop and what runs in AWS cannot drift.
//
// The package holds plain data and must never import the CDK.
package topology

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// TableAction is a DynamoDB action a function takes on a table, named as
// IAM names it (without "dynamodb:"). IAM authorizes a transaction item by
// item: TransactWriteItems with a Put and a ConditionCheck needs PutItem and
// ConditionCheckItem, TransactGetItems needs GetItem.
type TableAction string

const (
	GetItem            TableAction = "GetItem"
	Query              TableAction = "Query"
	PutItem            TableAction = "PutItem"
	UpdateItem         TableAction = "UpdateItem"
	DeleteItem         TableAction = "DeleteItem"
	ConditionCheckItem TableAction = "ConditionCheckItem"
)

// Access is a function's access to the audit table.
type Access int

const (
	NoAccess Access = iota
	// Read may Query the audit table.
	Read
	// Append may add items that do not exist yet (PutItem conditional on
	// attribute_not_exists) and read them (Query); never update or delete.
	// Only the audit table is granted this way.
	Append
)

// BucketAction is an S3 action a function takes on a bucket or its objects,
// named as IAM names it (without "s3:"): HeadObject needs GetObject,
// ListObjectsV2 ListBucket, ListObjectVersions ListBucketVersions.
type BucketAction string

const (
	GetObject           BucketAction = "GetObject"
	GetObjectVersion    BucketAction = "GetObjectVersion"
	PutObject           BucketAction = "PutObject"
	DeleteObject        BucketAction = "DeleteObject"
	DeleteObjectVersion BucketAction = "DeleteObjectVersion"
	ListBucket          BucketAction = "ListBucket"
	ListBucketVersions  BucketAction = "ListBucketVersions"
)

// ReadsTable reports whether actions read items (and so need the table key
// to decrypt them); every DynamoDB data action does.
func ReadsTable(actions []TableAction) bool { return len(actions) > 0 }

// WritesObjects reports whether actions write objects (and so need a data
// key from the bucket's KMS key).
func WritesObjects(actions []BucketAction) bool {
	for _, a := range actions {
		if a == PutObject {
			return true
		}
	}
	return false
}

// ReadsObjects reports whether actions read object content.
func ReadsObjects(actions []BucketAction) bool {
	for _, a := range actions {
		if a == GetObject || a == GetObjectVersion {
			return true
		}
	}
	return false
}

// Auth says who may call a route.
type Auth int

const (
	// Public routes are open to anyone holding a link; they are throttled.
	Public Auth = iota
	// Recruiter routes need a recruiter's bearer token (a JWT in AWS).
	Recruiter
)

// RefKind names the kind of value an environment variable resolves to.
type RefKind int

const (
	// TableName resolves to the physical name of Table.
	TableName RefKind = iota
	// BucketName resolves to the physical name of the bucket named Ref.Name.
	BucketName
	// WorkflowArn resolves to the ARN of the workflow named Ref.Name.
	WorkflowArn
	// Setting resolves to the deployment setting named Ref.Name (see Settings).
	Setting
	// SecretArn resolves to the ARN of the secret named Ref.Name (see Secrets).
	SecretArn
	// SigningKeyArn resolves to the ARN of the signing key named Ref.Name.
	SigningKeyArn
	// APIURL resolves to the HTTP API's base URL (no trailing slash).
	APIURL
	// SignIn resolves to a fact of the recruiters' OpenID Connect provider
	// (Cognito's managed login in AWS, the local stand-in on a laptop) and of
	// the console's client there, named by Ref.Name: one of SignInFacts.
	SignIn
	// AuditTableName resolves to the physical name of Audit.
	AuditTableName
)

// The facts a SignIn reference names.
const (
	SignInIssuer       = "issuer"
	SignInClientID     = "clientId"
	SignInAuthorizeURL = "authorizeUrl"
	SignInTokenURL     = "tokenUrl"
	SignInLogoutURL    = "logoutUrl"
	SignInJWKSURL      = "jwksUrl"
)

// SignInFacts lists every fact a SignIn reference can name.
var SignInFacts = []string{SignInIssuer, SignInClientID, SignInAuthorizeURL, SignInTokenURL, SignInLogoutURL, SignInJWKSURL}

// Ref is the value of a function's environment variable, resolved by each
// target in its own way (a CDK token in AWS, a local URL or name locally).
type Ref struct {
	Kind RefKind
	Name string
}

// Function is one Lambda function, built from functions/<Name>/.
type Function struct {
	Name        string
	Description string
	Timeout     time.Duration
	MemoryMB    int
	// Env maps environment variable names to what they resolve to.
	Env map[string]Ref
	// Tables maps a table's name to exactly the DynamoDB actions the
	// function's code takes on it: its role gets these and nothing else
	// (no Scan, batch, stream or DescribeTable actions it does not call).
	// infra/topology's call analysis test checks them against the code.
	Tables map[string][]TableAction
	// Buckets maps bucket names to exactly the S3 actions the function's
	// code takes on them (checked the same way).
	Buckets map[string][]BucketAction
	// Audit is this function's access to the audit table: NoAccess, Read
	// (Query) or Append (conditional PutItem and Query).
	Audit Access
	// SendsEmail lets the function send email through SES as the sender.
	SendsEmail bool
	// Starts lists the workflows this function may start (and whose
	// executions it may describe, to make a repeated start idempotent).
	Starts []string
	// AnswersTasks lists the workflows whose task tokens this function may
	// answer (SendTaskSuccess, SendTaskFailure, SendTaskHeartbeat).
	AnswersTasks []string
	// ReadsSecrets lists the secrets whose value this function may read
	// (secretsmanager:GetSecretValue).
	ReadsSecrets []string
	// Signs lists the signing keys this function may sign with (kms:Sign).
	Signs []string
	// ReadsPublicKeys lists the signing keys whose public key this function
	// may read (kms:GetPublicKey).
	ReadsPublicKeys []string
	// KeyPrefixes limits the object actions of Buckets to keys under a
	// prefix, per bucket (e.g. the recording gate may only put objects
	// under recordings/).
	KeyPrefixes map[string]string
}

// Rule sends the events of some buckets (an EventBridge rule on the S3
// events the buckets send to EventBridge) to a function. Locally the S3
// stand-in emits the same events after each successful upload.
type Rule struct {
	Name        string
	Description string
	// DetailType is the S3 event's detail-type, e.g. "Object Created".
	DetailType string
	Buckets    []string
	Function   string
}

// Secret is a deployment secret with a generated random value: a Secrets
// Manager secret in AWS (kept when the stack is deleted), one generated at
// start in the local cloud.
type Secret struct {
	Name        string
	Description string
}

// SigningKey is an asymmetric KMS key (ECC_NIST_P256, ECDSA_SHA_256) whose
// private half never leaves KMS. It outlives deployments: what it signed
// must verify for as long as it is kept.
type SigningKey struct {
	Name        string
	Description string
}

// Route is one HTTP API route, served by a function with the API Gateway
// HTTP API payload format 2.0.
type Route struct {
	Method   string
	Path     string // with {param} segments, as API Gateway writes them
	Function string
	Auth     Auth
}

// Key is the API Gateway route key, "METHOD /path".
func (r Route) Key() string { return r.Method + " " + r.Path }

// Workflow is one Step Functions state machine, defined by an ASL file.
type Workflow struct {
	Name        string // kebab-case; the ASL file is statemachines/<Name>.asl.json
	Description string
	// Standard workflows can wait for task tokens and run up to a year.
	Standard bool
	// Functions lists the functions the definition invokes. Each one is
	// substituted into the ASL as ${<PascalName>FunctionArn}.
	Functions []string
}

// File is the path of the workflow's ASL definition, relative to the repo root.
func (w Workflow) File() string { return "statemachines/" + w.Name + ".asl.json" }

// Substitutions maps each definition substitution key to the function it
// names, e.g. "SendConsentLinkFunctionArn" → "send-consent-link".
func (w Workflow) Substitutions() map[string]string {
	m := make(map[string]string, len(w.Functions))
	for _, f := range w.Functions {
		m[SubstitutionKey(f)] = f
	}
	return m
}

// SubstitutionKey is the ASL substitution key of a function:
// "record-decision" → "RecordDecisionFunctionArn".
func SubstitutionKey(function string) string {
	return Pascal(function) + "FunctionArn"
}

// Pascal turns a kebab-case name into PascalCase.
func Pascal(kebab string) string {
	var b strings.Builder
	for _, part := range strings.Split(kebab, "-") {
		if part == "" {
			continue
		}
		b.WriteString(strings.ToUpper(part[:1]) + part[1:])
	}
	return b.String()
}

// Key is one attribute of a table key or index.
type Key struct {
	Name string
	Type string // "S" or "N"
}

// Index is a global secondary index.
type Index struct {
	Name         string
	PartitionKey Key
	SortKey      Key
}

// Table is a DynamoDB table: the app table that holds consent state, or the
// audit table that holds the append-only audit events.
type Table struct {
	Name         string // logical name; the physical name is chosen per target
	PartitionKey Key
	SortKey      Key
	Indexes      []Index
}

// Bucket is an S3 bucket for candidate files.
type Bucket struct {
	Name        string
	Description string
}

// SettingDef is a deployment setting: a CDK context key in AWS, a flag or
// default locally.
type SettingDef struct {
	Name        string // also the CDK context key
	Description string
	Default     string
}

// Application is the whole topology.
type Application struct {
	Name  string
	Table Table
	// Audit is the audit table: events keyed by candidate and seq, which
	// functions may only add to and read.
	Audit     Table
	Buckets   []Bucket
	Functions []Function
	Routes    []Route
	Workflows []Workflow
	Settings  []SettingDef
	Rules     []Rule
	Secrets   []Secret
	// SigningKeys sign what candidates keep (receipts).
	SigningKeys []SigningKey
	// Edge is what a deployment adds only in AWS, with the candidate edge
	// on: it is in neither Functions nor Secrets.
	Edge Edge
	// Schedules run a function or start a workflow on a timetable
	// (EventBridge Scheduler in AWS, the clock in the local cloud).
	Schedules []Schedule
}

// Edge is what exists only when a deployment puts the candidate edge
// (CloudFront and a WAF web ACL, the CDK context publicRateLimitPerIp) in
// front of the routes under PathPrefixes: CloudFront sends Header with the
// value of Secret to the API, and Authorizer, the HTTP API's Lambda
// authorizer of those routes, refuses requests without it, so that the
// API's own URL cannot bypass the edge. Without the edge none of it exists:
// the local cloud, which has no edge, neither generates the secret nor
// runs the authorizer, and its routes answer without the header.
type Edge struct {
	PathPrefixes []string
	// Header is the origin header's name, in lower case as API Gateway
	// passes headers (and names identity sources).
	Header string
	// Secret is a credential between CloudFront and the authorizer, not a
	// key of stored data: it exists and goes with the edge.
	Secret     Secret
	Authorizer Function
}

// ScheduledTime is the placeholder that EventBridge Scheduler replaces, in
// a schedule's input, with the time the invocation was due (RFC 3339, UTC).
const ScheduledTime = "<aws.scheduler.scheduled-time>"

// Schedule runs one function, or starts one workflow, on a timetable.
type Schedule struct {
	Name       string // kebab-case, unique
	Function   string // the topology function to invoke, or
	Workflow   string // the topology workflow to start
	Expression string // "rate(15 minutes)", "cron(0 3 * * ? *)"
	// Setting, when set, names the setting whose value (when not empty)
	// replaces Expression, so that a deployment can change the timetable.
	Setting string
	// Input is the event (function) or execution input (workflow), JSON;
	// ScheduledTime in it becomes the time the run was due.
	Input string
}

// With returns the schedule with its expression as settings set it.
func (s Schedule) With(settings map[string]string) Schedule {
	if v := settings[s.Setting]; s.Setting != "" && v != "" {
		s.Expression = v
	}
	return s
}

// Every is the interval of a rate expression ("rate(15 minutes)"); it
// reports false for any other expression.
func (s Schedule) Every() (time.Duration, bool) {
	body, ok := strings.CutPrefix(s.Expression, "rate(")
	if !ok {
		return 0, false
	}
	body, ok = strings.CutSuffix(body, ")")
	if !ok {
		return 0, false
	}
	n, unit, ok := strings.Cut(body, " ")
	v, err := strconv.Atoi(n)
	if !ok || err != nil || v <= 0 {
		return 0, false
	}
	units := map[string]time.Duration{"minute": time.Minute, "minutes": time.Minute, "hour": time.Hour, "hours": time.Hour, "day": 24 * time.Hour, "days": 24 * time.Hour}
	d, ok := units[unit]
	if !ok || (v == 1) != !strings.HasSuffix(unit, "s") {
		return 0, false
	}
	return time.Duration(v) * d, true
}

// EveryFunction lists Functions and the edge's authorizer: every function
// with source under functions/, whichever target defines it.
func (a Application) EveryFunction() []Function {
	out := append([]Function{}, a.Functions...)
	if a.Edge.Authorizer.Name != "" {
		out = append(out, a.Edge.Authorizer)
	}
	return out
}

// Function returns the function named name.
func (a Application) Function(name string) (Function, bool) {
	for _, f := range a.Functions {
		if f.Name == name {
			return f, true
		}
	}
	return Function{}, false
}

// Workflow returns the workflow named name.
func (a Application) Workflow(name string) (Workflow, bool) {
	for _, w := range a.Workflows {
		if w.Name == name {
			return w, true
		}
	}
	return Workflow{}, false
}

// Setting returns the setting named name.
func (a Application) Setting(name string) (SettingDef, bool) {
	for _, s := range a.Settings {
		if s.Name == name {
			return s, true
		}
	}
	return SettingDef{}, false
}

// Validate checks that every name the topology uses is defined.
func (a Application) Validate() error {
	buckets := map[string]bool{}
	for _, b := range a.Buckets {
		buckets[b.Name] = true
	}
	workflows := map[string]bool{}
	for _, w := range a.Workflows {
		workflows[w.Name] = true
		for _, f := range w.Functions {
			if _, ok := a.Function(f); !ok {
				return fmt.Errorf("workflow %s: unknown function %q", w.Name, f)
			}
		}
	}
	secrets := map[string]bool{}
	for _, s := range a.Secrets {
		secrets[s.Name] = true
	}
	keys := map[string]bool{}
	for _, k := range a.SigningKeys {
		if keys[k.Name] {
			return fmt.Errorf("signing key %s defined twice", k.Name)
		}
		keys[k.Name] = true
	}
	if err := a.validateEdge(secrets); err != nil {
		return err
	}
	seen := map[string]bool{}
	for _, f := range a.EveryFunction() {
		if seen[f.Name] {
			return fmt.Errorf("function %s defined twice", f.Name)
		}
		seen[f.Name] = true
		for env, ref := range f.Env {
			switch ref.Kind {
			case BucketName:
				if !buckets[ref.Name] {
					return fmt.Errorf("function %s: %s names unknown bucket %q", f.Name, env, ref.Name)
				}
			case WorkflowArn:
				if !workflows[ref.Name] {
					return fmt.Errorf("function %s: %s names unknown workflow %q", f.Name, env, ref.Name)
				}
			case Setting:
				if _, ok := a.Setting(ref.Name); !ok {
					return fmt.Errorf("function %s: %s names unknown setting %q", f.Name, env, ref.Name)
				}
			case SecretArn:
				if !secrets[ref.Name] {
					return fmt.Errorf("function %s: %s names unknown secret %q", f.Name, env, ref.Name)
				}
			case SigningKeyArn:
				if !keys[ref.Name] {
					return fmt.Errorf("function %s: %s names unknown signing key %q", f.Name, env, ref.Name)
				}
			case SignIn:
				if !slices.Contains(SignInFacts, ref.Name) {
					return fmt.Errorf("function %s: %s names unknown sign-in fact %q", f.Name, env, ref.Name)
				}
			}
		}
		for _, s := range f.ReadsSecrets {
			if !secrets[s] {
				return fmt.Errorf("function %s: reads unknown secret %q", f.Name, s)
			}
			if s == a.Edge.Secret.Name && f.Name != a.Edge.Authorizer.Name {
				return fmt.Errorf("function %s: reads the edge's secret %q, which only the edge's authorizer may read", f.Name, s)
			}
		}
		switch f.Audit {
		case NoAccess, Read, Append:
		default:
			return fmt.Errorf("function %s: the audit table can only be read or appended to", f.Name)
		}
		for b, actions := range f.Buckets {
			if !buckets[b] {
				return fmt.Errorf("function %s: unknown bucket %q", f.Name, b)
			}
			if len(actions) == 0 {
				return fmt.Errorf("function %s: bucket %s with no actions", f.Name, b)
			}
		}
		for name, actions := range f.Tables {
			if name != a.Table.Name {
				return fmt.Errorf("function %s: unknown table %q", f.Name, name)
			}
			if len(actions) == 0 {
				return fmt.Errorf("function %s: table %s with no actions", f.Name, name)
			}
		}
		for b := range f.KeyPrefixes {
			if _, granted := f.Buckets[b]; !granted {
				return fmt.Errorf("function %s: key prefix for bucket %q it has no actions on", f.Name, b)
			}
		}
		for _, k := range append(append([]string{}, f.Signs...), f.ReadsPublicKeys...) {
			if !keys[k] {
				return fmt.Errorf("function %s: unknown signing key %q", f.Name, k)
			}
		}
		for _, w := range append(append([]string{}, f.Starts...), f.AnswersTasks...) {
			if !workflows[w] {
				return fmt.Errorf("function %s: unknown workflow %q", f.Name, w)
			}
		}
	}
	for _, r := range a.Rules {
		if _, ok := a.Function(r.Function); !ok {
			return fmt.Errorf("rule %s: unknown function %q", r.Name, r.Function)
		}
		for _, b := range r.Buckets {
			if !buckets[b] {
				return fmt.Errorf("rule %s: unknown bucket %q", r.Name, b)
			}
		}
	}
	schedules := map[string]bool{}
	for _, sc := range a.Schedules {
		if schedules[sc.Name] {
			return fmt.Errorf("schedule %s defined twice", sc.Name)
		}
		schedules[sc.Name] = true
		if (sc.Function == "") == (sc.Workflow == "") {
			return fmt.Errorf("schedule %s: name one function or one workflow", sc.Name)
		}
		if _, ok := a.Function(sc.Function); sc.Function != "" && !ok {
			return fmt.Errorf("schedule %s: unknown function %q", sc.Name, sc.Function)
		}
		if sc.Workflow != "" && !workflows[sc.Workflow] {
			return fmt.Errorf("schedule %s: unknown workflow %q", sc.Name, sc.Workflow)
		}
		if _, ok := sc.Every(); !ok && !strings.HasPrefix(sc.Expression, "cron(") {
			return fmt.Errorf("schedule %s: expression %q is neither rate(...) nor cron(...)", sc.Name, sc.Expression)
		}
	}
	routes := map[string]bool{}
	for _, r := range a.Routes {
		if r.Function == a.Edge.Authorizer.Name && r.Function != "" {
			return fmt.Errorf("route %s: the edge's authorizer serves no route", r.Key())
		}
		if routes[r.Key()] {
			return fmt.Errorf("route %s defined twice", r.Key())
		}
		routes[r.Key()] = true
		if _, ok := a.Function(r.Function); !ok {
			return fmt.Errorf("route %s: unknown function %q", r.Key(), r.Function)
		}
	}
	return nil
}

// validateEdge checks that the edge, if there is one, is whole, and adds its
// secret to secrets.
func (a Application) validateEdge(secrets map[string]bool) error {
	e := a.Edge
	if len(e.PathPrefixes) == 0 && e.Header == "" && e.Secret.Name == "" && e.Authorizer.Name == "" {
		return nil
	}
	for _, p := range e.PathPrefixes {
		if len(p) < 2 || !strings.HasPrefix(p, "/") || !strings.HasSuffix(p, "/") {
			return fmt.Errorf("edge: path prefix %q must start and end with /", p)
		}
	}
	switch {
	case len(e.PathPrefixes) == 0:
		return errors.New("edge: no path prefixes")
	case e.Header == "" || e.Header != strings.ToLower(e.Header):
		return fmt.Errorf("edge: header %q must be a lower-case name", e.Header)
	case e.Secret.Name == "" || secrets[e.Secret.Name]:
		return fmt.Errorf("edge: secret %q must be named, and not be one of Secrets", e.Secret.Name)
	case e.Authorizer.Name == "":
		return errors.New("edge: no authorizer")
	}
	if _, ok := a.Function(e.Authorizer.Name); ok {
		return fmt.Errorf("edge: authorizer %s is also one of Functions", e.Authorizer.Name)
	}
	secrets[e.Secret.Name] = true
	return nil
}
