package store

import (
	"context"
	"errors"
	"reflect"
	"strconv"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// pages serves shard s as pages of the numbers s*10+i, i < n[s], two at a
// time, and counts the reads.
type pages struct {
	n     []int
	reads int
}

func (p *pages) read(_ context.Context, shard int, start map[string]types.AttributeValue) ([]int, map[string]types.AttributeValue, error) {
	p.reads++
	from := 0
	if start != nil {
		from, _ = strconv.Atoi(start["at"].(*types.AttributeValueMemberN).Value)
	}
	var page []int
	for i := from; i < p.n[shard] && i < from+2; i++ {
		page = append(page, shard*10+i)
	}
	if from+2 >= p.n[shard] {
		return page, nil, nil
	}
	return page, map[string]types.AttributeValue{"at": &types.AttributeValueMemberN{Value: strconv.Itoa(from + 2)}}, nil
}

// Every item of every shard is read once, in order, across pages and
// empty shards.
func TestEachPageReadsEveryShardToTheEnd(t *testing.T) {
	p := &pages{n: []int{3, 0, 5}}
	var got []int
	complete, err := EachPage(context.Background(), 3, p.read, func(page []int) (bool, error) {
		got = append(got, page...)
		return true, nil
	})
	if want := []int{0, 1, 2, 20, 21, 22, 23, 24}; err != nil || !complete || !reflect.DeepEqual(got, want) {
		t.Fatalf("read %v complete %v err %v, want %v", got, complete, err, want)
	}
	if p.reads != 6 {
		t.Errorf("%d reads, want 6 (2 + 1 + 3)", p.reads)
	}
}

// Asked to stop, it reads no further page, in the same shard or the next,
// and says it did not finish, unless that was the last page.
func TestEachPageStopsWhenAsked(t *testing.T) {
	for _, tt := range []struct {
		name     string
		stopAt   int // stop after this many pages
		reads    int
		complete bool
	}{
		{"within a shard", 1, 1, false},
		{"at the end of a shard", 2, 2, false},
		{"after the last page", 4, 4, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := &pages{n: []int{3, 0, 2}}
			n := 0
			complete, err := EachPage(context.Background(), 3, p.read, func([]int) (bool, error) {
				n++
				return n < tt.stopAt, nil
			})
			if err != nil || complete != tt.complete || p.reads != tt.reads {
				t.Fatalf("complete %v after %d reads (err %v), want %v after %d", complete, p.reads, err, tt.complete, tt.reads)
			}
		})
	}
}

// A failed read names its shard; a failed use stops the walk as it is.
func TestEachPageStopsAtAnError(t *testing.T) {
	boom := errors.New("boom")
	p := &pages{n: []int{1, 1}}
	read := func(ctx context.Context, shard int, start map[string]types.AttributeValue) ([]int, map[string]types.AttributeValue, error) {
		if shard == 1 {
			return nil, nil, boom
		}
		return p.read(ctx, shard, start)
	}
	complete, err := EachPage(context.Background(), 2, read, func([]int) (bool, error) { return true, nil })
	if complete || !errors.Is(err, boom) || err.Error() != "shard 1: boom" {
		t.Errorf("read error: complete %v, err %v", complete, err)
	}
	complete, err = EachPage(context.Background(), 2, p.read, func([]int) (bool, error) { return true, boom })
	if complete || err != boom {
		t.Errorf("use error: complete %v, err %v", complete, err)
	}
}
