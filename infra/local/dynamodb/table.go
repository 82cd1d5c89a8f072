package dynamodb

import (
	"bytes"
	"slices"
	"strings"
	"time"
)

// keyAttr is one key attribute: its name and scalar type (S, N or B).
type keyAttr struct{ name, typ string }

// keySchema is a primary or index key; sort.name is empty without a sort key.
type keySchema struct{ hash, sort keyAttr }

// table is one table with its items and indexes.
type table struct {
	def     tableDefinition
	key     keySchema
	created time.Time
	parts   map[string]*partition
	indexes []*index
	count   int
	bytes   int
	ttl     *timeToLive
}

type timeToLive struct {
	Enabled       bool
	AttributeName string
}

// partition holds one partition key's items sorted by sort key.
type partition struct{ entries []*entry }

type entry struct {
	sort *Value // nil without a sort key
	item Item
}

// index is a global or local secondary index: per index partition key its
// entries sorted by the index sort key, then the table's key.
type index struct {
	name       string
	local      bool
	key        keySchema
	projection projection
	parts      map[string]*indexPartition
	count      int
}

type projection struct {
	Type    string   `json:"ProjectionType,omitempty"`
	NonKey  []string `json:"NonKeyAttributes,omitempty"`
	allKeys []string
}

type indexPartition struct{ entries []*indexEntry }

type indexEntry struct {
	sort      *Value
	tableHash *Value
	tableSort *Value
	item      Item // the projected item
}

// hashKey encodes a partition key value as a map key.
func hashKey(v *Value) string {
	switch {
	case v.S != nil:
		return "S" + *v.S
	case v.N != nil:
		return "N" + *v.N
	}
	return "B" + string(v.B)
}

// compareKey orders sort key values (nil first).
func compareKey(a, b *Value) int {
	if a == nil || b == nil {
		switch {
		case a == nil && b == nil:
			return 0
		case a == nil:
			return -1
		}
		return 1
	}
	c, _ := compareScalars(a, b)
	return c
}

// keyOf returns the primary key attributes of item.
func (t *table) keyOf(item Item) Item {
	k := Item{t.key.hash.name: item[t.key.hash.name]}
	if t.key.sort.name != "" {
		k[t.key.sort.name] = item[t.key.sort.name]
	}
	return k
}

// checkKey validates a Key parameter: exactly the key attributes, of their types.
func (t *table) checkKey(key Item) error {
	n := 1
	if t.key.sort.name != "" {
		n = 2
	}
	if len(key) != n {
		return validationf("The provided key element does not match the schema")
	}
	for _, ka := range []keyAttr{t.key.hash, t.key.sort} {
		if ka.name == "" {
			continue
		}
		v, ok := key[ka.name]
		if !ok || v == nil {
			return validationf("The provided key element does not match the schema")
		}
		if err := v.validate(); err != nil {
			return err
		}
		if v.Type() != ka.typ {
			return validationf("The provided key element does not match the schema")
		}
		if isEmptyKey(v) {
			return validationf("One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty string value. Key: %s", ka.name)
		}
	}
	return nil
}

func isEmptyKey(v *Value) bool { return (v.S != nil && *v.S == "") || (v.B != nil && len(v.B) == 0) }

// checkItem validates an item to store: its values, its key, the types of
// index keys, and its size.
func (t *table) checkItem(item Item) error {
	for _, v := range item {
		if err := v.validate(); err != nil {
			return err
		}
	}
	for _, ka := range []keyAttr{t.key.hash, t.key.sort} {
		if ka.name == "" {
			continue
		}
		v := item[ka.name]
		if v == nil {
			return validationf("One or more parameter values were invalid: Missing the key %s in the item", ka.name)
		}
		if v.Type() != ka.typ {
			return validationf("One or more parameter values were invalid: Type mismatch for key %s expected: %s actual: %s", ka.name, ka.typ, v.Type())
		}
		if isEmptyKey(v) {
			return validationf("One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty string value. Key: %s", ka.name)
		}
	}
	for _, ix := range t.indexes {
		for _, ka := range []keyAttr{ix.key.hash, ix.key.sort} {
			if ka.name == "" {
				continue
			}
			if v := item[ka.name]; v != nil {
				if v.Type() != ka.typ {
					return validationf("One or more parameter values were invalid: Type mismatch for Index Key %s Expected: %s Actual: %s IndexName: %s", ka.name, ka.typ, v.Type(), ix.name)
				}
				if isEmptyKey(v) {
					return validationf("One or more parameter values are not valid. A value specified for a secondary index key is not supported. The AttributeValue for a key attribute cannot contain an empty string value. IndexName: %s, IndexKey: %s", ix.name, ka.name)
				}
			}
		}
	}
	if item.size() > maxItemSize {
		return validationf("Item size has exceeded the maximum allowed size")
	}
	return nil
}

// find returns the partition and position of key, and whether it is there.
func (t *table) find(key Item) (*partition, int, bool) {
	p := t.parts[hashKey(key[t.key.hash.name])]
	if p == nil {
		return nil, 0, false
	}
	var sk *Value
	if t.key.sort.name != "" {
		sk = key[t.key.sort.name]
	}
	i, ok := slices.BinarySearchFunc(p.entries, sk, func(e *entry, k *Value) int { return compareKey(e.sort, k) })
	return p, i, ok
}

// get returns the stored item with key, nil if none.
func (t *table) get(key Item) Item {
	p, i, ok := t.find(key)
	if !ok {
		return nil
	}
	return p.entries[i].item
}

