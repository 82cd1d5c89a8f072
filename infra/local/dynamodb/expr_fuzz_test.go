package dynamodb

import (
	"encoding/json"
	"testing"
)

// FuzzExpressions feeds arbitrary text to the expression parsers, which
// read untrusted input: none may panic, and what parses must evaluate and
// apply to an item without panicking and without changing the stored item.
func FuzzExpressions(f *testing.F) {
	for _, seed := range []string{
		"#status = :pending AND expiresAt > :now",
		"SET #status = :answered, answeredAt = :now, receiptId = :receipt REMOVE taskToken",
		"attribute_not_exists(pk)",
		"pk = :pk AND begins_with(sk, :prefix)",
		"NOT (a.b[1] BETWEEN :n AND :n) OR size(l) IN (:n, :s)",
		"SET l = list_append(if_not_exists(l, :l), :l), n = n + :n ADD ss :ss DELETE ss :ss",
		"a, b.c[2], #status",
		"contains(ss, :s) AND attribute_type(m, :s) AND begins_with(s, :s)",
		"REMOVE l[0], l[1], m.x",
		"((a = :s))",
		"a <> :s OR a < :n OR a <= :n OR a > :n OR a >= :n",
	} {
		f.Add(seed)
	}
	var item Item
	if err := json.Unmarshal([]byte(`{"pk":{"S":"p"},"sk":{"S":"s"},"a":{"M":{"b":{"L":[{"N":"1"},{"N":"2"}]}}},
		"l":{"L":[{"S":"x"}]},"n":{"N":"3"},"s":{"S":"str"},"ss":{"SS":["x","y"]},"m":{"M":{"x":{"NULL":true}}}}`), &item); err != nil {
		f.Fatal(err)
	}
	before, _ := json.Marshal(item)
	names := map[string]string{"#status": "status"}
	key := Item{"pk": item["pk"], "sk": item["sk"]}
	f.Fuzz(func(t *testing.T, src string) {
		values := func() map[string]*Value {
			var v map[string]*Value
			_ = json.Unmarshal([]byte(`{":pending":{"S":"pending"},":now":{"S":"2026"},":answered":{"S":"a"},":receipt":{"S":"r"},
				":pk":{"S":"p"},":prefix":{"S":"s"},":n":{"N":"1"},":s":{"S":"S"},":l":{"L":[{"N":"1"}]},":ss":{"SS":["x"]}}`), &v)
			return v
		}
		if c, err := parseCondition("ConditionExpression", src, newExprContext(names, values())); err == nil {
			eval(c, item)
			eval(c, nil)
			_, _, _ = keyCondition(c, keySchema{hash: keyAttr{"pk", "S"}, sort: keyAttr{"sk", "S"}})
		}
		if actions, err := parseUpdate(src, newExprContext(names, values())); err == nil {
			_, _ = applyUpdate(item, key, actions)
			_, _ = applyUpdate(nil, key, actions)
		}
		if paths, err := parseProjection(src, newExprContext(names, values())); err == nil {
			project(item, paths)
		}
		if after, _ := json.Marshal(item); string(after) != string(before) {
			t.Fatalf("evaluating %q changed the stored item:\n%s\n%s", src, before, after)
		}
	})
}
