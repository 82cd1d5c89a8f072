package stepfunctions

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/smithy-go"
)

// resource is a parsed Task Resource ARN.
type resource struct {
	lambdaARN string // set for a plain Lambda function ARN
	service   string // e.g. "lambda", "dynamodb", "aws-sdk:s3", "states"
	action    string // e.g. "invoke", "putItem"
	pattern   string // "", "waitForTaskToken", "sync", "sync:2"
}

func parseResource(arn string) (resource, error) {
	parts := strings.Split(arn, ":")
	if len(parts) >= 7 && parts[2] == "lambda" && parts[5] == "function" {
		return resource{lambdaARN: arn}, nil
	}
	if len(parts) < 7 || parts[2] != "states" {
		return resource{}, fmt.Errorf("unsupported resource %q", arn)
	}
	rest := parts[5:]
	var r resource
	if rest[0] == "aws-sdk" {
		if len(rest) < 3 {
			return resource{}, fmt.Errorf("unsupported resource %q", arn)
		}
		r.service = "aws-sdk:" + rest[1]
		rest = rest[2:]
	} else {
		r.service = rest[0]
		rest = rest[1:]
	}
	action := strings.Join(rest, ":")
	if a, p, ok := strings.Cut(action, "."); ok {
		r.action, r.pattern = a, p
	} else {
		r.action = action
	}
	return r, nil
}

// resourceType and name as TaskScheduled events show them.
func (r resource) eventNames() (string, string) {
	name := r.action
	if r.pattern != "" {
		name += "." + r.pattern
	}
	return r.service, name
}

var (
	errTaskTimeout      = errors.New("task timed out")
	errHeartbeatTimeout = errors.New("task heartbeat timed out")
)

// task runs one attempt of a Task state.
func (sr *stateRun) task(ctx context.Context, retry int) (any, *stateError) {
	s := sr.s
	res, perr := parseResource(s.Resource)
	if perr != nil {
		return nil, failf(ErrRuntime, "%s", perr)
	}
	eff, err := sr.inputPath(sr.input)
	if err != nil {
		return nil, err
	}
	var token *taskToken
	if res.pattern == "waitForTaskToken" {
		token = sr.r.e.newToken(sr.r.x)
	}
	tokenText := ""
	if token != nil {
		tokenText = token.text
	}
	ctxObj := sr.context(retry, tokenText, nil)
	params, err := sr.parameters(s.Parameters, eff, ctxObj)
	if err != nil {
		return nil, err
	}
	if err := sr.checkInputSize(params); err != nil {
		if token != nil {
			sr.r.e.closeToken(token, false)
		}
		return nil, err
	}
	timeout, err := sr.seconds(s.TimeoutSeconds, s.TimeoutSecondsPath, eff, "TimeoutSecondsPath")
	if err != nil {
		return nil, err
	}
	heartbeat, err := sr.seconds(s.HeartbeatSeconds, s.HeartbeatSecondsPath, eff, "HeartbeatSecondsPath")
	if err != nil {
		return nil, err
	}

	th := sr.sc.th
	now := sr.r.e.now
	rtype, rname := res.eventNames()
	if res.lambdaARN != "" {
		d := map[string]any{"resource": res.lambdaARN, "input": lazyJSON{params}, "inputDetails": map[string]any{"truncated": false}}
		if timeout > 0 {
			d["timeoutInSeconds"] = timeout
		}
		th.emit(now(), "LambdaFunctionScheduled", d)
		th.emit(now(), "LambdaFunctionStarted", nil)
	} else {
		d := map[string]any{"resourceType": rtype, "resource": rname, "region": sr.r.e.cfg.Region, "parameters": lazyJSON{params}}
		if timeout > 0 {
			d["timeoutInSeconds"] = timeout
		}
		if heartbeat > 0 {
			d["heartbeatInSeconds"] = heartbeat
		}
		th.emit(now(), "TaskScheduled", d)
		th.emit(now(), "TaskStarted", map[string]any{"resourceType": rtype, "resource": rname})
	}

	tctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	if timeout > 0 {
		t := sr.r.e.cfg.Clock.NewTimer(secondsDuration(float64(timeout)))
		go func() {
			select {
			case <-t.C():
				cancel(errTaskTimeout)
			case <-tctx.Done():
				t.Stop()
			}
		}()
	}
	if heartbeat > 0 && token != nil {
		go sr.r.e.watchHeartbeat(tctx, cancel, token, secondsDuration(float64(heartbeat)))
	}

	result, terr := sr.r.invoke(tctx, res, params, token, th)
	if ctx.Err() != nil {
		return nil, cancelled()
	}
	switch context.Cause(tctx) {
	case errTaskTimeout:
		terr = &stateError{Name: ErrTimeout}
	case errHeartbeatTimeout:
		terr = &stateError{Name: ErrHeartbeatTimeout}
	}
	if token != nil {
		sr.r.e.closeToken(token, terr != nil && (terr.Name == ErrTimeout || terr.Name == ErrHeartbeatTimeout))
	}
	if terr == nil {
		if berr := sr.checkSize(result); berr != nil {
			terr = berr
		}
	}
	if terr != nil {
		d := map[string]any{}
		if !terr.nullName {
			d["error"] = terr.Name
		}
		if !terr.nullCause && terr.Cause != "" {
			d["cause"] = terr.Cause
		}
		timedOut := terr.Name == ErrTimeout || terr.Name == ErrHeartbeatTimeout
		switch {
		case res.lambdaARN != "" && timedOut:
			th.emit(now(), "LambdaFunctionTimedOut", d)
		case res.lambdaARN != "":
			th.emit(now(), "LambdaFunctionFailed", d)
		case timedOut:
			d["resourceType"], d["resource"] = rtype, rname
			th.emit(now(), "TaskTimedOut", d)
		default:
			d["resourceType"], d["resource"] = rtype, rname
			th.emit(now(), "TaskFailed", d)
		}
		return nil, terr
	}
	out := lazyJSON{result}
	if res.lambdaARN != "" {
		th.emit(now(), "LambdaFunctionSucceeded", map[string]any{"output": out, "outputDetails": map[string]any{"truncated": false}})
	} else {
		th.emit(now(), "TaskSucceeded", map[string]any{"resourceType": rtype, "resource": rname, "output": out, "outputDetails": map[string]any{"truncated": false}})
	}
	return sr.finish(result, ctxObj)
}

