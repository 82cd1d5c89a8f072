package dynamodb

import (
	"crypto/sha256"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
)

type attributeDefinition struct {
	AttributeName string
	AttributeType string
}

type keySchemaElement struct {
	AttributeName string
	KeyType       string
}

type throughput struct {
	ReadCapacityUnits  int64
	WriteCapacityUnits int64
}

type indexDefinition struct {
	IndexName             string
	KeySchema             []keySchemaElement
	Projection            projection
	ProvisionedThroughput *throughput `json:",omitempty"`
}

// tableDefinition is a CreateTable request, kept to describe the table.
type tableDefinition struct {
	TableName              string
	AttributeDefinitions   []attributeDefinition
	KeySchema              []keySchemaElement
	GlobalSecondaryIndexes []indexDefinition `json:",omitempty"`
	LocalSecondaryIndexes  []indexDefinition `json:",omitempty"`
	BillingMode            string            `json:",omitempty"`
	ProvisionedThroughput  *throughput       `json:",omitempty"`
}

var tableNameRE = regexp.MustCompile(`^[a-zA-Z0-9_.-]{3,255}$`)

func checkTableName(name string) error {
	if !tableNameRE.MatchString(name) {
		if len(name) < 3 || len(name) > 255 {
			return validationf("TableName must be at least 3 characters long and at most 255 characters long")
		}
		return validationf("1 validation error detected: Value '%s' at 'tableName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+", name)
	}
	return nil
}

func (s *Server) createTable(body []byte) (any, error) {
	var in tableDefinition
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	if err := checkTableName(in.TableName); err != nil {
		return nil, err
	}
	t, err := newTable(in)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.tables[in.TableName] != nil {
		return nil, &apiError{typ: typeInUse, message: "Table already exists: " + in.TableName}
	}
	t.created = s.now()
	s.tables[in.TableName] = t
	// DynamoDB answers CREATING; the local table is ACTIVE at once, as
	// DescribeTable says, so waiters return on their first call.
	return map[string]any{"TableDescription": s.description(t, "CREATING")}, nil
}

func newTable(in tableDefinition) (*table, error) {
	types := map[string]string{}
	for _, d := range in.AttributeDefinitions {
		if !slices.Contains([]string{"S", "N", "B"}, d.AttributeType) {
			return nil, validationf("1 validation error detected: Value '%s' at 'attributeDefinitions.%d.member.attributeType' failed to satisfy constraint: Member must satisfy enum value set: [B, N, S]", d.AttributeType, len(types)+1)
		}
		types[d.AttributeName] = d.AttributeType
	}
	used := map[string]bool{}
	schema := func(ks []keySchemaElement, what string) (keySchema, error) {
		var k keySchema
		if len(ks) == 0 || len(ks) > 2 || ks[0].KeyType != "HASH" || (len(ks) == 2 && ks[1].KeyType != "RANGE") {
			return k, validationf("1 validation error detected: Value '%v' at 'keySchema' failed to satisfy constraint: Member must have length less than or equal to 2", ks)
		}
		for i, e := range ks {
			typ, ok := types[e.AttributeName]
			if !ok {
				return k, validationf("One or more parameter values were invalid: Some index key attributes are not defined in AttributeDefinitions. Keys: [%s], AttributeDefinitions: [%s]", keyNames(ks), defNames(in.AttributeDefinitions))
			}
			used[e.AttributeName] = true
			if i == 0 {
				k.hash = keyAttr{e.AttributeName, typ}
			} else {
				k.sort = keyAttr{e.AttributeName, typ}
			}
		}
		return k, nil
	}
	key, err := schema(in.KeySchema, "table")
	if err != nil {
		return nil, err
	}
	if in.BillingMode == "PROVISIONED" || in.BillingMode == "" {
		if in.ProvisionedThroughput == nil {
			return nil, validationf("One or more parameter values were invalid: ReadCapacityUnits and WriteCapacityUnits must both be specified when BillingMode is PROVISIONED")
		}
	} else if in.ProvisionedThroughput != nil {
		return nil, validationf("One or more parameter values were invalid: Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST")
	}
	t := &table{def: in, key: key, parts: map[string]*partition{}}
	names := map[string]bool{}
	for _, group := range []struct {
		defs  []indexDefinition
		local bool
	}{{in.GlobalSecondaryIndexes, false}, {in.LocalSecondaryIndexes, true}} {
		for _, d := range group.defs {
			if names[d.IndexName] {
				return nil, validationf("One or more parameter values were invalid: Duplicate index name: %s", d.IndexName)
			}
			names[d.IndexName] = true
			ik, err := schema(d.KeySchema, d.IndexName)
			if err != nil {
				return nil, err
			}
			if group.local && (ik.hash != key.hash || ik.sort.name == "") {
				return nil, validationf("One or more parameter values were invalid: Index KeySchema does not have a range key for index: %s", d.IndexName)
			}
			switch d.Projection.Type {
			case "ALL", "KEYS_ONLY", "INCLUDE":
			default:
				return nil, validationf("One or more parameter values were invalid: Unknown ProjectionType: %s", d.Projection.Type)
			}
			ix := &index{name: d.IndexName, local: group.local, key: ik, projection: d.Projection, parts: map[string]*indexPartition{}}
			ix.projection.allKeys = ix.keyAttrs(t)
			t.indexes = append(t.indexes, ix)
		}
	}
	if len(used) != len(types) {
		return nil, validationf("One or more parameter values were invalid: Some AttributeDefinitions are not used. AttributeDefinitions: [%s], keys used: [%s]", defNames(in.AttributeDefinitions), strings.Join(sortedKeys(used), ", "))
	}
	return t, nil
}

