package dynamodb

import (
	"bytes"
	"fmt"
	"math/big"
	"slices"
	"strings"
	"unicode/utf8"
)

// Value is one DynamoDB attribute value in its JSON wire form: exactly one
// field is set.
type Value struct {
	S    *string           `json:"S,omitempty"`
	N    *string           `json:"N,omitempty"`
	B    []byte            `json:"B,omitzero"`
	BOOL *bool             `json:"BOOL,omitempty"`
	NULL *bool             `json:"NULL,omitempty"`
	M    map[string]*Value `json:"M,omitzero"`
	L    []*Value          `json:"L,omitzero"`
	SS   []string          `json:"SS,omitzero"`
	NS   []string          `json:"NS,omitzero"`
	BS   [][]byte          `json:"BS,omitzero"`
}

// Item is a stored item or a key.
type Item map[string]*Value

// Type is the value's DynamoDB type name ("S", "N", "M", ...), "" if none is set.
func (v *Value) Type() string {
	switch {
	case v == nil:
		return ""
	case v.S != nil:
		return "S"
	case v.N != nil:
		return "N"
	case v.B != nil:
		return "B"
	case v.BOOL != nil:
		return "BOOL"
	case v.NULL != nil:
		return "NULL"
	case v.M != nil:
		return "M"
	case v.L != nil:
		return "L"
	case v.SS != nil:
		return "SS"
	case v.NS != nil:
		return "NS"
	case v.BS != nil:
		return "BS"
	}
	return ""
}

func strValue(s string) *Value { return &Value{S: &s} }
func numValue(s string) *Value { return &Value{N: &s} }

// validate checks a value received from a client and normalizes its numbers
// as DynamoDB stores them.
func (v *Value) validate() error {
	if v == nil {
		return validationf("Supplied AttributeValue is empty, must contain exactly one of the supported datatypes")
	}
	n := 0
	for _, set := range []bool{v.S != nil, v.N != nil, v.B != nil, v.BOOL != nil, v.NULL != nil, v.M != nil, v.L != nil, v.SS != nil, v.NS != nil, v.BS != nil} {
		if set {
			n++
		}
	}
	if n != 1 {
		if n == 0 {
			return validationf("Supplied AttributeValue is empty, must contain exactly one of the supported datatypes")
		}
		return validationf("Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes")
	}
	switch {
	case v.NULL != nil && !*v.NULL:
		return validationf("One or more parameter values were invalid: Null attribute value types must have the value of true")
	case v.N != nil:
		s, err := normalizeNumber(*v.N)
		if err != nil {
			return err
		}
		v.N = &s
	case v.SS != nil:
		if len(v.SS) == 0 {
			return validationf("One or more parameter values were invalid: An string set  may not be empty")
		}
		if hasDuplicates(v.SS) {
			return validationf("One or more parameter values were invalid: Input collection %s contains duplicates.", listString(v.SS))
		}
	case v.NS != nil:
		if len(v.NS) == 0 {
			return validationf("One or more parameter values were invalid: An number set  may not be empty")
		}
		for i, s := range v.NS {
			n, err := normalizeNumber(s)
			if err != nil {
				return err
			}
			v.NS[i] = n
		}
		if hasDuplicates(v.NS) {
			return validationf("Input collection %s contains duplicates.", listString(v.NS))
		}
	case v.BS != nil:
		if len(v.BS) == 0 {
			return validationf("One or more parameter values were invalid: Binary sets should not be empty")
		}
		seen := map[string]bool{}
		for _, b := range v.BS {
			if seen[string(b)] {
				return validationf("One or more parameter values were invalid: Input collection contains duplicates.")
			}
			seen[string(b)] = true
		}
	case v.M != nil:
		for _, e := range v.M {
			if err := e.validate(); err != nil {
				return err
			}
		}
	case v.L != nil:
		for _, e := range v.L {
			if err := e.validate(); err != nil {
				return err
			}
		}
	}
	return nil
}

func hasDuplicates(s []string) bool {
	seen := make(map[string]bool, len(s))
	for _, e := range s {
		if seen[e] {
			return true
		}
		seen[e] = true
	}
	return false
}

func listString(s []string) string { return "[" + strings.Join(s, ", ") + "]" }

// normalizeNumber parses a DynamoDB number and returns it in the canonical
// form DynamoDB answers with (no exponent, no superfluous zeros).
func normalizeNumber(s string) (string, error) {
	r, ok := parseNumber(s)
	if !ok {
		return "", validationf("The parameter cannot be converted to a numeric value: %s", s)
	}
	out := formatNumber(r)
	digits := strings.TrimLeft(strings.ReplaceAll(strings.TrimPrefix(out, "-"), ".", ""), "0")
	digits = strings.TrimRight(digits, "0")
	if len(digits) > 38 {
		return "", validationf("Attempting to store more than 38 significant digits in a Number")
	}
	if r.Sign() != 0 {
		abs := new(big.Rat).Abs(r)
		if abs.Cmp(maxNumber) >= 0 {
			return "", validationf("Number overflow. Attempting to store a number with magnitude larger than supported range")
		}
		if abs.Cmp(minNumber) < 0 {
			return "", validationf("Number underflow. Attempting to store a number with magnitude smaller than supported range")
		}
	}
	return out, nil
}

var (
	maxNumber, _ = new(big.Rat).SetString("1e126")
	minNumber, _ = new(big.Rat).SetString("1e-130")
)

func parseNumber(s string) (*big.Rat, bool) {
	s = strings.TrimSpace(s)
	if s == "" || strings.ContainsAny(s, "/xXpP_") || strings.EqualFold(s, "inf") || strings.Contains(strings.ToLower(s), "nan") {
		return nil, false
	}
	r, ok := new(big.Rat).SetString(s)
	return r, ok
}

