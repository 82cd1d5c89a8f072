package topology

import (
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// CreateInput is the CreateTable request for t under the physical name, with
// its keys and global secondary indexes (all attributes projected) as the
// CDK stack defines them. The local cloud and the store's tests create
// their tables with it.
func (t Table) CreateInput(name string) *dynamodb.CreateTableInput {
	attrs := map[string]string{t.PartitionKey.Name: t.PartitionKey.Type}
	if t.SortKey.Name != "" {
		attrs[t.SortKey.Name] = t.SortKey.Type
	}
	in := &dynamodb.CreateTableInput{
		TableName:   aws.String(name),
		BillingMode: types.BillingModePayPerRequest,
		KeySchema:   keySchema(t.PartitionKey, t.SortKey),
	}
	for _, ix := range t.Indexes {
		attrs[ix.PartitionKey.Name] = ix.PartitionKey.Type
		if ix.SortKey.Name != "" {
			attrs[ix.SortKey.Name] = ix.SortKey.Type
		}
		in.GlobalSecondaryIndexes = append(in.GlobalSecondaryIndexes, types.GlobalSecondaryIndex{
			IndexName:  aws.String(ix.Name),
			KeySchema:  keySchema(ix.PartitionKey, ix.SortKey),
			Projection: &types.Projection{ProjectionType: types.ProjectionTypeAll},
		})
	}
	for _, name := range sortedNames(attrs) {
		in.AttributeDefinitions = append(in.AttributeDefinitions, types.AttributeDefinition{
			AttributeName: aws.String(name), AttributeType: types.ScalarAttributeType(attrs[name]),
		})
	}
	return in
}

func keySchema(pk, sk Key) []types.KeySchemaElement {
	ks := []types.KeySchemaElement{{AttributeName: aws.String(pk.Name), KeyType: types.KeyTypeHash}}
	if sk.Name != "" {
		ks = append(ks, types.KeySchemaElement{AttributeName: aws.String(sk.Name), KeyType: types.KeyTypeRange})
	}
	return ks
}

func sortedNames(m map[string]string) []string {
	names := make([]string, 0, len(m))
	for n := range m {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}
