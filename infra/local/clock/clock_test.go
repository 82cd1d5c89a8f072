package clock_test

import (
	"context"
	"math"
	"testing"
	"time"

	"github.com/consentflow/consentflow/infra/local/clock"
)

func TestManualAdvanceFiresDueTimers(t *testing.T) {
	cases := []struct {
		name      string
		timers    []time.Duration
		advance   time.Duration
		wantFired int
	}{
		{"a 14-day timer fires when 14 days pass", []time.Duration{14 * 24 * time.Hour}, 14 * 24 * time.Hour, 1},
		{"a 30-day timer does not fire after 29 days", []time.Duration{30 * 24 * time.Hour}, 29 * 24 * time.Hour, 0},
		{"only the due ones fire", []time.Duration{time.Hour, 2 * time.Hour, 48 * time.Hour}, 3 * time.Hour, 2},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := clock.NewManual()
			var timers []clock.Timer
			for _, d := range c.timers {
				timers = append(timers, m.NewTimer(d))
			}
			before := m.Now()
			m.Advance(c.advance)
			if got := m.Now().Sub(before); got < c.advance {
				t.Errorf("Now moved %v, want at least %v", got, c.advance)
			}
			fired := 0
			for _, tm := range timers {
				select {
				case <-tm.C():
					fired++
				default:
				}
			}
			if fired != c.wantFired {
				t.Errorf("%d timers fired, want %d", fired, c.wantFired)
			}
			if m.Pending() != len(c.timers)-c.wantFired {
				t.Errorf("Pending() = %d, want %d", m.Pending(), len(c.timers)-c.wantFired)
			}
		})
	}
}

func TestManualTimersAlsoFireWithRealTime(t *testing.T) {
	m := clock.NewManual()
	tm := m.NewTimer(5 * time.Millisecond)
	select {
	case <-tm.C():
	case <-time.After(5 * time.Second):
		t.Fatal("a 5 ms timer did not fire as real time passed")
	}
}

func TestManualStopAndSleep(t *testing.T) {
	m := clock.NewManual()
	tm := m.NewTimer(time.Hour)
	if !tm.Stop() {
		t.Error("Stop of a pending timer reported false")
	}
	m.Advance(2 * time.Hour)
	select {
	case <-tm.C():
		t.Error("a stopped timer fired")
	default:
	}

	done := make(chan error, 1)
	go func() { done <- clock.Sleep(context.Background(), m, 7*24*time.Hour) }()
	if err := m.BlockUntil(context.Background(), 1); err != nil {
		t.Fatal(err)
	}
	if !m.AdvanceToNext() {
		t.Fatal("AdvanceToNext found no timer")
	}
	if err := <-done; err != nil {
		t.Errorf("Sleep: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := clock.Sleep(ctx, m, time.Hour); err == nil {
		t.Error("Sleep with a cancelled context returned nil")
	}
}

// Advance steps through deadlines: a goroutine that sleeps 1h twice finishes
// with one Advance(3h), and each timer delivers its own deadline.
func TestManualAdvanceStepsThroughNewTimers(t *testing.T) {
	m := clock.NewManual()
	start := m.Now()
	got := make(chan time.Time, 2)
	go func() {
		for range 2 {
			tm := m.NewTimer(time.Hour)
			got <- <-tm.C()
		}
	}()
	if err := m.BlockUntil(context.Background(), 1); err != nil {
		t.Fatal(err)
	}
	end := m.Advance(3 * time.Hour)
	for i := 1; i <= 2; i++ {
		select {
		case at := <-got:
			if want := start.Add(time.Duration(i) * time.Hour); at.Sub(want).Abs() > time.Second {
				t.Errorf("timer %d delivered %v, want its deadline %v", i, at, want)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("timer %d did not fire within Advance(3h)", i)
		}
	}
	if end.Sub(start) < 3*time.Hour {
		t.Errorf("Advance returned %v, want at least 3h after %v", end, start)
	}
}

func TestManualAdvanceSaturates(t *testing.T) {
	m := clock.NewManual()
	before := m.Now()
	m.Advance(math.MaxInt64)
	first := m.Now()
	m.Advance(math.MaxInt64)
	if m.Offset() <= 0 || m.Now().Before(first) || !first.After(before) {
		t.Errorf("after two Advance(MaxInt64): offset %v, now %v, first %v, before %v; want a saturated offset and a clock that never goes back", m.Offset(), m.Now(), first, before)
	}
}
