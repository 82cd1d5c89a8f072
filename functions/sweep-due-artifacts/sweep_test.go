package main

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/consentflow/consentflow/shared/store"
	"github.com/consentflow/consentflow/shared/store/storetest"
)

// started records the erasures a sweep starts.
type started struct {
	mu    sync.Mutex
	names map[string]int
}

func (s *started) Artifacts(_ context.Context, due []store.DueArtifact, _ string) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.names == nil {
		s.names = map[string]int{}
	}
	for _, d := range due {
		s.names[d.ArtifactID+"@"+strconv.FormatInt(d.DeleteBy.Unix(), 10)]++
	}
	return len(due), nil
}

func (s *started) Candidate(context.Context, string, string, []store.DueArtifact) error { return nil }

var t0 = time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)

// seed writes n artifacts of which the first `due` are due at t0 and the
// rest a year later (all in the due index), and as many without a deadline
// (not in it), with BatchWriteItem.
func seed(tb testing.TB, db *dynamodb.Client, n, due int) {
	tb.Helper()
	var batch []types.WriteRequest
	flush := func() {
		if len(batch) == 0 {
			return
		}
		if _, err := db.BatchWriteItem(context.Background(), &dynamodb.BatchWriteItemInput{
			RequestItems: map[string][]types.WriteRequest{storetest.Table: batch},
		}); err != nil {
			tb.Fatal(err)
		}
		batch = nil
	}
	s := func(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }
	for i := range 2 * n {
		id := fmt.Sprintf("A%025d", i)
		item := map[string]types.AttributeValue{
			"pk": s("CANDIDATE#C" + fmt.Sprintf("%025d", i%1000)), "sk": s("ARTIFACT#" + id), "id": s(id),
			"candidateId": s("C" + fmt.Sprintf("%025d", i%1000)), "kind": s("cv"), "status": s("uploaded"),
		}
		if i < n {
			deleteBy := t0.AddDate(1, 0, 0)
			if i < due {
				deleteBy = t0.Add(-time.Minute)
			}
			item[store.DueShardAttr] = s(store.DueShard(id))
			item[store.DeleteByAttr] = s(deleteBy.Format("2006-01-02T15:04:05.000000000Z"))
		}
		batch = append(batch, types.WriteRequest{PutRequest: &types.PutRequest{Item: item}})
		if len(batch) == 25 {
			flush()
		}
	}
	flush()
}

// The sweep reads only what is due: with 2,000 artifacts in the due index
// that are not due yet (and 2,000 more without a deadline) and 7 due, it
// reads 7 items and starts 7 erasures; a second sweep over the same time
// starts the same 7 (the same names, which Step Functions refuses twice).
func TestTheSweepReadsOnlyWhatIsDue(t *testing.T) {
	st, db := storetest.New(t)
	seed(t, db, 2000, 7)
	starts := &started{}
	h := &Handler{Store: st, Erasure: starts, Log: slog.New(slog.DiscardHandler), Now: time.Now}
	for range 2 {
		out, err := h.Handle(context.Background(), Input{ScheduledTime: t0})
		if err != nil {
			t.Fatal(err)
		}
		if out.Due != 7 || out.Read != 7 || out.Started != 7 {
			t.Fatalf("sweep = %+v, want 7 due, 7 read, 7 started", out)
		}
	}
	if len(starts.names) != 7 {
		t.Fatalf("%d distinct erasures started, want 7", len(starts.names))
	}
	for name, n := range starts.names {
		if n != 2 {
			t.Errorf("erasure %s started %d times over two sweeps", name, n)
		}
	}
	// Nothing is due before the deadlines: an earlier scheduled time reads nothing.
	out, err := h.Handle(context.Background(), Input{ScheduledTime: t0.Add(-time.Hour)})
	if err != nil || out.Due != 0 || out.Read != 0 {
		t.Fatalf("sweep an hour earlier = %+v, %v; want nothing read", out, err)
	}
}

// BenchmarkSweep sweeps 100,000 artifacts that are in the due index but not
// due (and 100,000 without a deadline): it reads 0 items. Run with
// go test -run '^$' -bench Sweep ./functions/sweep-due-artifacts/
func BenchmarkSweep(b *testing.B) {
	st, db := storetest.New(b)
	seed(b, db, 100_000, 0)
	h := &Handler{Store: st, Erasure: &started{}, Log: slog.New(slog.DiscardHandler), Now: time.Now}
	read := 0
	b.ResetTimer()
	for b.Loop() {
		out, err := h.Handle(context.Background(), Input{ScheduledTime: t0})
		if err != nil {
			b.Fatal(err)
		}
		read += out.Read
	}
	b.ReportMetric(float64(read)/float64(b.N), "items-read/op")
}