// put stores item (already validated), replacing the item with its key.
func (t *table) put(item Item) {
	old := t.remove(t.keyOf(item))
	_ = old
	h := hashKey(item[t.key.hash.name])
	p := t.parts[h]
	if p == nil {
		p = &partition{}
		t.parts[h] = p
	}
	var sk *Value
	if t.key.sort.name != "" {
		sk = item[t.key.sort.name]
	}
	i, _ := slices.BinarySearchFunc(p.entries, sk, func(e *entry, k *Value) int { return compareKey(e.sort, k) })
	p.entries = slices.Insert(p.entries, i, &entry{sort: sk, item: item})
	t.count++
	t.bytes += item.size()
	for _, ix := range t.indexes {
		ix.add(t, item)
	}
}

// remove deletes the item with key and returns it, nil if there was none.
func (t *table) remove(key Item) Item {
	p, i, ok := t.find(key)
	if !ok {
		return nil
	}
	old := p.entries[i].item
	p.entries = slices.Delete(p.entries, i, i+1)
	if len(p.entries) == 0 {
		delete(t.parts, hashKey(key[t.key.hash.name]))
	}
	t.count--
	t.bytes -= old.size()
	for _, ix := range t.indexes {
		ix.delete(t, old)
	}
	return old
}

func (ix *index) entryKey(t *table, item Item) (hash *Value, e *indexEntry, ok bool) {
	hash = item[ix.key.hash.name]
	if hash == nil || hash.Type() != ix.key.hash.typ {
		return nil, nil, false
	}
	e = &indexEntry{tableHash: item[t.key.hash.name]}
	if t.key.sort.name != "" {
		e.tableSort = item[t.key.sort.name]
	}
	if ix.key.sort.name != "" {
		e.sort = item[ix.key.sort.name]
		if e.sort == nil || e.sort.Type() != ix.key.sort.typ {
			return nil, nil, false
		}
	}
	return hash, e, true
}

func compareIndexEntries(a, b *indexEntry) int {
	if c := compareKey(a.sort, b.sort); c != 0 {
		return c
	}
	if c := compareKey(a.tableHash, b.tableHash); c != 0 {
		return c
	}
	return compareKey(a.tableSort, b.tableSort)
}

// add indexes item unless it lacks the index key (a sparse index).
func (ix *index) add(t *table, item Item) {
	hash, e, ok := ix.entryKey(t, item)
	if !ok {
		return
	}
	e.item = ix.project(t, item)
	h := hashKey(hash)
	p := ix.parts[h]
	if p == nil {
		p = &indexPartition{}
		ix.parts[h] = p
	}
	i, _ := slices.BinarySearchFunc(p.entries, e, compareIndexEntries)
	p.entries = slices.Insert(p.entries, i, e)
	ix.count++
}

func (ix *index) delete(t *table, item Item) {
	hash, e, ok := ix.entryKey(t, item)
	if !ok {
		return
	}
	h := hashKey(hash)
	p := ix.parts[h]
	if p == nil {
		return
	}
	if i, found := slices.BinarySearchFunc(p.entries, e, compareIndexEntries); found {
		p.entries = slices.Delete(p.entries, i, i+1)
		ix.count--
	}
	if len(p.entries) == 0 {
		delete(ix.parts, h)
	}
}

func (ix *index) project(t *table, item Item) Item {
	if ix.projection.Type == "ALL" || ix.projection.Type == "" {
		return item
	}
	out := Item{}
	for _, name := range ix.projection.allKeys {
		if v := item[name]; v != nil {
			out[name] = v
		}
	}
	for _, name := range ix.projection.NonKey {
		if v := item[name]; v != nil {
			out[name] = v
		}
	}
	return out
}

// keyAttrs are the attribute names of the table's and the index's keys.
func (ix *index) keyAttrs(t *table) []string {
	names := []string{t.key.hash.name}
	for _, n := range []string{t.key.sort.name, ix.key.hash.name, ix.key.sort.name} {
		if n != "" && !slices.Contains(names, n) {
			names = append(names, n)
		}
	}
	return names
}

// rangeOf returns the entries of a sorted partition between lo and hi
// under cmp (cmp(e) < 0: e before the range, > 0: after).
func rangeOf[E any](entries []E, cmp func(E) int) (int, int) {
	lo, _ := slices.BinarySearchFunc(entries, 0, func(e E, _ int) int {
		if cmp(e) < 0 {
			return -1
		}
		return 1
	})
	hi, _ := slices.BinarySearchFunc(entries, 0, func(e E, _ int) int {
		if cmp(e) <= 0 {
			return -1
		}
		return 1
	})
	return lo, hi
}

// sortCondition is the sort key part of a key condition.
type sortCondition struct {
	op     string // =, <, <=, >, >=, BETWEEN, begins_with
	lo, hi *Value
}

// position says where v lies relative to the range: -1 before, 0 in, 1 after.
func (sc *sortCondition) position(v *Value) int {
	if sc == nil {
		return 0
	}
	switch sc.op {
	case "=":
		return compareKey(v, sc.lo)
	case "<":
		if compareKey(v, sc.lo) < 0 {
			return 0
		}
		return 1
	case "<=":
		if compareKey(v, sc.lo) <= 0 {
			return 0
		}
		return 1
	case ">":
		if compareKey(v, sc.lo) > 0 {
			return 0
		}
		return -1
	case ">=":
		if compareKey(v, sc.lo) >= 0 {
			return 0
		}
		return -1
	case "BETWEEN":
		if compareKey(v, sc.lo) < 0 {
			return -1
		}
		if compareKey(v, sc.hi) > 0 {
			return 1
		}
		return 0
	case "begins_with":
		var has bool
		if v.S != nil {
			has = strings.HasPrefix(*v.S, *sc.lo.S)
		} else {
			has = bytes.HasPrefix(v.B, sc.lo.B)
		}
		if has {
			return 0
		}
		return compareKey(v, sc.lo)
	}
	return 0
}
