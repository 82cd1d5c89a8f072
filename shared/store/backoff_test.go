package store

import (
	"testing"
	"time"
)

// TestBackoffIsJittered: the wait before a retried change is drawn
// uniformly from [0, min(backoffCap, backoffBase·2^n)] ("full jitter"), so
// writers that collided on a candidate do not collide again in lock step.
// A fixed wait (every writer waiting the same time) fails this.
func TestBackoffIsJittered(t *testing.T) {
	for attempt := 1; attempt < changeAttempts; attempt++ {
		bound := min(backoffCap, backoffBase<<attempt)
		const n = 400
		distinct := map[time.Duration]bool{}
		low, high := 0, 0
		for range n {
			d := backoff(attempt)
			if d < 0 || d > bound {
				t.Fatalf("attempt %d waits %v, outside [0, %v]", attempt, d, bound)
			}
			distinct[d] = true
			switch {
			case d < bound/4:
				low++
			case d > bound*3/4:
				high++
			}
		}
		// Uniform: about n/4 each; far below that is not uniform (the
		// chance of fewer than n/10 by luck is below 1e-12).
		if len(distinct) < n/2 || low < n/10 || high < n/10 {
			t.Errorf("attempt %d: %d distinct waits in %d, %d in the lowest quarter and %d in the highest of [0, %v]: not full jitter",
				attempt, len(distinct), n, low, high, bound)
		}
	}
}
