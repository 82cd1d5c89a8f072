package dynamodb

import "encoding/json"

// itemInput is the request of PutItem, GetItem, UpdateItem and DeleteItem,
// and of each action of a transaction.
type itemInput struct {
	TableName                           string
	Key                                 Item
	Item                                Item
	ConditionExpression                 *string
	UpdateExpression                    *string
	ProjectionExpression                *string
	ExpressionAttributeNames            map[string]string
	ExpressionAttributeValues           map[string]*Value
	ReturnValues                        string
	ReturnValuesOnConditionCheckFailure string
	ConsistentRead                      bool
	ReturnConsumedCapacity              string
	ReturnItemCollectionMetrics         string

	// DynamoDB's legacy parameters, which the local DynamoDB refuses.
	Expected            json.RawMessage
	AttributeUpdates    json.RawMessage
	AttributesToGet     json.RawMessage
	ConditionalOperator string
}

// writeOp is one prepared write or condition check: validated, parsed,
// ready to run under the server's lock.
type writeOp struct {
	kind       string // Put, Update, Delete, ConditionCheck
	t          *table
	key        Item
	item       Item
	actions    []updateAction
	cond       condition
	returns    string
	returnsOld bool // ReturnValuesOnConditionCheckFailure ALL_OLD
}

func checkLegacy(in *itemInput) error {
	switch {
	case in.Expected != nil:
		return validationf("The local DynamoDB does not support the legacy parameter Expected; use ConditionExpression")
	case in.AttributeUpdates != nil:
		return validationf("The local DynamoDB does not support the legacy parameter AttributeUpdates; use UpdateExpression")
	case in.AttributesToGet != nil:
		return validationf("The local DynamoDB does not support the legacy parameter AttributesToGet; use ProjectionExpression")
	}
	return nil
}

// prepare validates a write request and parses its expressions. The
// caller holds the server's lock (read or write).
func (s *Server) prepare(kind string, in *itemInput) (*writeOp, error) {
	if err := checkLegacy(in); err != nil {
		return nil, err
	}
	op := &writeOp{kind: kind, returns: in.ReturnValues}
	switch in.ReturnValues {
	case "", "NONE":
		op.returns = "NONE"
	case "ALL_OLD":
		if kind == "ConditionCheck" {
			return nil, validationf("ReturnValues is not supported for ConditionCheck")
		}
	case "ALL_NEW", "UPDATED_OLD", "UPDATED_NEW":
		if kind != "Update" {
			return nil, validationf("ReturnValues can only be ALL_OLD or NONE")
		}
	default:
		return nil, validationf("1 validation error detected: Value '%s' at 'returnValues' failed to satisfy constraint: Member must satisfy enum value set: [ALL_NEW, UPDATED_OLD, ALL_OLD, NONE, UPDATED_NEW]", in.ReturnValues)
	}
	switch in.ReturnValuesOnConditionCheckFailure {
	case "", "NONE":
	case "ALL_OLD":
		op.returnsOld = true
	default:
		return nil, validationf("1 validation error detected: Value '%s' at 'returnValuesOnConditionCheckFailure' failed to satisfy constraint: Member must satisfy enum value set: [ALL_OLD, NONE]", in.ReturnValuesOnConditionCheckFailure)
	}
	if kind == "Update" && in.UpdateExpression == nil {
		return nil, validationf("1 validation error detected: Value null at 'updateExpression' failed to satisfy constraint: Member must not be null")
	}
	if kind == "ConditionCheck" && in.ConditionExpression == nil {
		return nil, validationf("1 validation error detected: Value null at 'conditionExpression' failed to satisfy constraint: Member must not be null")
	}
	x := newExprContext(in.ExpressionAttributeNames, in.ExpressionAttributeValues)
	valueExprs := []string{"ConditionExpression"}
	if kind == "Update" {
		valueExprs = []string{"UpdateExpression", "ConditionExpression"}
	}
	if err := x.checkParams(in.ConditionExpression != nil || in.UpdateExpression != nil, valueExprs, in.ConditionExpression != nil || in.UpdateExpression != nil); err != nil {
		return nil, err
	}
	var err error
	if in.UpdateExpression != nil {
		if op.actions, err = parseUpdate(*in.UpdateExpression, x); err != nil {
			return nil, err
		}
	}
	if in.ConditionExpression != nil {
		if op.cond, err = parseCondition("ConditionExpression", *in.ConditionExpression, x); err != nil {
			return nil, err
		}
	}
	if err := x.checkUnused(); err != nil {
		return nil, err
	}
	if op.t, err = s.table(in.TableName); err != nil {
		return nil, err
	}
	if kind == "Put" {
		if in.Item == nil {
			return nil, validationf("1 validation error detected: Value null at 'item' failed to satisfy constraint: Member must not be null")
		}
		if err := op.t.checkItem(in.Item); err != nil {
			return nil, err
		}
		op.item = in.Item
		op.key = op.t.keyOf(in.Item)
		return op, nil
	}
	if err := op.t.checkKey(in.Key); err != nil {
		return nil, err
	}
	op.key = in.Key
	for _, a := range op.actions {
		name := a.path[0].name
		if name == op.t.key.hash.name || name == op.t.key.sort.name {
			return nil, validationf("One or more parameter values were invalid: Cannot update attribute %s. This attribute is part of the key", name)
		}
	}
	return op, nil
}

