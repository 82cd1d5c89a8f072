// Package clock provides the time source of the local cloud: a real clock, and
// a manual clock whose time can be moved forward so that a 14-day wait or a
// 30-day timeout happens at once in a test or in `make dev`.
package clock

import (
	"context"
	"sort"
	"sync"
	"time"
)

// Clock tells the time and makes timers. Everything in the local cloud that
// waits for time to pass waits through a Clock.
type Clock interface {
	Now() time.Time
	// NewTimer returns a timer that fires once d has passed on this clock.
	NewTimer(d time.Duration) Timer
}

// Timer is a one-shot timer.
type Timer interface {
	// C delivers the clock's time once, when the timer fires.
	C() <-chan time.Time
	// Stop prevents the timer from firing; it reports whether it stopped it.
	Stop() bool
}

// Sleep waits for d on c, or until ctx is done.
func Sleep(ctx context.Context, c Clock, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := c.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C():
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Real is the machine's clock.
type Real struct{}

func (Real) Now() time.Time { return time.Now() }

func (Real) NewTimer(d time.Duration) Timer { return realTimer{time.NewTimer(d)} }

type realTimer struct{ t *time.Timer }

func (r realTimer) C() <-chan time.Time { return r.t.C }
func (r realTimer) Stop() bool          { return r.t.Stop() }

// Manual is a clock that runs with real time plus an offset that only grows.
// Advance moves it forward and fires at once every timer that has come due;
// timers also fire as real time passes. The zero value is not usable: call
// NewManual.
type Manual struct {
	advancing sync.Mutex // held by Advance, so that two advances do not interleave their steps
	mu        sync.Mutex
	offset    time.Duration
	timers    map[*manualTimer]struct{}
	changed   chan struct{} // closed and replaced whenever the set of timers changes
	now       func() time.Time
}

// NewManual returns a manual clock that starts at real time.
func NewManual() *Manual {
	return &Manual{timers: map[*manualTimer]struct{}{}, changed: make(chan struct{}), now: time.Now}
}

// NewManualAt returns a manual clock whose time starts at start.
func NewManualAt(start time.Time) *Manual {
	m := NewManual()
	m.offset = time.Until(start)
	return m
}

// Now is real time plus every Advance so far.
func (m *Manual) Now() time.Time {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.nowLocked()
}

func (m *Manual) nowLocked() time.Time { return m.now().Add(m.offset) }

// Offset is how far this clock runs ahead of real time.
func (m *Manual) Offset() time.Duration {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.offset
}

// How long Advance lets the goroutines that fired timers woke run before its
// next step: until each fired timer's time has been received or the timer
// stopped (at most receiveWait), then until the set of timers has not changed
// for settleQuiet, giving up after settleBudget of real time.
const (
	receiveWait  = 100 * time.Millisecond
	settleQuiet  = 20 * time.Millisecond
	settleBudget = time.Second
)

// Advance moves the clock forward by d (negative d is ignored). It steps
// through the pending deadlines up to the new time in order: at each it sets
// the clock to that deadline, fires the timers due (each receives its own
// deadline) and lets the goroutines they woke settle, so that the timers
// those create before the new time fire too. It returns the new time.
func (m *Manual) Advance(d time.Duration) time.Time {
	m.advancing.Lock()
	defer m.advancing.Unlock()
	target := m.Now()
	if d > 0 {
		target = target.Add(d)
	}
	for {
		m.mu.Lock()
		next, ok := m.earliestLocked()
		if !ok || next.After(target) {
			break
		}
		m.moveToLocked(next)
		fired := m.fireDueLocked()
		m.mu.Unlock()
		m.settle(fired)
	}
	defer m.mu.Unlock()
	m.moveToLocked(target)
	m.fireDueLocked()
	for t := range m.timers {
		t.real.Reset(t.deadline.Sub(m.nowLocked()))
	}
	return m.nowLocked()
}

// moveToLocked sets the offset so that the clock reads t now, unless it
// already reads later. time.Time.Sub saturates, so the offset cannot overflow.
func (m *Manual) moveToLocked(t time.Time) {
	if off := t.Sub(m.now()); off > m.offset {
		m.offset = off
	}
}

func (m *Manual) earliestLocked() (time.Time, bool) {
	var first time.Time
	found := false
	for t := range m.timers {
		if !found || t.deadline.Before(first) {
			first, found = t.deadline, true
		}
	}
	return first, found
}

// settle waits for the goroutines that the fired timers woke, as the
// constants above say.
func (m *Manual) settle(fired []*manualTimer) {
	start := time.Now()
	for !m.received(fired) && time.Since(start) < receiveWait {
		time.Sleep(100 * time.Microsecond)
	}
	for time.Since(start) < settleBudget {
		m.mu.Lock()
		ch := m.changed
		m.mu.Unlock()
		quiet := time.NewTimer(settleQuiet)
		select {
		case <-ch:
			quiet.Stop()
		case <-quiet.C:
			return
		}
	}
}

// received reports whether every fired timer's time has been taken from its
// channel, or the timer was stopped (so nobody will).
func (m *Manual) received(fired []*manualTimer) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, t := range fired {
		if len(t.c) > 0 && !t.stopped {
			return false
		}
	}
	return true
}

