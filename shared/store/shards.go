package store

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// ReadPage reads one page of a sharded index from start (nil: the first
// page) and returns where the next one starts (nil after the last).
type ReadPage[T any] func(ctx context.Context, shard int, start map[string]types.AttributeValue) ([]T, map[string]types.AttributeValue, error)

// EachPage reads the pages of shards 0 to shards-1 in turn and hands each
// page to use, until every page was read, read or use fails, or use
// answers false (stop now, for example before a Lambda timeout). It reports
// whether it read every page.
func EachPage[T any](ctx context.Context, shards int, read ReadPage[T], use func(page []T) (bool, error)) (complete bool, err error) {
	for shard := range shards {
		var start map[string]types.AttributeValue
		for {
			page, next, err := read(ctx, shard, start)
			if err != nil {
				return false, fmt.Errorf("shard %d: %w", shard, err)
			}
			more, err := use(page)
			if err != nil {
				return false, err
			}
			last := next == nil && shard == shards-1
			if !more || last {
				return last, nil
			}
			if next == nil {
				break
			}
			start = next
		}
	}
	return true, nil
}
