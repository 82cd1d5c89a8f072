package store

// A stand-in for t7-trail's change/Tx (CONTRACTS.md §1) until it lands on
// main: same signatures, events written to the main table as before. Remove
// this file when merging the real one.

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/consentflow/consentflow/shared/consent"
)

// Tx collects one transaction's writes on one candidate.
type Tx struct {
	items  []types.TransactWriteItem
	events []consent.Event
}

// Add adds state changes to the transaction.
func (tx *Tx) Add(items ...types.TransactWriteItem) { tx.items = append(tx.items, items...) }

// Event adds an audit event.
func (tx *Tx) Event(e consent.Event) { tx.events = append(tx.events, e) }

func (s *Store) change(ctx context.Context, candidateID string, build func(ctx context.Context, tx *Tx) error) error {
	for attempt := 1; ; attempt++ {
		if _, err := s.Candidate(ctx, candidateID); err != nil {
			return err
		}
		tx := &Tx{}
		if err := build(ctx, tx); err != nil {
			return err
		}
		if len(tx.items) == 0 && len(tx.events) == 0 {
			return nil
		}
		items := append([]types.TransactWriteItem(nil), tx.items...)
		for _, e := range tx.events {
			e.CandidateID = candidateID
			items = append(items, s.putEvent(e))
		}
		_, err := s.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: items})
		if err == nil {
			return nil
		}
		if failed, _ := conditionFailed(err); !failed && !contended(err) {
			return unavailable("change candidate", err)
		}
		if attempt == 12 {
			return &consent.ConflictError{Reason: "the candidate's records kept changing; try again"}
		}
	}
}
