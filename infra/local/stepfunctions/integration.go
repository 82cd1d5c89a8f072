package stepfunctions

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/smithy-go"
)

// DynamoDB is what the dynamodb and aws-sdk:dynamodb integrations call;
// *dynamodb.Client satisfies it. With a real client every DynamoDB action
// is available to aws-sdk:dynamodb:<action>, not only these.
type DynamoDB interface {
	GetItem(ctx context.Context, in *dynamodb.GetItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	PutItem(ctx context.Context, in *dynamodb.PutItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error)
	DeleteItem(ctx context.Context, in *dynamodb.DeleteItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error)
	Query(ctx context.Context, in *dynamodb.QueryInput, optFns ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error)
}

// S3 is what the aws-sdk:s3 integration calls; *s3.Client satisfies it.
type S3 interface {
	GetObject(ctx context.Context, in *s3.GetObjectInput, optFns ...func(*s3.Options)) (*s3.GetObjectOutput, error)
	PutObject(ctx context.Context, in *s3.PutObjectInput, optFns ...func(*s3.Options)) (*s3.PutObjectOutput, error)
	DeleteObject(ctx context.Context, in *s3.DeleteObjectInput, optFns ...func(*s3.Options)) (*s3.DeleteObjectOutput, error)
	HeadObject(ctx context.Context, in *s3.HeadObjectInput, optFns ...func(*s3.Options)) (*s3.HeadObjectOutput, error)
	ListObjectsV2(ctx context.Context, in *s3.ListObjectsV2Input, optFns ...func(*s3.Options)) (*s3.ListObjectsV2Output, error)
}

// SESv2 is what the aws-sdk:sesv2 integration calls; *sesv2.Client satisfies it.
type SESv2 interface {
	SendEmail(ctx context.Context, in *sesv2.SendEmailInput, optFns ...func(*sesv2.Options)) (*sesv2.SendEmailOutput, error)
}

// integration runs a service integration other than lambda:invoke.
func (r *run) integration(ctx context.Context, res resource, params any) (any, *stateError) {
	switch res.service {
	case "dynamodb":
		if r.e.cfg.DynamoDB == nil {
			return nil, failf("DynamoDB.SdkClientException", "no DynamoDB client is configured in the local Step Functions engine")
		}
		switch res.action {
		case "getItem", "putItem", "updateItem", "deleteItem":
		default:
			return nil, failf(ErrRuntime, "arn:aws:states:::dynamodb:%s is not an optimized DynamoDB integration", res.action)
		}
		out, err := callSDK(ctx, r.e.cfg.DynamoDB, res.action, params, "DynamoDB")
		if err != nil {
			return nil, err
		}
		m, _ := out.(map[string]any)
		if m == nil {
			m = map[string]any{}
		}
		requestID := newUUID()
		m["SdkHttpMetadata"] = map[string]any{"HttpStatusCode": json.Number("200"), "HttpHeaders": map[string]any{"Content-Type": "application/x-amz-json-1.0", "x-amzn-RequestId": requestID}}
		m["SdkResponseMetadata"] = map[string]any{"RequestId": requestID}
		return m, nil
	case "aws-sdk:dynamodb":
		if r.e.cfg.DynamoDB == nil {
			return nil, failf("DynamoDb.SdkClientException", "no DynamoDB client is configured in the local Step Functions engine")
		}
		return callSDK(ctx, r.e.cfg.DynamoDB, res.action, params, "DynamoDb")
	case "aws-sdk:s3":
		if r.e.cfg.S3 == nil {
			return nil, failf("S3.SdkClientException", "no S3 client is configured in the local Step Functions engine")
		}
		return callSDK(ctx, r.e.cfg.S3, res.action, params, "S3")
	case "aws-sdk:sesv2":
		if r.e.cfg.SESv2 == nil {
			return nil, failf("SesV2.SdkClientException", "no SESv2 client is configured in the local Step Functions engine")
		}
		return callSDK(ctx, r.e.cfg.SESv2, res.action, params, "SesV2")
	case "aws-sdk:lambda":
		if r.e.cfg.Lambda == nil {
			return nil, failf("Lambda.SdkClientException", "no Lambda client is configured in the local Step Functions engine")
		}
		return callSDK(ctx, r.e.cfg.Lambda, res.action, params, "Lambda")
	case "states":
		if res.action == "startExecution" {
			return r.startChild(ctx, res, params)
		}
	}
	return nil, failf(ErrRuntime, "The resource arn:aws:states:::%s:%s is not supported by the local Step Functions engine", res.service, res.action)
}

// callSDK calls the SDK client's method named by an ASL action (putItem →
// PutItem), decoding the task parameters into its input struct and encoding
// its output as Step Functions does.
func callSDK(ctx context.Context, client any, action string, params any, prefix string) (any, *stateError) {
	if action == "" {
		return nil, failf(ErrRuntime, "missing action")
	}
	method := reflect.ValueOf(client).MethodByName(strings.ToUpper(action[:1]) + action[1:])
	if !method.IsValid() || method.Type().NumIn() < 2 {
		return nil, failf(ErrRuntime, "The API action %s is not supported for %s", action, prefix)
	}
	in := reflect.New(method.Type().In(1).Elem())
	if params != nil {
		if err := decodeInto(in.Elem(), params); err != nil {
			return nil, failf(prefix+".ValidationException", "%s", err)
		}
	}
	results := method.Call([]reflect.Value{reflect.ValueOf(ctx), in})
	if errV := results[1]; !errV.IsNil() {
		err := errV.Interface().(error)
		var ae smithy.APIError
		if errors.As(err, &ae) {
			code := ae.ErrorCode()
			if !strings.HasSuffix(code, "Exception") {
				code += "Exception"
			}
			return nil, failf(prefix+"."+code, "%s (Service: %s, Status Code: 400, Error Code: %s)", ae.ErrorMessage(), prefix, ae.ErrorCode())
		}
		return nil, failf(prefix+".SdkClientException", "%s", err)
	}
	return encodeFrom(results[0]), nil
}

var (
	attributeValueType = reflect.TypeOf((*ddbtypes.AttributeValue)(nil)).Elem()
	readerType         = reflect.TypeOf((*io.Reader)(nil)).Elem()
	readCloserType     = reflect.TypeOf((*io.ReadCloser)(nil)).Elem()
	timeType           = reflect.TypeOf(time.Time{})
)

// decodeInto fills an SDK input value from the task's JSON parameters.
func decodeInto(v reflect.Value, data any) error {
	if data == nil {
		return nil
	}
	t := v.Type()
	switch {
	case t == attributeValueType:
		av, err := toAttributeValue(data)
		if err != nil {
			return err
		}
		v.Set(reflect.ValueOf(av))
		return nil
	case t == readerType:
		s, ok := data.(string)
		if !ok {
			s = marshal(data)
		}
		v.Set(reflect.ValueOf(io.Reader(strings.NewReader(s))))
		return nil
	case t == timeType:
		s, _ := data.(string)
		tm, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			return fmt.Errorf("bad timestamp %v", data)
		}
		v.Set(reflect.ValueOf(tm))
		return nil
	}
	switch t.Kind() {
	case reflect.Pointer:
		p := reflect.New(t.Elem())
		if err := decodeInto(p.Elem(), data); err != nil {
			return err
		}
		v.Set(p)
	case reflect.Struct:
		m, ok := data.(map[string]any)
		if !ok {
			return fmt.Errorf("expected an object for %s", t.Name())
		}
		for k, val := range m {
			f := v.FieldByNameFunc(func(n string) bool { return strings.EqualFold(n, k) })
			if !f.IsValid() || !f.CanSet() {
				return fmt.Errorf("unknown field %s in %s", k, t.Name())
			}
			if err := decodeInto(f, val); err != nil {
				return fmt.Errorf("%s: %w", k, err)
			}
		}
	case reflect.Map:
		m, ok := data.(map[string]any)
		if !ok {
			return fmt.Errorf("expected an object")
		}
		out := reflect.MakeMapWithSize(t, len(m))
		for k, val := range m {
			e := reflect.New(t.Elem()).Elem()
			if err := decodeInto(e, val); err != nil {
				return fmt.Errorf("%s: %w", k, err)
			}
			out.SetMapIndex(reflect.ValueOf(k).Convert(t.Key()), e)
		}
		v.Set(out)
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			s, _ := data.(string)
			v.SetBytes([]byte(s))
			return nil
		}
		arr, ok := data.([]any)
		if !ok {
			return fmt.Errorf("expected an array")
		}
		out := reflect.MakeSlice(t, len(arr), len(arr))
		for i, val := range arr {
			if err := decodeInto(out.Index(i), val); err != nil {
				return err
			}
		}
		v.Set(out)
	case reflect.String:
		s, ok := data.(string)
		if !ok {
			return fmt.Errorf("expected a string, not %s", marshal(data))
		}
		v.SetString(s)
	case reflect.Bool:
		b, ok := data.(bool)
		if !ok {
			return fmt.Errorf("expected a boolean")
		}
		v.SetBool(b)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n, ok := data.(json.Number)
		i, err := n.Int64()
		if !ok || err != nil {
			return fmt.Errorf("expected an integer")
		}
		v.SetInt(i)
	case reflect.Float32, reflect.Float64:
		n, ok := data.(json.Number)
		f, err := n.Float64()
		if !ok || err != nil {
			return fmt.Errorf("expected a number")
		}
		v.SetFloat(f)
	case reflect.Interface:
		return fmt.Errorf("unsupported field type %s", t)
	}
	return nil
}

