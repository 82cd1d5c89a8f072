package dynamodb

import (
	"encoding/json"
	"slices"
)

type queryInput struct {
	TableName                 string
	IndexName                 string
	KeyConditionExpression    *string
	FilterExpression          *string
	ProjectionExpression      *string
	ExpressionAttributeNames  map[string]string
	ExpressionAttributeValues map[string]*Value
	Select                    string
	Limit                     *int
	ExclusiveStartKey         Item
	ScanIndexForward          *bool
	ConsistentRead            bool
	ReturnConsumedCapacity    string
	Segment, TotalSegments    *int

	KeyConditions   json.RawMessage
	QueryFilter     json.RawMessage
	ScanFilter      json.RawMessage
	AttributesToGet json.RawMessage
}

// maxPage is DynamoDB's limit on the data one Query or Scan page reads.
const maxPage = 1 << 20

// row is one candidate of a Query or Scan: the item, and the key that
// LastEvaluatedKey would name.
type row struct {
	item Item
	key  Item
}

// querySource is the table or index a Query or Scan reads.
type querySource struct {
	t     *table
	ix    *index
	key   keySchema
	attrs []string // the attributes of LastEvaluatedKey
}

func (s *Server) source(in *queryInput) (*querySource, error) {
	t, err := s.table(in.TableName)
	if err != nil {
		return nil, err
	}
	src := &querySource{t: t, key: t.key}
	if in.IndexName == "" {
		src.attrs = []string{t.key.hash.name}
		if t.key.sort.name != "" {
			src.attrs = append(src.attrs, t.key.sort.name)
		}
		return src, nil
	}
	for _, ix := range t.indexes {
		if ix.name == in.IndexName {
			src.ix, src.key, src.attrs = ix, ix.key, ix.keyAttrs(t)
		}
	}
	if src.ix == nil {
		return nil, validationf("The table does not have the specified index: %s", in.IndexName)
	}
	if in.ConsistentRead && !src.ix.local {
		return nil, validationf("Consistent reads are not supported on global secondary indexes")
	}
	return src, nil
}

func (src *querySource) keyOf(item Item) Item {
	k := Item{}
	for _, a := range src.attrs {
		k[a] = item[a]
	}
	return k
}

// readOptions are the parts Query and Scan share.
type readOptions struct {
	filter      condition
	paths       []docPath
	count       bool
	limit       int
	fetchFromT  bool // an LSI read for ALL_ATTRIBUTES: the table has the rest
	queryResult map[string]any
}

func (s *Server) readOptions(in *queryInput, src *querySource, x *exprContext, isQuery bool) (*readOptions, error) {
	o := &readOptions{limit: -1}
	var err error
	if in.FilterExpression != nil {
		if o.filter, err = parseCondition("FilterExpression", *in.FilterExpression, x); err != nil {
			return nil, err
		}
	}
	if in.ProjectionExpression != nil {
		if o.paths, err = parseProjection(*in.ProjectionExpression, x); err != nil {
			return nil, err
		}
	}
	if err := x.checkUnused(); err != nil {
		return nil, err
	}
	if in.Limit != nil {
		if *in.Limit < 1 {
			return nil, validationf("1 validation error detected: Value '%d' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1", *in.Limit)
		}
		o.limit = *in.Limit
	}
	switch in.Select {
	case "":
	case "COUNT":
		o.count = true
	case "SPECIFIC_ATTRIBUTES":
		if o.paths == nil {
			return nil, validationf("1 validation error detected: Value null at 'projectionExpression' failed to satisfy constraint: Member must not be null when Select is SPECIFIC_ATTRIBUTES")
		}
	case "ALL_ATTRIBUTES":
		if o.paths != nil {
			return nil, validationf("Cannot specify the AttributesToGet when choosing to get ALL_ATTRIBUTES")
		}
		if src.ix != nil && src.ix.projection.Type != "ALL" {
			if !src.ix.local {
				return nil, validationf("One or more parameter values were invalid: Select type ALL_ATTRIBUTES is not supported for global secondary index %s because its projection type is not ALL", src.ix.name)
			}
			o.fetchFromT = true
		}
	case "ALL_PROJECTED_ATTRIBUTES":
		if src.ix == nil {
			return nil, validationf("One or more parameter values were invalid: Select type ALL_PROJECTED_ATTRIBUTES is only supported for a table with indexes")
		}
		if o.paths != nil {
			return nil, validationf("Cannot specify the AttributesToGet when choosing to get ALL_PROJECTED_ATTRIBUTES")
		}
	default:
		return nil, validationf("1 validation error detected: Value '%s' at 'select' failed to satisfy constraint: Member must satisfy enum value set: [SPECIFIC_ATTRIBUTES, COUNT, ALL_ATTRIBUTES, ALL_PROJECTED_ATTRIBUTES]", in.Select)
	}
	if in.ExclusiveStartKey != nil {
		for _, a := range src.attrs {
			if in.ExclusiveStartKey[a] == nil {
				return nil, validationf("The provided starting key is invalid: The provided key element does not match the schema")
			}
		}
		if len(in.ExclusiveStartKey) != len(src.attrs) {
			return nil, validationf("The provided starting key is invalid: The provided key element does not match the schema")
		}
	}
	return o, nil
}

