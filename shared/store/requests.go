package store

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/consentflow/consentflow/shared/consent"
)

// maxAttempts bounds the optimistic retries when a consent changed between
// reading it and writing the transaction.
const maxAttempts = 4

// RecordRequest stores a new consent request, marks each purpose it asks as
// requested and appends a "requested" event per purpose, in one transaction.
// A consent already given stays given until the candidate answers. Recording
// the same request again returns the stored one and changes nothing.
func (s *Store) RecordRequest(ctx context.Context, req consent.Request) (consent.Request, error) {
	if _, err := s.Candidate(ctx, req.CandidateID); err != nil {
		return consent.Request{}, err
	}
	for attempt := 1; ; attempt++ {
		if prev, ok, err := s.request(ctx, req.ID); err != nil {
			return consent.Request{}, err
		} else if ok {
			return prev, nil
		}
		current, err := s.consentsByPurpose(ctx, req.CandidateID)
		if err != nil {
			return consent.Request{}, err
		}
		items := []types.TransactWriteItem{{Put: &types.Put{
			TableName:           aws.String(s.table),
			Item:                marshal(newRequestItem(req)),
			ConditionExpression: aws.String("attribute_not_exists(pk)"),
		}}}
		for _, p := range req.Purposes {
			prev, had := current[p]
			if !had || prev.State != consent.Given {
				items = append(items, s.putConsent(consentItem{
					PK: candidatePK(req.CandidateID), SK: consentSK(p), Purpose: p, State: consent.Requested,
					NoticeVersion: req.NoticeVersion, RequestID: req.ID, UpdatedAt: req.CreatedAt,
				}, prev, had))
			}
			items = append(items, s.putEvent(newEvent(req, p, consent.EventRequested, req.CreatedAt, req.RequestedBy, consent.CollectedByWorkflow)))
		}
		_, err = s.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: items})
		if err == nil {
			return req, nil
		}
		if failed, _ := conditionFailed(err); !failed && !contended(err) {
			return consent.Request{}, unavailable("record request", err)
		}
		// Either a concurrent retry stored the request (the next read returns
		// it) or a consent changed under us (read again and retry).
		if attempt == maxAttempts {
			return consent.Request{}, &consent.ConflictError{Reason: "the candidate's consents kept changing; try again"}
		}
	}
}

func newRequestItem(r consent.Request) requestItem {
	return requestItem{
		PK: requestPK(r.ID), SK: requestSK, ID: r.ID, CandidateID: r.CandidateID, Purposes: r.Purposes,
		Status: consent.Pending, NoticeVersion: r.NoticeVersion, NoticeURL: r.NoticeURL, Retention: r.Retention,
		RequestedBy: r.RequestedBy, Controller: r.Controller, CreatedAt: r.CreatedAt.UTC(), ExpiresAt: r.ExpiresAt.UTC(),
	}
}

// newEvent is an event of a request's purpose, with what the candidate was
// told about it.
func newEvent(req consent.Request, p consent.Purpose, typ consent.EventType, at time.Time, actor, method string) consent.Event {
	info := mustInfo(p)
	return consent.Event{
		ID: consent.NewID(), CandidateID: req.CandidateID, RequestID: req.ID, Type: typ, Purpose: p, At: at.UTC(),
		LegalBasis: info.LegalBasis, NoticeVersion: req.NoticeVersion, CollectionMethod: method,
		PIICategories: info.PIICategories, RetentionDays: req.Retention[p], Actor: actor, Controller: req.Controller,
	}
}

func mustInfo(p consent.Purpose) consent.PurposeInfo {
	info, ok := p.Info()
	if !ok {
		panic("store: unknown purpose " + string(p))
	}
	return info
}

// putConsent writes a consent's new state, on condition that it is still the
// state that was read (or still absent).
func (s *Store) putConsent(next consentItem, prev consentItem, had bool) types.TransactWriteItem {
	next.ListPK, next.ListSK = consentListKeys(next)
	put := &types.Put{TableName: aws.String(s.table), Item: marshal(next)}
	if had {
		put.ConditionExpression = aws.String("#state = :state AND requestId = :rid AND updatedAt = :at")
		put.ExpressionAttributeNames = map[string]string{"#state": "state"}
		put.ExpressionAttributeValues = map[string]types.AttributeValue{
			":state": &types.AttributeValueMemberS{Value: string(prev.State)},
			":rid":   &types.AttributeValueMemberS{Value: prev.RequestID},
			":at":    timeValue(prev.UpdatedAt),
		}
	} else {
		put.ConditionExpression = aws.String("attribute_not_exists(pk)")
	}
	return types.TransactWriteItem{Put: put}
}

