// Package store keeps Consentflow's candidates, consent requests and consents
// in one DynamoDB table, and their append-only audit events in a second,
// the audit table, that function roles may only add to and read.
//
// Keys of the main table (pk, sk):
//
//	CANDIDATE#<id>  PROFILE                  the candidate, with its version and the head of its chain
//	CANDIDATE#<id>  CONSENT#<purpose>        the current state of one consent
//	CANDIDATE#<id>  EVENT#<time>#<event id>  an audit event written before the audit table (read only)
//	REQUEST#<id>    REQUEST                  a consent request
//	LINK#<sha256>   LINK                     a candidate link, by token hash (a request's, or see manage.go)
//	OWED#receipt    <answeredAt>#<request>   a receipt owed to a candidate (see ReceiptsOwed)
//
// The index "renewal" (renewShard, renewAt) lists given consent that renews
// by when the candidate is to be asked again (see renewals.go).
//
// The index "list" (listPk, listSk) lists every candidate newest first
// (profiles carry listPk CANDIDATES) and the consents in each state, latest
// change first (consents carry listPk STATE#<state>).
//
// Keys of the audit table: candidateId (partition) and seq (sort, a number).
//
// Every change of a candidate's state goes through one function, change: the
// state's writes, the candidate's version bump and the change's audit events
// (numbered 1, 2, 3, ... per candidate and hash-chained) are one
// transaction, so the audit trail and the state cannot disagree, and the
// trail is in commit order.
package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/consentflow/consentflow/shared/consent"
)

