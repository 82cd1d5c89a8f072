package store_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/consentflow/consentflow/infra/topology"
	"github.com/consentflow/consentflow/shared/consent"
	"github.com/consentflow/consentflow/shared/store"
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

// BenchmarkListCandidatesPage reads the first and a later page of the list
// with 500 and with 50,000 candidates in dynalite (whose index queries, like
// DynamoDB's, read only the page). Filling 50,000 takes a while:
//
//	go test -run XXX -bench ListCandidatesPage -benchtime 50x ./shared/store
func BenchmarkListCandidatesPage(b *testing.B) {
	for _, n := range []int{500, 50_000} {
		b.Run(fmt.Sprintf("candidates=%d", n), func(b *testing.B) {
			ctx := context.Background()
			s, _ := dynaliteStore(b)
			work := make(chan int)
			errs := make(chan error, 8)
			for range 8 {
				go func() {
					var err error
					for i := range work {
						if err != nil {
							continue
						}
						var c consent.Candidate
						if c, err = consent.NewCandidate("Candidate", fmt.Sprintf("c%d@example.com", i), "en", t0.Add(time.Duration(i)*time.Second)); err == nil {
							_, _, err = s.CreateCandidate(ctx, c, "")
						}
					}
					errs <- err
				}()
			}
			for i := range n {
				work <- i
			}
			close(work)
			for range 8 {
				if err := <-errs; err != nil {
					b.Fatal(err)
				}
			}
			first, err := s.ListCandidates(ctx, store.ListQuery{})
			if err != nil || first.Next == "" {
				b.Fatalf("first page: %v", err)
			}
			b.ResetTimer()
			for b.Loop() {
				if _, err := s.ListCandidates(ctx, store.ListQuery{}); err != nil {
					b.Fatal(err)
				}
				if _, err := s.ListCandidates(ctx, store.ListQuery{Cursor: first.Next}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
