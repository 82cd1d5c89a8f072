package store

// Join-time consent (issue 13): the short-lived link (/j/{token}) an
// interviewer shows when the recording gate awaits consent, and interviews
// scheduled in advance, whose candidate is asked the day before.
//
// Keys (pk, sk):
//
//	LINK#<sha256>   LINK                 kind "join": a join link of candidateId
//	                                     to the pending request requestId, for
//	                                     purpose, until expiresAt
//	CANDIDATE#<id>  INTERVIEW#<id>       an interview scheduled at "at"; until
//	                                     the candidate is asked, askShard and
//	                                     askAt, the keys of the sparse index
//	                                     "ask"

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/consentflow/consentflow/shared/consent"
)

const linkJoin = "join"

type joinLinkItem struct {
	PK          string          `dynamodbav:"pk"`
	SK          string          `dynamodbav:"sk"`
	Kind        string          `dynamodbav:"kind"`
	CandidateID string          `dynamodbav:"candidateId"`
	RequestID   string          `dynamodbav:"requestId"`
	Purpose     consent.Purpose `dynamodbav:"purpose"`
	IssuedAt    time.Time       `dynamodbav:"issuedAt"`
	ExpiresAt   time.Time       `dynamodbav:"expiresAt"`
}

// JoinLink is a join-time link: one purpose of one candidate, answered
// through one pending consent request, for a few hours.
type JoinLink struct {
	CandidateID string
	RequestID   string
	Purpose     consent.Purpose
	IssuedAt    time.Time
	ExpiresAt   time.Time
}

// MintJoinLink stores the hash of a join link.
func (s *Store) MintJoinLink(ctx context.Context, hash string, l JoinLink) error {
	_, err := s.db.PutItem(ctx, &dynamodb.PutItemInput{
		TableName: aws.String(s.table),
		Item: marshal(joinLinkItem{PK: linkPK(hash), SK: linkSK, Kind: linkJoin, CandidateID: l.CandidateID,
			RequestID: l.RequestID, Purpose: l.Purpose, IssuedAt: l.IssuedAt.UTC(), ExpiresAt: l.ExpiresAt.UTC()}),
		ConditionExpression: aws.String("attribute_not_exists(pk)"),
	})
	if err == nil {
		return nil
	}
	if failed, _ := conditionFailed(err); failed {
		return &consent.ConflictError{Reason: "this link token is taken"}
	}
	return unavailable("mint join link", err)
}

// ErrRequestNotRecorded says a join link's consent request is not stored
// yet: its workflow records it within moments of the gate's answer.
var ErrRequestNotRecorded = errors.New("the consent request is not recorded yet")

// Joined is a resolved join link: the link, its request and its candidate.
type Joined struct {
	Link      JoinLink
	Request   consent.Request
	Candidate consent.Candidate
}

// JoinByLink resolves a join link by its hash. An unknown hash (or one of
// another kind of link) is a *consent.NotFoundError; a link past its expiry,
// or whose request lapsed, a *consent.LinkExpiredError; a request its
// workflow has not recorded yet an *UnavailableError wrapping
// ErrRequestNotRecorded (try again); an erased candidate a
// *consent.GoneError. An answered request is returned as it is. It only
// reads.
func (s *Store) JoinByLink(ctx context.Context, hash string, now time.Time) (Joined, error) {
	var it joinLinkItem
	ok, err := s.get(ctx, linkPK(hash), linkSK, &it)
	if err != nil {
		return Joined{}, err
	}
	if !ok || it.Kind != linkJoin {
		return Joined{}, &consent.NotFoundError{What: "link"}
	}
	if !now.Before(it.ExpiresAt) {
		return Joined{}, &consent.LinkExpiredError{}
	}
	req, found, err := s.request(ctx, it.RequestID)
	if err != nil {
		return Joined{}, err
	}
	if !found {
		return Joined{}, &UnavailableError{Err: ErrRequestNotRecorded}
	}
	if req.CandidateID != it.CandidateID {
		return Joined{}, &consent.NotFoundError{What: "link"}
	}
	if req.Status == consent.Lapsed || (req.Status == consent.Pending && !now.Before(req.ExpiresAt)) {
		return Joined{}, &consent.LinkExpiredError{}
	}
	c, err := s.Candidate(ctx, it.CandidateID)
	if err != nil {
		return Joined{}, err
	}
	return Joined{Link: JoinLink{CandidateID: it.CandidateID, RequestID: it.RequestID, Purpose: it.Purpose,
		IssuedAt: it.IssuedAt, ExpiresAt: it.ExpiresAt}, Request: req, Candidate: c}, nil
}

// The sparse index of interviews whose candidate is still to be asked
// (topology's "ask" index): partition AskShardAttr ("ASK#<n>"), sort
// AskAtAttr.
const (
	AskIndex     = "ask"
	AskShardAttr = "askShard"
	AskAtAttr    = "askAt"
	// AskShards spreads interviews over this many partitions.
	AskShards = 16
	// AskLead is how long before an interview its candidate is asked.
	AskLead = 24 * time.Hour
)

