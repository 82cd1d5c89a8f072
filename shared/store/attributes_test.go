package store

import (
	"flag"
	"fmt"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/consentflow/consentflow/shared/consent"
)

var update = flag.Bool("update", false, "rewrite testdata/attributes.golden")

// fill sets every field of v (a pointer) to a non-zero value, so that no
// attribute is left out by omitempty.
func fill(v reflect.Value) {
	switch v.Kind() {
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		fill(v.Elem())
	case reflect.Struct:
		if v.Type() == reflect.TypeOf(time.Time{}) {
			v.Set(reflect.ValueOf(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)))
			return
		}
		for i := 0; i < v.NumField(); i++ {
			if v.Type().Field(i).IsExported() {
				fill(v.Field(i))
			}
		}
	case reflect.String:
		v.SetString("x")
	case reflect.Int, reflect.Int64:
		v.SetInt(1)
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Slice:
		s := reflect.MakeSlice(v.Type(), 1, 1)
		fill(s.Index(0))
		v.Set(s)
	case reflect.Map:
		m := reflect.MakeMap(v.Type())
		k, e := reflect.New(v.Type().Key()).Elem(), reflect.New(v.Type().Elem()).Elem()
		fill(k)
		fill(e)
		m.SetMapIndex(k, e)
		v.Set(m)
	}
}

// names lists an item's attribute names, nested ones as parent.child;
// the keys of a map-valued attribute are data, not names.
func names(prefix string, m map[string]types.AttributeValue, data map[string]bool, out *[]string) {
	for k, v := range m {
		n := prefix + k
		*out = append(*out, n)
		if data[n] {
			continue
		}
		switch av := v.(type) {
		case *types.AttributeValueMemberM:
			names(n+".", av.Value, data, out)
		case *types.AttributeValueMemberL:
			for _, e := range av.Value {
				if em, ok := e.(*types.AttributeValueMemberM); ok {
					names(n+"[].", em.Value, data, out)
					break
				}
			}
		}
	}
}

// TestStoredAttributeNames pins the attribute names of every stored item:
// explicit camelCase names, never Go field names. Run with -update after a
// deliberate change, and read the diff.
func TestStoredAttributeNames(t *testing.T) {
	items := map[string]any{
		"candidate":    &candidateItem{},
		"consent":      &consentItem{},
		"request":      &requestItem{},
		"link":         &linkItem{},
		"audit event":  &consent.Event{},
		"legacy event": &legacyEventItem{},
		"receipt owed": &owedItem{},
		"join link":    &joinLinkItem{},
		"interview":    &interviewItem{},
		"notice":       &noticeItem{},
	}
	data := map[string]bool{"retentionDays": true}
	var b strings.Builder
	kinds := make([]string, 0, len(items))
	for k := range items {
		kinds = append(kinds, k)
	}
	slices.Sort(kinds)
	for _, kind := range kinds {
		v := items[kind]
		fill(reflect.ValueOf(v).Elem())
		var got []string
		names("", marshal(v), data, &got)
		slices.Sort(got)
		fmt.Fprintf(&b, "%s: %s\n", kind, strings.Join(got, " "))
		for _, n := range got {
			last := n[strings.LastIndexAny(n, ".")+1:]
			if r := []rune(last)[0]; !unicode.IsLower(r) {
				t.Errorf("%s: attribute %q is not camelCase", kind, n)
			}
		}
	}
	golden := "testdata/attributes.golden"
	if *update {
		if err := os.WriteFile(golden, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if b.String() != string(want) {
		t.Errorf("stored attribute names changed; got:\n%s\nwant:\n%s", b.String(), want)
	}
}