// DynamoDB is the part of the DynamoDB API the store uses; *dynamodb.Client
// satisfies it.
type DynamoDB interface {
	GetItem(context.Context, *dynamodb.GetItemInput, ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	PutItem(context.Context, *dynamodb.PutItemInput, ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	UpdateItem(context.Context, *dynamodb.UpdateItemInput, ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error)
	Query(context.Context, *dynamodb.QueryInput, ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error)
	TransactWriteItems(context.Context, *dynamodb.TransactWriteItemsInput, ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error)
}

// Store reads and writes consent data.
type Store struct {
	db           DynamoDB
	table, audit string
	// retention is how long artifacts are kept (see SetRetention).
	retention *consent.Retention
}

// New returns a Store on the named main table and audit table.
func New(db DynamoDB, table, audit string) *Store {
	return &Store{db: db, table: table, audit: audit}
}

// UnavailableError wraps a failure of DynamoDB itself (not of a condition),
// which callers may retry. Workflows match it by its name.
type UnavailableError struct{ Err error }

func (e *UnavailableError) Error() string { return "store unavailable: " + e.Err.Error() }
func (e *UnavailableError) Unwrap() error { return e.Err }

// Temporary says a retry may succeed: the API answers 503.
func (e *UnavailableError) Temporary() bool { return true }

func unavailable(op string, err error) error {
	return &UnavailableError{Err: fmt.Errorf("%s: %w", op, err)}
}

const (
	profileSK = "PROFILE"
	requestSK = "REQUEST"
	linkSK    = "LINK"
)

func candidatePK(id string) string { return "CANDIDATE#" + id }
func requestPK(id string) string   { return "REQUEST#" + id }
func linkPK(hash string) string    { return "LINK#" + hash }
func consentSK(p consent.Purpose) string {
	return "CONSENT#" + string(p)
}

func key(pk, sk string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{
		"pk": &types.AttributeValueMemberS{Value: pk},
		"sk": &types.AttributeValueMemberS{Value: sk},
	}
}

type candidateItem struct {
	PK        string    `dynamodbav:"pk"`
	SK        string    `dynamodbav:"sk"`
	ID        string    `dynamodbav:"id"`
	Name      string    `dynamodbav:"name"`
	Email     string    `dynamodbav:"email"`
	Locale    string    `dynamodbav:"locale"`
	CreatedAt time.Time `dynamodbav:"createdAt"`
	// IdempotencyKey is the caller's key the candidate was created with, if any.
	IdempotencyKey string `dynamodbav:"idempotencyKey,omitempty"`
	// The console's list of every candidate (see list.go).
	ListPK string `dynamodbav:"listPk,omitempty"`
	ListSK string `dynamodbav:"listSk,omitempty"`
	// Version counts the candidate's committed changes; Seq is the seq of
	// its last audit event and Head that event's hash.
	Version int64  `dynamodbav:"version"`
	Seq     int64  `dynamodbav:"seq"`
	Head    string `dynamodbav:"head,omitempty"`
	// Erasure of everything (GDPR Art. 17): when it was asked for (from
	// then on the candidate is frozen: only erasure steps change it) and
	// when the profile was erased (then every read answers Gone).
	ErasureRequestedAt *time.Time `dynamodbav:"erasureRequestedAt,omitempty"`
	ErasedAt           *time.Time `dynamodbav:"erasedAt,omitempty"`
	// ManageHash is the hash of the candidate's current manage link
	// (see manage.go).
	ManageHash string `dynamodbav:"manageHash,omitempty"`
	// RestrictedAt is set while processing is restricted (GDPR Art. 18,
	// see rights.go).
	RestrictedAt *time.Time `dynamodbav:"restrictedAt,omitempty"`
}

func newCandidateItem(c consent.Candidate, idempotencyKey string) candidateItem {
	return candidateItem{
		PK: candidatePK(c.ID), SK: profileSK, ID: c.ID, Name: c.Name, Email: c.Email, Locale: c.Locale,
		CreatedAt: c.CreatedAt.UTC(), IdempotencyKey: idempotencyKey,
		ListPK: candidatesListPK, ListSK: candidateListSK(c),
	}
}

func (it candidateItem) candidate() consent.Candidate {
	return consent.Candidate{ID: it.ID, Name: it.Name, Email: it.Email, Locale: it.Locale, CreatedAt: it.CreatedAt,
		RestrictedAt: it.RestrictedAt}
}

type consentItem struct {
	PK            string          `dynamodbav:"pk"`
	SK            string          `dynamodbav:"sk"`
	Purpose       consent.Purpose `dynamodbav:"purpose"`
	State         consent.State   `dynamodbav:"state"`
	NoticeVersion string          `dynamodbav:"noticeVersion"`
	RequestID     string          `dynamodbav:"requestId"`
	ReceiptID     string          `dynamodbav:"receiptId,omitempty"`
	UpdatedAt     time.Time       `dynamodbav:"updatedAt"`
	ExpiresAt     *time.Time      `dynamodbav:"expiresAt,omitempty"`
	// The renewal index (see renewals.go): only on given consent that
	// renews, until its reminder is sent.
	RenewShard string     `dynamodbav:"renewShard,omitempty"`
	RenewAt    *time.Time `dynamodbav:"renewAt,omitempty"`
	// WithdrawalNote is what a recruiter noted of a withdrawal that came
	// by email, phone or letter (removed when the candidate is erased).
	WithdrawalNote string `dynamodbav:"withdrawalNote,omitempty"`

	// The console's list of consents in a state (see list.go).
	ListPK string `dynamodbav:"listPk,omitempty"`
	ListSK string `dynamodbav:"listSk,omitempty"`
}

// legacyEventItem is an event as written to the main table before the
// audit table existed; such events are read, never written.
type legacyEventItem struct {
	PK string `dynamodbav:"pk"`
	SK string `dynamodbav:"sk"`
	consent.Event
}

type requestItem struct {
	PK            string                  `dynamodbav:"pk"`
	SK            string                  `dynamodbav:"sk"`
	ID            string                  `dynamodbav:"id"`
	CandidateID   string                  `dynamodbav:"candidateId"`
	Purposes      []consent.Purpose       `dynamodbav:"purposes"`
	Status        consent.RequestStatus   `dynamodbav:"status"`
	NoticeVersion string                  `dynamodbav:"noticeVersion"`
	NoticeURL     string                  `dynamodbav:"noticeUrl"`
	Retention     map[consent.Purpose]int `dynamodbav:"retentionDays"`
	RequestedBy   string                  `dynamodbav:"requestedBy"`
	Controller    string                  `dynamodbav:"controller"`
	CreatedAt     time.Time               `dynamodbav:"createdAt"`
	ExpiresAt     time.Time               `dynamodbav:"expiresAt"`
	TaskToken     string                  `dynamodbav:"taskToken,omitempty"`
	LinkHash      string                  `dynamodbav:"linkHash,omitempty"`
	AnsweredAt    *time.Time              `dynamodbav:"answeredAt,omitempty"`
	ReceiptID     string                  `dynamodbav:"receiptId,omitempty"`
	Outcomes      []consent.Outcome       `dynamodbav:"outcomes,omitempty"`
	Reason        string                  `dynamodbav:"reason,omitempty"`
	// Failure names the error of the step that gave up on the request.
	Failure string `dynamodbav:"failure,omitempty"`
	// ReceiptSentAt and ReceiptMessageID say that the receipt went out.
	ReceiptSentAt    *time.Time `dynamodbav:"receiptSentAt,omitempty"`
	ReceiptMessageID string     `dynamodbav:"receiptMessageId,omitempty"`
	// RenewsUntil: a renewal of given consent that expires then.
	RenewsUntil *time.Time `dynamodbav:"renewsUntil,omitempty"`
}

func (it requestItem) request() consent.Request {
	return consent.Request{
		ID: it.ID, CandidateID: it.CandidateID, Purposes: it.Purposes, Status: it.Status,
		NoticeVersion: it.NoticeVersion, NoticeURL: it.NoticeURL, Retention: it.Retention, RequestedBy: it.RequestedBy, Controller: it.Controller,
		CreatedAt: it.CreatedAt, ExpiresAt: it.ExpiresAt, RenewsUntil: it.RenewsUntil, TaskToken: it.TaskToken, LinkHash: it.LinkHash, Reason: it.Reason, Failure: it.Failure,
	}
}

// owedItem is a receipt owed to a candidate: written in the decision's
// transaction, deleted when the receipt is sent. Its sort key orders owed
// receipts by answer time, so a sweep reads only those older than it asks.
type owedItem struct {
	PK          string    `dynamodbav:"pk"`
	SK          string    `dynamodbav:"sk"`
	RequestID   string    `dynamodbav:"requestId"`
	CandidateID string    `dynamodbav:"candidateId"`
	AnsweredAt  time.Time `dynamodbav:"answeredAt"`
	// TaskToken is the workflow's token at the answer, so that a lost
	// hand-over can be redone.
	TaskToken string `dynamodbav:"taskToken,omitempty"`
	// NotWaitingSince is the scheduled time of the first sweep that found
	// no workflow waiting for the answer.
	NotWaitingSince *time.Time `dynamodbav:"notWaitingSince,omitempty"`
}

const owedPK = "OWED#receipt"

func owedSK(answeredAt time.Time, requestID string) string {
	return answeredAt.UTC().Format(timeFormat) + "#" + requestID
}

type linkItem struct {
	PK        string    `dynamodbav:"pk"`
	SK        string    `dynamodbav:"sk"`
	RequestID string    `dynamodbav:"requestId"`
	ExpiresAt time.Time `dynamodbav:"expiresAt"`
}

func (s *Store) get(ctx context.Context, pk, sk string, out any) (bool, error) {
	res, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{
		TableName: aws.String(s.table), Key: key(pk, sk), ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return false, unavailable("get "+pk, err)
	}
	if res.Item == nil {
		return false, nil
	}
	if err := unmarshal(res.Item, out); err != nil {
		return false, fmt.Errorf("decode %s: %w", pk, err)
	}
	return true, nil
}

// timeFormat is fixed-width UTC, so that string order is time order and
// conditions such as "expiresAt > :now" compare times correctly.
const timeFormat = "2006-01-02T15:04:05.000000000Z"

func encodeTime(t time.Time) (types.AttributeValue, error) {
	return &types.AttributeValueMemberS{Value: t.UTC().Format(timeFormat)}, nil
}

func timeValue(t time.Time) types.AttributeValue {
	v, _ := encodeTime(t)
	return v
}

func marshal(v any) map[string]types.AttributeValue {
	m, err := attributevalue.MarshalMapWithOptions(v, func(o *attributevalue.EncoderOptions) { o.EncodeTime = encodeTime })
	if err != nil {
		// Only our own item structs are marshalled; they always encode.
		panic(fmt.Sprintf("store: marshal %T: %v", v, err))
	}
	return m
}

// conditionFailed reports whether err is a failed condition, and for a
// cancelled transaction which of its items failed it.
func conditionFailed(err error) (failed bool, items []int) {
	var ccf *types.ConditionalCheckFailedException
	if errors.As(err, &ccf) {
		return true, nil
	}
	var tce *types.TransactionCanceledException
	if errors.As(err, &tce) {
		for i, r := range tce.CancellationReasons {
			if aws.ToString(r.Code) == "ConditionalCheckFailed" {
				items = append(items, i)
			}
		}
		return len(items) > 0, items
	}
	return false, nil
}

// contended reports whether a transaction lost a race with another one on
// the same items (TransactionConflict): reading again and retrying settles it.
func contended(err error) bool {
	var tce *types.TransactionCanceledException
	if errors.As(err, &tce) {
		for _, r := range tce.CancellationReasons {
			if aws.ToString(r.Code) == "TransactionConflict" {
				return true
			}
		}
	}
	var tcx *types.TransactionConflictException
	return errors.As(err, &tcx)
}
