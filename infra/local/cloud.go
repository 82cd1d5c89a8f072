// Package local is Consentflow's local cloud: the same function binaries and
// ASL files as in AWS, run on this machine against in-process stand-ins for
// DynamoDB (ours), S3 (gofakes3), SES (aws-ses-v2-local), Secrets Manager,
// Lambda, Step Functions and KMS signing keys (ours), behind an HTTP front
// that behaves like API Gateway.
// Everything is built from infra/topology, as the CDK stacks are.
package local

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	awslambda "github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3bolt"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
	bolt "go.etcd.io/bbolt"

	"github.com/consentflow/consentflow/infra/local/clock"
	localdynamodb "github.com/consentflow/consentflow/infra/local/dynamodb"
	"github.com/consentflow/consentflow/infra/local/gateway"
	"github.com/consentflow/consentflow/infra/local/idp"
	"github.com/consentflow/consentflow/infra/local/kms"
	"github.com/consentflow/consentflow/infra/local/lambda"
	"github.com/consentflow/consentflow/infra/local/secretsmanager"
	"github.com/consentflow/consentflow/infra/local/ses"
	"github.com/consentflow/consentflow/infra/local/stepfunctions"
	"github.com/consentflow/consentflow/infra/topology"
)

// LocalClientID is the console's client id at the local sign-in provider.
const LocalClientID = "consentflow-console"

// DefaultRecruiterTokenLifetime is how long the token `make dev` prints
// stays valid.
const DefaultRecruiterTokenLifetime = 24 * time.Hour

// signInListener names the sign-in provider's listener among the services'.
const signInListener = "SIGNIN"

// Region and account of every local ARN.
const (
	Region    = "us-east-1"
	AccountID = "000000000000"
)

// Config configures a local cloud.
type Config struct {
	// Root is the repository root (ASL files, node_modules).
	Root string
	// Bootstraps is the folder of host-built function executables, one per
	// function, named after it (see Build).
	Bootstraps string
	// Addr is where the app (the HTTP API) listens; SESAddr where the email
	// outbox does. Port 0 picks a free port.
	Addr, SESAddr string
	// Settings override the topology's setting defaults.
	Settings map[string]string
	// RecruiterTokenLifetime is how long the printed recruiter token is
	// valid; zero: DefaultRecruiterTokenLifetime.
	RecruiterTokenLifetime time.Duration
	// Clock drives workflow time; nil: a manual clock at the real time, so
	// that time can be moved forward.
	Clock *clock.Manual
	// Logs receives the output of functions and services; nil discards it.
	Logs io.Writer
	// Logger receives the local services' own events; nil discards them.
	Logger *slog.Logger
	// DataDir, if set, keeps DynamoDB's tables (dynamodb.json, saved on
	// Close) and the S3 buckets (s3.bolt) across restarts. Workflow
	// executions are not kept: a request pending at Close cannot be
	// answered after a restart.
	DataDir string
}

// Cloud is a running local cloud.
type Cloud struct {
	// AppURL is the HTTP API; OutboxURL the email outbox web UI and API.
	AppURL, OutboxURL string
	// Endpoints maps the AWS_ENDPOINT_URL_<SERVICE> suffix of each emulated
	// service to its URL.
	Endpoints map[string]string
	// RecruiterToken is a bearer token of the recruiter API: a JWT the
	// local sign-in provider issued to the first local recruiter.
	RecruiterToken string
	// SignIn is the local OpenID Connect provider recruiters sign in at;
	// SignInURL its issuer URL.
	SignIn    *idp.Server
	SignInURL string
	// Clock is the workflows' clock.
	Clock *clock.Manual
	// Outbox reads the emails sent.
	Outbox *ses.Server
	// Settings are the values the functions run with.
	Settings map[string]string
	// KMS holds the signing keys, generated at start; SigningKeys maps each
	// topology signing key to its local ARN.
	KMS         *kms.Server
	SigningKeys map[string]string
	// Faults fails calls to DynamoDB, S3, SES and Step Functions, and function
	// invocations, on purpose.
	Faults *Faults

	app          topology.Application
	objectEvents *objectEvents
	gateway      *gateway.Gateway
	lambda       *lambda.Service
	engine       *stepfunctions.Engine
	secrets      *secretsmanager.Server
	servers      []*http.Server
	dynamodb     *localdynamodb.Server
	dataDir      string
	closeS3      func() error
	// stopSchedules stops the schedules' runs.
	stopSchedules context.CancelFunc
	closeOnce     sync.Once
	mu            sync.Mutex // serializes Redeploy
}

