package dynamodb_test

import (
	"context"
	"errors"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	sdk "github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/consentflow/consentflow/infra/local/dynamodb"
)

// The tests in this file follow the examples of the DynamoDB Developer
// Guide (update expressions, condition expressions, transactions) for what
// dynalite cannot check, through the AWS SDK as the product calls it.

func newClient(t testing.TB) *sdk.Client {
	t.Helper()
	srv := httptest.NewServer(dynamodb.New())
	t.Cleanup(srv.Close)
	return sdk.New(sdk.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL), Credentials: aws.AnonymousCredentials{}})
}

func createSimpleTable(t testing.TB, db *sdk.Client, name, hash, sort string) {
	t.Helper()
	in := &sdk.CreateTableInput{
		TableName: aws.String(name), BillingMode: types.BillingModePayPerRequest,
		AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String(hash), AttributeType: types.ScalarAttributeTypeS}},
		KeySchema:            []types.KeySchemaElement{{AttributeName: aws.String(hash), KeyType: types.KeyTypeHash}},
	}
	if sort != "" {
		in.AttributeDefinitions = append(in.AttributeDefinitions, types.AttributeDefinition{AttributeName: aws.String(sort), AttributeType: types.ScalarAttributeTypeS})
		in.KeySchema = append(in.KeySchema, types.KeySchemaElement{AttributeName: aws.String(sort), KeyType: types.KeyTypeRange})
	}
	if _, err := db.CreateTable(context.Background(), in); err != nil {
		t.Fatal(err)
	}
}

