package runtime

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"
)

// TestDeadlinesExpire: an attempt that waits is cancelled with the call
// timeout as its cause and reported expired; its thread's next attempt
// gets a fresh context; attempts that end in time are not.
func TestDeadlinesExpire(t *testing.T) {
	d := newDeadlines(200 * time.Millisecond)
	defer d.release()
	var main attemptSlot
	tctx, cancel := threadContext(context.Background())
	defer cancel()

	actx, a := d.begin(tctx, &main)
	<-actx.Done()
	if !errors.Is(context.Cause(actx), context.DeadlineExceeded) {
		t.Fatalf("cause %v, want a deadline", context.Cause(actx))
	}
	if !d.end(a) {
		t.Fatal("a timed-out attempt was not reported expired")
	}
	next, b := d.begin(tctx, &main)
	if next.Err() != nil {
		t.Fatalf("the attempt after a timeout starts cancelled: %v", next.Err())
	}
	if d.end(b) {
		t.Fatal("a quick attempt expired")
	}
}

// TestDeadlinesShareSlot: a thread's attempts reuse one context; one made
// while the slot is busy gets its own, and cancelling the thread cancels
// them.
func TestDeadlinesShareSlot(t *testing.T) {
	d := newDeadlines(time.Hour)
	defer d.release()
	var main attemptSlot
	tctx, cancel := threadContext(context.Background())

	c1, a1 := d.begin(tctx, &main)
	c2, a2 := d.begin(tctx, &main) // in parallel, as an upload's parts are
	if c1 == c2 {
		t.Fatal("two attempts in flight share a context")
	}
	d.end(a2)
	if c2.Err() == nil {
		t.Fatal("a one-off attempt context outlived its attempt")
	}
	d.end(a1)
	c3, a3 := d.begin(tctx, &main)
	if c3 != c1 {
		t.Fatal("the thread's next attempt did not reuse its context")
	}
	cancel()
	if c3.Err() == nil {
		t.Fatal("cancelling the thread did not cancel its attempt")
	}
	d.end(a3)
}

// TestDeadlinesManyAttempts: attempts from many goroutines, one of which
// never ends in time, all end, and only that one expires.
func TestDeadlinesManyAttempts(t *testing.T) {
	d := newDeadlines(2 * time.Second)
	var main attemptSlot
	var wg sync.WaitGroup
	var mu sync.Mutex
	expired := 0
	for i := range 8 {
		wg.Go(func() {
			tctx, cancel := threadContext(context.Background())
			defer cancel()
			var main attemptSlot
			for j := range 200 {
				actx, a := d.begin(tctx, &main)
				if i == 0 && j == 100 {
					<-actx.Done()
				}
				if d.end(a) {
					mu.Lock()
					expired++
					mu.Unlock()
				}
			}
		})
	}
	wg.Wait()
	d.release()
	if expired != 1 {
		t.Fatalf("%d attempts expired, want 1", expired)
	}
	// Released while idle, it starts again for the next attempt.
	actx, a := d.begin(context.Background(), &main)
	<-actx.Done()
	if !d.end(a) {
		t.Fatal("an attempt after release did not time out")
	}
	d.release()
}