// collect reads rows in order until the limit or the page size, applying
// the filter and the projection, and answers as Query and Scan do.
func (o *readOptions) collect(src *querySource, next func() (row, bool)) map[string]any {
	items := []Item{}
	scanned, size := 0, 0
	var last Item
	for o.limit < 0 || scanned < o.limit {
		r, ok := next()
		if !ok {
			last = nil
			break
		}
		scanned++
		item := r.item
		if o.fetchFromT {
			item = src.t.get(src.t.keyOf(item))
		}
		size += item.size()
		last = r.key
		if o.filter == nil || eval(o.filter, item) {
			if !o.count {
				items = append(items, project(item, o.paths))
			} else {
				items = append(items, nil)
			}
		}
		if size >= maxPage {
			break
		}
	}
	if o.limit >= 0 && scanned < o.limit && size < maxPage {
		last = nil
	}
	out := map[string]any{"Count": len(items), "ScannedCount": scanned}
	if !o.count {
		out["Items"] = items
	}
	if last != nil {
		out["LastEvaluatedKey"] = last
	}
	return out
}

func (s *Server) query(body []byte) (any, error) {
	var in queryInput
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	if in.KeyConditions != nil || in.QueryFilter != nil || in.AttributesToGet != nil {
		return nil, validationf("The local DynamoDB does not support the legacy parameters KeyConditions, QueryFilter and AttributesToGet; use expressions")
	}
	if in.KeyConditionExpression == nil {
		return nil, validationf("Either the KeyConditions or KeyConditionExpression parameter must be specified in the request.")
	}
	x := newExprContext(in.ExpressionAttributeNames, in.ExpressionAttributeValues)
	if err := x.checkParams(true, []string{"KeyConditionExpression", "FilterExpression"}, true); err != nil {
		return nil, err
	}
	kc, err := parseCondition("KeyConditionExpression", *in.KeyConditionExpression, x)
	if err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	src, err := s.source(&in)
	if err != nil {
		return nil, err
	}
	o, err := s.readOptions(&in, src, x, true)
	if err != nil {
		return nil, err
	}
	hash, sc, err := keyCondition(kc, src.key)
	if err != nil {
		return nil, err
	}
	if o.filter != nil {
		if err := checkFilterKeys(o.filter, src.key); err != nil {
			return nil, err
		}
	}
	forward := in.ScanIndexForward == nil || *in.ScanIndexForward
	return o.collect(src, src.partitionRows(hash, sc, in.ExclusiveStartKey, forward)), nil
}

