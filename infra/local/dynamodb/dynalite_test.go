package dynamodb_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/consentflow/consentflow/infra/local/dynalite"
	"github.com/consentflow/consentflow/infra/local/dynamodb"
)

// call sends one DynamoDB API call and returns the status and the decoded body.
func call(t testing.TB, url, action, body string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest("POST", url, strings.NewReader(body))
	req.Header.Set("X-Amz-Target", "DynamoDB_20120810."+action)
	req.Header.Set("Content-Type", "application/x-amz-json-1.0")
	// dynalite checks that a request is signed, not the signature.
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=local/20261202/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=00")
	req.Header.Set("X-Amz-Date", time.Now().UTC().Format("20060102T150405Z"))
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	var out map[string]any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatalf("%s: %s: %v", action, b, err)
	}
	return res.StatusCode, out
}

// step is one call of a differential script.
type step struct {
	action, body string
	// unordered compares Items as a set (Scan orders differ by design).
	unordered bool
	// only lists the response fields compared (table descriptions carry
	// implementation-specific ids and times); nil compares everything.
	only []string
	// deviation is set where dynalite knowingly differs from DynamoDB: the
	// error message DynamoDB (and ours) answers instead, and why.
	deviation, why string
}

// awaitGone waits until dynalite no longer describes the table a
// DeleteTable body named. Like DynamoDB (DELETING), dynalite removes a table
// a moment after answering, and on a busy machine that moment is long
// enough for the next step to still list it; ours removes it at once.
func awaitGone(t *testing.T, url, deleteBody string) {
	t.Helper()
	for range 200 {
		if status, _ := call(t, url, "DescribeTable", deleteBody); status != http.StatusOK {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("dynalite still describes the table of %s", deleteBody)
}

// errorOf reduces an error answer to its type name and message.
func errorOf(body map[string]any) (string, string) {
	typ, _ := body["__type"].(string)
	if i := strings.LastIndex(typ, "#"); i >= 0 {
		typ = typ[i+1:]
	}
	msg, _ := body["message"].(string)
	if msg == "" {
		msg, _ = body["Message"].(string)
	}
	return typ, msg
}

func runDifferential(t *testing.T, steps []step) {
	ours := httptest.NewServer(dynamodb.New())
	t.Cleanup(ours.Close)
	peer := dynalite.Start(t)
	for i, s := range steps {
		name := fmt.Sprintf("%d %s %s", i, s.action, s.body)
		gotStatus, got := call(t, ours.URL, s.action, s.body)
		wantStatus, want := call(t, peer, s.action, s.body)
		if s.action == "DeleteTable" && wantStatus == http.StatusOK {
			awaitGone(t, peer, s.body)
		}
		if s.deviation != "" {
			if _, msg := errorOf(got); msg != s.deviation {
				t.Errorf("%s\nours: %d %v; want the error %q (%s)", name, gotStatus, got, s.deviation, s.why)
			}
			continue
		}
		if gotStatus != wantStatus {
			t.Errorf("%s\nstatus: ours %d %v, dynalite %d %v", name, gotStatus, got, wantStatus, want)
			continue
		}
		if wantStatus != http.StatusOK {
			gt, gm := errorOf(got)
			wt, wm := errorOf(want)
			// dynalite words syntax errors in its parser generator's terms;
			// DynamoDB (and ours) names the token and its neighbourhood.
			if i := strings.Index(wm, "Syntax error;"); i >= 0 && strings.HasPrefix(gm, wm[:i+len("Syntax error;")]) {
				gm = wm
			}
			if gt != wt || gm != wm {
				t.Errorf("%s\nerror: ours %s %q\n  dynalite %s %q", name, gt, gm, wt, wm)
			}
			continue
		}
		if s.only != nil {
			got, want = pick(got, s.only), pick(want, s.only)
		}
		if s.unordered {
			sortItems(got)
			sortItems(want)
		}
		if !reflect.DeepEqual(got, want) {
			g, _ := json.Marshal(got)
			w, _ := json.Marshal(want)
			t.Errorf("%s\n    ours: %s\ndynalite: %s", name, g, w)
		}
	}
}

// pick keeps the named paths ("Table.TableStatus") of a response.
func pick(body map[string]any, paths []string) map[string]any {
	out := map[string]any{}
	for _, p := range paths {
		var v any = body
		for _, k := range strings.Split(p, ".") {
			m, _ := v.(map[string]any)
			v = m[k]
		}
		out[p] = v
	}
	return out
}

func sortItems(body map[string]any) {
	if rs, ok := body["Responses"].(map[string]any); ok {
		for _, r := range rs {
			sortList(r.([]any))
		}
	}
	items, _ := body["Items"].([]any)
	sortList(items)
}

func sortList(items []any) {
	sort.Slice(items, func(i, j int) bool {
		a, _ := json.Marshal(items[i])
		b, _ := json.Marshal(items[j])
		return bytes.Compare(a, b) < 0
	})
}

const createTable = `{"TableName":"tbl","BillingMode":"PAY_PER_REQUEST",
 "AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"},{"AttributeName":"sk","AttributeType":"S"},
  {"AttributeName":"dueShard","AttributeType":"S"},{"AttributeName":"deleteBy","AttributeType":"S"},{"AttributeName":"n","AttributeType":"N"}],
 "KeySchema":[{"AttributeName":"pk","KeyType":"HASH"},{"AttributeName":"sk","KeyType":"RANGE"}],
 "GlobalSecondaryIndexes":[{"IndexName":"due","KeySchema":[{"AttributeName":"dueShard","KeyType":"HASH"},{"AttributeName":"deleteBy","KeyType":"RANGE"}],"Projection":{"ProjectionType":"ALL"}},
  {"IndexName":"keys","KeySchema":[{"AttributeName":"dueShard","KeyType":"HASH"}],"Projection":{"ProjectionType":"KEYS_ONLY"}}],
 "LocalSecondaryIndexes":[{"IndexName":"byN","KeySchema":[{"AttributeName":"pk","KeyType":"HASH"},{"AttributeName":"n","KeyType":"RANGE"}],"Projection":{"ProjectionType":"INCLUDE","NonKeyAttributes":["name"]}}]}`

func put(item string) step {
	return step{action: "PutItem", body: `{"TableName":"tbl","Item":` + item + `}`}
}

func TestTablesMatchDynalite(t *testing.T) {
	runDifferential(t, []step{
		{action: "CreateTable", body: createTable, only: []string{"TableDescription.TableStatus", "TableDescription.KeySchema", "TableDescription.TableName", "TableDescription.ItemCount"}},
		{action: "CreateTable", body: createTable, deviation: "Table already exists: tbl", why: "dynalite leaves the message empty"},
		{action: "DescribeTable", body: `{"TableName":"tbl"}`, only: []string{"Table.TableStatus", "Table.KeySchema", "Table.AttributeDefinitions", "Table.ItemCount", "Table.GlobalSecondaryIndexes.0"}},
		{action: "DescribeTable", body: `{"TableName":"nope"}`},
		{action: "CreateTable", body: `{"TableName":"uuu","BillingMode":"PAY_PER_REQUEST","AttributeDefinitions":[{"AttributeName":"id","AttributeType":"S"}],"KeySchema":[{"AttributeName":"id","KeyType":"HASH"}]}`, only: []string{"TableDescription.TableStatus"}},
		{action: "ListTables", body: `{}`},
		{action: "ListTables", body: `{"Limit":1}`},
		{action: "ListTables", body: `{"ExclusiveStartTableName":"tbl"}`},
		{action: "DeleteTable", body: `{"TableName":"uuu"}`, only: []string{"TableDescription.TableName"}},
		{action: "ListTables", body: `{}`},
		{action: "GetItem", body: `{"TableName":"uuu","Key":{"id":{"S":"x"}}}`},
	})
}

func TestItemsMatchDynalite(t *testing.T) {
	runDifferential(t, []step{
		{action: "CreateTable", body: createTable, only: []string{"TableDescription.TableStatus"}},
		put(`{"pk":{"S":"C#1"},"sk":{"S":"PROFILE"},"name":{"S":"Ada"},"version":{"N":"1"},"tags":{"SS":["a","b"]},"m":{"M":{"x":{"N":"1"},"l":{"L":[{"S":"a"},{"N":"2"}]}}}}`),
		{action: "GetItem", body: `{"TableName":"tbl","Key":{"pk":{"S":"C#1"},"sk":{"S":"PROFILE"}}}`},
		{action: "GetItem", body: `{"TableName":"tbl","Key":{"pk":{"S":"C#1"},"sk":{"S":"NONE"}}}`},
		{action: "GetItem", body: `{"TableName":"tbl","Key":{"pk":{"S":"C#1"}}}`},
		{action: "GetItem", body: `{"TableName":"tbl","Key":{"pk":{"N":"1"},"sk":{"S":"PROFILE"}}}`},
		{action: "GetItem", body: `{"TableName":"tbl","Key":{"pk":{"S":"C#1"},"sk":{"S":"PROFILE"}},"ProjectionExpression":"#n, m.l[1], m.x","ExpressionAttributeNames":{"#n":"name"}}`},
		{action: "GetItem", body: `{"TableName":"tbl","Key":{"pk":{"S":"C#1"},"sk":{"S":"PROFILE"}},"ProjectionExpression":"name"}`},
		{action: "GetItem", body: `{"TableName":"tbl","Key":{"pk":{"S":"C#1"},"sk":{"S":"PROFILE"}},"ProjectionExpression":"#n"}`},
		{action: "GetItem", body: `{"TableName":"tbl","Key":{"pk":{"S":"C#1"},"sk":{"S":"PROFILE"}},"ProjectionExpression":"#n","ExpressionAttributeNames":{"#n":"name","#u":"x"}}`},
		{action: "GetItem", body: `{"TableName":"nope","Key":{"pk":{"S":"C#1"},"sk":{"S":"PROFILE"}}}`},
		// Put: conditions, return values, key and value validation.
		{action: "PutItem", body: `{"TableName":"tbl","Item":{"pk":{"S":"C#1"},"sk":{"S":"PROFILE"}},"ConditionExpression":"attribute_not_exists(pk)"}`},
		{action: "PutItem", body: `{"TableName":"tbl","Item":{"pk":{"S":"C#2"},"sk":{"S":"PROFILE"},"v":{"N":"01.50"}},"ConditionExpression":"attribute_not_exists(pk)","ReturnValues":"ALL_OLD"}`},
		{action: "PutItem", body: `{"TableName":"tbl","Item":{"pk":{"S":"C#2"},"sk":{"S":"PROFILE"},"v":{"N":"2"}},"ReturnValues":"ALL_OLD"}`},
		{action: "PutItem", body: `{"TableName":"tbl","Item":{"pk":{"S":"C#2"},"sk":{"S":"PROFILE"}},"ReturnValues":"ALL_NEW"}`},
		{action: "PutItem", body: `{"TableName":"tbl","Item":{"pk":{"S":"C#2"}}}`},
		{action: "PutItem", body: `{"TableName":"tbl","Item":{"pk":{"S":""},"sk":{"S":"x"}}}`},
		{action: "PutItem", body: `{"TableName":"tbl","Item":{"pk":{"N":"1"},"sk":{"S":"x"}}}`},
		{action: "PutItem", body: `{"TableName":"tbl","Item":{"pk":{"S":"C#3"},"sk":{"S":"x"},"dueShard":{"N":"1"}}}`},
		{action: "PutItem", body: `{"TableName":"tbl","Item":{"pk":{"S":"C#3"},"sk":{"S":"x"},"s":{"SS":["a","a"]}}}`},
		{action: "PutItem", body: `{"TableName":"tbl","Item":{"pk":{"S":"C#3"},"sk":{"S":"x"},"s":{"SS":[]}}}`},
		{action: "PutItem", body: `{"TableName":"tbl","Item":{"pk":{"S":"C#3"},"sk":{"S":"x"},"s":{}}}`},
		{action: "PutItem", body: `{"TableName":"tbl","Item":{"pk":{"S":"C#3"},"sk":{"S":"x"},"s":{"N":"abc"}}}`},
		{action: "PutItem", body: `{"TableName":"tbl","Item":{"pk":{"S":"C#3"},"sk":{"S":"x"},"s":{"N":"1e3"},"e":{"S":""}}}`},
		{action: "GetItem", body: `{"TableName":"tbl","Key":{"pk":{"S":"C#3"},"sk":{"S":"x"}}}`},
		put(`{"pk":{"S":"BIG"},"sk":{"S":"1"},"blob":{"S":"` + strings.Repeat("x", 400*1024) + `"}}`),
		put(`{"pk":{"S":"BIG"},"sk":{"S":"2"},"blob":{"S":"` + strings.Repeat("x", 400*1024-100) + `"}}`),
		{action: "PutItem", body: `{"TableName":"tbl","Item":{"pk":{"S":"C#1"},"sk":{"S":"PROFILE"}},"ConditionExpression":"version = :v","ExpressionAttributeValues":{":v":{"N":"2"}},"ReturnValuesOnConditionCheckFailure":"ALL_OLD"}`},
		{action: "PutItem", body: `{"TableName":"tbl","Item":{"pk":{"S":"C#1"},"sk":{"S":"PROFILE"}},"ConditionExpression":"#s = :v","ExpressionAttributeValues":{":v":{"N":"2"}}}`},
		{action: "PutItem", body: `{"TableName":"tbl","Item":{"pk":{"S":"C#1"},"sk":{"S":"PROFILE"}},"ConditionExpression":"version = :v"}`},
		{action: "PutItem", body: `{"TableName":"tbl","Item":{"pk":{"S":"C#1"},"sk":{"S":"PROFILE"}},"ConditionExpression":"version = :v","ExpressionAttributeValues":{":v":{"N":"1"},":w":{"N":"1"}}}`},
		{action: "PutItem", body: `{"TableName":"tbl","Item":{"pk":{"S":"C#1"},"sk":{"S":"PROFILE"}},"ExpressionAttributeValues":{":v":{"N":"1"}}}`},
		{action: "PutItem", body: `{"TableName":"tbl","Item":{"pk":{"S":"C#1"},"sk":{"S":"PROFILE"}},"ConditionExpression":"status = :v","ExpressionAttributeValues":{":v":{"N":"1"}}}`},
		{action: "PutItem", body: `{"TableName":"tbl","Item":{"pk":{"S":"C#1"},"sk":{"S":"PROFILE"}},"ConditionExpression":"version = = :v","ExpressionAttributeValues":{":v":{"N":"1"}}}`},
		{action: "PutItem", body: `{"TableName":"tbl","Item":{"pk":{"S":"C#1"},"sk":{"S":"PROFILE"}},"ConditionExpression":"version = :v AND","ExpressionAttributeValues":{":v":{"N":"1"}}}`},
		// Delete.
		{action: "DeleteItem", body: `{"TableName":"tbl","Key":{"pk":{"S":"C#2"},"sk":{"S":"PROFILE"}},"ReturnValues":"ALL_OLD"}`},
		{action: "DeleteItem", body: `{"TableName":"tbl","Key":{"pk":{"S":"C#2"},"sk":{"S":"PROFILE"}},"ReturnValues":"ALL_OLD"}`},
		{action: "DeleteItem", body: `{"TableName":"tbl","Key":{"pk":{"S":"C#2"},"sk":{"S":"PROFILE"}},"ConditionExpression":"attribute_exists(pk)"}`},
		{action: "DeleteItem", body: `{"TableName":"tbl","Key":{"pk":{"S":"C#2"},"sk":{"S":"PROFILE"}},"ReturnValues":"ALL_NEW"}`,
			deviation: "ReturnValues can only be ALL_OLD or NONE", why: "DeleteItem's ReturnValues are NONE or ALL_OLD (API reference); dynalite accepts any"},
		// Batches.
		{action: "BatchWriteItem", body: `{"RequestItems":{"tbl":[{"PutRequest":{"Item":{"pk":{"S":"B"},"sk":{"S":"1"}}}},{"PutRequest":{"Item":{"pk":{"S":"B"},"sk":{"S":"2"},"a":{"BOOL":true}}}},{"DeleteRequest":{"Key":{"pk":{"S":"C#3"},"sk":{"S":"x"}}}}]}}`},
		{action: "BatchWriteItem", body: `{"RequestItems":{"tbl":[{"PutRequest":{"Item":{"pk":{"S":"B"},"sk":{"S":"1"}}}},{"PutRequest":{"Item":{"pk":{"S":"B"},"sk":{"S":"1"}}}}]}}`},
		{action: "BatchGetItem", body: `{"RequestItems":{"tbl":{"Keys":[{"pk":{"S":"B"},"sk":{"S":"1"}},{"pk":{"S":"B"},"sk":{"S":"2"}},{"pk":{"S":"B"},"sk":{"S":"3"}}],"ProjectionExpression":"sk, a"}}}`, unordered: true},
		{action: "BatchGetItem", body: `{"RequestItems":{"tbl":{"Keys":[{"pk":{"S":"B"},"sk":{"S":"1"}},{"pk":{"S":"B"},"sk":{"S":"1"}}]}}}`},
		{action: "Scan", body: `{"TableName":"tbl"}`, unordered: true},
		{action: "Scan", body: `{"TableName":"tbl","FilterExpression":"attribute_exists(a)","Select":"COUNT"}`},
	})
}

func TestUpdatesMatchDynalite(t *testing.T) {
	key := `"Key":{"pk":{"S":"R#1"},"sk":{"S":"REQUEST"}}`
	upd := func(rest string) step {
		return step{action: "UpdateItem", body: `{"TableName":"tbl",` + key + `,` + rest + `}`}
	}
	runDifferential(t, []step{
		{action: "CreateTable", body: createTable, only: []string{"TableDescription.TableStatus"}},
		put(`{"pk":{"S":"R#1"},"sk":{"S":"REQUEST"},"status":{"S":"pending"},"taskToken":{"S":"tok"},"n":{"N":"5"},"l":{"L":[{"N":"1"},{"N":"2"},{"N":"3"}]},"m":{"M":{"a":{"M":{"b":{"S":"x"}}}}},"ss":{"SS":["a","b","c"]}}`),
		// The product's answer: SET and REMOVE in one expression.
		upd(`"UpdateExpression":"SET #status = :answered, answeredAt = :now REMOVE taskToken","ConditionExpression":"#status = :pending","ExpressionAttributeNames":{"#status":"status"},"ExpressionAttributeValues":{":answered":{"S":"answered"},":pending":{"S":"pending"},":now":{"S":"2026-12-02"}},"ReturnValues":"ALL_NEW"`),
		upd(`"UpdateExpression":"SET #status = :answered","ConditionExpression":"#status = :pending","ExpressionAttributeNames":{"#status":"status"},"ExpressionAttributeValues":{":answered":{"S":"answered"},":pending":{"S":"pending"}},"ReturnValuesOnConditionCheckFailure":"ALL_OLD"`),
		upd(`"UpdateExpression":"SET n = n + :one, c = if_not_exists(c, :zero) + :one, l = list_append(l, :more)","ExpressionAttributeValues":{":one":{"N":"1"},":zero":{"N":"0"},":more":{"L":[{"N":"4"}]}},"ReturnValues":"UPDATED_NEW"`),
		upd(`"UpdateExpression":"SET n = n - :big","ExpressionAttributeValues":{":big":{"N":"10.25"}},"ReturnValues":"UPDATED_OLD"`),
		upd(`"UpdateExpression":"SET l[1] = :x, l[10] = :y, m.a.c = :x REMOVE l[0]","ExpressionAttributeValues":{":x":{"S":"x"},":y":{"S":"y"}},"ReturnValues":"ALL_NEW"`),
		upd(`"UpdateExpression":"ADD ss :more, cnt :one DELETE ss2 :gone","ExpressionAttributeValues":{":more":{"SS":["c","d"]},":one":{"N":"1"},":gone":{"SS":["a"]}},"ReturnValues":"UPDATED_NEW"`),
		upd(`"UpdateExpression":"DELETE ss :gone","ExpressionAttributeValues":{":gone":{"SS":["a","b","c","d"]}},"ReturnValues":"ALL_NEW"`),
		upd(`"UpdateExpression":"SET m.nope.deep = :x","ExpressionAttributeValues":{":x":{"S":"x"}}`),
		upd(`"UpdateExpression":"SET n = missing + :x","ExpressionAttributeValues":{":x":{"N":"1"}}`),
		upd(`"UpdateExpression":"SET n = answeredAt + :x","ExpressionAttributeValues":{":x":{"N":"1"}}`),
		upd(`"UpdateExpression":"ADD answeredAt :x","ExpressionAttributeValues":{":x":{"N":"1"}}`),
		upd(`"UpdateExpression":"SET a = :x, a = :y","ExpressionAttributeValues":{":x":{"S":"x"},":y":{"S":"y"}}`),
		upd(`"UpdateExpression":"SET m.a = :x REMOVE m.a.b","ExpressionAttributeValues":{":x":{"S":"x"}}`),
		upd(`"UpdateExpression":"SET a = :x SET b = :x","ExpressionAttributeValues":{":x":{"S":"x"}}`),
		upd(`"UpdateExpression":"SET pk = :x","ExpressionAttributeValues":{":x":{"S":"x"}}`),
		upd(`"UpdateExpression":"SET a = :x","ExpressionAttributeValues":{":x":{"S":"x"},":unused":{"S":"x"}}`),
		upd(`"UpdateExpression":"SET a = :x"`),
		upd(`"UpdateExpression":"SET #a = :x","ExpressionAttributeValues":{":x":{"S":"x"}}`),
		upd(`"UpdateExpression":"SET a = :x","ExpressionAttributeNames":{"#a":"a"},"ExpressionAttributeValues":{":x":{"S":"x"}}`),
		upd(`"UpdateExpression":"SET size = :x","ExpressionAttributeValues":{":x":{"S":"x"}}`),
		upd(`"UpdateExpression":"ADD a :x","ExpressionAttributeValues":{":x":{"S":"x"}}`),
		upd(`"UpdateExpression":"SET a = list_append(:x, b)","ExpressionAttributeValues":{":x":{"S":"x"}}`),
		upd(`"UpdateExpression":"REMOVE nothere, m.a.b","ReturnValues":"UPDATED_OLD"`),
		// An update that creates its item, and one on an item that is not there with a condition.
		{action: "UpdateItem", body: `{"TableName":"tbl","Key":{"pk":{"S":"NEW"},"sk":{"S":"1"}},"UpdateExpression":"SET v = if_not_exists(v, :zero) + :one","ExpressionAttributeValues":{":zero":{"N":"0"},":one":{"N":"1"}},"ReturnValues":"ALL_NEW"}`},
		{action: "UpdateItem", body: `{"TableName":"tbl","Key":{"pk":{"S":"NEW2"},"sk":{"S":"1"}},"UpdateExpression":"SET v = :one","ConditionExpression":"attribute_exists(pk)","ExpressionAttributeValues":{":one":{"N":"1"}}}`},
		// An update that makes the item appear in the sparse index.
		{action: "UpdateItem", body: `{"TableName":"tbl","Key":{"pk":{"S":"NEW"},"sk":{"S":"1"}},"UpdateExpression":"SET dueShard = :s, deleteBy = :d","ExpressionAttributeValues":{":s":{"S":"3"},":d":{"S":"2027-01-01"}}}`},
		{action: "Query", body: `{"TableName":"tbl","IndexName":"due","KeyConditionExpression":"dueShard = :s AND deleteBy <= :d","ExpressionAttributeValues":{":s":{"S":"3"},":d":{"S":"2027-06-01"}}}`},
		{action: "UpdateItem", body: `{"TableName":"tbl","Key":{"pk":{"S":"NEW"},"sk":{"S":"1"}},"UpdateExpression":"REMOVE dueShard, deleteBy"}`},
		{action: "Query", body: `{"TableName":"tbl","IndexName":"due","KeyConditionExpression":"dueShard = :s AND deleteBy <= :d","ExpressionAttributeValues":{":s":{"S":"3"},":d":{"S":"2027-06-01"}}}`},
	})
}

func TestConditionsMatchDynalite(t *testing.T) {
	steps := []step{
		{action: "CreateTable", body: createTable, only: []string{"TableDescription.TableStatus"}},
		put(`{"pk":{"S":"X"},"sk":{"S":"1"},"s":{"S":"hello"},"n":{"N":"10"},"b":{"B":"AQID"},"ss":{"SS":["a","b"]},"l":{"L":[{"S":"a"},{"N":"1"}]},"m":{"M":{"k":{"S":"v"}}},"t":{"BOOL":true},"z":{"NULL":true}}`),
	}
	cond := func(expr, values string) step {
		body := `{"TableName":"tbl","Key":{"pk":{"S":"X"},"sk":{"S":"1"}},"ConditionExpression":` + strings.ReplaceAll(fmt.Sprintf("%q", expr), `\u003c`, "<") + `,"UpdateExpression":"SET touched = :touched","ExpressionAttributeValues":{":touched":{"BOOL":true}` + values + `},"ReturnValues":"UPDATED_NEW"}`
		return step{action: "UpdateItem", body: body}
	}
	for _, c := range []struct{ expr, values string }{
		{"s = :v", `,":v":{"S":"hello"}`},
		{"s <> :v", `,":v":{"S":"hello"}`},
		{"n < :v", `,":v":{"N":"9.5"}`},
		{"n <= :v", `,":v":{"N":"10"}`},
		{"n > :v", `,":v":{"N":"-1"}`},
		{"n >= :v", `,":v":{"N":"1e1"}`},
		{"s < :v", `,":v":{"N":"1"}`},
		{"n BETWEEN :a AND :b", `,":a":{"N":"1"},":b":{"N":"20"}`},
		{"n BETWEEN :a AND :b", `,":a":{"N":"20"},":b":{"N":"1"}`},
		{"s IN (:a, :b)", `,":a":{"S":"x"},":b":{"S":"hello"}`},
		{"n IN (:a)", `,":a":{"S":"10"}`},
		{"attribute_exists(m.k) AND attribute_not_exists(m.q)", ``},
		{"attribute_type(ss, :t)", `,":t":{"S":"SS"}`},
		{"attribute_type(ss, :t)", `,":t":{"S":"XX"}`},
		{"begins_with(s, :p)", `,":p":{"S":"he"}`},
		{"begins_with(s, :p)", `,":p":{"N":"1"}`},
		{"contains(s, :p) AND contains(ss, :q) AND contains(l, :r)", `,":p":{"S":"ell"},":q":{"S":"b"},":r":{"N":"1"}`},
		{"size(s) = :five AND size(ss) = :two AND size(l) > :one AND size(b) = :three", `,":five":{"N":"5"},":two":{"N":"2"},":one":{"N":"1"},":three":{"N":"3"}`},
		{"NOT (s = :v OR n = :w) AND t = :t", `,":v":{"S":"x"},":w":{"N":"1"},":t":{"BOOL":true}`},
		{"(s = :v OR n = :w) AND NOT z = :t", `,":v":{"S":"x"},":w":{"N":"10"},":t":{"BOOL":true}`},
		{"l[1] = :one AND m.k = :v", `,":one":{"N":"1"},":v":{"S":"v"}`},
		{"nothere = :v", `,":v":{"S":"x"}`},
		{"nothere <> :v", `,":v":{"S":"x"}`},
		{"s = s", ``},
		{"size(s)", ``},
		{"attribute_exists(:v)", `,":v":{"S":"x"}`},
		{"attribute_exists(s, n)", ``},
		{"nosuchfn(s)", ``},
		{"s = :v OR", `,":v":{"S":"x"}`},
		{"(s = :v", `,":v":{"S":"x"}`},
		{"s = :v)", `,":v":{"S":"x"}`},
		{"s == :v", `,":v":{"S":"x"}`},
		{"if_not_exists(s, :v) = :v", `,":v":{"S":"x"}`},
	} {
		steps = append(steps, cond(c.expr, c.values))
	}
	runDifferential(t, steps)
}

func TestQueriesMatchDynalite(t *testing.T) {
	steps := []step{{action: "CreateTable", body: createTable, only: []string{"TableDescription.TableStatus"}}}
	for i := range 12 {
		item := fmt.Sprintf(`{"pk":{"S":"C#1"},"sk":{"S":"EVENT#%02d"},"n":{"N":"%d"},"name":{"S":"e%d"},"other":{"S":"o"}}`, i, 100-i, i)
		if i%3 == 0 {
			item = fmt.Sprintf(`{"pk":{"S":"C#1"},"sk":{"S":"CONSENT#%02d"},"dueShard":{"S":"%d"},"deleteBy":{"S":"2027-%02d-01"},"n":{"N":"%d"}}`, i, i%2, i+1, i)
		}
		steps = append(steps, put(item))
	}
	steps = append(steps, put(`{"pk":{"S":"C#2"},"sk":{"S":"EVENT#01"}}`))
	q := func(rest string) step { return step{action: "Query", body: `{"TableName":"tbl",` + rest + `}`} }
	v := `"ExpressionAttributeValues":{":pk":{"S":"C#1"},":p":{"S":"EVENT#"}}`
	steps = append(steps,
		q(`"KeyConditionExpression":"pk = :pk",`+v[:len(v)-len(`,":p":{"S":"EVENT#"}}`)]+`}`),
		q(`"KeyConditionExpression":"pk = :pk AND begins_with(sk, :p)",`+v),
		q(`"KeyConditionExpression":"pk = :pk AND begins_with(sk, :p)","ScanIndexForward":false,"Limit":3,`+v),
		q(`"KeyConditionExpression":"pk = :pk AND begins_with(sk, :p)","Limit":3,"ExclusiveStartKey":{"pk":{"S":"C#1"},"sk":{"S":"EVENT#02"}},`+v),
		q(`"KeyConditionExpression":"pk = :pk AND begins_with(sk, :p)","ScanIndexForward":false,"Limit":2,"ExclusiveStartKey":{"pk":{"S":"C#1"},"sk":{"S":"EVENT#05"}},`+v),
		q(`"KeyConditionExpression":"pk = :pk AND begins_with(sk, :p)","Limit":8,`+v),
		q(`"KeyConditionExpression":"pk = :pk AND sk BETWEEN :a AND :b","ExpressionAttributeValues":{":pk":{"S":"C#1"},":a":{"S":"EVENT#02"},":b":{"S":"EVENT#05"}}`),
		q(`"KeyConditionExpression":"pk = :pk AND sk > :a","ExpressionAttributeValues":{":pk":{"S":"C#1"},":a":{"S":"EVENT#08"}}`),
		q(`"KeyConditionExpression":"pk = :pk AND sk < :a","ExpressionAttributeValues":{":pk":{"S":"C#1"},":a":{"S":"CONSENT#06"}}`),
		q(`"KeyConditionExpression":"pk = :pk AND sk >= :a","ExpressionAttributeValues":{":pk":{"S":"C#1"},":a":{"S":"EVENT#10"}}`),
		q(`"KeyConditionExpression":"pk = :pk AND sk <= :a","ExpressionAttributeValues":{":pk":{"S":"C#1"},":a":{"S":"CONSENT#03"}}`),
		q(`"KeyConditionExpression":"pk = :pk AND sk = :a","ExpressionAttributeValues":{":pk":{"S":"C#1"},":a":{"S":"EVENT#04"}}`),
		q(`"KeyConditionExpression":"pk = :pk AND begins_with(sk, :p)","FilterExpression":"n > :n","ProjectionExpression":"sk, #n","ExpressionAttributeNames":{"#n":"name"},"ExpressionAttributeValues":{":pk":{"S":"C#1"},":p":{"S":"EVENT#"},":n":{"N":"95"}}`),
		q(`"KeyConditionExpression":"pk = :pk AND begins_with(sk, :p)","FilterExpression":"n > :n","Limit":4,"Select":"COUNT","ExpressionAttributeValues":{":pk":{"S":"C#1"},":p":{"S":"EVENT#"},":n":{"N":"97"}}`),
		q(`"KeyConditionExpression":"pk = :pk AND begins_with(sk, :p)","FilterExpression":"sk = :p",`+v),
		q(`"KeyConditionExpression":"pk = :pk OR begins_with(sk, :p)",`+v),
		q(`"KeyConditionExpression":"begins_with(sk, :p)",`+v),
		q(`"KeyConditionExpression":"pk = :pk AND contains(sk, :p)",`+v),
		q(`"KeyConditionExpression":"pk = :pk AND sk = :p AND sk = :p",`+v),
		q(`"KeyConditionExpression":"pk = :pk AND begins_with(sk, :p)","ConsistentRead":true,`+v),
		q(`"KeyConditionExpression":"pk = :pk","ExpressionAttributeValues":{":pk":{"N":"1"}}`),
		q(`"KeyConditionExpression":"pk = :pk","ExpressionAttributeValues":{":pk":{"S":"nobody"}}`),
		// The due index: sparse, one shard at a time, by date.
		q(`"IndexName":"due","KeyConditionExpression":"dueShard = :s AND deleteBy <= :d","ExpressionAttributeValues":{":s":{"S":"0"},":d":{"S":"2027-12-31"}}`),
		q(`"IndexName":"due","KeyConditionExpression":"dueShard = :s AND deleteBy <= :d","Limit":1,"ExpressionAttributeValues":{":s":{"S":"1"},":d":{"S":"2027-12-31"}}`),
		q(`"IndexName":"due","KeyConditionExpression":"dueShard = :s AND deleteBy <= :d","Limit":1,"ExclusiveStartKey":{"pk":{"S":"C#1"},"sk":{"S":"CONSENT#03"},"dueShard":{"S":"1"},"deleteBy":{"S":"2027-04-01"}},"ExpressionAttributeValues":{":s":{"S":"1"},":d":{"S":"2027-12-31"}}`),
		q(`"IndexName":"due","KeyConditionExpression":"dueShard = :s","ConsistentRead":true,"ExpressionAttributeValues":{":s":{"S":"1"}}`),
		q(`"IndexName":"keys","KeyConditionExpression":"dueShard = :s","ExpressionAttributeValues":{":s":{"S":"1"}}`),
		q(`"IndexName":"keys","KeyConditionExpression":"dueShard = :s","Select":"ALL_ATTRIBUTES","ExpressionAttributeValues":{":s":{"S":"1"}}`),
		q(`"IndexName":"byN","KeyConditionExpression":"pk = :pk AND n BETWEEN :a AND :b","ExpressionAttributeValues":{":pk":{"S":"C#1"},":a":{"N":"3"},":b":{"N":"95"}}`),
		q(`"IndexName":"byN","KeyConditionExpression":"pk = :pk AND n > :a","Select":"ALL_ATTRIBUTES","Limit":2,"ExpressionAttributeValues":{":pk":{"S":"C#1"},":a":{"N":"95"}}`),
		q(`"IndexName":"nope","KeyConditionExpression":"pk = :pk","ExpressionAttributeValues":{":pk":{"S":"C#1"}}`),
		step{action: "Scan", body: `{"TableName":"tbl","IndexName":"due"}`, unordered: true},
		step{action: "Scan", body: `{"TableName":"tbl","Limit":5}`, only: []string{"Count", "ScannedCount"}},
	)
	runDifferential(t, steps)
}