func mustItem(t testing.TB, v any) map[string]types.AttributeValue {
	t.Helper()
	m, err := attributevalue.MarshalMap(v)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func unmarshal(t testing.TB, m map[string]types.AttributeValue) map[string]any {
	t.Helper()
	var out map[string]any
	if err := attributevalue.UnmarshalMap(m, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// productCatalog is the Developer Guide's example item (ProductCatalog, Id 789).
func productCatalog(t *testing.T) *sdk.Client {
	db := newClient(t)
	_, err := db.CreateTable(context.Background(), &sdk.CreateTableInput{
		TableName: aws.String("ProductCatalog"), BillingMode: types.BillingModePayPerRequest,
		AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String("Id"), AttributeType: types.ScalarAttributeTypeN}},
		KeySchema:            []types.KeySchemaElement{{AttributeName: aws.String("Id"), KeyType: types.KeyTypeHash}},
	})
	if err != nil {
		t.Fatal(err)
	}
	item := map[string]types.AttributeValue{
		"Id":              &types.AttributeValueMemberN{Value: "789"},
		"ProductCategory": &types.AttributeValueMemberS{Value: "Home Improvement"},
		"Price":           &types.AttributeValueMemberN{Value: "52"},
		"InStock":         &types.AttributeValueMemberBOOL{Value: true},
		"Brand":           &types.AttributeValueMemberS{Value: "Acme"},
		"Color":           &types.AttributeValueMemberSS{Value: []string{"Red", "Yellow"}},
		"QuantityOnHand":  &types.AttributeValueMemberN{Value: "10"},
		"RelatedItems": &types.AttributeValueMemberL{Value: []types.AttributeValue{
			&types.AttributeValueMemberN{Value: "341"}, &types.AttributeValueMemberN{Value: "472"}, &types.AttributeValueMemberN{Value: "649"},
		}},
		"ProductReviews": &types.AttributeValueMemberM{Value: map[string]types.AttributeValue{
			"FiveStar":  &types.AttributeValueMemberL{Value: []types.AttributeValue{&types.AttributeValueMemberS{Value: "Excellent! Can't recommend it highly enough! Buy it!"}}},
			"OneStar":   &types.AttributeValueMemberL{Value: []types.AttributeValue{&types.AttributeValueMemberS{Value: "Terrible product! Do not buy this."}}},
			"ThreeStar": &types.AttributeValueMemberL{Value: []types.AttributeValue{&types.AttributeValueMemberS{Value: "Just OK - not that great"}}},
		}},
	}
	if _, err := db.PutItem(context.Background(), &sdk.PutItemInput{TableName: aws.String("ProductCatalog"), Item: item}); err != nil {
		t.Fatal(err)
	}
	return db
}

var key789 = map[string]types.AttributeValue{"Id": &types.AttributeValueMemberN{Value: "789"}}

func update(t *testing.T, db *sdk.Client, expr string, names map[string]string, values map[string]types.AttributeValue) map[string]any {
	t.Helper()
	out, err := db.UpdateItem(context.Background(), &sdk.UpdateItemInput{
		TableName: aws.String("ProductCatalog"), Key: key789, UpdateExpression: aws.String(expr),
		ExpressionAttributeNames: names, ExpressionAttributeValues: values, ReturnValues: types.ReturnValueAllNew,
	})
	if err != nil {
		t.Fatalf("%s: %v", expr, err)
	}
	return unmarshal(t, out.Attributes)
}

func n(v string) types.AttributeValue { return &types.AttributeValueMemberN{Value: v} }
func s(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }

// TestUpdateExpressionExamples walks the Developer Guide's "Update
// expressions" page on its ProductCatalog item.
func TestUpdateExpressionExamples(t *testing.T) {
	db := productCatalog(t)

	got := update(t, db, "SET ProductCategory = :c, Price = :p", nil, map[string]types.AttributeValue{":c": s("Hardware"), ":p": n("60")})
	if got["ProductCategory"] != "Hardware" || got["Price"] != float64(60) {
		t.Errorf("SET: %v", got)
	}
	got = update(t, db, "SET #ri = list_append(#ri, :vals)", map[string]string{"#ri": "RelatedItems"},
		map[string]types.AttributeValue{":vals": &types.AttributeValueMemberL{Value: []types.AttributeValue{n("960")}}})
	if !reflect.DeepEqual(got["RelatedItems"], []any{float64(341), float64(472), float64(649), float64(960)}) {
		t.Errorf("list_append at the end: %v", got["RelatedItems"])
	}
	got = update(t, db, "SET #ri = list_append(:vals, #ri)", map[string]string{"#ri": "RelatedItems"},
		map[string]types.AttributeValue{":vals": &types.AttributeValueMemberL{Value: []types.AttributeValue{n("333")}}})
	if first := got["RelatedItems"].([]any)[0]; first != float64(333) {
		t.Errorf("list_append at the start: %v", got["RelatedItems"])
	}
	got = update(t, db, "SET RelatedItems[1] = :ri", nil, map[string]types.AttributeValue{":ri": s("Hammer")})
	if got["RelatedItems"].([]any)[1] != "Hammer" {
		t.Errorf("SET list element: %v", got["RelatedItems"])
	}
	got = update(t, db, "SET #pr.#5star[1] = :r5, #pr.#3star = :r3", map[string]string{"#pr": "ProductReviews", "#5star": "FiveStar", "#3star": "ThreeStar"},
		map[string]types.AttributeValue{":r5": s("Very happy with my purchase"), ":r3": &types.AttributeValueMemberL{Value: []types.AttributeValue{s("Just OK - not that great")}}})
	reviews := got["ProductReviews"].(map[string]any)
	if five := reviews["FiveStar"].([]any); len(five) != 2 || five[1] != "Very happy with my purchase" {
		t.Errorf("SET nested list element past the end appends: %v", five)
	}
	got = update(t, db, "SET Price = Price - :p", nil, map[string]types.AttributeValue{":p": n("15")})
	if got["Price"] != float64(45) {
		t.Errorf("decrement: %v", got["Price"])
	}
	got = update(t, db, "SET Price = if_not_exists(Price, :p)", nil, map[string]types.AttributeValue{":p": n("100")})
	if got["Price"] != float64(45) {
		t.Errorf("if_not_exists keeps the price: %v", got["Price"])
	}
	got = update(t, db, "REMOVE Brand, InStock, QuantityOnHand", nil, nil)
	for _, a := range []string{"Brand", "InStock", "QuantityOnHand"} {
		if _, ok := got[a]; ok {
			t.Errorf("REMOVE left %s", a)
		}
	}
	before := len(got["RelatedItems"].([]any))
	got = update(t, db, "REMOVE RelatedItems[1], RelatedItems[2]", nil, nil)
	if after := got["RelatedItems"].([]any); len(after) != before-2 || after[1] != float64(649) {
		t.Errorf("REMOVE list elements shifts the rest: %v", after)
	}
	got = update(t, db, "ADD QuantityOnHand :q", nil, map[string]types.AttributeValue{":q": n("5")})
	if got["QuantityOnHand"] != float64(5) {
		t.Errorf("ADD to a missing number starts at 0: %v", got["QuantityOnHand"])
	}
	out, err := db.UpdateItem(context.Background(), &sdk.UpdateItemInput{
		TableName: aws.String("ProductCatalog"), Key: key789, UpdateExpression: aws.String("ADD Color :c"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":c": &types.AttributeValueMemberSS{Value: []string{"Orange", "Purple"}}},
		ReturnValues:              types.ReturnValueUpdatedNew,
	})
	if err != nil {
		t.Fatal(err)
	}
	if ss := out.Attributes["Color"].(*types.AttributeValueMemberSS).Value; len(ss) != 4 || len(out.Attributes) != 1 {
		t.Errorf("ADD to a set, UPDATED_NEW: %v", out.Attributes)
	}
	out, err = db.UpdateItem(context.Background(), &sdk.UpdateItemInput{
		TableName: aws.String("ProductCatalog"), Key: key789, UpdateExpression: aws.String("DELETE Color :p"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":p": &types.AttributeValueMemberSS{Value: []string{"Yellow", "Purple"}}},
		ReturnValues:              types.ReturnValueUpdatedOld,
	})
	if err != nil {
		t.Fatal(err)
	}
	if ss := out.Attributes["Color"].(*types.AttributeValueMemberSS).Value; len(ss) != 4 {
		t.Errorf("DELETE from a set, UPDATED_OLD is the set before: %v", ss)
	}
	got = update(t, db, "SET Price = :p", nil, map[string]types.AttributeValue{":p": n("45")})
	if c := got["Color"].([]string); len(c) != 2 {
		t.Errorf("DELETE left %v", c)
	}
}

// TestConditionExpressionExamples follows "Condition expressions": a
// conditional put, delete and update on ProductCatalog.
func TestConditionExpressionExamples(t *testing.T) {
	ctx := context.Background()
	db := productCatalog(t)
	var ccf *types.ConditionalCheckFailedException
	_, err := db.PutItem(ctx, &sdk.PutItemInput{
		TableName: aws.String("ProductCatalog"), Item: key789, ConditionExpression: aws.String("attribute_not_exists(Id)"),
	})
	if !errors.As(err, &ccf) {
		t.Fatalf("put over an existing item: %v", err)
	}
	_, err = db.DeleteItem(ctx, &sdk.DeleteItemInput{
		TableName: aws.String("ProductCatalog"), Key: key789,
		ConditionExpression: aws.String("(ProductCategory IN (:cat1, :cat2)) and (Price between :lo and :hi)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":cat1": s("Sporting Goods"), ":cat2": s("Gardening Supplies"), ":lo": n("500"), ":hi": n("600"),
		},
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
	})
	if !errors.As(err, &ccf) || ccf.Item["Price"].(*types.AttributeValueMemberN).Value != "52" {
		t.Fatalf("conditional delete with the old item: %v", err)
	}
	_, err = db.UpdateItem(ctx, &sdk.UpdateItemInput{
		TableName: aws.String("ProductCatalog"), Key: key789, UpdateExpression: aws.String("SET Price = Price - :discount"),
		ConditionExpression:       aws.String("Price > :limit"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":discount": n("75"), ":limit": n("500")},
	})
	if !errors.As(err, &ccf) {
		t.Fatalf("conditional update: %v", err)
	}
	out, err := db.DeleteItem(ctx, &sdk.DeleteItemInput{
		TableName: aws.String("ProductCatalog"), Key: key789,
		ConditionExpression:       aws.String("attribute_type(Color, :v_sub) AND contains(Color, :c) AND size(RelatedItems) >= :three"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":v_sub": s("SS"), ":c": s("Red"), ":three": n("3")},
		ReturnValues:              types.ReturnValueAllOld,
	})
	if err != nil || out.Attributes["Brand"].(*types.AttributeValueMemberS).Value != "Acme" {
		t.Fatalf("delete when the conditions hold: %v %v", out, err)
	}
	get, err := db.GetItem(ctx, &sdk.GetItemInput{TableName: aws.String("ProductCatalog"), Key: key789})
	if err != nil || get.Item != nil {
		t.Fatalf("deleted item still there: %v %v", get.Item, err)
	}
}

// TestTransactionExamples follows "Amazon DynamoDB Transactions": an order
// that checks the customer, marks the product sold and records the order,
// all or nothing, across tables, with reasons in item order.
func TestTransactionExamples(t *testing.T) {
	ctx := context.Background()
	db := newClient(t)
	createSimpleTable(t, db, "Customers", "CustomerId", "")
	createSimpleTable(t, db, "ProductCatalog", "ProductId", "")
	createSimpleTable(t, db, "Orders", "OrderId", "")
	_, _ = db.PutItem(ctx, &sdk.PutItemInput{TableName: aws.String("Customers"), Item: map[string]types.AttributeValue{"CustomerId": s("09e8e9c8-ec48")}})
	_, _ = db.PutItem(ctx, &sdk.PutItemInput{TableName: aws.String("ProductCatalog"), Item: map[string]types.AttributeValue{"ProductId": s("P1"), "ProductStatus": s("IN_STOCK")}})

	order := func(product, orderID string) []types.TransactWriteItem {
		return []types.TransactWriteItem{
			{ConditionCheck: &types.ConditionCheck{
				TableName: aws.String("Customers"), Key: map[string]types.AttributeValue{"CustomerId": s("09e8e9c8-ec48")},
				ConditionExpression: aws.String("attribute_exists(CustomerId)"),
			}},
			{Update: &types.Update{
				TableName: aws.String("ProductCatalog"), Key: map[string]types.AttributeValue{"ProductId": s(product)},
				UpdateExpression:                    aws.String("SET ProductStatus = :new_status"),
				ConditionExpression:                 aws.String("ProductStatus = :expected_status"),
				ExpressionAttributeValues:           map[string]types.AttributeValue{":new_status": s("SOLD"), ":expected_status": s("IN_STOCK")},
				ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
			}},
			{Put: &types.Put{
				TableName: aws.String("Orders"), Item: map[string]types.AttributeValue{"OrderId": s(orderID), "ProductId": s(product), "OrderStatus": s("CONFIRMED")},
				ConditionExpression: aws.String("attribute_not_exists(OrderId)"),
			}},
		}
	}
	if _, err := db.TransactWriteItems(ctx, &sdk.TransactWriteItemsInput{TransactItems: order("P1", "O1"), ClientRequestToken: aws.String("tok-1")}); err != nil {
		t.Fatal(err)
	}
	// A retry with the same token within ten minutes succeeds without applying again.
	if _, err := db.TransactWriteItems(ctx, &sdk.TransactWriteItemsInput{TransactItems: order("P1", "O1"), ClientRequestToken: aws.String("tok-1")}); err != nil {
		t.Fatalf("idempotent retry: %v", err)
	}
	var mismatch *types.IdempotentParameterMismatchException
	if _, err := db.TransactWriteItems(ctx, &sdk.TransactWriteItemsInput{TransactItems: order("P1", "O2"), ClientRequestToken: aws.String("tok-1")}); !errors.As(err, &mismatch) {
		t.Fatalf("same token, other request: %v", err)
	}

	// The product is sold now: the second order is cancelled as a whole.
	_, err := db.TransactWriteItems(ctx, &sdk.TransactWriteItemsInput{TransactItems: order("P1", "O2")})
	var cancelled *types.TransactionCanceledException
	if !errors.As(err, &cancelled) {
		t.Fatalf("want TransactionCanceledException, got %v", err)
	}
	codes := []string{}
	for _, r := range cancelled.CancellationReasons {
		codes = append(codes, aws.ToString(r.Code))
	}
	if !reflect.DeepEqual(codes, []string{"None", "ConditionalCheckFailed", "None"}) {
		t.Errorf("reasons = %v", codes)
	}
	if old := cancelled.CancellationReasons[1].Item; old["ProductStatus"].(*types.AttributeValueMemberS).Value != "SOLD" {
		t.Errorf("ALL_OLD on the failed check: %v", old)
	}
	if got := aws.ToString(cancelled.Message); got != "Transaction cancelled, please refer cancellation reasons for specific reasons [None, ConditionalCheckFailed, None]" {
		t.Errorf("message = %q", got)
	}
	if o, _ := db.GetItem(ctx, &sdk.GetItemInput{TableName: aws.String("Orders"), Key: map[string]types.AttributeValue{"OrderId": s("O2")}}); o.Item != nil {
		t.Error("a cancelled transaction wrote its Put")
	}

	// Two actions on one item are refused before anything runs.
	items := order("P2", "O3")
	items = append(items, types.TransactWriteItem{Delete: &types.Delete{TableName: aws.String("Orders"), Key: map[string]types.AttributeValue{"OrderId": s("O3")}}})
	if _, err := db.TransactWriteItems(ctx, &sdk.TransactWriteItemsInput{TransactItems: items}); err == nil ||
		!strings.Contains(err.Error(), "Transaction request cannot include multiple operations on one item") {
		t.Errorf("two actions on one item: %v", err)
	}

	got, err := db.TransactGetItems(ctx, &sdk.TransactGetItemsInput{TransactItems: []types.TransactGetItem{
		{Get: &types.Get{TableName: aws.String("Orders"), Key: map[string]types.AttributeValue{"OrderId": s("O1")}}},
		{Get: &types.Get{TableName: aws.String("Orders"), Key: map[string]types.AttributeValue{"OrderId": s("missing")}}},
		{Get: &types.Get{TableName: aws.String("ProductCatalog"), Key: map[string]types.AttributeValue{"ProductId": s("P1")}, ProjectionExpression: aws.String("ProductStatus")}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Responses) != 3 || got.Responses[0].Item["OrderStatus"] == nil || got.Responses[1].Item != nil ||
		len(got.Responses[2].Item) != 1 {
		t.Errorf("TransactGetItems: %+v", got.Responses)
	}
}

// TestTransactionAcrossConsentAndAudit is the product's pattern: a
// version-checked update of the candidate and a conditional put of the
// audit event in another table, in one transaction; a stale version
// cancels both, and an update error is reported as ValidationError.
func TestTransactionAcrossConsentAndAudit(t *testing.T) {
	ctx := context.Background()
	db := newClient(t)
	createSimpleTable(t, db, "consent", "pk", "sk")
	createSimpleTable(t, db, "audit", "pk", "sk")
	cand := map[string]types.AttributeValue{"pk": s("CANDIDATE#1"), "sk": s("CANDIDATE")}
	if _, err := db.PutItem(ctx, &sdk.PutItemInput{TableName: aws.String("consent"), Item: mustItem(t, map[string]any{"pk": "CANDIDATE#1", "sk": "CANDIDATE", "version": 1, "label": "Ada"})}); err != nil {
		t.Fatal(err)
	}
	step := func(version, seq string) []types.TransactWriteItem {
		return []types.TransactWriteItem{
			{Update: &types.Update{
				TableName: aws.String("consent"), Key: cand,
				UpdateExpression:          aws.String("SET version = :next"),
				ConditionExpression:       aws.String("version = :read"),
				ExpressionAttributeValues: map[string]types.AttributeValue{":next": n(seq), ":read": n(version)},
			}},
			{Put: &types.Put{
				TableName:           aws.String("audit"),
				Item:                map[string]types.AttributeValue{"pk": s("CANDIDATE#1"), "sk": s("EVENT#" + seq)},
				ConditionExpression: aws.String("attribute_not_exists(pk)"),
			}},
		}
	}
	if _, err := db.TransactWriteItems(ctx, &sdk.TransactWriteItemsInput{TransactItems: step("1", "2")}); err != nil {
		t.Fatal(err)
	}
	_, err := db.TransactWriteItems(ctx, &sdk.TransactWriteItemsInput{TransactItems: step("1", "3")})
	var cancelled *types.TransactionCanceledException
	if !errors.As(err, &cancelled) || aws.ToString(cancelled.CancellationReasons[0].Code) != "ConditionalCheckFailed" ||
		aws.ToString(cancelled.CancellationReasons[1].Code) != "None" {
		t.Fatalf("stale version: %v", err)
	}
	q, err := db.Query(ctx, &sdk.QueryInput{
		TableName: aws.String("audit"), KeyConditionExpression: aws.String("pk = :pk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": s("CANDIDATE#1")},
	})
	if err != nil || q.Count != 1 {
		t.Fatalf("audit events: %d %v (want only the committed one)", q.Count, err)
	}
	// A runtime error in one action (arithmetic on a string) cancels with ValidationError.
	items := step("2", "3")
	items[0].Update.UpdateExpression = aws.String("SET version = :next, tally = label + :next")
	_, err = db.TransactWriteItems(ctx, &sdk.TransactWriteItemsInput{TransactItems: items})
	if !errors.As(err, &cancelled) || aws.ToString(cancelled.CancellationReasons[0].Code) != "ValidationError" {
		t.Fatalf("runtime error: %v", err)
	}
}