// putEvent appends an event; an event is never overwritten.
func (s *Store) putEvent(e consent.Event) types.TransactWriteItem {
	return types.TransactWriteItem{Put: &types.Put{
		TableName:           aws.String(s.table),
		Item:                marshal(eventItem{PK: candidatePK(e.CandidateID), SK: eventSK(e), Event: e}),
		ConditionExpression: aws.String("attribute_not_exists(pk)"),
	}}
}

func (s *Store) consentsByPurpose(ctx context.Context, candidateID string) (map[consent.Purpose]consentItem, error) {
	var items []consentItem
	if err := s.query(ctx, candidatePK(candidateID), "CONSENT#", &items); err != nil {
		return nil, err
	}
	m := make(map[consent.Purpose]consentItem, len(items))
	for _, it := range items {
		m[it.Purpose] = it
	}
	return m, nil
}

func (s *Store) request(ctx context.Context, id string) (consent.Request, bool, error) {
	var it requestItem
	ok, err := s.get(ctx, requestPK(id), requestSK, &it)
	if err != nil || !ok {
		return consent.Request{}, false, err
	}
	return it.request(), true, nil
}

// Request returns the consent request with the given ID.
func (s *Store) Request(ctx context.Context, id string) (consent.Request, error) {
	r, ok, err := s.request(ctx, id)
	if err != nil {
		return consent.Request{}, err
	}
	if !ok {
		return consent.Request{}, &consent.NotFoundError{What: "consent request", ID: id}
	}
	return r, nil
}

// AttachLink stores the hash of a new candidate link for a pending request,
// with the waiting workflow's task token. A link sent before (on a retry)
// stops working.
func (s *Store) AttachLink(ctx context.Context, requestID, linkHash, taskToken string) error {
	req, err := s.Request(ctx, requestID)
	if err != nil {
		return err
	}
	if req.Status != consent.Pending {
		return &consent.ConflictError{Reason: fmt.Sprintf("request %s is %s, not pending", requestID, req.Status)}
	}
	items := []types.TransactWriteItem{
		{Update: &types.Update{
			TableName:                aws.String(s.table),
			Key:                      key(requestPK(requestID), requestSK),
			UpdateExpression:         aws.String("SET linkHash = :hash, taskToken = :token"),
			ConditionExpression:      aws.String("#status = :pending"),
			ExpressionAttributeNames: map[string]string{"#status": "status"},
			ExpressionAttributeValues: map[string]types.AttributeValue{
				":hash":    &types.AttributeValueMemberS{Value: linkHash},
				":token":   &types.AttributeValueMemberS{Value: taskToken},
				":pending": &types.AttributeValueMemberS{Value: string(consent.Pending)},
			},
		}},
		{Put: &types.Put{
			TableName:           aws.String(s.table),
			Item:                marshal(linkItem{PK: linkPK(linkHash), SK: linkSK, RequestID: requestID, ExpiresAt: req.ExpiresAt}),
			ConditionExpression: aws.String("attribute_not_exists(pk)"),
		}},
	}
	if req.LinkHash != "" && req.LinkHash != linkHash {
		items = append(items, types.TransactWriteItem{Delete: &types.Delete{
			TableName: aws.String(s.table), Key: key(linkPK(req.LinkHash), linkSK),
		}})
	}
	_, err = s.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: items})
	if failed, _ := conditionFailed(err); failed {
		return &consent.ConflictError{Reason: fmt.Sprintf("request %s stopped being pending", requestID)}
	}
	if err != nil {
		return unavailable("attach link", err)
	}
	return nil
}