// encodeFrom renders an SDK output value as Step Functions shows it.
func encodeFrom(v reflect.Value) any {
	if !v.IsValid() {
		return nil
	}
	t := v.Type()
	if t.Kind() == reflect.Interface {
		if v.IsNil() {
			return nil
		}
		if av, ok := v.Interface().(ddbtypes.AttributeValue); ok {
			return fromAttributeValue(av)
		}
		if rc, ok := v.Interface().(io.ReadCloser); ok && t == readCloserType {
			b, _ := io.ReadAll(rc)
			_ = rc.Close()
			return string(b)
		}
		return encodeFrom(v.Elem())
	}
	if t == timeType {
		return v.Interface().(time.Time).UTC().Format(time.RFC3339Nano)
	}
	switch t.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			return nil
		}
		return encodeFrom(v.Elem())
	case reflect.Struct:
		out := map[string]any{}
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			if !f.IsExported() || f.Name == "ResultMetadata" {
				continue
			}
			fv := v.Field(i)
			if fv.IsZero() {
				continue
			}
			if val := encodeFrom(fv); val != nil {
				out[f.Name] = val
			}
		}
		return out
	case reflect.Map:
		out := map[string]any{}
		for _, k := range v.MapKeys() {
			out[fmt.Sprint(k.Interface())] = encodeFrom(v.MapIndex(k))
		}
		return out
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			return base64.StdEncoding.EncodeToString(v.Bytes())
		}
		out := make([]any, v.Len())
		for i := range out {
			out[i] = encodeFrom(v.Index(i))
		}
		return out
	case reflect.String:
		return v.String()
	case reflect.Bool:
		return v.Bool()
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return json.Number(strconv.FormatInt(v.Int(), 10))
	case reflect.Float32, reflect.Float64:
		return json.Number(strconv.FormatFloat(v.Float(), 'f', -1, 64))
	}
	return nil
}

