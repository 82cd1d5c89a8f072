package store_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/consentflow/consentflow/infra/topology"
	"github.com/consentflow/consentflow/shared/consent"
	"github.com/consentflow/consentflow/shared/store"
	"github.com/consentflow/consentflow/shared/store/storetest"
)

func TestListIndexIsTheTopologys(t *testing.T) {
	if len(topology.App.Table.Indexes) == 0 || !slices.ContainsFunc(topology.App.Table.Indexes, func(ix topology.Index) bool {
		return ix.Name == store.ListIndex && ix.PartitionKey.Name == "listPk" && ix.SortKey.Name == "listSk"
	}) {
		t.Fatalf("the topology has no index %q on listPk, listSk: %+v", store.ListIndex, topology.App.Table.Indexes)
	}
}

// Pages follow each other by cursor, newest candidate first, each candidate
// once, and the last page has no cursor.
func TestListCandidatesPages(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	var want []string
	for i := range 7 {
		c, err := consent.NewCandidate(fmt.Sprintf("Candidate %d", i), fmt.Sprintf("c%d@example.com", i), "en", t0.Add(time.Duration(i)*time.Minute))
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.CreateCandidate(ctx, c, ""); err != nil {
			t.Fatal(err)
		}
		want = append([]string{c.ID}, want...)
	}
	var got []string
	cursor := ""
	for pages := 0; ; pages++ {
		if pages > 3 {
			t.Fatal("more pages than 7 candidates in pages of 3 make")
		}
		page, err := s.ListCandidates(ctx, store.ListQuery{Cursor: cursor, Limit: 3})
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Candidates) > 3 {
			t.Fatalf("a page of %d, limit 3", len(page.Candidates))
		}
		for _, c := range page.Candidates {
			got = append(got, c.ID)
		}
		if page.Next == "" {
			break
		}
		cursor = page.Next
	}
	if !slices.Equal(got, want) {
		t.Fatalf("listed %v, want newest first %v", got, want)
	}
}

// The list by state shows candidates with a consent in that state, with
// each purpose's consent.
func TestListCandidatesByState(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	asked := candidate(t, s)
	request(t, s, asked, consent.TalentPool, consent.InterviewRecording)
	other, err := consent.NewCandidate("Grace Hopper", "grace@example.com", "en", t0)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.CreateCandidate(ctx, other, ""); err != nil {
		t.Fatal(err)
	}

	page, err := s.ListCandidates(ctx, store.ListQuery{State: consent.Requested})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Candidates) != 1 || page.Candidates[0].ID != asked.ID || page.Candidates[0].Name != asked.Name {
		t.Fatalf("requested: %+v, want only %s once", page.Candidates, asked.ID)
	}
	if n := len(page.Candidates[0].Consents); n != 2 {
		t.Fatalf("the row has %d consents, want 2", n)
	}
	page, err = s.ListCandidates(ctx, store.ListQuery{State: consent.Given})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Candidates) != 0 {
		t.Fatalf("given: %+v, want none", page.Candidates)
	}
	all, err := s.ListCandidates(ctx, store.ListQuery{})
	if err != nil {
		t.Fatal(err)
	}
	if len(all.Candidates) != 2 {
		t.Fatalf("all: %d candidates, want 2", len(all.Candidates))
	}
}

// A cursor that this list did not give, or another list's, is refused as
// invalid input, not passed to DynamoDB.
func TestListCandidatesRefusesForeignCursors(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	for range 3 {
		candidate(t, s)
	}
	page, err := s.ListCandidates(ctx, store.ListQuery{Limit: 1})
	if err != nil || page.Next == "" {
		t.Fatalf("first page: %v, next %q", err, page.Next)
	}
	for name, q := range map[string]store.ListQuery{
		"garbage":          {Cursor: "not a cursor"},
		"json":             {Cursor: "e30"}, // {}
		"another list's":   {Cursor: page.Next, State: consent.Given},
		"an unknown state": {State: "maybe"},
	} {
		_, err := s.ListCandidates(ctx, q)
		var invalid *consent.ValidationError
		if !errors.As(err, &invalid) {
			t.Errorf("%s: %v, want a validation error", name, err)
		}
	}
}

// counting counts what the store asks of DynamoDB: calls, and items a query
// examined (ScannedCount), which is what DynamoDB's time and price follow.
type counting struct {
	store.DynamoDB
	calls, scanned int
}

func (c *counting) Query(ctx context.Context, in *dynamodb.QueryInput, opts ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error) {
	out, err := c.DynamoDB.Query(ctx, in, opts...)
	if err == nil {
		c.calls++
		c.scanned += int(out.ScannedCount)
	}
	return out, err
}

func (c *counting) GetItem(ctx context.Context, in *dynamodb.GetItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error) {
	c.calls++
	return c.DynamoDB.GetItem(ctx, in, opts...)
}

// A page of the list costs the same with 40 candidates as with ten times as
// many: the list reads an index page, never the table (what keeps it fast
// at 50,000 candidates in DynamoDB).
func TestListPageCostsTheSameAtAnySize(t *testing.T) {
	ctx := context.Background()
	s, db := newStore(t)
	add := func(n int) {
		for range n {
			c := candidate(t, s)
			request(t, s, c, consent.TalentPool)
		}
	}
	cost := func(q store.ListQuery) (calls, scanned int) {
		counter := &counting{DynamoDB: db}
		page, err := store.New(counter, storetest.Table, storetest.Audit).ListCandidates(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Candidates) != 25 || page.Next == "" {
			t.Fatalf("a page of %d candidates, next %q", len(page.Candidates), page.Next)
		}
		return counter.calls, counter.scanned
	}
	add(40)
	smallAll, smallAllScanned := cost(store.ListQuery{})
	smallState, smallStateScanned := cost(store.ListQuery{State: consent.Requested})
	add(360)
	bigAll, bigAllScanned := cost(store.ListQuery{})
	bigState, bigStateScanned := cost(store.ListQuery{State: consent.Requested})
	if bigAll != smallAll || bigAllScanned != smallAllScanned || bigState != smallState || bigStateScanned != smallStateScanned {
		t.Fatalf("a page costs more with more candidates: all %d calls/%d items → %d/%d; by state %d/%d → %d/%d",
			smallAll, smallAllScanned, bigAll, bigAllScanned, smallState, smallStateScanned, bigState, bigStateScanned)
	}
	t.Logf("a page of 25: %d calls, %d items read; by state: %d calls, %d items read", bigAll, bigAllScanned, bigState, bigStateScanned)
}