// Start starts every service of the topology and returns once all of them
// answer. Close stops them.
func Start(ctx context.Context, app topology.Application, cfg Config) (c *Cloud, err error) {
	if err := app.Validate(); err != nil {
		return nil, err
	}
	if cfg.Logs == nil {
		cfg.Logs = io.Discard
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewJSONHandler(io.Discard, nil))
	}
	if cfg.Clock == nil {
		cfg.Clock = clock.NewManual()
	}
	if cfg.RecruiterTokenLifetime <= 0 {
		cfg.RecruiterTokenLifetime = DefaultRecruiterTokenLifetime
	}
	cloud := &Cloud{app: app, Clock: cfg.Clock, Endpoints: map[string]string{}, Faults: &Faults{}}
	c = cloud
	defer func() {
		// Every early return sets c to nil: close what was started through
		// cloud, never through c.
		if err != nil {
			cloud.Close()
		}
	}()

	// Listen first, so that every service can be told every other's address.
	appLn, err := listen("the app", orDefault(cfg.Addr, "127.0.0.1:0"))
	if err != nil {
		return nil, err
	}
	// The outbox is a separate process that would only say it exited: try
	// its address here first, to name the cause when it is taken.
	if sesAddr := orDefault(cfg.SESAddr, "127.0.0.1:0"); !strings.HasSuffix(sesAddr, ":0") {
		ln, err := listen("the email outbox", sesAddr)
		if err != nil {
			appLn.Close()
			return nil, err
		}
		ln.Close()
	}
	c.AppURL = "http://" + appLn.Addr().String()
	listeners := map[string]net.Listener{}
	for _, svc := range []string{"DYNAMODB", "S3", "LAMBDA", "SFN", "KMS", "SESV2", signInListener} {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			appLn.Close()
			return nil, fmt.Errorf("%s listener: %w", svc, err)
		}
		listeners[svc] = ln
		c.Endpoints[svc] = "http://" + ln.Addr().String()
	}

	outbox, err := ses.Start(ctx, ses.Config{
		Addr: orDefault(cfg.SESAddr, "127.0.0.1:0"), NodeModules: filepath.Join(cfg.Root, "node_modules"), Logs: cfg.Logs,
	})
	if err != nil {
		appLn.Close()
		for _, ln := range listeners {
			ln.Close()
		}
		return nil, fmt.Errorf("email outbox: %w", err)
	}
	c.Outbox, c.OutboxURL = outbox, outbox.URL()
	// SES is reached through a proxy that can inject faults; the outbox's
	// own URL serves its web UI and read API.
	sesProxy, err := proxy(outbox.URL())
	if err != nil {
		return nil, err
	}
	c.serve(listeners["SESV2"], c.Faults.wrap(SES, sesProxy))
	c.Endpoints["SES"] = c.Endpoints["SESV2"]

	c.Settings = settings(app, cfg.Settings, c.AppURL)

	// Secrets Manager: each topology secret generated afresh at start.
	smLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("secrets manager listener: %w", err)
	}
	c.secrets = secretsmanager.New(Region, AccountID)
	for _, s := range app.Secrets {
		c.secrets.Generate(s.Name)
	}
	c.Endpoints["SECRETS_MANAGER"] = "http://" + smLn.Addr().String()
	c.serve(smLn, c.secrets)
	// The recruiters' sign-in provider, standing in for Cognito, with the
	// console's client and its callback and sign-out URLs on the app.
	c.SignInURL = c.Endpoints[signInListener]
	delete(c.Endpoints, signInListener)
	c.SignIn, err = idp.New(c.SignInURL, idp.Config{
		ClientID:     LocalClientID,
		RedirectURIs: []string{c.AppURL + "/console/callback", c.AppURL + "/console/signed-out"},
	})
	if err != nil {
		return nil, err
	}
	c.serve(listeners[signInListener], c.SignIn)
	c.RecruiterToken, err = c.SignIn.Issue(idp.Recruiters[0], cfg.RecruiterTokenLifetime)
	if err != nil {
		return nil, fmt.Errorf("recruiter token: %w", err)
	}

	c.dynamodb = localdynamodb.New()
	var s3Backend gofakes3.Backend = s3mem.New()
	if cfg.DataDir != "" {
		if err := os.MkdirAll(cfg.DataDir, 0o755); err != nil {
			return nil, fmt.Errorf("data folder: %w", err)
		}
		if err := c.dynamodb.LoadFile(filepath.Join(cfg.DataDir, "dynamodb.json")); err != nil {
			return nil, err
		}
		c.dataDir = cfg.DataDir
		db, err := bolt.Open(filepath.Join(cfg.DataDir, "s3.bolt"), 0o600, &bolt.Options{Timeout: time.Second})
		if err != nil {
			return nil, fmt.Errorf("S3 data (is another local cloud using %s?): %w", cfg.DataDir, err)
		}
		s3Backend, c.closeS3 = s3bolt.New(db), db.Close
	}
	c.serve(listeners["DYNAMODB"], c.Faults.wrap(DynamoDB, c.dynamodb))
	for _, t := range []topology.Table{app.Table, app.Audit} {
		if c.dynamodb.HasTable(TableName(t)) {
			continue
		}
		if err := createTable(ctx, t, c.Endpoints["DYNAMODB"]); err != nil {
			return nil, err
		}
	}
	// Object events: a write through the S3 endpoint that a topology rule
	// matches invokes the rule's function. Injected faults fail the call
	// before it reaches the bucket, so a failed write emits no event.
	c.objectEvents = &objectEvents{
		s3: gofakes3.New(s3Backend).Server(), backend: s3Backend, rules: app.Rules, log: cfg.Logger,
		invoke: func(ctx context.Context, function string, payload []byte) error {
			res, err := c.lambda.Invoke(ctx, function, payload)
			if err == nil && res.FunctionError != "" {
				err = fmt.Errorf("%s: %s", res.ErrorType(), res.ErrorMessage())
			}
			return err
		},
	}
	c.serve(listeners["S3"], c.Faults.wrap(S3, c.objectEvents))
	if err := createBuckets(ctx, app.Buckets, c.Endpoints["S3"], s3Backend); err != nil {
		return nil, err
	}

	c.KMS, c.SigningKeys = kms.New(Region, AccountID), map[string]string{}
	for _, k := range app.SigningKeys {
		key, err := c.KMS.CreateKey()
		if err != nil {
			return nil, err
		}
		c.SigningKeys[k.Name] = key.ARN
	}
	c.serve(listeners["KMS"], c.KMS)

	fns, err := c.functions(cfg.Bootstraps)
	if err != nil {
		return nil, err
	}
	c.lambda, err = lambda.Start(lambda.Config{Region: Region, AccountID: AccountID, Functions: fns, Logs: cfg.Logs, Logger: cfg.Logger})
	if err != nil {
		return nil, fmt.Errorf("lambda: %w", err)
	}
	c.Faults.lambda = c.lambda
	c.serve(listeners["LAMBDA"], c.lambda)

	// The engine calls services as Step Functions does in AWS: through
	// their APIs, here the local endpoints.
	c.engine = stepfunctions.New(stepfunctions.Config{
		Region: Region, AccountID: AccountID, Clock: cfg.Clock, Logger: cfg.Logger,
		DynamoDB: dynamodb.New(dynamodb.Options{Region: Region, BaseEndpoint: aws.String(c.Endpoints["DYNAMODB"]), Credentials: credentials}),
		S3:       s3.New(s3.Options{Region: Region, BaseEndpoint: aws.String(c.Endpoints["S3"]), Credentials: credentials, UsePathStyle: true}),
		SESv2:    sesv2.New(sesv2.Options{Region: Region, BaseEndpoint: aws.String(c.Endpoints["SESV2"]), Credentials: credentials}),
		Lambda: awslambda.New(awslambda.Options{
			Region: Region, BaseEndpoint: aws.String(c.Endpoints["LAMBDA"]), Credentials: credentials,
			HTTPClient: &http.Client{Timeout: 16 * time.Minute},
		}),
	})
	c.serve(listeners["SFN"], c.Faults.wrap(SFN, c.engine))
	if err := c.createStateMachines(ctx, cfg.Root); err != nil {
		return nil, err
	}

	c.gateway = gateway.New(gateway.Config{
		Region: Region, AccountID: AccountID, Routes: routes(app), Invoker: c.lambda, Logger: cfg.Logger,
		// As API Gateway's JWT authorizer on the user pool and its client.
		Authorizer: gateway.JWT{Verifier: c.SignIn.Provider().Verifier()},
	})
	c.serve(appLn, c.home(cfg.Root, c.gateway))
	var schedules context.Context
	schedules, c.stopSchedules = context.WithCancel(context.Background())
	c.runSchedules(schedules, cfg.Clock, cfg.Logger)
	return c, nil
}

