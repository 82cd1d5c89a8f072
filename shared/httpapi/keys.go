package httpapi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/consentflow/consentflow/shared/consent"
)

// checkJSON walks a JSON body token by token and refuses what encoding/json
// would accept silently: a key given twice in one object, also when only
// its case differs ({"name":"a","NAME":"b"} would store "b"), and strings
// whose UTF-8 is broken (encoding/json replaces those bytes, and lone
// surrogate escapes, with U+FFFD). Both are a *consent.ValidationError
// naming the field. Syntax errors are left to the decoder, which reports
// them with their offset.
func checkJSON(body []byte) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	type frame struct {
		object bool
		keys   map[string]string // folded key → key as sent
		key    string            // the current key (objects)
		index  int               // the next element's index (arrays)
		path   string
	}
	var stack []*frame
	// field is the path of the value about to be read.
	field := func() string {
		if len(stack) == 0 {
			return "body"
		}
		f := stack[len(stack)-1]
		if f.object {
			return join(f.path, f.key)
		}
		return f.path + "[" + strconv.Itoa(f.index) + "]"
	}
	// valueDone moves the innermost container past the value just read.
	valueDone := func() {
		if len(stack) == 0 {
			return
		}
		if f := stack[len(stack)-1]; f.object {
			f.key = ""
		} else {
			f.index++
		}
	}
	for {
		start := dec.InputOffset()
		tok, err := dec.Token()
		if err != nil {
			return nil // io.EOF, or a syntax error the decoder reports
		}
		raw := body[start:dec.InputOffset()]
		top := (*frame)(nil)
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		switch t := tok.(type) {
		case json.Delim:
			switch t {
			case '{', '[':
				stack = append(stack, &frame{object: t == '{', keys: map[string]string{}, path: field()})
			case '}', ']':
				stack = stack[:len(stack)-1]
				valueDone()
			}
		case string:
			if top != nil && top.object && top.key == "" {
				// A key.
				path := join(top.path, t)
				if err := checkString(raw, t, path); err != nil {
					return err
				}
				folded := fold(t)
				if prev, ok := top.keys[folded]; ok {
					reason := fmt.Sprintf("the key %q is given twice", t)
					if prev != t {
						reason = fmt.Sprintf("the keys %q and %q differ only in case; give the field once", prev, t)
					}
					return &consent.ValidationError{Field: path, Reason: reason}
				}
				top.keys[folded] = t
				top.key = t
				continue
			}
			if err := checkString(raw, t, field()); err != nil {
				return err
			}
			valueDone()
		default:
			valueDone()
		}
	}
}

// checkString refuses a decoded string into which the decoder substituted
// U+FFFD: the raw token held invalid UTF-8 or a lone surrogate escape.
func checkString(raw []byte, decoded, field string) error {
	if !strings.ContainsRune(decoded, utf8.RuneError) {
		return nil
	}
	if !utf8.Valid(raw) || !bytes.Contains(raw, []byte("\uFFFD")) && !bytes.Contains(bytes.ToLower(raw), []byte(`\ufffd`)) {
		return &consent.ValidationError{Field: field, Reason: "the text is not valid UTF-8 (or holds an unpaired surrogate escape)"}
	}
	return nil
}

func join(path, key string) string {
	if path == "" || path == "body" {
		return key
	}
	return path + "." + key
}

// fold maps s to a form equal for all strings that are equal under Unicode
// simple case folding, as encoding/json matches keys to fields: each rune
// becomes the smallest rune of its folding orbit.
func fold(s string) string {
	var b strings.Builder
	for _, r := range s {
		m := r
		for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
			m = min(m, f)
		}
		b.WriteRune(m)
	}
	return b.String()
}