// toAttributeValue converts DynamoDB JSON ({"S": "x"}, {"N": "1"}, ...).
func toAttributeValue(data any) (ddbtypes.AttributeValue, error) {
	m, ok := data.(map[string]any)
	if !ok || len(m) != 1 {
		return nil, fmt.Errorf("an attribute value must be an object with one type key, not %s", marshal(data))
	}
	for typ, val := range m {
		str := func() (string, error) {
			s, ok := val.(string)
			if !ok {
				return "", fmt.Errorf("attribute type %s needs a string", typ)
			}
			return s, nil
		}
		strs := func() ([]string, error) {
			arr, ok := val.([]any)
			if !ok {
				return nil, fmt.Errorf("attribute type %s needs an array", typ)
			}
			out := make([]string, len(arr))
			for i, a := range arr {
				s, ok := a.(string)
				if !ok {
					return nil, fmt.Errorf("attribute type %s needs strings", typ)
				}
				out[i] = s
			}
			return out, nil
		}
		switch typ {
		case "S":
			s, err := str()
			return &ddbtypes.AttributeValueMemberS{Value: s}, err
		case "N":
			s, err := str()
			return &ddbtypes.AttributeValueMemberN{Value: s}, err
		case "B":
			s, err := str()
			if err != nil {
				return nil, err
			}
			b, err := base64.StdEncoding.DecodeString(s)
			return &ddbtypes.AttributeValueMemberB{Value: b}, err
		case "BOOL":
			b, ok := val.(bool)
			if !ok {
				return nil, fmt.Errorf("attribute type BOOL needs a boolean")
			}
			return &ddbtypes.AttributeValueMemberBOOL{Value: b}, nil
		case "NULL":
			return &ddbtypes.AttributeValueMemberNULL{Value: true}, nil
		case "SS":
			s, err := strs()
			return &ddbtypes.AttributeValueMemberSS{Value: s}, err
		case "NS":
			s, err := strs()
			return &ddbtypes.AttributeValueMemberNS{Value: s}, err
		case "L":
			arr, ok := val.([]any)
			if !ok {
				return nil, fmt.Errorf("attribute type L needs an array")
			}
			out := make([]ddbtypes.AttributeValue, len(arr))
			for i, a := range arr {
				av, err := toAttributeValue(a)
				if err != nil {
					return nil, err
				}
				out[i] = av
			}
			return &ddbtypes.AttributeValueMemberL{Value: out}, nil
		case "M":
			obj, ok := val.(map[string]any)
			if !ok {
				return nil, fmt.Errorf("attribute type M needs an object")
			}
			out := make(map[string]ddbtypes.AttributeValue, len(obj))
			for k, a := range obj {
				av, err := toAttributeValue(a)
				if err != nil {
					return nil, err
				}
				out[k] = av
			}
			return &ddbtypes.AttributeValueMemberM{Value: out}, nil
		default:
			return nil, fmt.Errorf("unknown attribute type %s", typ)
		}
	}
	return nil, nil
}

