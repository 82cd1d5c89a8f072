package store

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/consentflow/consentflow/shared/consent"
)

// RecordRequest stores a new consent request, marks each purpose it asks as
// requested and appends a "requested" event per purpose, in one transaction.
// A consent already given stays given until the candidate answers. Recording
// the same request again returns the stored one and changes nothing.
func (s *Store) RecordRequest(ctx context.Context, req consent.Request) (consent.Request, error) {
	stored := req
	err := s.change(ctx, req.CandidateID, func(ctx context.Context, tx *Tx) error {
		if prev, ok, err := s.request(ctx, req.ID); err != nil {
			return err
		} else if ok {
			stored = prev
			return nil
		}
		stored = req
		current, err := s.consentsByPurpose(ctx, req.CandidateID)
		if err != nil {
			return err
		}
		tx.Add(types.TransactWriteItem{Put: &types.Put{
			TableName:           aws.String(s.table),
			Item:                marshal(newRequestItem(req)),
			ConditionExpression: aws.String("attribute_not_exists(pk)"),
		}})
		for _, p := range req.Purposes {
			prev, had := current[p]
			if !had || prev.State != consent.Given {
				tx.Add(s.putConsent(consentItem{
					PK: candidatePK(req.CandidateID), SK: consentSK(p), Purpose: p, State: consent.Requested,
					NoticeVersion: req.NoticeVersion, RequestID: req.ID, UpdatedAt: req.CreatedAt,
				}, prev, had))
			}
			tx.Event(newEvent(req, p, consent.EventRequested, req.CreatedAt, req.RequestedBy, consent.CollectedByWorkflow))
		}
		return nil
	})
	if err != nil {
		return consent.Request{}, err
	}
	return stored, nil
}