// partitionRows iterates the part of one partition a key condition selects.
func (src *querySource) partitionRows(hash *Value, sc *sortCondition, start Item, forward bool) func() (row, bool) {
	h := hashKey(hash)
	var n int
	var at func(i int) row
	var lo, hi int
	var startPos func() int // index of the first row after start in the iteration order
	if src.ix == nil {
		p := src.t.parts[h]
		if p == nil {
			return func() (row, bool) { return row{}, false }
		}
		es := p.entries
		n = len(es)
		lo, hi = rangeOf(es, func(e *entry) int { return sc.position(e.sort) })
		at = func(i int) row { return row{item: es[i].item, key: src.t.keyOf(es[i].item)} }
		if start != nil {
			sk := start[src.t.key.sort.name]
			startPos = func() int {
				if forward {
					i, found := slices.BinarySearchFunc(es, sk, func(e *entry, k *Value) int { return compareKey(e.sort, k) })
					if found {
						i++
					}
					return i
				}
				i, _ := slices.BinarySearchFunc(es, sk, func(e *entry, k *Value) int { return compareKey(e.sort, k) })
				return i - 1
			}
		}
	} else {
		p := src.ix.parts[h]
		if p == nil {
			return func() (row, bool) { return row{}, false }
		}
		es := p.entries
		n = len(es)
		lo, hi = rangeOf(es, func(e *indexEntry) int { return sc.position(e.sort) })
		at = func(i int) row { return row{item: es[i].item, key: src.keyOf(es[i].item)} }
		if start != nil {
			probe := &indexEntry{tableHash: start[src.t.key.hash.name]}
			if src.t.key.sort.name != "" {
				probe.tableSort = start[src.t.key.sort.name]
			}
			if src.key.sort.name != "" {
				probe.sort = start[src.key.sort.name]
			}
			startPos = func() int {
				i, found := slices.BinarySearchFunc(es, probe, compareIndexEntries)
				if forward {
					if found {
						i++
					}
					return i
				}
				return i - 1
			}
		}
	}
	_ = n
	i := lo
	step := 1
	if !forward {
		i, step = hi-1, -1
	}
	if startPos != nil {
		j := startPos()
		if forward {
			i = max(i, j)
		} else {
			i = min(i, j)
		}
	}
	return func() (row, bool) {
		if i < lo || i >= hi {
			return row{}, false
		}
		r := at(i)
		i += step
		return r, true
	}
}

// keyCondition checks a key condition against the key schema and returns
// the partition key value and the sort key condition (nil: none).
func keyCondition(c condition, key keySchema) (*Value, *sortCondition, error) {
	var parts []condition
	var flatten func(c condition) error
	flatten = func(c condition) error {
		switch c := c.(type) {
		case *logicCond:
			if c.op != "AND" {
				return validationf("Invalid operator used in KeyConditionExpression: %s", c.op)
			}
			if err := flatten(c.l); err != nil {
				return err
			}
			return flatten(c.r)
		case *notCond:
			return validationf("Invalid operator used in KeyConditionExpression: NOT")
		case *inCond:
			return validationf("Invalid operator used in KeyConditionExpression: IN")
		case *callCond:
			if c.fn != "begins_with" {
				return validationf("Invalid operator used in KeyConditionExpression: %s", c.fn)
			}
		case *compareCond:
			if c.op == "<>" {
				return validationf("Invalid operator used in KeyConditionExpression: <>")
			}
		}
		parts = append(parts, c)
		return nil
	}
	if err := flatten(c); err != nil {
		return nil, nil, err
	}
	if len(parts) > 2 {
		return nil, nil, validationf("KeyConditionExpressions must only contain one condition per key")
	}
	var hash *Value
	var sc *sortCondition
	attrOf := func(o operand) (string, bool) {
		p, ok := o.(*pathOperand)
		if !ok || len(p.path) != 1 || p.path[0].isIdx {
			return "", false
		}
		return p.path[0].name, true
	}
	valueOf := func(o operand) (*Value, bool) {
		v, ok := o.(*valueOperand)
		if !ok {
			return nil, false
		}
		return v.value, true
	}
	for _, part := range parts {
		var name string
		var ok bool
		var cond sortCondition
		switch c := part.(type) {
		case *compareCond:
			l, r := c.l, c.r
			op := c.op
			if _, isPath := l.(*pathOperand); !isPath {
				l, r = r, l
				op = map[string]string{"=": "=", "<": ">", "<=": ">=", ">": "<", ">=": "<="}[op]
			}
			name, ok = attrOf(l)
			if !ok {
				return nil, nil, validationf("Invalid KeyConditionExpression: The key condition must be on a key attribute")
			}
			v, vok := valueOf(r)
			if !vok {
				return nil, nil, validationf("Invalid KeyConditionExpression: Only key attributes and values may appear in a key condition")
			}
			cond = sortCondition{op: op, lo: v}
		case *betweenCond:
			name, ok = attrOf(c.v)
			lo, lok := valueOf(c.lo)
			hi, hok := valueOf(c.hi)
			if !ok || !lok || !hok {
				return nil, nil, validationf("Invalid KeyConditionExpression: Only key attributes and values may appear in a key condition")
			}
			cond = sortCondition{op: "BETWEEN", lo: lo, hi: hi}
		case *callCond:
			name, ok = attrOf(c.args[0])
			v, vok := valueOf(c.args[1])
			if !ok || !vok {
				return nil, nil, validationf("Invalid KeyConditionExpression: Only key attributes and values may appear in a key condition")
			}
			cond = sortCondition{op: "begins_with", lo: v}
		}
		switch name {
		case key.hash.name:
			if cond.op != "=" {
				return nil, nil, validationf("Query key condition not supported")
			}
			if hash != nil {
				return nil, nil, validationf("KeyConditionExpressions must only contain one condition per key")
			}
			if cond.lo.Type() != key.hash.typ {
				return nil, nil, validationf("One or more parameter values were invalid: Condition parameter type does not match schema type")
			}
			hash = cond.lo
		case key.sort.name:
			if sc != nil {
				return nil, nil, validationf("KeyConditionExpressions must only contain one condition per key")
			}
			for _, v := range []*Value{cond.lo, cond.hi} {
				if v != nil && v.Type() != key.sort.typ {
					return nil, nil, validationf("One or more parameter values were invalid: Condition parameter type does not match schema type")
				}
			}
			if cond.op == "begins_with" && key.sort.typ == "N" {
				return nil, nil, validationf("Invalid KeyConditionExpression: Incorrect operand type for operator or function; operator or function: begins_with, operand type: N")
			}
			sc = &cond
		default:
			return nil, nil, validationf("Query condition missed key schema element: %s", key.hash.name)
		}
	}
	if hash == nil {
		return nil, nil, validationf("Query condition missed key schema element: %s", key.hash.name)
	}
	return hash, sc, nil
}

