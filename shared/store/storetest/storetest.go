// Package storetest gives tests a store on fresh tables, shaped as the
// topology defines them, in an in-process local DynamoDB (infra/local/dynamodb) reached over HTTP
// with the real SDK client.
package storetest

import (
	"context"
	"net/http/httptest"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	localdynamodb "github.com/consentflow/consentflow/infra/local/dynamodb"

	"github.com/consentflow/consentflow/infra/topology"
	"github.com/consentflow/consentflow/shared/store"
)

// Table names of the store New returns.
const (
	Table = "consent"
	Audit = "audit"
)

// New returns a store on fresh tables and the client that reaches them.
func New(t testing.TB) (*store.Store, *dynamodb.Client) {
	t.Helper()
	srv := httptest.NewServer(localdynamodb.New())
	t.Cleanup(srv.Close)
	db := dynamodb.New(dynamodb.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL), Credentials: aws.AnonymousCredentials{}})
	CreateTables(t, db)
	return store.New(db, Table, Audit), db
}

// CreateTables creates the app and audit tables as the topology defines
// them, named Table and Audit.
func CreateTables(t testing.TB, db *dynamodb.Client) {
	t.Helper()
	for name, tk := range map[string]topology.Table{Table: topology.App.Table, Audit: topology.App.Audit} {
		_, err := db.CreateTable(context.Background(), tk.CreateInput(name))
		if err != nil {
			t.Fatal(err)
		}
	}
}