func utc(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

func newRequestItem(r consent.Request) requestItem {
	return requestItem{
		PK: requestPK(r.ID), SK: requestSK, ID: r.ID, CandidateID: r.CandidateID, Purposes: r.Purposes,
		Status: consent.Pending, NoticeVersion: r.NoticeVersion, NoticeURL: r.NoticeURL, Retention: r.Retention,
		RequestedBy: r.RequestedBy, Controller: r.Controller, CreatedAt: r.CreatedAt.UTC(), ExpiresAt: r.ExpiresAt.UTC(),
		RenewsUntil: utc(r.RenewsUntil),
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
	next.RenewShard, next.RenewAt = renewalKeys(next)
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

func (s *Store) consentsByPurpose(ctx context.Context, candidateID string) (map[consent.Purpose]consentItem, error) {
	items, err := s.consentItems(ctx, candidateID)
	if err != nil {
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
	return s.change(ctx, req.CandidateID, func(ctx context.Context, tx *Tx) error {
		req, err := s.Request(ctx, requestID)
		if err != nil {
			return err
		}
		if req.Status != consent.Pending {
			return &consent.ConflictError{Reason: fmt.Sprintf("request %s is %s, not pending", requestID, req.Status)}
		}
		tx.Add(
			types.TransactWriteItem{Update: &types.Update{
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
			types.TransactWriteItem{Put: &types.Put{
				TableName:           aws.String(s.table),
				Item:                marshal(linkItem{PK: linkPK(linkHash), SK: linkSK, RequestID: requestID, ExpiresAt: req.ExpiresAt}),
				ConditionExpression: aws.String("attribute_not_exists(pk)"),
			}},
		)
		if req.LinkHash != "" && req.LinkHash != linkHash {
			tx.Add(types.TransactWriteItem{Delete: &types.Delete{
				TableName: aws.String(s.table), Key: key(linkPK(req.LinkHash), linkSK),
			}})
		}
		return nil
	})
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
	// Due are the artifacts the answer left without a basis (a withdrawal):
	// due at once, for the caller to erase (not part of the answer
	// handed to the workflow).
	Due []DueArtifact `json:"-"`
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
	var ans Answer
	err := s.change(ctx, req.CandidateID, func(ctx context.Context, tx *Tx) error {
		stored, err := s.Request(ctx, req.ID)
		if err != nil {
			return err
		}
		switch {
		case stored.Status == consent.Answered:
			return &consent.ConflictError{Reason: "this consent request has already been answered"}
		case !stored.Open(now):
			return &consent.LinkExpiredError{}
		}
		current, err := s.consentsByPurpose(ctx, req.CandidateID)
		if err != nil {
			return err
		}
		ans = Answer{RequestID: req.ID, ReceiptID: consent.NewID(), AnsweredAt: now.UTC()}
		for _, d := range decisions {
			ans.Outcomes = append(ans.Outcomes, consent.Outcome{Purpose: d.Purpose, State: d.State(current[d.Purpose].State)})
		}
		tx.Add(types.TransactWriteItem{Update: &types.Update{
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
				":outcomes": marshal(struct {
					O []consent.Outcome `dynamodbav:"o"`
				}{ans.Outcomes})["o"],
			},
		}})
		// The receipt is owed from this moment: durable, so that a sweep
		// can redrive what the workflow could not deliver.
		tx.Add(types.TransactWriteItem{Put: &types.Put{
			TableName: aws.String(s.table),
			Item: marshal(owedItem{
				PK: owedPK, SK: owedSK(ans.AnsweredAt, req.ID), RequestID: req.ID, CandidateID: req.CandidateID,
				AnsweredAt: ans.AnsweredAt, TaskToken: stored.TaskToken,
			}),
		}})
		changed := map[consent.Purpose]consent.Consent{}
		for _, o := range ans.Outcomes {
			next := consentItem{
				PK: candidatePK(req.CandidateID), SK: consentSK(o.Purpose), Purpose: o.Purpose, State: o.State,
				NoticeVersion: stored.NoticeVersion, RequestID: req.ID, ReceiptID: ans.ReceiptID, UpdatedAt: ans.AnsweredAt,
			}
			if o.State == consent.Given {
				until := ans.AnsweredAt.AddDate(0, 0, stored.Retention[o.Purpose])
				next.ExpiresAt = &until
			}
			prev, had := current[o.Purpose]
			tx.Add(s.putConsent(next, prev, had))
			e := newEvent(stored, o.Purpose, consent.EventType(o.State), ans.AnsweredAt, consent.ActorCandidate, consent.CollectedByWebForm)
			e.Language, e.IPHash, e.UserAgent, e.ReceiptID = ev.Language, ev.IPHash, ev.UserAgent, ans.ReceiptID
			tx.Event(e)
			changed[o.Purpose] = next.consent(req.CandidateID)
		}
		// Deadlines of the candidate's artifacts follow the new consents,
		// in the same transaction.
		writes, arts, err := s.recompute(ctx, tx, req.CandidateID, ans.AnsweredAt, basisChange{consents: changed})
		if err != nil {
			return err
		}
		tx.Add(writes...)
		ans.Due = dueNow(arts, ans.AnsweredAt)
		return nil
	})
	if err != nil {
		return Answer{}, err
	}
	return ans, nil
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
// (consent.ReasonUnanswered, consent.ReasonFailed, with the failed step's
// error name in failure): the request and each
// consent it left requested become expired, with an "expired" event per such
// purpose. A request already answered or expired is left as it is. It
// returns the request's status afterwards and whether this call expired it.
func (s *Store) ExpireRequest(ctx context.Context, requestID, reason, failure string, now time.Time) (status consent.RequestStatus, expired bool, err error) {
	req, err := s.Request(ctx, requestID)
	if err != nil {
		return "", false, err
	}
	err = s.change(ctx, req.CandidateID, func(ctx context.Context, tx *Tx) error {
		req, err := s.Request(ctx, requestID)
		if err != nil {
			return err
		}
		status, expired = req.Status, false
		if req.Status != consent.Pending {
			return nil
		}
		current, err := s.consentsByPurpose(ctx, req.CandidateID)
		if err != nil {
			return err
		}
		at := now.UTC()
		tx.Add(types.TransactWriteItem{Update: &types.Update{
			TableName:                aws.String(s.table),
			Key:                      key(requestPK(req.ID), requestSK),
			UpdateExpression:         aws.String("SET #status = :expired, reason = :reason, failure = :failure REMOVE taskToken"),
			ConditionExpression:      aws.String("#status = :pending"),
			ExpressionAttributeNames: map[string]string{"#status": "status"},
			ExpressionAttributeValues: map[string]types.AttributeValue{
				":expired": &types.AttributeValueMemberS{Value: string(consent.Lapsed)},
				":pending": &types.AttributeValueMemberS{Value: string(consent.Pending)},
				":reason":  &types.AttributeValueMemberS{Value: reason},
				":failure": &types.AttributeValueMemberS{Value: failure},
			},
		}})
		changed := map[consent.Purpose]consent.Consent{}
		for _, p := range req.Purposes {
			e := newEvent(req, p, consent.EventExpired, at, consent.ActorWorkflow, consent.CollectedByWorkflow)
			e.Reason = reason
			prev, had := current[p]
			if had && prev.State == consent.Requested && prev.RequestID == req.ID {
				next := prev
				next.State, next.UpdatedAt = consent.Expired, at
				tx.Add(s.putConsent(next, prev, true))
				changed[p] = next.consent(req.CandidateID)
			} else {
				// The consent moved on before this request closed (a later
				// request asked again, or it was given before and stays
				// so): the request still closes for this purpose, and the
				// event says the consent is not affected.
				e.ConsentUnchanged, e.ConsentState, e.ConsentRequestID = true, prev.State, prev.RequestID
			}
			tx.Event(e)
		}
		// Deadlines of the candidate's artifacts follow the expired
		// consents, in the same transaction.
		writes, _, err := s.recompute(ctx, tx, req.CandidateID, at, basisChange{consents: changed})
		if err != nil {
			return err
		}
		tx.Add(writes...)
		status, expired = consent.Lapsed, true
		return nil
	})
	if err != nil {
		return "", false, err
	}
	return status, expired, nil
}

// ReceiptSent records that a request's receipt went out: the request keeps
// when and which email, and the receipt is no longer owed. Recording it
// again changes nothing.
func (s *Store) ReceiptSent(ctx context.Context, requestID, messageID string, at time.Time) error {
	req, err := s.Request(ctx, requestID)
	if err != nil {
		return err
	}
	return s.change(ctx, req.CandidateID, func(ctx context.Context, tx *Tx) error {
		var it requestItem
		ok, err := s.get(ctx, requestPK(requestID), requestSK, &it)
		if err != nil {
			return err
		}
		if !ok {
			return &consent.NotFoundError{What: "consent request", ID: requestID}
		}
		if it.Status != consent.Answered || it.AnsweredAt == nil {
			return &consent.ConflictError{Reason: fmt.Sprintf("request %s is %s, not answered", requestID, it.Status)}
		}
		if it.ReceiptSentAt != nil {
			return nil
		}
		tx.Add(
			types.TransactWriteItem{Update: &types.Update{
				TableName:                aws.String(s.table),
				Key:                      key(requestPK(requestID), requestSK),
				UpdateExpression:         aws.String("SET receiptSentAt = :at, receiptMessageId = :id"),
				ConditionExpression:      aws.String("#status = :answered AND attribute_not_exists(receiptSentAt)"),
				ExpressionAttributeNames: map[string]string{"#status": "status"},
				ExpressionAttributeValues: map[string]types.AttributeValue{
					":at":       timeValue(at),
					":id":       &types.AttributeValueMemberS{Value: messageID},
					":answered": &types.AttributeValueMemberS{Value: string(consent.Answered)},
				},
			}},
			types.TransactWriteItem{Delete: &types.Delete{
				TableName: aws.String(s.table), Key: key(owedPK, owedSK(*it.AnsweredAt, requestID)),
			}},
		)
		return nil
	})
}

// OwedReceipt is a receipt not yet sent for an answered request.
type OwedReceipt struct {
	RequestID   string    `json:"requestId"`
	CandidateID string    `json:"candidateId"`
	AnsweredAt  time.Time `json:"answeredAt"`
	TaskToken   string    `json:"-"`
	// NotWaitingSince is when a sweep first found no workflow waiting for
	// the answer (its scheduled time), nil until then.
	NotWaitingSince *time.Time `json:"notWaitingSince,omitempty"`
}

// NoWorkflowWaits records the scheduled time of the first sweep that found
// no workflow waiting for an owed receipt's answer; a later call keeps the
// first time. A receipt no longer owed is left alone.
func (s *Store) NoWorkflowWaits(ctx context.Context, o OwedReceipt, at time.Time) error {
	_, err := s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 aws.String(s.table),
		Key:                       key(owedPK, owedSK(o.AnsweredAt, o.RequestID)),
		UpdateExpression:          aws.String("SET notWaitingSince = :at"),
		ConditionExpression:       aws.String("attribute_exists(pk) AND attribute_not_exists(notWaitingSince)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":at": timeValue(at)},
	})
	if failed, _ := conditionFailed(err); failed {
		return nil
	}
	if err != nil {
		return unavailable("mark owed receipt", err)
	}
	return nil
}

// ReceiptsOwed lists receipts still owed for answers recorded before
// before, oldest first, at most limit. It reads only owed receipts, never
// the table.
func (s *Store) ReceiptsOwed(ctx context.Context, before time.Time, limit int32) ([]OwedReceipt, error) {
	return s.ReceiptsOwedAfter(ctx, nil, before, limit)
}

// ReceiptsOwedAfter is ReceiptsOwed from the receipt after one listed
// before (nil: from the oldest), to page through what is owed.
func (s *Store) ReceiptsOwedAfter(ctx context.Context, after *OwedReceipt, before time.Time, limit int32) ([]OwedReceipt, error) {
	in := &dynamodb.QueryInput{
		TableName:              aws.String(s.table),
		KeyConditionExpression: aws.String("pk = :pk AND sk < :before"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":pk":     &types.AttributeValueMemberS{Value: owedPK},
			":before": &types.AttributeValueMemberS{Value: before.UTC().Format(timeFormat)},
		},
		ConsistentRead: aws.Bool(true),
		Limit:          aws.Int32(limit),
	}
	if after != nil {
		in.ExclusiveStartKey = key(owedPK, owedSK(after.AnsweredAt, after.RequestID))
	}
	res, err := s.db.Query(ctx, in)
	if err != nil {
		return nil, unavailable("query owed receipts", err)
	}
	out := make([]OwedReceipt, 0, len(res.Items))
	for _, m := range res.Items {
		var it owedItem
		if err := unmarshal(m, &it); err != nil {
			return nil, err
		}
		out = append(out, OwedReceipt{RequestID: it.RequestID, CandidateID: it.CandidateID, AnsweredAt: it.AnsweredAt, TaskToken: it.TaskToken,
			NotWaitingSince: it.NotWaitingSince})
	}
	return out, nil
}