// Env is the environment that points an AWS SDK or the AWS CLI at the local
// services: AWS_ENDPOINT_URL_<SERVICE> lines, region and dummy credentials.
func (c *Cloud) Env() []string {
	env := []string{
		"AWS_REGION=" + Region, "AWS_DEFAULT_REGION=" + Region,
		"AWS_ACCESS_KEY_ID=local", "AWS_SECRET_ACCESS_KEY=local",
	}
	for _, svc := range []string{"DYNAMODB", "S3", "SESV2", "SES", "LAMBDA", "SFN", "SECRETS_MANAGER", "KMS"} {
		env = append(env, "AWS_ENDPOINT_URL_"+svc+"="+c.Endpoints[svc])
	}
	return env
}

// ObjectEventsDelivered waits until every S3 "Object Created" event sent so
// far has reached its rules' functions (or failed its attempts), so that a
// test sees what an upload caused without polling.
func (c *Cloud) ObjectEventsDelivered() { c.objectEvents.pending.Wait() }

// Redeploy changes deployment settings, as a `cdk deploy` with new context
// values would: every function's environment is resolved again and the next
// invocations run with it. Stored data, workflows in flight and the signing
// keys stay as they are.
func (c *Cloud) Redeploy(overrides map[string]string) error {
	for k := range overrides {
		if _, ok := c.app.Setting(k); !ok {
			return fmt.Errorf("redeploy: unknown setting %q", k)
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for k, v := range overrides {
		c.Settings[k] = v
	}
	if c.Settings[topology.SettingPublicBaseURL] == "" {
		c.Settings[topology.SettingPublicBaseURL] = c.AppURL
	}
	for _, f := range c.app.Functions {
		if err := c.lambda.UpdateEnvironment(f.Name, c.environment(f)); err != nil {
			return fmt.Errorf("redeploy %s: %w", f.Name, err)
		}
	}
	return nil
}

// Routes lists the HTTP API's routes as the local front serves them.
func (c *Cloud) Routes() []gateway.Route { return c.gateway.Routes() }

// Close stops every service and process the cloud started.
func (c *Cloud) Close() error {
	if c == nil {
		// Start's deferred cleanup after a failed start, whose "return nil,
		// err" has already cleared its named result.
		return nil
	}
	var errs []error
	c.closeOnce.Do(func() {
		if c.stopSchedules != nil {
			c.stopSchedules()
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		for _, s := range c.servers {
			_ = s.Shutdown(ctx)
		}
		if c.dataDir != "" {
			errs = append(errs, c.dynamodb.SaveFile(filepath.Join(c.dataDir, "dynamodb.json")))
		}
		if c.closeS3 != nil {
			errs = append(errs, c.closeS3())
		}
		if c.engine != nil {
			errs = append(errs, c.engine.Close())
		}
		if c.lambda != nil {
			errs = append(errs, c.lambda.Close())
		}
		if c.Outbox != nil {
			errs = append(errs, c.Outbox.Close())
		}
	})
	return errors.Join(errs...)
}

func (c *Cloud) serve(ln net.Listener, h http.Handler) {
	s := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	c.servers = append(c.servers, s)
	go func() { _ = s.Serve(ln) }()
}

// FunctionARN is the local ARN of a function.
func FunctionARN(name string) string {
	return fmt.Sprintf("arn:aws:lambda:%s:%s:function:%s", Region, AccountID, name)
}

// StateMachineARN is the local ARN of a workflow.
func StateMachineARN(name string) string {
	return fmt.Sprintf("arn:aws:states:%s:%s:stateMachine:%s", Region, AccountID, name)
}

// TableName and BucketName are the local physical names.
func TableName(t topology.Table) string { return t.Name }
func BucketName(b string) string        { return "consentflow-" + b }

var credentials = aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
	return aws.Credentials{AccessKeyID: "local", SecretAccessKey: "local", Source: "consentflow-local"}, nil
})

func (c *Cloud) functions(dir string) ([]lambda.Function, error) {
	var out []lambda.Function
	for _, f := range c.app.Functions {
		path := filepath.Join(dir, f.Name)
		if _, err := os.Stat(path); err != nil {
			return nil, fmt.Errorf("function %s: no bootstrap at %s (run make build-local): %w", f.Name, path, err)
		}
		env := c.environment(f)
		timeout := f.Timeout
		if timeout == 0 {
			timeout = topology.DefaultTimeout
		}
		mem := f.MemoryMB
		if mem == 0 {
			mem = topology.DefaultMemoryMB
		}
		out = append(out, lambda.Function{Name: f.Name, Bootstrap: path, Description: f.Description, Env: env, Timeout: timeout, MemoryMB: mem})
	}
	return out, nil
}

// environment is what a function's environment variables resolve to.
func (c *Cloud) environment(f topology.Function) map[string]string {
	env := map[string]string{}
	for name, ref := range f.Env {
		env[name] = c.resolve(ref)
	}
	for _, svc := range []string{"DYNAMODB", "S3", "SESV2", "SES", "LAMBDA", "SFN", "SECRETS_MANAGER", "KMS"} {
		env["AWS_ENDPOINT_URL_"+svc] = c.Endpoints[svc]
	}
	return env
}

func (c *Cloud) resolve(ref topology.Ref) string {
	switch ref.Kind {
	case topology.TableName:
		return TableName(c.app.Table)
	case topology.AuditTableName:
		return TableName(c.app.Audit)
	case topology.BucketName:
		return BucketName(ref.Name)
	case topology.WorkflowArn:
		return StateMachineARN(ref.Name)
	case topology.Setting:
		return c.Settings[ref.Name]
	case topology.SecretArn:
		return c.secrets.ARN(ref.Name)
	case topology.SigningKeyArn:
		return c.SigningKeys[ref.Name]
	case topology.APIURL:
		return c.AppURL
	case topology.SignIn:
		p := c.SignIn.Provider()
		switch ref.Name {
		case topology.SignInIssuer:
			return p.Issuer
		case topology.SignInClientID:
			return p.ClientID
		case topology.SignInAuthorizeURL:
			return p.AuthorizeURL
		case topology.SignInTokenURL:
			return p.TokenURL
		case topology.SignInLogoutURL:
			return p.LogoutURL
		case topology.SignInJWKSURL:
			return p.JWKSURL
		}
	}
	panic(fmt.Sprintf("local: unknown reference kind %d", ref.Kind))
}

func settings(app topology.Application, overrides map[string]string, appURL string) map[string]string {
	m := map[string]string{}
	for _, s := range app.Settings {
		m[s.Name] = s.Default
	}
	for k, v := range overrides {
		m[k] = v
	}
	if m[topology.SettingPublicBaseURL] == "" {
		m[topology.SettingPublicBaseURL] = appURL
	}
	return m
}

func routes(app topology.Application) []gateway.Route {
	out := make([]gateway.Route, len(app.Routes))
	for i, r := range app.Routes {
		out[i] = gateway.Route{Method: r.Method, Path: r.Path, Function: r.Function, Auth: r.Auth == topology.Recruiter}
	}
	return out
}

// AddrInUseError reports that an address the local cloud must listen on is
// taken by another program.
type AddrInUseError struct {
	Service string // "the app" or "the email outbox"
	Addr    string
	Err     error
}

func (e *AddrInUseError) Error() string {
	return fmt.Sprintf("%s cannot listen on %s: the address is already in use (by another program, or another make dev)", e.Service, e.Addr)
}

func (e *AddrInUseError) Unwrap() error { return e.Err }

// listen listens on addr for service, naming a taken address as such.
func listen(service, addr string) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if errors.Is(err, syscall.EADDRINUSE) {
		return nil, &AddrInUseError{Service: service, Addr: addr, Err: err}
	}
	if err != nil {
		return nil, fmt.Errorf("%s: listen on %s: %w", service, addr, err)
	}
	return ln, nil
}

func orDefault(s, d string) string {
	if s == "" {
		return d
	}
	return s
}