func fromAttributeValue(av ddbtypes.AttributeValue) any {
	switch a := av.(type) {
	case *ddbtypes.AttributeValueMemberS:
		return map[string]any{"S": a.Value}
	case *ddbtypes.AttributeValueMemberN:
		return map[string]any{"N": a.Value}
	case *ddbtypes.AttributeValueMemberB:
		return map[string]any{"B": base64.StdEncoding.EncodeToString(a.Value)}
	case *ddbtypes.AttributeValueMemberBOOL:
		return map[string]any{"BOOL": a.Value}
	case *ddbtypes.AttributeValueMemberNULL:
		return map[string]any{"NULL": true}
	case *ddbtypes.AttributeValueMemberSS:
		return map[string]any{"SS": toAnySlice(a.Value)}
	case *ddbtypes.AttributeValueMemberNS:
		return map[string]any{"NS": toAnySlice(a.Value)}
	case *ddbtypes.AttributeValueMemberL:
		out := make([]any, len(a.Value))
		for i, e := range a.Value {
			out[i] = fromAttributeValue(e)
		}
		return map[string]any{"L": out}
	case *ddbtypes.AttributeValueMemberM:
		out := make(map[string]any, len(a.Value))
		for k, e := range a.Value {
			out[k] = fromAttributeValue(e)
		}
		return map[string]any{"M": out}
	}
	return nil
}

func toAnySlice(s []string) []any {
	out := make([]any, len(s))
	for i, e := range s {
		out[i] = e
	}
	return out
}

// startChild runs arn:aws:states:::states:startExecution (and its .sync and
// .sync:2 forms) against this engine.
func (r *run) startChild(ctx context.Context, res resource, params any) (any, *stateError) {
	p, _ := params.(map[string]any)
	smArn, _ := p["StateMachineArn"].(string)
	in := startExecutionInput{StateMachineArn: smArn}
	if name, ok := p["Name"].(string); ok {
		in.Name = name
	}
	if input, ok := p["Input"]; ok {
		s, isString := input.(string)
		if !isString {
			s = marshal(input)
		}
		in.Input = &s
	}
	out, aerr := r.e.startExecution(in)
	if aerr != nil {
		return nil, failf("StepFunctions."+aerr.Type+"Exception", "%s", aerr.Message)
	}
	started := out.(map[string]any)
	arn := started["executionArn"].(string)
	if res.pattern == "" {
		return map[string]any{"ExecutionArn": arn, "StartDate": isoTime(r.e.now())}, nil
	}
	x, _ := r.e.execution(arn)
	select {
	case <-x.done:
	case <-ctx.Done():
		x.cancel(&abortCause{cause: "The parent execution stopped."})
		return nil, cancelled()
	}
	status, output, errName, cause, stop := x.snapshot()
	desc := map[string]any{
		"ExecutionArn": arn, "StateMachineArn": smArn, "Name": x.name, "Status": status,
		"StartDate": isoTime(x.start), "StopDate": isoTime(stop), "Input": x.input,
		"InputDetails": map[string]any{"Included": true},
	}
	if res.pattern == "sync:2" {
		desc["Input"] = x.inputValue
	}
	if status != statusSucceeded {
		if errName != "" {
			desc["Error"] = errName
		}
		if cause != "" {
			desc["Cause"] = cause
		}
		return nil, failf(ErrTaskFailed, "%s", marshal(desc))
	}
	desc["Output"] = output
	desc["OutputDetails"] = map[string]any{"Included": true}
	if res.pattern == "sync:2" {
		v, _ := unmarshal(output)
		desc["Output"] = v
	}
	return desc, nil
}