// Pending is the number of timers waiting to fire.
func (m *Manual) Pending() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.timers)
}

// Deadlines lists when the pending timers will fire, earliest first.
func (m *Manual) Deadlines() []time.Time {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]time.Time, 0, len(m.timers))
	for t := range m.timers {
		out = append(out, t.deadline)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Before(out[j]) })
	return out
}

// AdvanceToNext moves the clock to the earliest pending deadline and fires the
// timers due then. It reports false when no timer is pending.
func (m *Manual) AdvanceToNext() bool {
	ds := m.Deadlines()
	if len(ds) == 0 {
		return false
	}
	m.Advance(ds[0].Sub(m.Now()))
	return true
}

// BlockUntil waits until at least n timers are pending, or ctx is done. Tests
// use it to advance the clock only once the code under test is waiting.
func (m *Manual) BlockUntil(ctx context.Context, n int) error {
	for {
		m.mu.Lock()
		if len(m.timers) >= n {
			m.mu.Unlock()
			return nil
		}
		ch := m.changed
		m.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

func (m *Manual) notifyLocked() {
	close(m.changed)
	m.changed = make(chan struct{})
}

// fireDueLocked fires, earliest first, every timer whose deadline has come;
// each receives its own deadline.
func (m *Manual) fireDueLocked() []*manualTimer {
	now := m.nowLocked()
	var due []*manualTimer
	for t := range m.timers {
		if !t.deadline.After(now) {
			due = append(due, t)
		}
	}
	sort.Slice(due, func(i, j int) bool { return due[i].deadline.Before(due[j].deadline) })
	for _, t := range due {
		delete(m.timers, t)
		t.real.Stop()
		t.c <- t.deadline
	}
	if len(due) > 0 {
		m.notifyLocked()
	}
	return due
}

// NewTimer returns a timer that fires when the clock reaches Now()+d.
func (m *Manual) NewTimer(d time.Duration) Timer {
	m.mu.Lock()
	defer m.mu.Unlock()
	t := &manualTimer{m: m, c: make(chan time.Time, 1), deadline: m.nowLocked().Add(d)}
	if d <= 0 {
		t.c <- m.nowLocked()
		t.real = time.NewTimer(time.Hour)
		t.real.Stop()
		return t
	}
	m.timers[t] = struct{}{}
	t.real = time.AfterFunc(d, func() {
		m.mu.Lock()
		defer m.mu.Unlock()
		m.fireDueLocked()
		if _, ok := m.timers[t]; ok {
			t.real.Reset(t.deadline.Sub(m.nowLocked()))
		}
	})
	m.notifyLocked()
	return t
}

type manualTimer struct {
	m        *Manual
	c        chan time.Time
	deadline time.Time
	real     *time.Timer
	stopped  bool // Stop was called: nobody may receive from c
}

func (t *manualTimer) C() <-chan time.Time { return t.c }

func (t *manualTimer) Stop() bool {
	t.m.mu.Lock()
	defer t.m.mu.Unlock()
	t.stopped = true
	if _, ok := t.m.timers[t]; !ok {
		return false
	}
	delete(t.m.timers, t)
	t.real.Stop()
	t.m.notifyLocked()
	return true
}