// RequestByLink finds the request a candidate link belongs to, with its
// candidate. An unknown link is a *consent.NotFoundError; one past its expiry
// or whose request lapsed is a *consent.LinkExpiredError. An answered request
// is returned as it is: the caller decides what to show.
func (s *Store) RequestByLink(ctx context.Context, linkHash string, now time.Time) (consent.Request, consent.Candidate, error) {
	var link linkItem
	ok, err := s.get(ctx, linkPK(linkHash), linkSK, &link)
	if err != nil {
		return consent.Request{}, consent.Candidate{}, err
	}
	if !ok {
		return consent.Request{}, consent.Candidate{}, &consent.NotFoundError{What: "link"}
	}
	req, err := s.Request(ctx, link.RequestID)
	if err != nil {
		return consent.Request{}, consent.Candidate{}, err
	}
	if req.Status == consent.Lapsed || (req.Status == consent.Pending && !now.Before(req.ExpiresAt)) {
		return consent.Request{}, consent.Candidate{}, &consent.LinkExpiredError{}
	}
	c, err := s.Candidate(ctx, req.CandidateID)
	if err != nil {
		return consent.Request{}, consent.Candidate{}, err
	}
	return req, c, nil
}

// Answer is a recorded answer to a request: the state each purpose took.
type Answer struct {
	RequestID  string            `json:"requestId"`
	ReceiptID  string            `json:"receiptId"`
	AnsweredAt time.Time         `json:"answeredAt"`
	Outcomes   []consent.Outcome `json:"outcomes"`
}

// RecordDecision records a candidate's answer: the request becomes answered,
// each consent takes its new state and an event per purpose is appended, all
// in one transaction that holds only while the request is pending and its
// link unexpired. A second answer is a *consent.ConflictError and changes
// nothing; an answer too late is a *consent.LinkExpiredError.
func (s *Store) RecordDecision(ctx context.Context, req consent.Request, decisions []consent.Decision, ev consent.Evidence, now time.Time) (Answer, error) {
	if err := req.Answer(decisions); err != nil {
		return Answer{}, err
	}
	for attempt := 1; ; attempt++ {
		current, err := s.consentsByPurpose(ctx, req.CandidateID)
		if err != nil {
			return Answer{}, err
		}
		ans := Answer{RequestID: req.ID, ReceiptID: consent.NewID(), AnsweredAt: now.UTC()}
		for _, d := range decisions {
			ans.Outcomes = append(ans.Outcomes, consent.Outcome{Purpose: d.Purpose, State: d.State(current[d.Purpose].State)})
		}
		items := []types.TransactWriteItem{{Update: &types.Update{
			TableName:                aws.String(s.table),
			Key:                      key(requestPK(req.ID), requestSK),
			UpdateExpression:         aws.String("SET #status = :answered, answeredAt = :now, receiptId = :receipt, outcomes = :outcomes REMOVE taskToken"),
			ConditionExpression:      aws.String("#status = :pending AND expiresAt > :now"),
			ExpressionAttributeNames: map[string]string{"#status": "status"},
			ExpressionAttributeValues: map[string]types.AttributeValue{
				":answered": &types.AttributeValueMemberS{Value: string(consent.Answered)},
				":pending":  &types.AttributeValueMemberS{Value: string(consent.Pending)},
				":now":      timeValue(ans.AnsweredAt),
				":receipt":  &types.AttributeValueMemberS{Value: ans.ReceiptID},
				":outcomes": marshal(struct{ O []consent.Outcome }{ans.Outcomes})["O"],
			},
		}}}
		changed := map[consent.Purpose]consent.Consent{}
		for _, o := range ans.Outcomes {
			next := consentItem{
				PK: candidatePK(req.CandidateID), SK: consentSK(o.Purpose), Purpose: o.Purpose, State: o.State,
				NoticeVersion: req.NoticeVersion, RequestID: req.ID, ReceiptID: ans.ReceiptID, UpdatedAt: ans.AnsweredAt,
			}
			if o.State == consent.Given {
				until := ans.AnsweredAt.AddDate(0, 0, req.Retention[o.Purpose])
				next.ExpiresAt = &until
			}
			prev, had := current[o.Purpose]
			items = append(items, s.putConsent(next, prev, had))
			e := newEvent(req, o.Purpose, consent.EventType(o.State), ans.AnsweredAt, consent.ActorCandidate, consent.CollectedByWebForm)
			e.Language, e.IPHash, e.UserAgent, e.ReceiptID = ev.Language, ev.IPHash, ev.UserAgent, ans.ReceiptID
			items = append(items, s.putEvent(e))
			changed[o.Purpose] = next.consent(req.CandidateID)
		}
		writes, _, err := s.recompute(ctx, req.CandidateID, ans.AnsweredAt, basisChange{consents: changed})
		if err != nil {
			return Answer{}, err
		}
		items = append(items, writes...)
		_, err = s.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: items})
		if err == nil {
			return ans, nil
		}
		failed, which := conditionFailed(err)
		if !failed && !contended(err) {
			return Answer{}, unavailable("record decision", err)
		}
		if failed && (slices.Contains(which, 0) || which == nil) {
			stored, err := s.Request(ctx, req.ID)
			if err != nil {
				return Answer{}, err
			}
			if stored.Status == consent.Answered {
				return Answer{}, &consent.ConflictError{Reason: "this consent request has already been answered"}
			}
			return Answer{}, &consent.LinkExpiredError{}
		}
		if attempt == maxAttempts {
			return Answer{}, &consent.ConflictError{Reason: "the candidate's consents kept changing; try again"}
		}
	}
}