// formatNumber writes a rational with a finite decimal expansion (every
// DynamoDB number and their sums) as a plain decimal.
func formatNumber(r *big.Rat) string {
	d := new(big.Int).Set(r.Denom())
	scale := 0
	two, five, ten := big.NewInt(2), big.NewInt(5), big.NewInt(10)
	mod := new(big.Int)
	for d.Cmp(big.NewInt(1)) != 0 && scale < 200 {
		switch {
		case mod.Mod(d, ten).Sign() == 0:
			d.Div(d, ten)
		case mod.Mod(d, two).Sign() == 0:
			d.Div(d, two)
		case mod.Mod(d, five).Sign() == 0:
			d.Div(d, five)
		default:
			scale = 200
			continue
		}
		scale++
	}
	s := r.FloatString(scale)
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	if s == "-0" {
		s = "0"
	}
	return s
}

func compareNumbers(a, b string) int {
	ra, _ := parseNumber(a)
	rb, _ := parseNumber(b)
	if ra == nil || rb == nil {
		return strings.Compare(a, b)
	}
	return ra.Cmp(rb)
}

// compareScalars orders two values of the same scalar type (S, N or B) as
// DynamoDB sorts keys; ok is false for other types or a type mismatch.
func compareScalars(a, b *Value) (c int, ok bool) {
	switch {
	case a == nil || b == nil:
		return 0, false
	case a.S != nil && b.S != nil:
		return strings.Compare(*a.S, *b.S), true
	case a.N != nil && b.N != nil:
		return compareNumbers(*a.N, *b.N), true
	case a.B != nil && b.B != nil:
		return bytes.Compare(a.B, b.B), true
	}
	return 0, false
}

// equal is DynamoDB's = : same type and same value (sets ignore order).
func equal(a, b *Value) bool {
	if a == nil || b == nil {
		return false
	}
	if a.Type() != b.Type() {
		return false
	}
	switch {
	case a.S != nil:
		return *a.S == *b.S
	case a.N != nil:
		return compareNumbers(*a.N, *b.N) == 0
	case a.B != nil:
		return bytes.Equal(a.B, b.B)
	case a.BOOL != nil:
		return *a.BOOL == *b.BOOL
	case a.NULL != nil:
		return true
	case a.M != nil:
		if len(a.M) != len(b.M) {
			return false
		}
		for k, av := range a.M {
			if !equal(av, b.M[k]) {
				return false
			}
		}
		return true
	case a.L != nil:
		return slices.EqualFunc(a.L, b.L, equal)
	case a.SS != nil:
		return sameSet(a.SS, b.SS, func(x, y string) bool { return x == y })
	case a.NS != nil:
		return sameSet(a.NS, b.NS, func(x, y string) bool { return compareNumbers(x, y) == 0 })
	case a.BS != nil:
		return sameSet(a.BS, b.BS, bytes.Equal)
	}
	return false
}

func sameSet[T any](a, b []T, eq func(T, T) bool) bool {
	if len(a) != len(b) {
		return false
	}
	for _, x := range a {
		if !slices.ContainsFunc(b, func(y T) bool { return eq(x, y) }) {
			return false
		}
	}
	return true
}

// clone deep-copies a value; stored items are never shared with requests
// that modify them.
func (v *Value) clone() *Value {
	if v == nil {
		return nil
	}
	c := *v
	switch {
	case v.M != nil:
		c.M = make(map[string]*Value, len(v.M))
		for k, e := range v.M {
			c.M[k] = e.clone()
		}
	case v.L != nil:
		c.L = make([]*Value, len(v.L))
		for i, e := range v.L {
			c.L[i] = e.clone()
		}
	case v.SS != nil:
		c.SS = slices.Clone(v.SS)
	case v.NS != nil:
		c.NS = slices.Clone(v.NS)
	case v.BS != nil:
		c.BS = slices.Clone(v.BS)
	}
	return &c
}

func (it Item) clone() Item {
	if it == nil {
		return nil
	}
	c := make(Item, len(it))
	for k, v := range it {
		c[k] = v.clone()
	}
	return c
}

// size is the value's size as DynamoDB counts it towards the 400 KB item limit.
func (v *Value) size() int {
	switch {
	case v.S != nil:
		return len(*v.S)
	case v.N != nil:
		return numberSize(*v.N)
	case v.B != nil:
		return len(v.B)
	case v.BOOL != nil, v.NULL != nil:
		return 1
	case v.M != nil:
		n := 3
		for k, e := range v.M {
			n += len(k) + e.size() + 1
		}
		return n
	case v.L != nil:
		n := 3
		for _, e := range v.L {
			n += e.size() + 1
		}
		return n
	case v.SS != nil:
		n := 0
		for _, s := range v.SS {
			n += len(s)
		}
		return n
	case v.NS != nil:
		n := 0
		for _, s := range v.NS {
			n += numberSize(s)
		}
		return n
	case v.BS != nil:
		n := 0
		for _, b := range v.BS {
			n += len(b)
		}
		return n
	}
	return 0
}

func numberSize(s string) int {
	digits := strings.Trim(strings.ReplaceAll(strings.TrimPrefix(s, "-"), ".", ""), "0")
	return (len(digits)+1)/2 + 1
}

func (it Item) size() int {
	n := 0
	for k, v := range it {
		n += utf8.RuneCountInString(k) + v.size()
	}
	return n
}

const maxItemSize = 400 * 1024

// describe is a short rendering for error messages.
func (v *Value) describe() string {
	switch {
	case v == nil:
		return "null"
	case v.S != nil:
		return *v.S
	case v.N != nil:
		return *v.N
	}
	return fmt.Sprintf("%s", v.Type())
}
