package dynamodb

import (
	"bytes"
	"math/big"
	"slices"
	"strings"
	"unicode/utf8"
)

// lookup returns the value at path in item, nil if there is none.
func lookup(item Item, path docPath) *Value {
	if len(path) == 0 || item == nil {
		return nil
	}
	v := item[path[0].name]
	for _, e := range path[1:] {
		switch {
		case v == nil:
			return nil
		case e.isIdx:
			if v.L == nil || e.index >= len(v.L) {
				return nil
			}
			v = v.L[e.index]
		default:
			if v.M == nil {
				return nil
			}
			v = v.M[e.name]
		}
	}
	return v
}

// resolve evaluates an operand of a condition against item; nil means the
// operand has no value (a missing attribute, size of an unsized type).
func resolve(o operand, item Item) *Value {
	switch o := o.(type) {
	case *valueOperand:
		return o.value
	case *pathOperand:
		return lookup(item, o.path)
	case *callOperand:
		if o.fn == "size" {
			v := resolve(o.args[0], item)
			if v == nil {
				return nil
			}
			n, ok := sizeOf(v)
			if !ok {
				return nil
			}
			return numValue(n)
		}
	}
	return nil
}

func sizeOf(v *Value) (string, bool) {
	var n int
	switch {
	case v.S != nil:
		n = utf8.RuneCountInString(*v.S)
	case v.B != nil:
		n = len(v.B)
	case v.M != nil:
		n = len(v.M)
	case v.L != nil:
		n = len(v.L)
	case v.SS != nil:
		n = len(v.SS)
	case v.NS != nil:
		n = len(v.NS)
	case v.BS != nil:
		n = len(v.BS)
	default:
		return "", false
	}
	return big.NewInt(int64(n)).String(), true
}

// eval evaluates a condition against item (nil: no item).
func eval(c condition, item Item) bool {
	switch c := c.(type) {
	case *logicCond:
		if c.op == "AND" {
			return eval(c.l, item) && eval(c.r, item)
		}
		return eval(c.l, item) || eval(c.r, item)
	case *notCond:
		return !eval(c.c, item)
	case *compareCond:
		l, r := resolve(c.l, item), resolve(c.r, item)
		if l == nil || r == nil {
			// A missing attribute equals nothing, so it differs from everything.
			return c.op == "<>" && (l != nil || r != nil)
		}
		switch c.op {
		case "=":
			return equal(l, r)
		case "<>":
			return !equal(l, r)
		}
		cmp, ok := compareScalars(l, r)
		if !ok {
			return false
		}
		switch c.op {
		case "<":
			return cmp < 0
		case "<=":
			return cmp <= 0
		case ">":
			return cmp > 0
		default:
			return cmp >= 0
		}
	case *betweenCond:
		v, lo, hi := resolve(c.v, item), resolve(c.lo, item), resolve(c.hi, item)
		a, ok1 := compareScalars(v, lo)
		b, ok2 := compareScalars(v, hi)
		return ok1 && ok2 && a >= 0 && b <= 0
	case *inCond:
		v := resolve(c.v, item)
		if v == nil {
			return false
		}
		for _, o := range c.list {
			if equal(v, resolve(o, item)) {
				return true
			}
		}
		return false
	case *callCond:
		switch c.fn {
		case "attribute_exists":
			return resolve(c.args[0], item) != nil
		case "attribute_not_exists":
			return resolve(c.args[0], item) == nil
		case "attribute_type":
			v, t := resolve(c.args[0], item), resolve(c.args[1], item)
			return v != nil && t != nil && t.S != nil && v.Type() == *t.S
		case "begins_with":
			v, prefix := resolve(c.args[0], item), resolve(c.args[1], item)
			switch {
			case v == nil || prefix == nil:
				return false
			case v.S != nil && prefix.S != nil:
				return strings.HasPrefix(*v.S, *prefix.S)
			case v.B != nil && prefix.B != nil:
				return bytes.HasPrefix(v.B, prefix.B)
			}
			return false
		case "contains":
			return contains(resolve(c.args[0], item), resolve(c.args[1], item))
		}
	}
	return false
}