// outcome is what running a writeOp produced.
type outcome struct {
	old, new Item
	failed   bool // the condition did not hold
	err      error
}

// run evaluates the op against the stored item without changing anything.
func (op *writeOp) run() outcome {
	old := op.t.get(op.key)
	if op.cond != nil && !eval(op.cond, old) {
		return outcome{old: old, failed: true}
	}
	switch op.kind {
	case "Put":
		return outcome{old: old, new: op.item}
	case "Update":
		item, err := applyUpdate(old, op.key, op.actions)
		if err != nil {
			return outcome{old: old, err: err}
		}
		if err := op.t.checkItem(item); err != nil {
			return outcome{old: old, err: err}
		}
		return outcome{old: old, new: item}
	case "Delete":
		return outcome{old: old}
	}
	return outcome{old: old}
}

// commit stores what run produced.
func (op *writeOp) commit(o outcome) {
	switch op.kind {
	case "Put", "Update":
		op.t.put(o.new)
	case "Delete":
		if o.old != nil {
			op.t.remove(op.key)
		}
	}
}

func conditionFailed(op *writeOp, old Item) *apiError {
	e := &apiError{typ: typeConditional, message: "The conditional request failed"}
	if op.returnsOld && old != nil {
		e.fields = map[string]any{"Item": old}
	}
	return e
}

// returned is the Attributes of a write's answer.
func (op *writeOp) returned(o outcome) Item {
	switch op.returns {
	case "ALL_OLD":
		return o.old
	case "ALL_NEW":
		return o.new
	case "UPDATED_OLD", "UPDATED_NEW":
		src := o.old
		if op.returns == "UPDATED_NEW" {
			src = o.new
		}
		var paths []docPath
		for _, a := range op.actions {
			paths = append(paths, a.path)
		}
		return project(src, paths)
	}
	return nil
}

func (s *Server) writeItem(kind string, body []byte) (any, error) {
	var in itemInput
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	op, err := s.prepare(kind, &in)
	if err != nil {
		return nil, err
	}
	o := op.run()
	if o.err != nil {
		return nil, o.err
	}
	if o.failed {
		return nil, conditionFailed(op, o.old)
	}
	op.commit(o)
	out := map[string]any{}
	if attrs := op.returned(o); len(attrs) > 0 {
		out["Attributes"] = attrs
	}
	return out, nil
}

func (s *Server) putItem(body []byte) (any, error)    { return s.writeItem("Put", body) }
func (s *Server) updateItem(body []byte) (any, error) { return s.writeItem("Update", body) }
func (s *Server) deleteItem(body []byte) (any, error) { return s.writeItem("Delete", body) }

// readOp is a prepared GetItem (also of BatchGetItem and TransactGetItems).
type readOp struct {
	t     *table
	key   Item
	paths []docPath
}

func (s *Server) prepareRead(in *itemInput) (*readOp, error) {
	if err := checkLegacy(in); err != nil {
		return nil, err
	}
	x := newExprContext(in.ExpressionAttributeNames, in.ExpressionAttributeValues)
	if in.ExpressionAttributeValues != nil {
		return nil, validationf("ExpressionAttributeValues can only be specified when using expressions: ProjectionExpression")
	}
	if err := x.checkParams(in.ProjectionExpression != nil, nil, false); err != nil {
		return nil, err
	}
	op := &readOp{}
	var err error
	if in.ProjectionExpression != nil {
		if op.paths, err = parseProjection(*in.ProjectionExpression, x); err != nil {
			return nil, err
		}
	}
	if err := x.checkUnused(); err != nil {
		return nil, err
	}
	if op.t, err = s.table(in.TableName); err != nil {
		return nil, err
	}
	if err := op.t.checkKey(in.Key); err != nil {
		return nil, err
	}
	op.key = in.Key
	return op, nil
}

func (op *readOp) run() Item { return project(op.t.get(op.key), op.paths) }

func (s *Server) getItem(body []byte) (any, error) {
	var in itemInput
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	op, err := s.prepareRead(&in)
	if err != nil {
		return nil, err
	}
	out := map[string]any{}
	if item := op.run(); item != nil {
		out["Item"] = item
	}
	return out, nil
}

// sameKey reports whether two keys of one table name the same item.
func sameKey(t *table, a, b Item) bool {
	if !equal(a[t.key.hash.name], b[t.key.hash.name]) {
		return false
	}
	return t.key.sort.name == "" || equal(a[t.key.sort.name], b[t.key.sort.name])
}
