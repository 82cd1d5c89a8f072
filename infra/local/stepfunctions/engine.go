// Package stepfunctions is a local AWS Step Functions: an interpreter of
// JSONPath Amazon States Language definitions that serves the Step Functions
// API (AWS JSON 1.0), so the aws-sdk-go-v2 sfn client and the AWS CLI
// (--endpoint-url) can drive it. Executions run in goroutines with Standard
// semantics and are kept in memory. Every wait, retry delay and timeout goes
// through a clock.Clock, so a manual clock can make weeks pass at once.
package stepfunctions

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/consentflow/consentflow/infra/local/clock"
)

// LambdaInvoker invokes Lambda functions; *lambda.Client satisfies it.
type LambdaInvoker interface {
	Invoke(ctx context.Context, in *lambda.InvokeInput, optFns ...func(*lambda.Options)) (*lambda.InvokeOutput, error)
}

// Config configures an Engine. Only Lambda is needed for Lambda tasks; the
// service clients are needed only by definitions that use them.
type Config struct {
	Region    string // default us-east-1
	AccountID string // default 000000000000
	Lambda    LambdaInvoker
	DynamoDB  DynamoDB
	S3        S3
	SESv2     SESv2
	Clock     clock.Clock  // default the real clock
	Logger    *slog.Logger // default discards
}

// Engine is a local Step Functions service. It is an http.Handler.
type Engine struct {
	cfg Config
	log *slog.Logger

	mu         sync.Mutex
	machines   map[string]*stateMachine // by ARN
	order      []string                 // machine ARNs in creation order
	executions map[string]*execution    // by ARN
	tokens     map[string]*taskToken

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
	closed bool
}

// New returns an engine with no state machines.
func New(cfg Config) *Engine {
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	if cfg.AccountID == "" {
		cfg.AccountID = "000000000000"
	}
	if cfg.Clock == nil {
		cfg.Clock = clock.Real{}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &Engine{
		cfg:        cfg,
		log:        cfg.Logger.With("service", "stepfunctions"),
		machines:   map[string]*stateMachine{},
		executions: map[string]*execution{},
		tokens:     map[string]*taskToken{},
		ctx:        ctx,
		cancel:     cancel,
	}
}

// Close stops every running execution (they end ABORTED) and waits for their
// goroutines to finish.
func (e *Engine) Close() error {
	e.mu.Lock()
	e.closed = true
	e.mu.Unlock()
	e.cancel()
	e.wg.Wait()
	return nil
}

type stateMachine struct {
	arn, name, typ, roleArn string
	definition              string
	def                     *definition
	created, updated        time.Time
	executions              []*execution
	// historyHint is the length of the last finished execution's history,
	// to size the next one's at once.
	historyHint atomic.Int64
}

// Execution statuses.
const (
	statusRunning   = "RUNNING"
	statusSucceeded = "SUCCEEDED"
	statusFailed    = "FAILED"
	statusTimedOut  = "TIMED_OUT"
	statusAborted   = "ABORTED"
)

type execution struct {
	arn, name  string
	machine    *stateMachine
	def        *definition
	input      string
	inputValue any
	start      time.Time

	mu     sync.Mutex
	status string
	stop   time.Time
	output string
	// outputValue is the output of a succeeded execution, written to
	// output when first asked for.
	outputValue    any
	hasOutputValue bool
	errName        string
	cause          string
	history        []event

	cancel context.CancelCauseFunc
	done   chan struct{}
}

func (x *execution) snapshot() (status, output, errName, cause string, stop time.Time) {
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.hasOutputValue {
		x.output, x.outputValue, x.hasOutputValue = marshal(x.outputValue), nil, false
	}
	return x.status, x.output, x.errName, x.cause, x.stop
}

// snapshotOutput is the execution's output as JSON.
func (x *execution) snapshotOutput() string {
	_, output, _, _, _ := x.snapshot()
	return output
}

// currentStatus is the execution's status.
func (x *execution) currentStatus() string {
	x.mu.Lock()
	defer x.mu.Unlock()
	return x.status
}

// cancellation causes of an execution's context.
var (
	errAborted  = errors.New("execution stopped")
	errTimedOut = errors.New("execution timed out")
)

type abortCause struct {
	errName, cause string
}

func (a *abortCause) Error() string { return errAborted.Error() }
func (a *abortCause) Unwrap() error { return errAborted }