func keyNames(ks []keySchemaElement) string {
	var n []string
	for _, e := range ks {
		n = append(n, e.AttributeName)
	}
	return strings.Join(n, ", ")
}

func defNames(ds []attributeDefinition) string {
	var n []string
	for _, d := range ds {
		n = append(n, d.AttributeName)
	}
	sort.Strings(n)
	return strings.Join(n, ", ")
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func (s *Server) arn(t *table) string {
	return fmt.Sprintf("arn:aws:dynamodb:%s:000000000000:table/%s", s.region, t.def.TableName)
}

// description is DescribeTable's TableDescription.
func (s *Server) description(t *table, status string) map[string]any {
	d := map[string]any{
		"TableName":            t.def.TableName,
		"TableStatus":          status,
		"AttributeDefinitions": t.def.AttributeDefinitions,
		"KeySchema":            t.def.KeySchema,
		"CreationDateTime":     float64(t.created.UnixMilli()) / 1000,
		"ItemCount":            t.count,
		"TableSizeBytes":       t.bytes,
		"TableArn":             s.arn(t),
		"TableId":              tableID(t),
		"ProvisionedThroughput": map[string]any{
			"NumberOfDecreasesToday": 0,
			"ReadCapacityUnits":      capacity(t.def.ProvisionedThroughput).ReadCapacityUnits,
			"WriteCapacityUnits":     capacity(t.def.ProvisionedThroughput).WriteCapacityUnits,
		},
	}
	if t.def.BillingMode == "PAY_PER_REQUEST" {
		d["BillingModeSummary"] = map[string]any{
			"BillingMode": "PAY_PER_REQUEST", "LastUpdateToPayPerRequestDateTime": float64(t.created.UnixMilli()) / 1000,
		}
	}
	var gsis, lsis []map[string]any
	for i, ix := range t.indexes {
		var def indexDefinition
		if ix.local {
			def = t.def.LocalSecondaryIndexes[i-len(t.def.GlobalSecondaryIndexes)]
		} else {
			def = t.def.GlobalSecondaryIndexes[i]
		}
		id := map[string]any{
			"IndexName":      ix.name,
			"KeySchema":      def.KeySchema,
			"Projection":     def.Projection,
			"IndexSizeBytes": 0,
			"ItemCount":      ix.count,
			"IndexArn":       s.arn(t) + "/index/" + ix.name,
		}
		if ix.local {
			lsis = append(lsis, id)
			continue
		}
		id["IndexStatus"] = "ACTIVE"
		id["ProvisionedThroughput"] = map[string]any{
			"NumberOfDecreasesToday": 0,
			"ReadCapacityUnits":      capacity(def.ProvisionedThroughput).ReadCapacityUnits,
			"WriteCapacityUnits":     capacity(def.ProvisionedThroughput).WriteCapacityUnits,
		}
		gsis = append(gsis, id)
	}
	if gsis != nil {
		d["GlobalSecondaryIndexes"] = gsis
	}
	if lsis != nil {
		d["LocalSecondaryIndexes"] = lsis
	}
	return d
}

func capacity(t *throughput) throughput {
	if t == nil {
		return throughput{}
	}
	return *t
}

func tableID(t *table) string {
	h := sha256.Sum256([]byte(t.def.TableName + t.created.String()))
	return fmt.Sprintf("%x-%x-%x-%x-%x", h[0:4], h[4:6], h[6:8], h[8:10], h[10:16])
}

type tableNameInput struct{ TableName string }

func (s *Server) table(name string) (*table, error) {
	if name == "" {
		return nil, validationf("1 validation error detected: Value null at 'tableName' failed to satisfy constraint: Member must not be null")
	}
	if len(name) < 3 {
		return nil, validationf("1 validation error detected: Value '%s' at 'tableName' failed to satisfy constraint: Member must have length greater than or equal to 3", name)
	}
	t := s.tables[name]
	if t == nil {
		return nil, notFound()
	}
	return t, nil
}

func (s *Server) describeTable(body []byte) (any, error) {
	var in tableNameInput
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	t, err := s.table(in.TableName)
	if err != nil {
		if ae, ok := err.(*apiError); ok && ae.typ == typeNotFound {
			return nil, &apiError{typ: typeNotFound, message: "Requested resource not found: Table: " + in.TableName + " not found"}
		}
		return nil, err
	}
	return map[string]any{"Table": s.description(t, "ACTIVE")}, nil
}

func (s *Server) deleteTable(body []byte) (any, error) {
	var in tableNameInput
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t, err := s.table(in.TableName)
	if err != nil {
		if ae, ok := err.(*apiError); ok && ae.typ == typeNotFound {
			return nil, &apiError{typ: typeNotFound, message: "Requested resource not found: Table: " + in.TableName + " not found"}
		}
		return nil, err
	}
	delete(s.tables, in.TableName)
	return map[string]any{"TableDescription": s.description(t, "DELETING")}, nil
}

func (s *Server) listTables(body []byte) (any, error) {
	var in struct {
		ExclusiveStartTableName string
		Limit                   *int
	}
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	limit := 100
	if in.Limit != nil {
		if *in.Limit < 1 || *in.Limit > 100 {
			return nil, validationf("1 validation error detected: Value '%d' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 100", *in.Limit)
		}
		limit = *in.Limit
	}
	s.mu.RLock()
	names := sortedKeys(s.tables)
	s.mu.RUnlock()
	i, _ := slices.BinarySearch(names, in.ExclusiveStartTableName)
	if i < len(names) && names[i] == in.ExclusiveStartTableName {
		i++
	}
	names = names[i:]
	out := map[string]any{}
	if len(names) > limit {
		names = names[:limit]
		out["LastEvaluatedTableName"] = names[limit-1]
	}
	out["TableNames"] = append([]string{}, names...)
	return out, nil
}

func (s *Server) describeTimeToLive(body []byte) (any, error) {
	var in tableNameInput
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	t, err := s.table(in.TableName)
	if err != nil {
		return nil, err
	}
	d := map[string]any{"TimeToLiveStatus": "DISABLED"}
	if t.ttl != nil && t.ttl.Enabled {
		d = map[string]any{"TimeToLiveStatus": "ENABLED", "AttributeName": t.ttl.AttributeName}
	}
	return map[string]any{"TimeToLiveDescription": d}, nil
}

// updateTimeToLive records the setting; the local DynamoDB never expires
// items by itself (DynamoDB does so within days, not at a set time).
func (s *Server) updateTimeToLive(body []byte) (any, error) {
	var in struct {
		TableName               string
		TimeToLiveSpecification timeToLive
	}
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t, err := s.table(in.TableName)
	if err != nil {
		return nil, err
	}
	spec := in.TimeToLiveSpecification
	t.ttl = &spec
	return map[string]any{"TimeToLiveSpecification": spec}, nil
}
