// Package dynamodb is Consentflow's local DynamoDB: an in-process
// http.Handler speaking DynamoDB's JSON 1.0 API for the calls the product,
// its tests and the AWS CLI make (tables with global and local secondary
// indexes, items, queries, batches, transactions and the expression
// languages), with DynamoDB's error types and messages.
//
// Items live per table in a map by partition key, each partition (and each
// index partition) sorted by its sort key, so that the cost of a request
// follows the partition it touches, not the size of the table.
package dynamodb

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Server is a local DynamoDB. The zero value is not usable; call New.
type Server struct {
	mu     sync.RWMutex
	tables map[string]*table
	// tokens remembers TransactWriteItems client request tokens for ten
	// minutes, as DynamoDB does, to answer retries without applying twice.
	tokens map[string]tokenEntry
	region string
	now    func() time.Time
}

type tokenEntry struct {
	digest string
	at     time.Time
}

// New returns an empty local DynamoDB.
func New() *Server {
	return &Server{tables: map[string]*table{}, tokens: map[string]tokenEntry{}, region: "us-east-1", now: time.Now}
}

const (
	typeValidation   = "com.amazon.coral.validate#ValidationException"
	typeSerial       = "com.amazon.coral.service#SerializationException"
	typeUnknownOp    = "com.amazon.coral.service#UnknownOperationException"
	typeNotFound     = "com.amazonaws.dynamodb.v20120810#ResourceNotFoundException"
	typeInUse        = "com.amazonaws.dynamodb.v20120810#ResourceInUseException"
	typeConditional  = "com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException"
	typeCancelled    = "com.amazonaws.dynamodb.v20120810#TransactionCanceledException"
	typeIdempotent   = "com.amazonaws.dynamodb.v20120810#IdempotentParameterMismatchException"
	typeInternal     = "com.amazonaws.dynamodb.v20120810#InternalServerError"
	targetPrefix     = "DynamoDB_20120810."
	maxRequestLength = 16 << 20
)

// apiError is an error answered to the client as DynamoDB does.
type apiError struct {
	typ     string
	message string
	// fields are extra members of the error body (Item, CancellationReasons).
	fields map[string]any
}

func (e *apiError) Error() string { return e.typ + ": " + e.message }

func validationf(format string, args ...any) *apiError {
	return &apiError{typ: typeValidation, message: fmt.Sprintf(format, args...)}
}

func notFound() *apiError {
	return &apiError{typ: typeNotFound, message: "Requested resource not found"}
}

// ServeHTTP answers one DynamoDB API call.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	target := r.Header.Get("X-Amz-Target")
	if r.Method != http.MethodPost || !strings.HasPrefix(target, targetPrefix) {
		if r.Method == http.MethodGet && target == "" {
			// A health check: DynamoDB answers GET / with a plain healthy.
			write(w, http.StatusOK, []byte("healthy: dynamodb.us-east-1.amazonaws.com "))
			return
		}
		s.fail(w, &apiError{typ: typeUnknownOp, message: ""})
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxRequestLength))
	if err != nil {
		s.fail(w, &apiError{typ: typeSerial, message: err.Error()})
		return
	}
	op := ops[strings.TrimPrefix(target, targetPrefix)]
	if op == nil {
		s.fail(w, &apiError{typ: typeUnknownOp, message: ""})
		return
	}
	out, err := op(s, body)
	if err != nil {
		s.fail(w, err)
		return
	}
	b, err := json.Marshal(out)
	if err != nil {
		s.fail(w, err)
		return
	}
	write(w, http.StatusOK, b)
}

func (s *Server) fail(w http.ResponseWriter, err error) {
	var ae *apiError
	if !errors.As(err, &ae) {
		ae = &apiError{typ: typeInternal, message: err.Error()}
	}
	body := map[string]any{"__type": ae.typ}
	if ae.typ == typeSerial || ae.typ == typeUnknownOp {
		body["Message"] = ae.message
	} else {
		body["message"] = ae.message
	}
	for k, v := range ae.fields {
		body[k] = v
	}
	b, _ := json.Marshal(body)
	status := http.StatusBadRequest
	if ae.typ == typeInternal {
		status = http.StatusInternalServerError
	}
	write(w, status, b)
}

// write answers with DynamoDB's headers, including the CRC32 of the body
// that the SDKs and the CLI check.
func write(w http.ResponseWriter, status int, body []byte) {
	h := w.Header()
	h.Set("Content-Type", "application/x-amz-json-1.0")
	h.Set("X-Amz-Crc32", strconv.FormatUint(uint64(crc32.ChecksumIEEE(body)), 10))
	h.Set("X-Amzn-Requestid", requestID())
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

var (
	reqMu  sync.Mutex
	reqSeq uint64
)

func requestID() string {
	reqMu.Lock()
	reqSeq++
	n := reqSeq
	reqMu.Unlock()
	return fmt.Sprintf("LOCAL%027d", n)
}

// decode reads a request body strictly enough to report what DynamoDB
// reports for malformed JSON.
func decode(body []byte, v any) error {
	d := json.NewDecoder(bytes.NewReader(body))
	if err := d.Decode(v); err != nil {
		return &apiError{typ: typeSerial, message: err.Error()}
	}
	return nil
}

type operation func(s *Server, body []byte) (any, error)

var ops map[string]operation

func init() {
	ops = map[string]operation{
		"CreateTable":        (*Server).createTable,
		"DescribeTable":      (*Server).describeTable,
		"ListTables":         (*Server).listTables,
		"DeleteTable":        (*Server).deleteTable,
		"DescribeTimeToLive": (*Server).describeTimeToLive,
		"UpdateTimeToLive":   (*Server).updateTimeToLive,
		"PutItem":            (*Server).putItem,
		"GetItem":            (*Server).getItem,
		"UpdateItem":         (*Server).updateItem,
		"DeleteItem":         (*Server).deleteItem,
		"Query":              (*Server).query,
		"Scan":               (*Server).scan,
		"BatchGetItem":       (*Server).batchGetItem,
		"BatchWriteItem":     (*Server).batchWriteItem,
		"TransactWriteItems": (*Server).transactWriteItems,
		"TransactGetItems":   (*Server).transactGetItems,
	}
}