// seconds resolves TimeoutSeconds(Path) or HeartbeatSeconds(Path).
func (sr *stateRun) seconds(fixed int64, path *valuePath, input any, field string) (int64, *stateError) {
	if path == nil {
		return fixed, nil
	}
	v, err := path.read(input, sr.pathContext(path))
	if err != nil {
		return 0, sr.runtimeErr("%s", err)
	}
	n, ok := v.(json.Number)
	i, ierr := n.Int64()
	if !ok || ierr != nil || i <= 0 {
		return 0, sr.runtimeErr("The %s parameter does not reference a positive integer: %s", field, marshal(v))
	}
	return i, nil
}

// invoke calls the task's resource.
func (r *run) invoke(ctx context.Context, res resource, params any, token *taskToken, th *thread) (any, *stateError) {
	switch {
	case res.lambdaARN != "":
		return r.invokeLambda(ctx, res.lambdaARN, params, false)
	case res.service == "lambda" && res.action == "invoke":
		p, ok := params.(map[string]any)
		name, _ := p["FunctionName"].(string)
		if !ok || name == "" {
			return nil, failf(ErrRuntime, "The field 'FunctionName' is required for arn:aws:states:::lambda:invoke")
		}
		in := &lambda.InvokeInput{FunctionName: aws.String(name)}
		if payload, ok := p["Payload"]; ok {
			b, _ := marshalBytes(payload)
			in.Payload = b
		}
		if q, ok := p["Qualifier"].(string); ok {
			in.Qualifier = aws.String(q)
		}
		if it, ok := p["InvocationType"].(string); ok {
			in.InvocationType = types.InvocationType(it)
		}
		if cc, ok := p["ClientContext"].(string); ok {
			in.ClientContext = aws.String(cc)
		}
		out, err := r.callLambda(ctx, in, true)
		if err != nil {
			return nil, err
		}
		if token != nil {
			th.emit(r.e.now(), "TaskSubmitted", map[string]any{"resourceType": "lambda", "resource": "invoke.waitForTaskToken", "output": marshal(out), "outputDetails": map[string]any{"truncated": false}})
			return r.e.awaitToken(ctx, token)
		}
		return out, nil
	}
	if token != nil {
		if _, err := r.integration(ctx, res, params); err != nil {
			return nil, err
		}
		return r.e.awaitToken(ctx, token)
	}
	return r.integration(ctx, res, params)
}

// invokeLambda invokes a function given by its ARN with the task input as
// payload and returns its raw result.
func (r *run) invokeLambda(ctx context.Context, arn string, params any, _ bool) (any, *stateError) {
	b, _ := marshalBytes(params)
	out, err := r.callLambda(ctx, &lambda.InvokeInput{FunctionName: aws.String(arn), Payload: b}, false)
	if err != nil {
		return nil, err
	}
	return out.(map[string]any)["Payload"], nil
}

