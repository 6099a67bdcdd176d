package runtime

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// errCallTimeout is the cause of a call context that ran out of its time;
// it is a context.DeadlineExceeded.
var errCallTimeout = fmt.Errorf("call timeout: %w", context.DeadlineExceeded)

// deadlines fails the attempts that outlive the call timeout, with no timer
// per attempt: context.WithTimeout costs a runtime timer, set and stopped,
// which was a quarter of a warm call's CPU and 5 of its 15 allocations
// (BenchmarkCallOverhead). Attempts with the same timeout expire in the
// order they start, so they join one queue, shared by every runtime of
// the process with that timeout (deadlinesFor): a fleet of accounts has
// one goroutine for it, not one per account. The goroutine ticks every
// eighth of the timeout while attempts are in flight and fails those that
// began more than eight ticks ago, so an attempt gets between 8/8 and 9/8
// of the timeout, and starting one reads no clock. It is started by an
// attempt when none runs, and ends at a tick that finds the queue empty, or
// when a closing runtime finds it idle (release).
type deadlines struct {
	timeout time.Duration
	tick    time.Duration // timeout / ticksPerTimeout

	mu         sync.Mutex
	epoch      uint64 // ticks so far
	head, tail *attemptTimer
	free       *attemptTimer // spare nodes, linked by next
	running    bool          // a goroutine watches
	stop, done chan struct{} // the watching goroutine's
}

var shared struct {
	mu sync.Mutex
	m  map[time.Duration]*deadlines
}

// deadlinesFor returns the process's queue for timeout.
func deadlinesFor(timeout time.Duration) *deadlines {
	shared.mu.Lock()
	defer shared.mu.Unlock()
	if shared.m == nil {
		shared.m = map[time.Duration]*deadlines{}
	}
	d := shared.m[timeout]
	if d == nil {
		d = newDeadlines(timeout)
		shared.m[timeout] = d
	}
	return d
}

// attemptTimer is one attempt in the queue.
type attemptTimer struct {
	epoch      uint64 // the tick it began in
	cancel     context.CancelCauseFunc
	slot       *attemptSlot // the thread's, when the attempt uses it
	prev, next *attemptTimer
	expired    bool
}

// attemptSlot is a light thread's reusable attempt context: a thread makes
// one call at a time, so its attempts share one child of its context,
// made again only after a timeout cancelled it. That spares a context per
// attempt (three allocations and a registration with the parent). An
// attempt that finds the slot busy (calls made in parallel with the
// thread's context, as uploads do) gets a context of its own. Slots are
// guarded by the mutex of their runtime's deadlines.
type attemptSlot struct {
	parent context.Context // what ctx was made from
	ctx    context.Context
	cancel context.CancelCauseFunc
	busy   bool
}

// ticksPerTimeout is how many ticks make a timeout.
const ticksPerTimeout = 8

func newDeadlines(timeout time.Duration) *deadlines {
	return &deadlines{timeout: timeout, tick: max(timeout/ticksPerTimeout, time.Millisecond)}
}

// begin starts an attempt: a context cancelled with errCallTimeout when
// the timeout passes first. main is the runtime's slot for code outside
// light threads. end must follow.
func (d *deadlines) begin(ctx context.Context, main *attemptSlot) (context.Context, *attemptTimer) {
	slot, _ := ctx.Value(attemptSlotKey{}).(*attemptSlot)
	if slot == nil {
		// Code outside light threads (the main chunk, a host call without
		// a context) shares one slot, for the context it is made from.
		slot = main
	}
	d.mu.Lock()
	a := d.free
	if a != nil {
		d.free = a.next
		*a = attemptTimer{}
	} else {
		a = &attemptTimer{}
	}
	var actx context.Context
	if !slot.busy {
		if slot.parent != ctx || slot.ctx.Err() != nil {
			if slot.cancel != nil {
				slot.cancel(context.Canceled)
			}
			slot.parent = ctx
			slot.ctx, slot.cancel = context.WithCancelCause(ctx)
		}
		slot.busy = true
		a.slot, actx, a.cancel = slot, slot.ctx, slot.cancel
	} else {
		actx, a.cancel = context.WithCancelCause(ctx)
	}
	a.epoch = d.epoch
	a.prev = d.tail
	if d.tail != nil {
		d.tail.next = a
	} else {
		d.head = a
	}
	d.tail = a
	if !d.running {
		d.running = true
		d.stop, d.done = make(chan struct{}), make(chan struct{})
		go d.loop(d.stop, d.done)
	}
	d.mu.Unlock()
	return actx, a
}

// end finishes an attempt and reports whether it ran out of time.
func (d *deadlines) end(a *attemptTimer) bool {
	d.mu.Lock()
	expired := a.expired
	if !expired && (a.prev != nil || d.head == a) {
		d.unlink(a)
	}
	cancel := a.cancel
	if a.slot != nil {
		a.slot.busy = false
		cancel = nil // kept for the thread's next attempt
	}
	a.cancel, a.slot, a.prev = nil, nil, nil
	a.next, d.free = d.free, a
	d.mu.Unlock()
	if cancel != nil {
		cancel(context.Canceled)
	}
	return expired
}

// unlink takes a out of the queue. Requires d.mu.
func (d *deadlines) unlink(a *attemptTimer) {
	if a.prev != nil {
		a.prev.next = a.next
	} else {
		d.head = a.next
	}
	if a.next != nil {
		a.next.prev = a.prev
	} else {
		d.tail = a.prev
	}
	a.prev, a.next = nil, nil
}

func (d *deadlines) loop(stop, done chan struct{}) {
	defer close(done)
	t := time.NewTicker(d.tick)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
		}
		d.mu.Lock()
		if !d.running || d.stop != stop {
			// Released while this tick waited for the lock (and maybe
			// started again: then the new goroutine ticks).
			d.mu.Unlock()
			return
		}
		d.epoch++
		for a := d.head; a != nil && d.epoch-a.epoch > ticksPerTimeout; a = d.head {
			d.unlink(a)
			a.expired = true
			a.cancel(errCallTimeout)
		}
		if d.head == nil {
			if d.stop == stop {
				d.running = false
			}
			d.mu.Unlock()
			return
		}
		d.mu.Unlock()
	}
}

// release is a runtime's Close: when no attempt is in flight, the
// goroutine stops now rather than at its next tick (the next attempt of
// any runtime starts it again). It fails nothing: the runtime cancels its
// calls itself.
func (d *deadlines) release() {
	d.mu.Lock()
	if !d.running || d.head != nil {
		d.mu.Unlock()
		return
	}
	d.running = false
	stop, done := d.stop, d.done
	d.mu.Unlock()
	close(stop)
	<-done
}