// RecordedAnswer returns the answer recorded for a request.
func (s *Store) RecordedAnswer(ctx context.Context, requestID string) (Answer, error) {
	var it requestItem
	ok, err := s.get(ctx, requestPK(requestID), requestSK, &it)
	if err != nil {
		return Answer{}, err
	}
	if !ok {
		return Answer{}, &consent.NotFoundError{What: "consent request", ID: requestID}
	}
	if it.Status != consent.Answered || it.AnsweredAt == nil {
		return Answer{}, &consent.ConflictError{Reason: fmt.Sprintf("request %s is %s, not answered", requestID, it.Status)}
	}
	return Answer{RequestID: it.ID, ReceiptID: it.ReceiptID, AnsweredAt: *it.AnsweredAt, Outcomes: it.Outcomes}, nil
}

// ExpireRequest closes a request that got no answer, for a reason
// (consent.ReasonUnanswered, consent.ReasonFailed): the request and each
// consent it left requested become expired, with an "expired" event per such
// purpose. A request already answered or expired is left as it is. It
// returns the request's status afterwards and whether this call expired it.
func (s *Store) ExpireRequest(ctx context.Context, requestID, reason string, now time.Time) (status consent.RequestStatus, expired bool, err error) {
	for attempt := 1; ; attempt++ {
		req, err := s.Request(ctx, requestID)
		if err != nil {
			return "", false, err
		}
		if req.Status != consent.Pending {
			return req.Status, false, nil
		}
		current, err := s.consentsByPurpose(ctx, req.CandidateID)
		if err != nil {
			return "", false, err
		}
		at := now.UTC()
		items := []types.TransactWriteItem{{Update: &types.Update{
			TableName:                aws.String(s.table),
			Key:                      key(requestPK(req.ID), requestSK),
			UpdateExpression:         aws.String("SET #status = :expired, reason = :reason REMOVE taskToken"),
			ConditionExpression:      aws.String("#status = :pending"),
			ExpressionAttributeNames: map[string]string{"#status": "status"},
			ExpressionAttributeValues: map[string]types.AttributeValue{
				":expired": &types.AttributeValueMemberS{Value: string(consent.Lapsed)},
				":pending": &types.AttributeValueMemberS{Value: string(consent.Pending)},
				":reason":  &types.AttributeValueMemberS{Value: reason},
			},
		}}}
		changed := map[consent.Purpose]consent.Consent{}
		for _, p := range req.Purposes {
			prev, had := current[p]
			if !had || prev.State != consent.Requested || prev.RequestID != req.ID {
				continue
			}
			next := prev
			next.State, next.UpdatedAt = consent.Expired, at
			items = append(items, s.putConsent(next, prev, true))
			e := newEvent(req, p, consent.EventExpired, at, consent.ActorWorkflow, consent.CollectedByWorkflow)
			e.Reason = reason
			items = append(items, s.putEvent(e))
			changed[p] = next.consent(req.CandidateID)
		}
		writes, _, err := s.recompute(ctx, req.CandidateID, at, basisChange{consents: changed})
		if err != nil {
			return "", false, err
		}
		items = append(items, writes...)
		_, err = s.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: items})
		if err == nil {
			return consent.Lapsed, true, nil
		}
		if failed, _ := conditionFailed(err); !failed && !contended(err) {
			return "", false, unavailable("expire request", err)
		}
		if attempt == maxAttempts {
			return "", false, &consent.ConflictError{Reason: "the request kept changing; try again"}
		}
	}
}
