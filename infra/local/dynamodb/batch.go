package dynamodb

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strings"
	"time"
)

func (s *Server) batchGetItem(body []byte) (any, error) {
	var in struct {
		RequestItems map[string]struct {
			Keys                     []Item
			ProjectionExpression     *string
			ExpressionAttributeNames map[string]string
			ConsistentRead           bool
			AttributesToGet          []string
		}
		ReturnConsumedCapacity string
	}
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	if len(in.RequestItems) == 0 {
		return nil, validationf("1 validation error detected: Value null at 'requestItems' failed to satisfy constraint: Member must have length greater than or equal to 1")
	}
	total := 0
	for _, r := range in.RequestItems {
		total += len(r.Keys)
	}
	if total > 100 {
		return nil, validationf("Too many items requested for the BatchGetItem call")
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	responses := map[string][]Item{}
	for name, r := range in.RequestItems {
		if len(r.Keys) == 0 {
			return nil, validationf("1 validation error detected: Value '[]' at 'requestItems.%s.member.keys' failed to satisfy constraint: Member must have length greater than or equal to 1", name)
		}
		var ops []*readOp
		for _, key := range r.Keys {
			op, err := s.prepareRead(&itemInput{TableName: name, Key: key, ProjectionExpression: r.ProjectionExpression, ExpressionAttributeNames: r.ExpressionAttributeNames})
			if err != nil {
				return nil, err
			}
			for _, o := range ops {
				if sameKey(op.t, o.key, op.key) {
					return nil, validationf("Provided list of item keys contains duplicates")
				}
			}
			ops = append(ops, op)
		}
		items := []Item{}
		for _, op := range ops {
			if item := op.run(); item != nil {
				items = append(items, item)
			}
		}
		responses[name] = items
	}
	return map[string]any{"Responses": responses, "UnprocessedKeys": map[string]any{}}, nil
}

func (s *Server) batchWriteItem(body []byte) (any, error) {
	var in struct {
		RequestItems map[string][]struct {
			PutRequest    *struct{ Item Item }
			DeleteRequest *struct{ Key Item }
		}
		ReturnConsumedCapacity      string
		ReturnItemCollectionMetrics string
	}
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	if len(in.RequestItems) == 0 {
		return nil, validationf("1 validation error detected: Value null at 'requestItems' failed to satisfy constraint: Member must have length greater than or equal to 1")
	}
	total := 0
	for _, rs := range in.RequestItems {
		total += len(rs)
	}
	if total > 25 {
		return nil, validationf("1 validation error detected: Value at 'requestItems' failed to satisfy constraint: Map value must satisfy constraint: [Member must have length less than or equal to 25, Member must have length greater than or equal to 1]")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var ops []*writeOp
	for name, rs := range in.RequestItems {
		var mine []*writeOp
		for _, r := range rs {
			var op *writeOp
			var err error
			switch {
			case r.PutRequest != nil && r.DeleteRequest == nil:
				op, err = s.prepare("Put", &itemInput{TableName: name, Item: r.PutRequest.Item})
			case r.DeleteRequest != nil && r.PutRequest == nil:
				op, err = s.prepare("Delete", &itemInput{TableName: name, Key: r.DeleteRequest.Key})
			default:
				err = validationf("Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes")
			}
			if err != nil {
				return nil, err
			}
			for _, o := range mine {
				if sameKey(op.t, o.key, op.key) {
					return nil, validationf("Provided list of item keys contains duplicates")
				}
			}
			mine = append(mine, op)
		}
		ops = append(ops, mine...)
	}
	for _, op := range ops {
		op.commit(op.run())
	}
	return map[string]any{"UnprocessedItems": map[string]any{}}, nil
}

type transactWriteItem struct {
	ConditionCheck *itemInput
	Put            *itemInput
	Update         *itemInput
	Delete         *itemInput
}

// cancellationReason is one entry of TransactionCanceledException's
// CancellationReasons, in the order of the request's items.
type cancellationReason struct {
	Code    string
	Message string `json:",omitempty"`
	Item    Item   `json:",omitempty"`
}

func (s *Server) transactWriteItems(body []byte) (any, error) {
	var in struct {
		TransactItems               []transactWriteItem
		ClientRequestToken          *string
		ReturnConsumedCapacity      string
		ReturnItemCollectionMetrics string
	}
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	if len(in.TransactItems) == 0 || len(in.TransactItems) > 100 {
		return nil, validationf("1 validation error detected: Value '%d' at 'transactItems' failed to satisfy constraint: Member must have length less than or equal to 100, Member must have length greater than or equal to 1", len(in.TransactItems))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var digest string
	if in.ClientRequestToken != nil {
		digest = requestDigest(in.TransactItems)
		if e, ok := s.tokens[*in.ClientRequestToken]; ok && s.now().Sub(e.at) < 10*time.Minute {
			if e.digest != digest {
				return nil, &apiError{typ: typeIdempotent, message: "Request with same ClientRequestToken has different parameters"}
			}
			return map[string]any{}, nil
		}
	}
	ops, err := s.prepareTransaction(in.TransactItems)
	if err != nil {
		return nil, err
	}
	if err := runTransaction(ops); err != nil {
		return nil, err
	}
	if in.ClientRequestToken != nil {
		// Only an applied transaction is remembered: a retry of a cancelled
		// one runs again.
		s.tokens[*in.ClientRequestToken] = tokenEntry{digest: digest, at: s.now()}
	}
	return map[string]any{}, nil
}

func requestDigest(items []transactWriteItem) string {
	h := sha256.New()
	for _, it := range items {
		b, _ := json.Marshal(it)
		h.Write(b)
	}
	return hex.EncodeToString(h.Sum(nil))
}

func (s *Server) prepareTransaction(items []transactWriteItem) ([]*writeOp, error) {
	var ops []*writeOp
	for _, it := range items {
		var kind string
		var in *itemInput
		n := 0
		for k, v := range map[string]*itemInput{"ConditionCheck": it.ConditionCheck, "Put": it.Put, "Update": it.Update, "Delete": it.Delete} {
			if v != nil {
				kind, in = k, v
				n++
			}
		}
		if n != 1 {
			return nil, validationf("TransactItems can only contain one of Check, Put, Update or Delete")
		}
		if in.ReturnValues != "" && in.ReturnValues != "NONE" {
			return nil, validationf("1 validation error detected: ReturnValues is not supported in TransactWriteItems; use ReturnValuesOnConditionCheckFailure")
		}
		op, err := s.prepare(kind, in)
		if err != nil {
			return nil, err
		}
		for _, o := range ops {
			if o.t == op.t && sameKey(op.t, o.key, op.key) {
				return nil, validationf("Transaction request cannot include multiple operations on one item")
			}
		}
		ops = append(ops, op)
	}
	return ops, nil
}

// runTransaction checks every item's condition and computes every write,
// then applies all of them or none.
func runTransaction(ops []*writeOp) error {
	outcomes := make([]outcome, len(ops))
	reasons := make([]cancellationReason, len(ops))
	cancelled := false
	for i, op := range ops {
		o := op.run()
		outcomes[i] = o
		switch {
		case o.failed:
			cancelled = true
			reasons[i] = cancellationReason{Code: "ConditionalCheckFailed", Message: "The conditional request failed"}
			if op.returnsOld && o.old != nil {
				reasons[i].Item = o.old
			}
		case o.err != nil:
			cancelled = true
			msg := o.err.Error()
			if ae, ok := o.err.(*apiError); ok {
				msg = ae.message
			}
			reasons[i] = cancellationReason{Code: "ValidationError", Message: msg}
		default:
			reasons[i] = cancellationReason{Code: "None"}
		}
	}
	if cancelled {
		codes := make([]string, len(reasons))
		for i, r := range reasons {
			codes[i] = r.Code
		}
		return &apiError{
			typ:     typeCancelled,
			message: "Transaction cancelled, please refer cancellation reasons for specific reasons [" + strings.Join(codes, ", ") + "]",
			fields:  map[string]any{"CancellationReasons": reasons},
		}
	}
	for i, op := range ops {
		op.commit(outcomes[i])
	}
	return nil
}

func (s *Server) transactGetItems(body []byte) (any, error) {
	var in struct {
		TransactItems []struct{ Get *itemInput }
	}
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	if len(in.TransactItems) == 0 || len(in.TransactItems) > 100 {
		return nil, validationf("1 validation error detected: Value '%d' at 'transactItems' failed to satisfy constraint: Member must have length less than or equal to 100, Member must have length greater than or equal to 1", len(in.TransactItems))
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	var ops []*readOp
	for _, it := range in.TransactItems {
		if it.Get == nil {
			return nil, validationf("1 validation error detected: Value null at 'transactItems.member.get' failed to satisfy constraint: Member must not be null")
		}
		op, err := s.prepareRead(it.Get)
		if err != nil {
			return nil, err
		}
		ops = append(ops, op)
	}
	responses := make([]map[string]any, len(ops))
	for i, op := range ops {
		responses[i] = map[string]any{}
		if item := op.run(); item != nil {
			responses[i]["Item"] = item
		}
	}
	return map[string]any{"Responses": responses}, nil
}
