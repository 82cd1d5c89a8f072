package dynamodb

import (
	_ "embed"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// The expression languages: condition (ConditionExpression,
// FilterExpression, KeyConditionExpression), update and projection
// expressions, parsed once per request into trees that evaluate against
// items.

//go:embed reserved.txt
var reservedText string

var reserved = func() map[string]bool {
	m := map[string]bool{}
	for line := range strings.Lines(reservedText) {
		if strings.HasPrefix(line, "#") {
			continue
		}
		for _, w := range strings.Fields(line) {
			m[w] = true
		}
	}
	return m
}()

// pathElem is one step of a document path: an attribute or map key name,
// or a list index.
type pathElem struct {
	name  string
	index int
	isIdx bool
}

type docPath []pathElem

func (p docPath) String() string {
	parts := make([]string, len(p))
	for i, e := range p {
		if e.isIdx {
			parts[i] = "[" + strconv.Itoa(e.index) + "]"
		} else {
			parts[i] = e.name
		}
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

type (
	operand interface{ isOperand() }

	pathOperand  struct{ path docPath }
	valueOperand struct {
		name  string
		value *Value
	}
	callOperand struct {
		fn   string
		args []operand
	}
	arithOperand struct {
		op   byte
		l, r operand
	}
)

func (*pathOperand) isOperand()  {}
func (*valueOperand) isOperand() {}
func (*callOperand) isOperand()  {}
func (*arithOperand) isOperand() {}

type (
	condition interface{ isCondition() }

	compareCond struct {
		op   string
		l, r operand
	}
	betweenCond struct{ v, lo, hi operand }
	inCond      struct {
		v    operand
		list []operand
	}
	callCond struct {
		fn   string
		args []operand
	}
	logicCond struct {
		op   string
		l, r condition
	}
	notCond struct{ c condition }
)

func (*compareCond) isCondition() {}
func (*betweenCond) isCondition() {}
func (*inCond) isCondition()      {}
func (*callCond) isCondition()    {}
func (*logicCond) isCondition()   {}
func (*notCond) isCondition()     {}

// exprContext holds a request's expression attribute names and values and
// records which of them the request's expressions use.
type exprContext struct {
	names      map[string]string
	values     map[string]*Value
	usedNames  map[string]bool
	usedValues map[string]bool
}

func newExprContext(names map[string]string, values map[string]*Value) *exprContext {
	return &exprContext{names: names, values: values, usedNames: map[string]bool{}, usedValues: map[string]bool{}}
}

// checkParams validates the names and values maps against the request's
// expressions, before any expression is parsed.
// anyExpression says whether the request has an expression; valueExprs
// names the request's expressions that take values ("UpdateExpression",
// ...), anyValueExpr whether one of them is present.
func (x *exprContext) checkParams(anyExpression bool, valueExprs []string, anyValueExpr bool) error {
	if x.names != nil && !anyExpression {
		return validationf("ExpressionAttributeNames can only be specified when using expressions")
	}
	if x.values != nil && !anyValueExpr && len(valueExprs) > 0 {
		verb := "is"
		if len(valueExprs) > 1 {
			verb = "are"
		}
		return validationf("ExpressionAttributeValues can only be specified when using expressions: %s %s null", strings.Join(valueExprs, " and "), verb)
	}
	if x.names != nil && len(x.names) == 0 {
		return validationf("ExpressionAttributeNames must not be empty")
	}
	if x.values != nil && len(x.values) == 0 {
		return validationf("ExpressionAttributeValues must not be empty")
	}
	for k, v := range x.values {
		if err := v.validate(); err != nil {
			return validationf("ExpressionAttributeValues contains invalid value: %s for key %s", strings.TrimPrefix(err.(*apiError).message, "One or more parameter values were invalid: "), k)
		}
	}
	return nil
}

// checkUnused reports names and values given but used by no expression.
func (x *exprContext) checkUnused() error {
	var unused []string
	for k := range x.names {
		if !x.usedNames[k] {
			unused = append(unused, k)
		}
	}
	if len(unused) > 0 {
		slices.Sort(unused)
		return validationf("Value provided in ExpressionAttributeNames unused in expressions: keys: {%s}", strings.Join(unused, ", "))
	}
	for k := range x.values {
		if !x.usedValues[k] {
			unused = append(unused, k)
		}
	}
	if len(unused) > 0 {
		slices.Sort(unused)
		return validationf("Value provided in ExpressionAttributeValues unused in expressions: keys: {%s}", strings.Join(unused, ", "))
	}
	return nil
}

type tokenKind int

const (
	tokEOF tokenKind = iota
	tokIdent
	tokName
	tokValue
	tokNumber
	tokPunct
)

type token struct {
	kind       tokenKind
	text       string
	start, end int
}

type parser struct {
	kind string // "ConditionExpression", "UpdateExpression", ...
	src  string
	toks []token
	pos  int
	x    *exprContext
}

const maxExpressionSize = 4096

func newParser(kind, src string, x *exprContext) (*parser, error) {
	if len(src) > maxExpressionSize {
		return nil, validationf("Invalid %s: Expression size has exceeded the maximum allowed size; expression size: %d", kind, len(src))
	}
	p := &parser{kind: kind, src: src, x: x}
	if strings.TrimSpace(src) == "" {
		return nil, validationf("Invalid %s: The expression can not be empty;", kind)
	}
	for i := 0; i < len(src); {
		c := src[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '#' || c == ':':
			j := i + 1
			for j < len(src) && isWordByte(src[j]) {
				j++
			}
			if j == i+1 {
				return nil, p.lexError(i, string(c))
			}
			kind := tokName
			if c == ':' {
				kind = tokValue
			}
			p.toks = append(p.toks, token{kind, src[i:j], i, j})
			i = j
		case isDigit(c):
			j := i
			for j < len(src) && isDigit(src[j]) {
				j++
			}
			p.toks = append(p.toks, token{tokNumber, src[i:j], i, j})
			i = j
		case isWordByte(c):
			j := i
			for j < len(src) && isWordByte(src[j]) {
				j++
			}
			p.toks = append(p.toks, token{tokIdent, src[i:j], i, j})
			i = j
		case c == '<' || c == '>':
			j := i + 1
			if j < len(src) && (src[j] == '=' || (c == '<' && src[j] == '>')) {
				j++
			}
			p.toks = append(p.toks, token{tokPunct, src[i:j], i, j})
			i = j
		case strings.IndexByte("=(),.[]+-", c) >= 0:
			p.toks = append(p.toks, token{tokPunct, src[i : i+1], i, i + 1})
			i++
		default:
			return nil, p.lexError(i, src[i:i+1])
		}
	}
	p.toks = append(p.toks, token{tokEOF, "<EOF>", len(src), len(src)})
	return p, nil
}

func isDigit(c byte) bool    { return c >= '0' && c <= '9' }
func isWordByte(c byte) bool { return c == '_' || isDigit(c) || c|0x20 >= 'a' && c|0x20 <= 'z' }

func (p *parser) lexError(i int, tok string) error {
	return validationf("Invalid %s: Syntax error; token: \"%s\", near: \"%s\"", p.kind, tok, p.src[max(0, i-1):min(len(p.src), i+2)])
}

func (p *parser) peek() token { return p.toks[p.pos] }
func (p *parser) next() token {
	t := p.toks[p.pos]
	if t.kind != tokEOF {
		p.pos++
	}
	return t
}

// syntaxError reports the current token as DynamoDB does: the token and
// the text from the token before it to the token after it.
func (p *parser) syntaxError() error {
	t := p.toks[p.pos]
	from, to := t.start, t.end
	if p.pos > 0 {
		from = p.toks[p.pos-1].start
	}
	if p.pos+1 < len(p.toks) {
		to = p.toks[p.pos+1].end
	}
	return validationf("Invalid %s: Syntax error; token: \"%s\", near: \"%s\"", p.kind, t.text, p.src[from:to])
}

func (p *parser) isPunct(s string) bool {
	t := p.peek()
	return t.kind == tokPunct && t.text == s
}

func (p *parser) isKeyword(s string) bool {
	t := p.peek()
	return t.kind == tokIdent && strings.EqualFold(t.text, s)
}

func (p *parser) expectPunct(s string) error {
	if !p.isPunct(s) {
		return p.syntaxError()
	}
	p.next()
	return nil
}

func (p *parser) end() error {
	if p.peek().kind != tokEOF {
		return p.syntaxError()
	}
	return nil
}

// path parses a document path.
func (p *parser) path() (docPath, error) {
	var path docPath
	first := true
	for {
		t := p.peek()
		switch t.kind {
		case tokIdent:
			if !first || true {
				if reserved[strings.ToUpper(t.text)] {
					return nil, validationf("Invalid %s: Attribute name is a reserved keyword; reserved keyword: %s", p.kind, t.text)
				}
			}
			if isDigit(t.text[0]) {
				return nil, p.syntaxError()
			}
			p.next()
			path = append(path, pathElem{name: t.text})
		case tokName:
			p.next()
			name, ok := p.x.names[t.text]
			if !ok {
				return nil, validationf("Invalid %s: An expression attribute name used in the document path is not defined; attribute name: %s", p.kind, t.text)
			}
			p.x.usedNames[t.text] = true
			path = append(path, pathElem{name: name})
		default:
			return nil, p.syntaxError()
		}
		first = false
		for p.isPunct("[") {
			p.next()
			n := p.peek()
			if n.kind != tokNumber {
				return nil, p.syntaxError()
			}
			p.next()
			idx, err := strconv.Atoi(n.text)
			if err != nil {
				return nil, validationf("Invalid %s: List index is too large; index: %s", p.kind, n.text)
			}
			if err := p.expectPunct("]"); err != nil {
				return nil, err
			}
			path = append(path, pathElem{index: idx, isIdx: true})
		}
		if !p.isPunct(".") {
			break
		}
		p.next()
	}
	if len(path) > 32 {
		return nil, validationf("Invalid %s: The document path has too many nesting levels; nesting levels: %d", p.kind, len(path))
	}
	return path, nil
}

func (p *parser) value() (*valueOperand, error) {
	t := p.next()
	v, ok := p.x.values[t.text]
	if !ok {
		return nil, validationf("Invalid %s: An expression attribute value used in expression is not defined; attribute value: %s", p.kind, t.text)
	}
	p.x.usedValues[t.text] = true
	return &valueOperand{name: t.text, value: v}, nil
}

var (
	conditionFunctions = map[string]int{"attribute_exists": 1, "attribute_not_exists": 1, "attribute_type": 2, "begins_with": 2, "contains": 2, "size": 1}
	updateFunctions    = map[string]int{"if_not_exists": 2, "list_append": 2}
)

// call parses fn(args...) with the function name as the current token.
func (p *parser) call() (string, []operand, error) {
	t := p.next()
	fn := t.text
	arity := conditionFunctions
	if p.kind == "UpdateExpression" {
		arity = updateFunctions
	}
	if _, ok := arity[fn]; !ok {
		return "", nil, validationf("Invalid %s: Invalid function name; function: %s", p.kind, fn)
	}
	if err := p.expectPunct("("); err != nil {
		return "", nil, err
	}
	var args []operand
	for {
		a, err := p.operand(fn == "if_not_exists" || fn == "list_append")
		if err != nil {
			return "", nil, err
		}
		args = append(args, a)
		if p.isPunct(",") {
			p.next()
			continue
		}
		break
	}
	if err := p.expectPunct(")"); err != nil {
		return "", nil, err
	}
	if len(args) != arity[fn] {
		return "", nil, validationf("Invalid %s: Incorrect number of operands for operator or function; operator or function: %s, number of operands: %d", p.kind, fn, len(args))
	}
	return fn, args, nil
}

// operand parses a path, a value or a function call used as a value.
func (p *parser) operand(update bool) (operand, error) {
	t := p.peek()
	switch t.kind {
	case tokValue:
		return p.value()
	case tokName:
		path, err := p.path()
		return &pathOperand{path}, err
	case tokIdent:
		if p.toks[p.pos+1].kind == tokPunct && p.toks[p.pos+1].text == "(" {
			fn, args, err := p.call()
			if err != nil {
				return nil, err
			}
			allowed := fn == "size"
			if update {
				allowed = fn == "if_not_exists" || fn == "list_append"
			}
			if !allowed {
				return nil, validationf("Invalid %s: The function is not allowed to be used this way in an expression; function: %s", p.kind, fn)
			}
			if fn == "if_not_exists" {
				if _, ok := args[0].(*pathOperand); !ok {
					return nil, validationf("Invalid %s: Operator or function requires a document path; operator or function: %s", p.kind, fn)
				}
			}
			if fn == "list_append" {
				for _, a := range args {
					if v, ok := a.(*valueOperand); ok && v.value.L == nil {
						return nil, validationf("Invalid %s: Incorrect operand type for operator or function; operator or function: list_append, operand type: %s", p.kind, v.value.Type())
					}
				}
			}
			return &callOperand{fn: fn, args: args}, nil
		}
		path, err := p.path()
		return &pathOperand{path}, err
	}
	return nil, p.syntaxError()
}

// parseCondition parses a condition, filter or key condition expression.
func parseCondition(kind, src string, x *exprContext) (condition, error) {
	p, err := newParser(kind, src, x)
	if err != nil {
		return nil, err
	}
	c, err := p.or()
	if err != nil {
		return nil, err
	}
	if err := p.end(); err != nil {
		return nil, err
	}
	if err := checkCondition(kind, c); err != nil {
		return nil, err
	}
	return c, nil
}

func (p *parser) or() (condition, error) {
	l, err := p.and()
	if err != nil {
		return nil, err
	}
	for p.isKeyword("OR") {
		p.next()
		r, err := p.and()
		if err != nil {
			return nil, err
		}
		l = &logicCond{op: "OR", l: l, r: r}
	}
	return l, nil
}

func (p *parser) and() (condition, error) {
	l, err := p.not()
	if err != nil {
		return nil, err
	}
	for p.isKeyword("AND") {
		p.next()
		r, err := p.not()
		if err != nil {
			return nil, err
		}
		l = &logicCond{op: "AND", l: l, r: r}
	}
	return l, nil
}

func (p *parser) not() (condition, error) {
	if p.isKeyword("NOT") {
		p.next()
		c, err := p.not()
		if err != nil {
			return nil, err
		}
		return &notCond{c}, nil
	}
	return p.primary()
}

var comparators = []string{"=", "<>", "<", "<=", ">", ">="}

func (p *parser) primary() (condition, error) {
	if p.isPunct("(") {
		p.next()
		c, err := p.or()
		if err != nil {
			return nil, err
		}
		if err := p.expectPunct(")"); err != nil {
			return nil, err
		}
		return c, nil
	}
	t := p.peek()
	if t.kind == tokIdent && p.toks[p.pos+1].text == "(" && p.toks[p.pos+1].kind == tokPunct && t.text == "size" {
		// size is a value: a condition must compare it.
		save := p.pos
		if _, _, err := p.call(); err != nil {
			return nil, err
		}
		next := p.peek()
		isCompare := next.kind == tokPunct && slices.Contains(comparators, next.text)
		if !isCompare && !p.isKeyword("BETWEEN") && !p.isKeyword("IN") {
			return nil, validationf("Invalid %s: The function is not allowed to be used this way in an expression; function: size", p.kind)
		}
		p.pos = save
	}
	if t.kind == tokIdent && p.toks[p.pos+1].text == "(" && p.toks[p.pos+1].kind == tokPunct && t.text != "size" {
		fn, args, err := p.call()
		if err != nil {
			return nil, err
		}
		switch fn {
		case "attribute_exists", "attribute_not_exists", "attribute_type":
			if _, ok := args[0].(*pathOperand); !ok {
				return nil, validationf("Invalid %s: Operator or function requires a document path; operator or function: %s", p.kind, fn)
			}
		case "begins_with", "contains":
		default:
			return nil, validationf("Invalid %s: The function is not allowed to be used this way in an expression; function: %s", p.kind, fn)
		}
		return &callCond{fn: fn, args: args}, nil
	}
	l, err := p.operand(false)
	if err != nil {
		return nil, err
	}
	switch {
	case p.peek().kind == tokPunct && slices.Contains(comparators, p.peek().text):
		op := p.next().text
		r, err := p.operand(false)
		if err != nil {
			return nil, err
		}
		return &compareCond{op: op, l: l, r: r}, nil
	case p.isKeyword("BETWEEN"):
		p.next()
		lo, err := p.operand(false)
		if err != nil {
			return nil, err
		}
		if !p.isKeyword("AND") {
			return nil, p.syntaxError()
		}
		p.next()
		hi, err := p.operand(false)
		if err != nil {
			return nil, err
		}
		return &betweenCond{v: l, lo: lo, hi: hi}, nil
	case p.isKeyword("IN"):
		p.next()
		if err := p.expectPunct("("); err != nil {
			return nil, err
		}
		var list []operand
		for {
			o, err := p.operand(false)
			if err != nil {
				return nil, err
			}
			list = append(list, o)
			if !p.isPunct(",") {
				break
			}
			p.next()
		}
		if err := p.expectPunct(")"); err != nil {
			return nil, err
		}
		if len(list) > 100 {
			return nil, validationf("Invalid %s: The IN operator is provided with too many operands; number of operands: %d", p.kind, len(list))
		}
		return &inCond{v: l, list: list}, nil
	}
	return nil, p.syntaxError()
}

// checkCondition reports what DynamoDB refuses before evaluating: literal
// operands of the wrong type and comparisons of a value with itself.
func checkCondition(kind string, c condition) error {
	switch c := c.(type) {
	case *logicCond:
		if err := checkCondition(kind, c.l); err != nil {
			return err
		}
		return checkCondition(kind, c.r)
	case *notCond:
		return checkCondition(kind, c.c)
	case *compareCond:
		if c.op != "=" && c.op != "<>" {
			for _, o := range []operand{c.l, c.r} {
				if v, ok := o.(*valueOperand); ok && !isScalarKeyType(v.value) {
					return validationf("Invalid %s: Incorrect operand type for operator or function; operator: %s, operand type: %s", kind, c.op, typeName(v.value))
				}
			}
		}
		if samePaths(c.l, c.r) {
			return validationf("Invalid %s: The first operand must be distinct from the remaining operands for this operator or function; operator: %s, first operand: %s", kind, c.op, operandString(c.l))
		}
	case *betweenCond:
		for _, o := range []operand{c.v, c.lo, c.hi} {
			if v, ok := o.(*valueOperand); ok && !isScalarKeyType(v.value) {
				return validationf("Invalid %s: Incorrect operand type for operator or function; operator: BETWEEN, operand type: %s", kind, typeName(v.value))
			}
		}
		lo, lok := c.lo.(*valueOperand)
		hi, hok := c.hi.(*valueOperand)
		if lok && hok {
			cmp, ok := compareScalars(lo.value, hi.value)
			if !ok {
				return validationf("Invalid %s: The BETWEEN operator requires same data type for lower and upper bounds; lower bound operand: AttributeValue: {%s:%s}, upper bound operand: AttributeValue: {%s:%s}", kind, lo.value.Type(), lo.value.describe(), hi.value.Type(), hi.value.describe())
			}
			if cmp > 0 {
				return validationf("Invalid %s: The BETWEEN operator requires upper bound to be greater than or equal to lower bound; lower bound operand: AttributeValue: {%s:%s}, upper bound operand: AttributeValue: {%s:%s}", kind, lo.value.Type(), lo.value.describe(), hi.value.Type(), hi.value.describe())
			}
		}
	case *callCond:
		switch c.fn {
		case "attribute_type":
			if v, ok := c.args[1].(*valueOperand); ok {
				if v.value.S == nil || !slices.Contains([]string{"S", "SS", "N", "NS", "B", "BS", "BOOL", "NULL", "L", "M"}, *v.value.S) {
					return validationf("Invalid %s: Invalid attribute type name found; type: %s, valid types: {B,NULL,SS,BOOL,L,BS,N,NS,S,M}", kind, v.value.describe())
				}
			}
		case "begins_with":
			for _, o := range c.args {
				if v, ok := o.(*valueOperand); ok && v.value.S == nil && v.value.B == nil {
					return validationf("Invalid %s: Incorrect operand type for operator or function; operator or function: begins_with, operand type: %s", kind, typeName(v.value))
				}
			}
		}
	}
	return nil
}

func isScalarKeyType(v *Value) bool { return v.S != nil || v.N != nil || v.B != nil }

func typeName(v *Value) string {
	switch t := v.Type(); t {
	case "BOOL":
		return "BOOL"
	default:
		return t
	}
}

func samePaths(a, b operand) bool {
	pa, ok1 := a.(*pathOperand)
	pb, ok2 := b.(*pathOperand)
	return ok1 && ok2 && slices.Equal(pa.path, pb.path)
}

func operandString(o operand) string {
	if p, ok := o.(*pathOperand); ok {
		return p.path.String()
	}
	return fmt.Sprint(o)
}

// updateAction is one action of an update expression.
type updateAction struct {
	clause string // SET, REMOVE, ADD, DELETE
	path   docPath
	value  operand
}

// parseUpdate parses an update expression.
func parseUpdate(src string, x *exprContext) ([]updateAction, error) {
	const kind = "UpdateExpression"
	p, err := newParser(kind, src, x)
	if err != nil {
		return nil, err
	}
	var actions []updateAction
	seen := map[string]bool{}
	for p.peek().kind != tokEOF {
		t := p.peek()
		clause := strings.ToUpper(t.text)
		if t.kind != tokIdent || !slices.Contains([]string{"SET", "REMOVE", "ADD", "DELETE"}, clause) {
			return nil, p.syntaxError()
		}
		if seen[clause] {
			return nil, validationf("Invalid %s: The \"%s\" section can only be used once in an update expression;", kind, clause)
		}
		seen[clause] = true
		p.next()
		for {
			path, err := p.path()
			if err != nil {
				return nil, err
			}
			a := updateAction{clause: clause, path: path}
			switch clause {
			case "SET":
				if err := p.expectPunct("="); err != nil {
					return nil, err
				}
				if a.value, err = p.setValue(); err != nil {
					return nil, err
				}
			case "ADD", "DELETE":
				if p.peek().kind != tokValue {
					return nil, p.syntaxError()
				}
				v, err := p.value()
				if err != nil {
					return nil, err
				}
				a.value = v
				if long, ok := longTypeNames[v.value.Type()]; ok && !(clause == "ADD" && v.value.N != nil) {
					return nil, validationf("Invalid %s: Incorrect operand type for operator or function; operator: %s, operand type: %s", kind, clause, long)
				}
			}
			actions = append(actions, a)
			if !p.isPunct(",") {
				break
			}
			p.next()
		}
	}
	// Paths may not overlap: one action per attribute or sub-document.
	for i := range actions {
		for j := range i {
			if overlaps(actions[j].path, actions[i].path) {
				return nil, validationf("Invalid %s: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: %s, path two: %s", kind, actions[j].path, actions[i].path)
			}
		}
	}
	return actions, nil
}

// longTypeNames are the types ADD and DELETE refuse, as their messages name them.
var longTypeNames = map[string]string{"S": "STRING", "N": "NUMBER", "B": "BINARY", "NULL": "NULL", "BOOL": "BOOLEAN", "L": "LIST", "M": "MAP"}

func overlaps(a, b docPath) bool {
	n := min(len(a), len(b))
	return slices.Equal(a[:n], b[:n])
}

// setValue parses the right-hand side of a SET action: an operand, or two
// joined by + or -.
func (p *parser) setValue() (operand, error) {
	l, err := p.operand(true)
	if err != nil {
		return nil, err
	}
	if p.isPunct("+") || p.isPunct("-") {
		op := p.next().text[0]
		r, err := p.operand(true)
		if err != nil {
			return nil, err
		}
		return &arithOperand{op: op, l: l, r: r}, nil
	}
	return l, nil
}

// parseProjection parses a projection expression.
func parseProjection(src string, x *exprContext) ([]docPath, error) {
	p, err := newParser("ProjectionExpression", src, x)
	if err != nil {
		return nil, err
	}
	var paths []docPath
	for {
		path, err := p.path()
		if err != nil {
			return nil, err
		}
		paths = append(paths, path)
		if !p.isPunct(",") {
			break
		}
		p.next()
	}
	if err := p.end(); err != nil {
		return nil, err
	}
	for i := range paths {
		for j := range i {
			if overlaps(paths[j], paths[i]) {
				return nil, validationf("Invalid ProjectionExpression: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: %s, path two: %s", paths[j], paths[i])
			}
		}
	}
	return paths, nil
}
