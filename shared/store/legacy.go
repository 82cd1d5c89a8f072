package store

import (
	"reflect"
	"strings"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// unmarshal decodes an item into out (a pointer to an item struct). Items
// written before every stored field had an explicit dynamodbav name carry
// some attributes under their Go field names ("Email", "IPHash", "At",
// "CandidateID", and "Purpose"/"State" inside outcomes); those are read as
// their current names, so data already written stays readable.
func unmarshal(item map[string]types.AttributeValue, out any) error {
	t := reflect.TypeOf(out)
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return attributevalue.UnmarshalMap(upgradeMap(item, t), out)
}

// upgradeMap returns item with each attribute stored under a Go field name
// of t copied to the field's dynamodbav name, where that name is absent.
func upgradeMap(item map[string]types.AttributeValue, t reflect.Type) map[string]types.AttributeValue {
	fields := storedFields(t)
	if len(fields) == 0 {
		return item
	}
	out := make(map[string]types.AttributeValue, len(item))
	for k, v := range item {
		out[k] = v
	}
	for _, f := range fields {
		v, ok := out[f.name]
		if !ok {
			if old, had := out[f.goName]; had && f.goName != f.name {
				v, ok = old, true
				delete(out, f.goName)
			}
		}
		if ok {
			out[f.name] = upgradeValue(v, f.typ)
		}
	}
	return out
}

func upgradeValue(v types.AttributeValue, t reflect.Type) types.AttributeValue {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch av := v.(type) {
	case *types.AttributeValueMemberM:
		if t.Kind() == reflect.Struct {
			return &types.AttributeValueMemberM{Value: upgradeMap(av.Value, t)}
		}
	case *types.AttributeValueMemberL:
		if t.Kind() == reflect.Slice {
			l := make([]types.AttributeValue, len(av.Value))
			for i, e := range av.Value {
				l[i] = upgradeValue(e, t.Elem())
			}
			return &types.AttributeValueMemberL{Value: l}
		}
	}
	return v
}

type storedField struct {
	name, goName string
	typ          reflect.Type
}

// storedFields lists the attributes of a struct type as attributevalue
// encodes them: embedded structs flattened, "-" fields left out.
func storedFields(t reflect.Type) []storedField {
	if t.Kind() != reflect.Struct || t.PkgPath() == "time" {
		return nil
	}
	var out []storedField
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := f.Tag.Get("dynamodbav")
		name, _, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" && f.Type.Kind() == reflect.Struct {
			out = append(out, storedFields(f.Type)...)
			continue
		}
		if !f.IsExported() || name == "-" {
			continue
		}
		if name == "" {
			name = f.Name
		}
		out = append(out, storedField{name: name, goName: f.Name, typ: f.Type})
	}
	return out
}