// callLambda invokes a function and shapes its answer as the lambda:invoke
// integration does.
func (r *run) callLambda(ctx context.Context, in *lambda.InvokeInput, _ bool) (any, *stateError) {
	if r.e.cfg.Lambda == nil {
		return nil, failf("Lambda.SdkClientException", "no Lambda service is configured in the local Step Functions engine")
	}
	out, err := r.e.cfg.Lambda.Invoke(ctx, in)
	if err != nil {
		if ctx.Err() != nil {
			return nil, &stateError{Name: ErrTimeout}
		}
		var ae smithy.APIError
		if errors.As(err, &ae) {
			return nil, failf("Lambda."+ae.ErrorCode(), "%s", ae.ErrorMessage())
		}
		return nil, failf("Lambda.SdkClientException", "%s", err)
	}
	if out.FunctionError != nil {
		var fe struct {
			ErrorType    string `json:"errorType"`
			ErrorMessage string `json:"errorMessage"`
		}
		_ = json.Unmarshal(out.Payload, &fe)
		name := fe.ErrorType
		if name == "" {
			name = "Lambda.Unknown"
		}
		return nil, &stateError{Name: name, Cause: string(out.Payload)}
	}
	var payload any
	if len(strings.TrimSpace(string(out.Payload))) > 0 {
		v, perr := unmarshal(string(out.Payload))
		if perr != nil {
			payload = string(out.Payload)
		} else {
			payload = v
		}
	}
	version := "$LATEST"
	if out.ExecutedVersion != nil {
		version = *out.ExecutedVersion
	}
	requestID := newUUID()
	headers := map[string]any{
		"Connection": "keep-alive", "Content-Type": "application/json", "Date": r.e.now().UTC().Format(time.RFC1123),
		"X-Amz-Executed-Version": version, "x-amzn-Remapped-Content-Length": "0", "x-amzn-RequestId": requestID,
	}
	allHeaders := map[string]any{}
	for k, v := range headers {
		allHeaders[k] = []any{v}
	}
	return map[string]any{
		"ExecutedVersion": version,
		"Payload":         payload,
		"SdkHttpMetadata": map[string]any{
			"AllHttpHeaders": allHeaders,
			"HttpHeaders":    headers,
			"HttpStatusCode": json.Number("200"),
		},
		"SdkResponseMetadata": map[string]any{"RequestId": requestID},
		"StatusCode":          json.Number(fmt.Sprint(out.StatusCode)),
	}, nil
}

// taskToken is a task waiting for SendTaskSuccess or SendTaskFailure.
type taskToken struct {
	text      string
	x         *execution
	result    chan callback
	heartbeat chan struct{}
	state     tokenState
}

type tokenState int

const (
	tokenOpen tokenState = iota
	tokenDone
	tokenTimedOut
)

type callback struct {
	output any
	err    *stateError
}

func (e *Engine) newToken(x *execution) *taskToken {
	var b [48]byte
	_, _ = rand.Read(b[:])
	t := &taskToken{
		text:      "AQ" + base64.RawURLEncoding.EncodeToString(b[:]),
		x:         x,
		result:    make(chan callback, 1),
		heartbeat: make(chan struct{}, 1),
	}
	e.mu.Lock()
	e.tokens[t.text] = t
	e.mu.Unlock()
	return t
}

// closeToken ends a token; timedOut records that it ended by timing out.
func (e *Engine) closeToken(t *taskToken, timedOut bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if t.state == tokenOpen {
		t.state = tokenDone
		if timedOut {
			t.state = tokenTimedOut
		}
	}
}

// closeTokens ends every token of a finished execution.
func (e *Engine) closeTokens(x *execution) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, t := range e.tokens {
		if t.x == x && t.state == tokenOpen {
			t.state = tokenDone
		}
	}
}

func (e *Engine) awaitToken(ctx context.Context, t *taskToken) (any, *stateError) {
	select {
	case cb := <-t.result:
		return cb.output, cb.err
	case <-ctx.Done():
		return nil, cancelled()
	}
}

func (e *Engine) watchHeartbeat(ctx context.Context, cancel context.CancelCauseFunc, t *taskToken, every time.Duration) {
	for {
		timer := e.cfg.Clock.NewTimer(every)
		select {
		case <-timer.C():
			cancel(errHeartbeatTimeout)
			return
		case <-t.heartbeat:
			timer.Stop()
		case <-ctx.Done():
			timer.Stop()
			return
		}
	}
}

// lookupToken finds an open token for a Send* call.
func (e *Engine) lookupToken(text string) (*taskToken, *apiError) {
	if len(text) < 1 || len(text) > 2048 {
		return nil, apiErrorf("InvalidToken", "Invalid token")
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	t, ok := e.tokens[text]
	if !ok {
		if _, err := base64.RawURLEncoding.DecodeString(strings.TrimPrefix(text, "AQ")); err != nil || !strings.HasPrefix(text, "AQ") {
			return nil, apiErrorf("InvalidToken", "Invalid token")
		}
		return nil, apiErrorf("TaskDoesNotExist", "Task does not exist anymore")
	}
	switch t.state {
	case tokenTimedOut:
		return nil, apiErrorf("TaskTimedOut", "Task Timed Out: 'Provided task does not exist anymore'")
	case tokenDone:
		return nil, apiErrorf("TaskDoesNotExist", "Task does not exist anymore")
	}
	return t, nil
}

func (e *Engine) completeToken(text string, cb callback) *apiError {
	t, aerr := e.lookupToken(text)
	if aerr != nil {
		return aerr
	}
	e.mu.Lock()
	if t.state != tokenOpen {
		e.mu.Unlock()
		return apiErrorf("TaskDoesNotExist", "Task does not exist anymore")
	}
	t.state = tokenDone
	e.mu.Unlock()
	t.result <- cb
	return nil
}