func interviewSK(id string) string { return "INTERVIEW#" + id }

// AskShard is the shard of a candidate's interviews in the ask index.
func AskShard(candidateID string) string {
	h := fnv.New32a()
	h.Write([]byte(candidateID))
	return fmt.Sprintf("ASK#%d", h.Sum32()%AskShards)
}

type interviewItem struct {
	PK          string     `dynamodbav:"pk"`
	SK          string     `dynamodbav:"sk"`
	ID          string     `dynamodbav:"id"`
	CandidateID string     `dynamodbav:"candidateId"`
	At          time.Time  `dynamodbav:"at"`
	Reference   string     `dynamodbav:"reference"`
	ScheduledBy string     `dynamodbav:"scheduledBy"`
	CreatedAt   time.Time  `dynamodbav:"createdAt"`
	AskShard    string     `dynamodbav:"askShard,omitempty"`
	AskAt       *time.Time `dynamodbav:"askAt,omitempty"`
}

// Interview is an interview scheduled in advance.
type Interview struct {
	ID          string    `json:"interviewId"`
	CandidateID string    `json:"candidateId"`
	At          time.Time `json:"at"`
	Reference   string    `json:"reference"`
	ScheduledBy string    `json:"-"`
	CreatedAt   time.Time `json:"createdAt"`
	// AskAt is when the candidate is asked for consent to record it: a day
	// before.
	AskAt time.Time `json:"askAt"`
}

// ScheduleInterview stores an interview, in the ask index until its
// candidate is asked. An unknown candidate is a *consent.NotFoundError, an
// erased one a *consent.GoneError.
func (s *Store) ScheduleInterview(ctx context.Context, iv Interview) (Interview, error) {
	if _, err := s.Candidate(ctx, iv.CandidateID); err != nil {
		return Interview{}, err
	}
	iv.At, iv.CreatedAt = iv.At.UTC(), iv.CreatedAt.UTC()
	iv.AskAt = iv.At.Add(-AskLead)
	ask := iv.AskAt
	_, err := s.db.PutItem(ctx, &dynamodb.PutItemInput{
		TableName: aws.String(s.table),
		Item: marshal(interviewItem{PK: candidatePK(iv.CandidateID), SK: interviewSK(iv.ID), ID: iv.ID, CandidateID: iv.CandidateID,
			At: iv.At, Reference: iv.Reference, ScheduledBy: iv.ScheduledBy, CreatedAt: iv.CreatedAt,
			AskShard: AskShard(iv.CandidateID), AskAt: &ask}),
		ConditionExpression: aws.String("attribute_not_exists(pk)"),
	})
	if failed, _ := conditionFailed(err); failed {
		return Interview{}, &consent.ConflictError{Reason: "this interview id is taken"}
	}
	if err != nil {
		return Interview{}, unavailable("schedule interview", err)
	}
	return iv, nil
}

// InterviewsToAsk returns up to limit interviews of one shard (0 ≤ shard <
// AskShards) whose candidate is to be asked by until, earliest first, and
// where the next page starts (nil at the end). It reads the sparse ask
// index: only interviews not yet asked about, never the table.
func (s *Store) InterviewsToAsk(ctx context.Context, shard int, until time.Time, limit int32, start map[string]types.AttributeValue) ([]Interview, map[string]types.AttributeValue, error) {
	var items []interviewItem
	next, _, err := s.queryIndex(ctx, indexPage{
		index: AskIndex, shardAttr: AskShardAttr, sortAttr: AskAtAttr, shard: fmt.Sprintf("ASK#%d", shard),
		cond: "#sort <= :until", values: map[string]types.AttributeValue{":until": timeValue(until)}, limit: limit, start: start,
	}, &items)
	if err != nil {
		return nil, nil, err
	}
	out := make([]Interview, 0, len(items))
	for _, it := range items {
		iv := Interview{ID: it.ID, CandidateID: it.CandidateID, At: it.At, Reference: it.Reference, ScheduledBy: it.ScheduledBy, CreatedAt: it.CreatedAt}
		if it.AskAt != nil {
			iv.AskAt = *it.AskAt
		}
		out = append(out, iv)
	}
	return out, next, nil
}

// InterviewAsked takes an interview out of the ask index once its
// candidate's request is on its way (or not needed). A second call changes
// nothing.
func (s *Store) InterviewAsked(ctx context.Context, iv Interview) error {
	_, err := s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                aws.String(s.table),
		Key:                      key(candidatePK(iv.CandidateID), interviewSK(iv.ID)),
		UpdateExpression:         aws.String("REMOVE #shard, #askAt"),
		ConditionExpression:      aws.String("attribute_exists(pk)"),
		ExpressionAttributeNames: map[string]string{"#shard": AskShardAttr, "#askAt": AskAtAttr},
	})
	if failed, _ := conditionFailed(err); failed {
		return nil
	}
	if err != nil {
		return unavailable("remove ask keys", err)
	}
	return nil
}
