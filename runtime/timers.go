package runtime

import (
	"container/heap"
	"context"
	"fmt"
	"math"
	"strconv"
	"time"

	lua "github.com/yuin/gopher-lua"
)

// Timers: after(seconds, fn) and every(seconds, fn). They live in a heap
// on the event loop and fire on the VM goroutine; timers due at the same
// instant fire in the order they were created.

type timer struct {
	when     time.Time
	interval time.Duration // 0 for after()
	fn       *lua.LFunction
	seq      uint64
	index    int // in the heap; -1 when not scheduled
	seconds  float64
}

func (t *timer) String() string {
	kind := "after"
	if t.interval > 0 {
		kind = "every"
	}
	return "timer: " + kind + "(" + strconv.FormatFloat(t.seconds, 'g', -1, 64) + ")"
}

// timerQueue is a min-heap of timers by (when, seq).
type timerQueue []*timer

func (q timerQueue) Len() int { return len(q) }
func (q timerQueue) Less(i, j int) bool {
	if !q[i].when.Equal(q[j].when) {
		return q[i].when.Before(q[j].when)
	}
	return q[i].seq < q[j].seq
}
func (q timerQueue) Swap(i, j int) {
	q[i], q[j] = q[j], q[i]
	q[i].index, q[j].index = i, j
}
func (q *timerQueue) Push(x any) {
	t := x.(*timer)
	t.index = len(*q)
	*q = append(*q, t)
}
func (q *timerQueue) Pop() any {
	old := *q
	t := old[len(old)-1]
	old[len(old)-1] = nil
	*q = old[:len(old)-1]
	t.index = -1
	return t
}

// next returns the earliest timer, or nil.
func (q timerQueue) next() *timer {
	if len(q) == 0 {
		return nil
	}
	return q[0]
}

// schedule adds a timer firing after d, every d if repeat.
func (l *eventLoop) schedule(d time.Duration, seconds float64, repeat bool, fn *lua.LFunction) *timer {
	l.seq++
	t := &timer{when: time.Now().Add(d), fn: fn, seq: l.seq, seconds: seconds}
	if repeat {
		t.interval = d
	}
	heap.Push(&l.timers, t)
	return t
}

// cancel removes a timer; it reports whether it was still scheduled.
func (l *eventLoop) cancel(t *timer) bool {
	if t.index < 0 {
		return false
	}
	heap.Remove(&l.timers, t.index)
	return true
}

// runTimers fires the timers due at now and returns how many fired. A
// repeating timer is rescheduled before its function runs, so off() inside
// it works; if it fell behind, it skips the missed ticks.
func (l *eventLoop) runTimers(ctx context.Context, L *lua.LState, now time.Time) int {
	var due []*timer
	for len(l.timers) > 0 && !l.timers[0].when.After(now) {
		due = append(due, heap.Pop(&l.timers).(*timer))
	}
	fired := 0
	for i, t := range due {
		if l.stopped || ctx.Err() != nil {
			// Put the rest back, unchanged.
			for _, t := range due[i:] {
				heap.Push(&l.timers, t)
			}
			break
		}
		if t.interval > 0 {
			t.when = t.when.Add(t.interval)
			if !t.when.After(now) {
				t.when = now.Add(t.interval)
			}
			l.seq++
			t.seq = l.seq
			heap.Push(&l.timers, t)
		}
		fired++
		l.spawn(ctx, t.String(), t.fn)
	}
	return fired
}

// maxSeconds bounds timer and sleep durations (about 292 years is what a
// time.Duration holds; a century is plenty).
const maxSeconds = 100 * 365 * 24 * 3600

// checkSeconds reads argument n as a duration in seconds: a number, at least
// zero (more than zero unless zeroOK).
func checkSeconds(L *lua.LState, n int, zeroOK bool) time.Duration {
	s := float64(L.CheckNumber(n))
	switch {
	case math.IsNaN(s) || s < 0:
		L.ArgError(n, "non-negative number of seconds expected")
	case s == 0 && !zeroOK:
		L.ArgError(n, "positive number of seconds expected")
	case s > maxSeconds:
		L.ArgError(n, fmt.Sprintf("at most %d seconds expected", maxSeconds))
	}
	d := time.Duration(s * float64(time.Second))
	if d == 0 && s > 0 {
		d = 1 // a positive interval stays positive
	}
	return d
}

// luaAfter is after(seconds, fn): fn runs once after seconds. It returns a
// handle for off().
func (r *Runtime) luaAfter(L *lua.LState) int { return r.addTimer(L, false) }

// luaEvery is every(seconds, fn): fn runs every seconds (more than zero).
// It returns a handle for off().
func (r *Runtime) luaEvery(L *lua.LState) int { return r.addTimer(L, true) }

func (r *Runtime) addTimer(L *lua.LState, repeat bool) int {
	d := checkSeconds(L, 1, !repeat)
	fn := L.CheckFunction(2)
	t := r.loop.schedule(d, float64(L.CheckNumber(1)), repeat, fn)
	L.Push(r.newHandle(L, &handle{timer: t}))
	return 1
}