func contains(v, x *Value) bool {
	if v == nil || x == nil {
		return false
	}
	switch {
	case v.S != nil:
		return x.S != nil && strings.Contains(*v.S, *x.S)
	case v.B != nil:
		return x.B != nil && bytes.Contains(v.B, x.B)
	case v.SS != nil:
		return x.S != nil && slices.Contains(v.SS, *x.S)
	case v.NS != nil:
		return x.N != nil && slices.ContainsFunc(v.NS, func(n string) bool { return compareNumbers(n, *x.N) == 0 })
	case v.BS != nil:
		return x.B != nil && slices.ContainsFunc(v.BS, func(b []byte) bool { return bytes.Equal(b, x.B) })
	case v.L != nil:
		return slices.ContainsFunc(v.L, func(e *Value) bool { return equal(e, x) })
	}
	return false
}

// applyUpdate returns item (nil: none yet, the key is used) with the
// update actions applied. Every right-hand side is read from the item as
// it was before the update, as DynamoDB does.
func applyUpdate(old Item, key Item, actions []updateAction) (Item, error) {
	values := make([]*Value, len(actions))
	for i, a := range actions {
		if a.clause != "SET" {
			continue
		}
		v, err := updateValue(a.value, old)
		if err != nil {
			return nil, err
		}
		values[i] = v
	}
	item := old.clone()
	if item == nil {
		item = key.clone()
	}
	var removes []docPath
	for i, a := range actions {
		var err error
		switch a.clause {
		case "SET":
			err = setPath(item, a.path, values[i].clone())
		case "REMOVE":
			removes = append(removes, a.path)
		case "ADD":
			err = addPath(item, a.path, a.value.(*valueOperand).value)
		case "DELETE":
			err = deleteFromSet(item, a.path, a.value.(*valueOperand).value)
		}
		if err != nil {
			return nil, err
		}
	}
	// Every path names the item as it was: removing list elements from the
	// highest index down keeps the lower indexes where they were.
	slices.SortStableFunc(removes, func(a, b docPath) int {
		for i := range min(len(a), len(b)) {
			if a[i].isIdx && b[i].isIdx && a[i].index != b[i].index {
				return b[i].index - a[i].index
			}
			if a[i] != b[i] {
				return 0
			}
		}
		return 0
	})
	for _, p := range removes {
		removePath(item, p)
	}
	return item, nil
}

func errOperandType() error {
	return validationf("An operand in the update expression has an incorrect data type")
}

func errMissingAttribute() error {
	return validationf("The provided expression refers to an attribute that does not exist in the item")
}

func errInvalidPath() error {
	return validationf("The document path provided in the update expression is invalid for update")
}

func updateValue(o operand, item Item) (*Value, error) {
	switch o := o.(type) {
	case *valueOperand:
		return o.value, nil
	case *pathOperand:
		v := lookup(item, o.path)
		if v == nil {
			return nil, errMissingAttribute()
		}
		return v, nil
	case *callOperand:
		switch o.fn {
		case "if_not_exists":
			if v := lookup(item, o.args[0].(*pathOperand).path); v != nil {
				return v, nil
			}
			return updateValue(o.args[1], item)
		case "list_append":
			a, err := updateValue(o.args[0], item)
			if err != nil {
				return nil, err
			}
			b, err := updateValue(o.args[1], item)
			if err != nil {
				return nil, err
			}
			if a.L == nil || b.L == nil {
				return nil, errOperandType()
			}
			return &Value{L: append(slices.Clone(a.L), b.L...)}, nil
		}
	case *arithOperand:
		a, err := updateValue(o.l, item)
		if err != nil {
			return nil, err
		}
		b, err := updateValue(o.r, item)
		if err != nil {
			return nil, err
		}
		if a.N == nil || b.N == nil {
			return nil, errOperandType()
		}
		x, _ := parseNumber(*a.N)
		y, _ := parseNumber(*b.N)
		if o.op == '+' {
			x = new(big.Rat).Add(x, y)
		} else {
			x = new(big.Rat).Sub(x, y)
		}
		n, err := normalizeNumber(formatNumber(x))
		if err != nil {
			return nil, err
		}
		return numValue(n), nil
	}
	return nil, errOperandType()
}

// parentOf returns the container holding the last element of path,
// creating nothing; nil if a step is missing or of the wrong type.
func parentOf(item Item, path docPath) *Value {
	if len(path) == 1 {
		return &Value{M: item}
	}
	return lookup(item, path[:len(path)-1])
}

func setPath(item Item, path docPath, v *Value) error {
	parent := parentOf(item, path)
	last := path[len(path)-1]
	switch {
	case parent == nil:
		return errInvalidPath()
	case last.isIdx:
		if parent.L == nil {
			return errInvalidPath()
		}
		if last.index >= len(parent.L) {
			parent.L = append(parent.L, v)
		} else {
			parent.L[last.index] = v
		}
	default:
		if parent.M == nil {
			return errInvalidPath()
		}
		parent.M[last.name] = v
	}
	return nil
}