// checkFilterKeys refuses a query filter on the key attributes, as DynamoDB does.
func checkFilterKeys(c condition, key keySchema) error {
	var err error
	var visit func(o operand)
	visit = func(o operand) {
		switch o := o.(type) {
		case *pathOperand:
			n := o.path[0].name
			if err == nil && (n == key.hash.name || n == key.sort.name) {
				err = validationf("Filter Expression can only contain non-primary key attributes: Primary key attribute: %s", n)
			}
		case *callOperand:
			for _, a := range o.args {
				visit(a)
			}
		}
	}
	var walk func(c condition)
	walk = func(c condition) {
		switch c := c.(type) {
		case *logicCond:
			walk(c.l)
			walk(c.r)
		case *notCond:
			walk(c.c)
		case *compareCond:
			visit(c.l)
			visit(c.r)
		case *betweenCond:
			visit(c.v)
			visit(c.lo)
			visit(c.hi)
		case *inCond:
			visit(c.v)
			for _, o := range c.list {
				visit(o)
			}
		case *callCond:
			for _, a := range c.args {
				visit(a)
			}
		}
	}
	walk(c)
	return err
}

// scan reads a whole table or index; for tests and the CLI (the product
// never scans).
func (s *Server) scan(body []byte) (any, error) {
	var in queryInput
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	if in.ScanFilter != nil || in.AttributesToGet != nil {
		return nil, validationf("The local DynamoDB does not support the legacy parameters ScanFilter and AttributesToGet; use expressions")
	}
	if in.Segment != nil || in.TotalSegments != nil {
		return nil, validationf("The local DynamoDB does not support parallel scans (Segment, TotalSegments)")
	}
	x := newExprContext(in.ExpressionAttributeNames, in.ExpressionAttributeValues)
	if err := x.checkParams(in.FilterExpression != nil || in.ProjectionExpression != nil, []string{"FilterExpression"}, in.FilterExpression != nil); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	src, err := s.source(&in)
	if err != nil {
		return nil, err
	}
	o, err := s.readOptions(&in, src, x, false)
	if err != nil {
		return nil, err
	}
	var rows []row
	if src.ix == nil {
		for _, h := range sortedKeys(src.t.parts) {
			for _, e := range src.t.parts[h].entries {
				rows = append(rows, row{item: e.item, key: src.t.keyOf(e.item)})
			}
		}
	} else {
		for _, h := range sortedKeys(src.ix.parts) {
			for _, e := range src.ix.parts[h].entries {
				rows = append(rows, row{item: e.item, key: src.keyOf(e.item)})
			}
		}
	}
	i := 0
	if in.ExclusiveStartKey != nil {
		for j, r := range rows {
			if sameItemKey(r.key, in.ExclusiveStartKey) {
				i = j + 1
				break
			}
		}
	}
	return o.collect(src, func() (row, bool) {
		if i >= len(rows) {
			return row{}, false
		}
		i++
		return rows[i-1], true
	}), nil
}

func sameItemKey(a, b Item) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if !equal(v, b[k]) {
			return false
		}
	}
	return true
}
