// Package store is part of the call analysis fixture (see ../main.go).
package store

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// DB is a small interface, as the product's store declares one.
type DB interface {
	GetItem(context.Context, *dynamodb.GetItemInput, ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	TransactWriteItems(context.Context, *dynamodb.TransactWriteItemsInput, ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error)
	Scan(context.Context, *dynamodb.ScanInput, ...func(*dynamodb.Options)) (*dynamodb.ScanOutput, error)
	DeleteItem(context.Context, *dynamodb.DeleteItemInput, ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error)
}

// Store reads and writes through DB.
type Store struct{ DB DB }

// Read gets an item.
func (s *Store) Read(ctx context.Context) error {
	_, err := s.DB.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String("t")})
	return err
}

// Write puts one item under a condition on another, in one transaction.
func (s *Store) Write(ctx context.Context) error {
	items := []types.TransactWriteItem{
		{Put: &types.Put{TableName: aws.String("t")}},
		{ConditionCheck: &types.ConditionCheck{TableName: aws.String("t")}},
	}
	_, err := s.DB.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: items})
	return err
}

// Everything scans: exported, but the fixture never calls it.
func (s *Store) Everything(ctx context.Context) error {
	_, err := s.DB.Scan(ctx, &dynamodb.ScanInput{TableName: aws.String("t")})
	return err
}

// Forget deletes in a transaction: never called either, so its Delete item
// must not count towards the transaction's actions.
func (s *Store) Forget(ctx context.Context) error {
	items := []types.TransactWriteItem{{Delete: &types.Delete{TableName: aws.String("t")}}}
	_, err := s.DB.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: items})
	return err
}