func removePath(item Item, path docPath) {
	parent := parentOf(item, path)
	last := path[len(path)-1]
	switch {
	case parent == nil:
	case last.isIdx:
		if parent.L != nil && last.index < len(parent.L) {
			parent.L = slices.Delete(parent.L, last.index, last.index+1)
		}
	default:
		if parent.M != nil {
			delete(parent.M, last.name)
		}
	}
}

func addPath(item Item, path docPath, x *Value) error {
	cur := lookup(item, path)
	if cur == nil {
		return setPath(item, path, x.clone())
	}
	switch {
	case cur.N != nil && x.N != nil:
		a, _ := parseNumber(*cur.N)
		b, _ := parseNumber(*x.N)
		n, err := normalizeNumber(formatNumber(new(big.Rat).Add(a, b)))
		if err != nil {
			return err
		}
		cur.N = &n
	case cur.SS != nil && x.SS != nil:
		for _, s := range x.SS {
			if !slices.Contains(cur.SS, s) {
				cur.SS = append(cur.SS, s)
			}
		}
	case cur.NS != nil && x.NS != nil:
		for _, s := range x.NS {
			if !slices.ContainsFunc(cur.NS, func(n string) bool { return compareNumbers(n, s) == 0 }) {
				cur.NS = append(cur.NS, s)
			}
		}
	case cur.BS != nil && x.BS != nil:
		for _, b := range x.BS {
			if !slices.ContainsFunc(cur.BS, func(c []byte) bool { return bytes.Equal(b, c) }) {
				cur.BS = append(cur.BS, b)
			}
		}
	default:
		return errOperandType()
	}
	return nil
}

func deleteFromSet(item Item, path docPath, x *Value) error {
	cur := lookup(item, path)
	if cur == nil {
		return nil
	}
	switch {
	case cur.SS != nil && x.SS != nil:
		cur.SS = slices.DeleteFunc(cur.SS, func(s string) bool { return slices.Contains(x.SS, s) })
		if len(cur.SS) == 0 {
			removePath(item, path)
		}
	case cur.NS != nil && x.NS != nil:
		cur.NS = slices.DeleteFunc(cur.NS, func(s string) bool {
			return slices.ContainsFunc(x.NS, func(n string) bool { return compareNumbers(n, s) == 0 })
		})
		if len(cur.NS) == 0 {
			removePath(item, path)
		}
	case cur.BS != nil && x.BS != nil:
		cur.BS = slices.DeleteFunc(cur.BS, func(b []byte) bool {
			return slices.ContainsFunc(x.BS, func(c []byte) bool { return bytes.Equal(b, c) })
		})
		if len(cur.BS) == 0 {
			removePath(item, path)
		}
	default:
		return errOperandType()
	}
	return nil
}

// project returns the parts of item named by paths (all of it if none).
func project(item Item, paths []docPath) Item {
	if item == nil || len(paths) == 0 {
		return item
	}
	out := Item{}
	for _, p := range paths {
		v := lookup(item, p)
		if v == nil {
			continue
		}
		copyPath(out, item, p)
	}
	return out
}

// copyPath copies the value at path from src into dst, building the maps
// and lists on the way; list elements keep their relative order.
func copyPath(dst, src Item, path docPath) {
	sv := src[path[0].name]
	if len(path) == 1 {
		dst[path[0].name] = sv
		return
	}
	dv := dst[path[0].name]
	if dv == nil {
		dv = emptyLike(sv)
		dst[path[0].name] = dv
	}
	for i, e := range path[1:] {
		lastStep := i == len(path)-2
		var next *Value
		if e.isIdx {
			next = sv.L[e.index]
		} else {
			next = sv.M[e.name]
		}
		if e.isIdx {
			// Lists in projections keep only the projected elements, in order.
			dv.L = append(dv.L, nil)
			if lastStep {
				dv.L[len(dv.L)-1] = next
				return
			}
			nd := emptyLike(next)
			dv.L[len(dv.L)-1] = nd
			dv, sv = nd, next
			continue
		}
		if lastStep {
			dv.M[e.name] = next
			return
		}
		nd := dv.M[e.name]
		if nd == nil {
			nd = emptyLike(next)
			dv.M[e.name] = nd
		}
		dv, sv = nd, next
	}
}

func emptyLike(v *Value) *Value {
	if v.L != nil {
		return &Value{L: []*Value{}}
	}
	return &Value{M: map[string]*Value{}}
}
