package store

import (
	"context"
	"maps"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/consentflow/consentflow/shared/consent"
)

// Tx collects one transaction's writes on one candidate.
type Tx struct {
	s       *Store
	version int64
	// candidate is the profile as read at the start of the attempt.
	candidate candidateItem
	items     []types.TransactWriteItem
	events    []consent.Event
	// set and remove change the profile in the version bump's update: a
	// transaction may not hold two operations on one item.
	set    map[string]types.AttributeValue
	remove []string
}

// Profile sets and removes attributes of the candidate's profile, in the
// same update as the version bump (whose condition on the version read
// guards them too).
func (tx *Tx) Profile(set map[string]types.AttributeValue, remove ...string) {
	if tx.set == nil {
		tx.set = map[string]types.AttributeValue{}
	}
	for k, v := range set {
		tx.set[k] = v
	}
	tx.remove = append(tx.remove, remove...)
}

// Add adds state changes to the transaction.
func (tx *Tx) Add(items ...types.TransactWriteItem) { tx.items = append(tx.items, items...) }

// Event adds an audit event; its CandidateID, Seq, Prev and Hash are set on
// commit.
func (tx *Tx) Event(e consent.Event) { tx.events = append(tx.events, e) }

// Version is the candidate's version read at the start of the attempt.
func (tx *Tx) Version() int64 { return tx.version }

// Contention settings: a change is tried up to changeAttempts times, waiting
// a random time up to min(backoffCap, backoffBase·2^n) between attempts
// ("full jitter"), so that 20 writers on one candidate spread out instead of
// colliding again in lock step.
const (
	changeAttempts = 12
	backoffBase    = 10 * time.Millisecond
	backoffCap     = 500 * time.Millisecond
)

// change is the one path of every state change of a candidate. It reads the
// candidate's version and the head of its audit chain, calls build (again
// on every attempt, so build must read what it needs itself), and commits
// build's writes, the version bump (conditional on the version read) and
// build's events, numbered on from the candidate's last seq and chained by
// hash, in one TransactWriteItems. When the version moved or a write's
// condition failed, another change came first: it waits with jittered
// backoff and tries again, and after changeAttempts returns a
// *consent.ConflictError. build may return an error (a typed domain error)
// to abort; a build that adds nothing commits nothing.
func (s *Store) change(ctx context.Context, candidateID string, build func(ctx context.Context, tx *Tx) error) error {
	return s.changeCandidate(ctx, candidateID, false, build)
}

// changeErasing is change for the steps of an erasure: they go on once
// the candidate asked for everything to be erased, when every other change
// is refused with a *consent.GoneError.
func (s *Store) changeErasing(ctx context.Context, candidateID string, build func(ctx context.Context, tx *Tx) error) error {
	return s.changeCandidate(ctx, candidateID, true, build)
}

func (s *Store) changeCandidate(ctx context.Context, candidateID string, erasing bool, build func(ctx context.Context, tx *Tx) error) error {
	for attempt := 0; attempt < changeAttempts; attempt++ {
		if attempt > 0 {
			if err := sleep(ctx, backoff(attempt)); err != nil {
				return unavailable("change candidate", err)
			}
		}
		c, err := s.profile(ctx, candidateID)
		if err != nil {
			return err
		}
		if c.ErasedAt != nil || (c.ErasureRequestedAt != nil && !erasing) {
			return &consent.GoneError{ID: candidateID}
		}
		tx := &Tx{s: s, version: c.Version, candidate: c}
		if err := build(ctx, tx); err != nil {
			return err
		}
		if len(tx.items) == 0 && len(tx.events) == 0 && len(tx.set) == 0 && len(tx.remove) == 0 {
			return nil
		}
		items := append([]types.TransactWriteItem(nil), tx.items...)
		seq, head := c.Seq, c.Head
		for _, e := range tx.events {
			seq++
			e.CandidateID = candidateID
			e = e.Seal(seq, head)
			head = e.Hash
			items = append(items, types.TransactWriteItem{Put: &types.Put{
				TableName:                aws.String(s.audit),
				Item:                     marshal(e),
				ConditionExpression:      aws.String("attribute_not_exists(#seq)"),
				ExpressionAttributeNames: map[string]string{"#seq": "seq"},
			}})
		}
		bump := s.bumpVersion(candidateID, c.Version, seq, head)
		tx.amend(bump.Update)
		items = append(items, bump)
		_, err = s.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: items})
		if err == nil {
			return nil
		}
		if failed, _ := conditionFailed(err); !failed && !contended(err) {
			return unavailable("change candidate", err)
		}
	}
	return &consent.ConflictError{Reason: "the candidate's records kept changing; try again", Contended: true}
}

// bumpVersion moves the candidate from version to version+1, with the seq
// and hash of its last event. Candidates stored before versions existed
// have none, which counts as 0.
func (s *Store) bumpVersion(candidateID string, version, seq int64, head string) types.TransactWriteItem {
	cond := "#v = :v"
	if version == 0 {
		cond = "attribute_exists(pk) AND (attribute_not_exists(#v) OR #v = :v)"
	}
	upd := &types.Update{
		TableName:                aws.String(s.table),
		Key:                      key(candidatePK(candidateID), profileSK),
		UpdateExpression:         aws.String("SET #v = :next, #seq = :seq"),
		ConditionExpression:      aws.String(cond),
		ExpressionAttributeNames: map[string]string{"#v": "version", "#seq": "seq"},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":v":    number(version),
			":next": number(version + 1),
			":seq":  number(seq),
		},
	}
	if head != "" {
		*upd.UpdateExpression += ", #head = :head"
		upd.ExpressionAttributeNames["#head"] = "head"
		upd.ExpressionAttributeValues[":head"] = &types.AttributeValueMemberS{Value: head}
	}
	return types.TransactWriteItem{Update: upd}
}

// amend adds the transaction's profile changes to the version bump.
func (tx *Tx) amend(upd *types.Update) {
	names := slices.Sorted(maps.Keys(tx.set))
	for i, name := range names {
		n, v := "#p"+strconv.Itoa(i), ":p"+strconv.Itoa(i)
		*upd.UpdateExpression += ", " + n + " = " + v
		upd.ExpressionAttributeNames[n] = name
		upd.ExpressionAttributeValues[v] = tx.set[name]
	}
	if len(tx.remove) > 0 {
		var rm []string
		for i, name := range tx.remove {
			n := "#r" + strconv.Itoa(i)
			upd.ExpressionAttributeNames[n] = name
			rm = append(rm, n)
		}
		*upd.UpdateExpression += " REMOVE " + strings.Join(rm, ", ")
	}
}

func number(n int64) types.AttributeValue {
	return &types.AttributeValueMemberN{Value: strconv.FormatInt(n, 10)}
}

func backoff(attempt int) time.Duration {
	d := backoffCap
	if attempt < 16 {
		d = min(backoffCap, backoffBase<<attempt)
	}
	return time.Duration(rand.Int64N(int64(d) + 1))
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
