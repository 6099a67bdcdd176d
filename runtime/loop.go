package runtime

import (
	"context"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-faster/errors"
	lua "github.com/yuin/gopher-lua"
)

// The event loop.
//
// One goroutine owns the Lua state: the one running DoString, DoFile, Call
// or Loop. Everything that must touch the VM (update handlers, timers, host
// callbacks) is queued on the loop and runs there, one callback at a time.
// The loop runs after a script's main chunk while anything can still happen
// (an on() handler, a pending timer, a reserved callback) and inside sleep(),
// so handlers and timers fire while a script sleeps.

// loopState is the Runtime's part for the event loop, handlers and timers.
type loopState struct {
	loop           *eventLoop
	events         events
	updatesStarted bool
	// updatesReady closes once the updates manager has its state (or failed
	// to start): on() waits for it, so no update after on() is missed.
	updatesReady     chan struct{}
	updatesReadyOnce sync.Once
	selfID           atomic.Int64 // the account's user ID, once updates run
}

// initLoop creates the event loop and installs its Lua functions.
func (r *Runtime) initLoop() {
	r.loop = newEventLoop(r.opts)
	r.loop.park, r.loop.resume = r.park, r.resume
	r.loop.threads = &r.threads.live
	r.loop.spawn = func(ctx context.Context, what string, fn *lua.LFunction, args ...lua.LValue) {
		_, err := r.start(ctx, what, fn, args, func(err error) { r.loop.report(ctx, what, err) })
		if err != nil {
			r.loop.report(ctx, what, err)
		}
	}
	r.registerLoopAPI(r.L)
}

// loopFunc is a unit of work for the VM goroutine. L is the state to call
// Lua with: the main state, or the coroutine that called sleep().
type loopFunc func(L *lua.LState) error

type eventLoop struct {
	// Shared with other goroutines, under mu.
	mu       sync.Mutex
	queue    []loopFunc
	reserved int   // RegisterCallback slots not yet enqueued
	fatal    error // set by fail: ends the loop
	wake     chan struct{}

	// Owned by the VM goroutine.
	timers   timerQueue
	seq      uint64
	handlers int   // handlers registered with on()
	stopped  bool  // stop() was called, or a handler error ended the loop
	err      error // why the loop ended, if by error
	depth    int   // nested runs: the top level plus sleeps
	// until, during LoopUntil, ends the top-level run when it fires; the
	// run then waits even while idle.
	until <-chan struct{}

	stderr    io.Writer
	stopOnErr bool

	// Light threads (threads.go): the loop lets other goroutines run Lua
	// while it is idle, runs handlers and timers in threads of their own,
	// and stays alive while threads are.
	park    func() parked
	resume  func(parked)
	threads *atomic.Int64
	spawn   func(ctx context.Context, what string, fn *lua.LFunction, args ...lua.LValue)
}

func newEventLoop(opts Options) *eventLoop {
	return &eventLoop{
		wake:      make(chan struct{}, 1),
		stderr:    opts.Stderr,
		stopOnErr: opts.StopOnHandlerError,
	}
}

// post queues fn without a reservation; it never blocks. Update delivery
// uses it: registered handlers keep the loop alive instead.
func (l *eventLoop) post(fn loopFunc) {
	l.mu.Lock()
	l.queue = append(l.queue, fn)
	l.mu.Unlock()
	l.notify()
}

// fail ends the loop with err, from any goroutine.
func (l *eventLoop) fail(err error) {
	l.mu.Lock()
	if l.fatal == nil {
		l.fatal = err
	}
	l.mu.Unlock()
	l.notify()
}

func (l *eventLoop) notify() {
	select {
	case l.wake <- struct{}{}:
	default:
	}
}

// alive reports whether the loop has anything to wait for.
func (l *eventLoop) alive() bool {
	if l.handlers > 0 || l.timers.Len() > 0 || (l.threads != nil && l.threads.Load() > 0) {
		return true
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.reserved > 0 || len(l.queue) > 0 || l.fatal != nil
}

// RegisterCallback reserves a slot in the event loop for one callback that
// another goroutine delivers later, and returns the function that delivers
// it. It is how Go code (a host's bindings, a library call that completes in
// the background) gets back onto the VM goroutine. The contract follows
// k6's RegisterCallback:
//
//   - Call RegisterCallback on the VM goroutine: from a Go function that Lua
//     called, from a callback the loop is running, or from the goroutine
//     that calls DoString, DoFile, Call and Loop, between those calls.
//   - Until the callback is enqueued the reservation keeps the loop alive:
//     DoString, DoFile and Loop do not return because the loop is idle.
//   - Call the returned enqueue function exactly once, from any goroutine.
//     It never blocks. Calls after the first are ignored.
//   - fn runs later on the VM goroutine, in order with other loop work, so
//     it may use the Lua state (State) freely. It must not block for long:
//     nothing else runs meanwhile.
//   - An error returned by fn (or a panic in it) is treated like an error
//     raised by a Lua handler: it is written to Options.Stderr and the loop
//     goes on, or, with Options.StopOnHandlerError, it ends the loop and the
//     running DoString, DoFile or Loop returns it.
//   - To give up a reservation without work, enqueue a function that
//     returns nil. A reservation never enqueued keeps the loop running until
//     its context is cancelled or the script calls stop().
//   - If the loop is stopped or the Runtime closed before fn runs, fn may
//     never run. An fn enqueued while no loop is running runs on the next
//     DoString, DoFile or Loop (or sleep).
func (r *Runtime) RegisterCallback() (enqueue func(fn func() error)) {
	l := r.loop
	l.mu.Lock()
	l.reserved++
	l.mu.Unlock()
	var once sync.Once
	return func(fn func() error) {
		once.Do(func() {
			l.mu.Lock()
			l.reserved--
			l.queue = append(l.queue, func(*lua.LState) error { return callGo(fn) })
			l.mu.Unlock()
			l.notify()
		})
	}
}

// callGo runs a host callback, turning a panic into an error.
func callGo(fn func() error) (err error) {
	if fn == nil {
		return nil
	}
	defer func() {
		if p := recover(); p != nil {
			err = errors.Errorf("callback panicked: %v", p)
		}
	}()
	return fn()
}

// Loop runs the event loop on the calling goroutine until nothing is left
// to wait for (no handlers registered with on(), no timers, no reserved
// callbacks), the script calls stop(), or ctx is cancelled. It returns nil,
// ctx's error, or the error that ended the loop: a handler error with
// Options.StopOnHandlerError, or a failure of the update connection.
//
// DoString and DoFile call Loop themselves after the main chunk when
// anything is registered, so `on('message', fn)` scripts keep running; Call
// does not. A host that registers handlers or timers through Call, or
// delivers callbacks with RegisterCallback, runs Loop itself.
func (r *Runtime) Loop(ctx context.Context) error {
	if r.closed {
		return errors.New("runtime is closed")
	}
	L := r.L
	// Handlers and timers run under the same step budget as chunks.
	defer r.enterContext(ctx)()
	err := r.loop.run(ctx, L, time.Time{}, false, nil)
	r.settleThreads(ctx)
	r.loop.reset()
	return err
}

// LoopUntil runs the event loop like Loop, but goes on while the loop is
// idle and returns nil once done is closed (or readable). It checks done
// between callbacks, never in the middle of one. An interactive host (the
// REPL) runs it while it waits for input, so handlers and timers fire while
// a person types.
func (r *Runtime) LoopUntil(ctx context.Context, done <-chan struct{}) error {
	if r.closed {
		return errors.New("runtime is closed")
	}
	L := r.L
	// Handlers and timers run under the same step budget as chunks.
	defer r.enterContext(ctx)()
	r.loop.until = done
	defer func() { r.loop.until = nil }()
	err := r.loop.run(ctx, L, time.Time{}, false, nil)
	if errors.Is(err, errUntil) {
		err = nil
	}
	r.settleThreads(ctx)
	r.loop.reset()
	return err
}

// errUntil ends a LoopUntil run when its channel fires.
var errUntil = errors.New("loop: until")

// Poll runs the work that is ready now — due timers, delivered updates and
// callbacks — without waiting for more, and returns. An interactive host
// (the REPL) calls it between inputs so handlers keep firing while a person
// types.
func (r *Runtime) Poll(ctx context.Context) error {
	if r.closed || r.loop.stopped || !r.loop.alive() {
		return nil
	}
	L := r.L
	// Handlers and timers run under the same step budget as chunks.
	defer r.enterContext(ctx)()
	return r.loop.run(ctx, L, time.Now(), true, nil)
}

// thenLoop runs the loop after a main chunk, if anything is registered, and
// settles which error the caller sees.
func (r *Runtime) thenLoop(ctx context.Context, out []any, err error) ([]any, error) {
	if err == nil && !r.loop.stopped && r.loop.alive() {
		err = r.Loop(ctx)
		if err == nil {
			err = r.unwaited()
		}
		return out, err
	}
	if err != nil {
		// The main chunk failed: the run is over, and so are its threads.
		r.cancelThreads()
	}
	r.settleThreads(ctx)
	if err == nil {
		err = r.unwaited()
	}
	if err != nil && r.loop.err != nil && ctx.Err() == nil {
		// sleep() raised because a handler error ended the loop: report
		// the handler's error, not sleep's.
		err = r.loop.err
	}
	r.loop.reset()
	return out, err
}

// reset readies the loop for the next top-level run: stop() and the error
// that ended the loop apply to one run only.
func (l *eventLoop) reset() {
	if l.depth == 0 {
		l.stopped, l.err = false, nil
	}
}

// run runs callbacks and timers until the loop is idle, stopped or
// cancelled; with sleeping set, it runs until deadline instead, whether idle
// or not; with done set, until done is closed. It returns nil, ctx's error,
// or the error that ended the loop.
func (l *eventLoop) run(ctx context.Context, L *lua.LState, deadline time.Time, sleeping bool, done <-chan struct{}) error {
	l.depth++
	defer func() { l.depth-- }()
	var timer *time.Timer
	defer func() {
		if timer != nil {
			timer.Stop()
		}
	}()
	for {
		if l.stopped {
			return l.err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		l.mu.Lock()
		fatal := l.fatal
		l.fatal = nil
		l.mu.Unlock()
		if fatal != nil {
			l.stopped, l.err = true, fatal
			return fatal
		}

		ran := l.runTimers(ctx, L, time.Now())
		ran += l.runQueued(ctx, L)
		if l.stopped || ctx.Err() != nil {
			continue
		}
		// Only the LoopUntil level watches until: a sleep() inside a
		// handler sleeps out its time.
		until := l.until
		if l.depth > 1 {
			until = nil
		}
		if until != nil {
			select {
			case <-until:
				return errUntil
			default:
			}
		}
		if done != nil {
			select {
			case <-done:
				return nil
			default:
			}
		}
		now := time.Now()
		if sleeping && done == nil && !now.Before(deadline) {
			return nil
		}
		if !sleeping && until == nil && !l.alive() {
			return nil
		}
		if ran > 0 {
			continue
		}

		wait := time.Duration(-1)
		if t := l.timers.next(); t != nil {
			wait = max(t.when.Sub(now), 0)
		}
		if sleeping && done == nil {
			if d := deadline.Sub(now); wait < 0 || d < wait {
				wait = d
			}
		}
		var fire <-chan time.Time
		if wait >= 0 {
			if timer == nil {
				timer = time.NewTimer(wait)
			} else {
				timer.Reset(wait)
			}
			fire = timer.C
		}
		p := l.park() // light threads run while the loop waits
		select {
		case <-l.wake:
		case <-ctx.Done():
		case <-fire:
		case <-until:
		case <-done:
		}
		l.resume(p)
	}
}

// runUntil runs the loop until done is closed: wait() on the host, so that
// handlers and timers fire while it waits.
func (l *eventLoop) runUntil(ctx context.Context, L *lua.LState, done <-chan struct{}) error {
	return l.run(ctx, L, time.Time{}, true, done)
}

// runQueued runs the callbacks queued so far and returns how many ran. If
// the loop stops midway, the rest stay queued.
func (l *eventLoop) runQueued(ctx context.Context, L *lua.LState) int {
	l.mu.Lock()
	batch := l.queue
	l.queue = nil
	l.mu.Unlock()
	for i, fn := range batch {
		if l.stopped || ctx.Err() != nil {
			l.mu.Lock()
			l.queue = append(batch[i:len(batch):len(batch)], l.queue...)
			l.mu.Unlock()
			return i
		}
		l.report(ctx, "callback", fn(L))
	}
	return len(batch)
}

// report handles an error from a callback: written to Stderr, or, with
// StopOnHandlerError, the end of the loop. Cancellation is not reported:
// neither the run's nor a handler's own, which stop() and the end of a run
// cause on purpose.
func (l *eventLoop) report(ctx context.Context, what string, err error) {
	if err == nil {
		return
	}
	if ctx.Err() != nil || errors.Is(err, context.Canceled) {
		return
	}
	if l.stopOnErr {
		if !l.stopped {
			l.stopped, l.err = true, err
		}
		return
	}
	var se *Error
	if errors.As(err, &se) && se.Traceback != "" {
		_, _ = fmt.Fprintf(l.stderr, "tglua: %s: %s\n%s\n", what, se.Message, se.Traceback)
		return
	}
	_, _ = fmt.Fprintf(l.stderr, "tglua: %s: %v\n", what, err)
}

// luaContext is the context Lua code runs under.
func luaContext(L *lua.LState) context.Context {
	if ctx := L.Context(); ctx != nil {
		return ctx
	}
	return context.Background()
}

// luaSleep is sleep(seconds): it runs the event loop until the time is up,
// so handlers and timers fire meanwhile. It returns true, or false at once
// when the loop has been stopped (a polling script can loop on it:
// `while sleep(60) do ... end`).
func (r *Runtime) luaSleep(L *lua.LState) int {
	d := checkSeconds(L, 1, true)
	ctx := luaContext(L)
	if r.threads.current != nil {
		// A light thread: only it waits; the host runs the loop.
		p := r.park()
		t := time.NewTimer(d)
		select {
		case <-t.C:
		case <-ctx.Done():
		}
		t.Stop()
		r.resume(p)
		if err := ctx.Err(); err != nil {
			L.RaiseError("sleep: %v", err)
		}
		L.Push(lua.LBool(!r.loop.stopped))
		return 1
	}
	if err := r.loop.run(ctx, L, time.Now().Add(d), true, nil); err != nil {
		if ctx.Err() != nil {
			L.RaiseError("sleep: %v", ctx.Err())
		}
		L.RaiseError("sleep: event loop ended: %v", err)
	}
	L.Push(lua.LBool(!r.loop.stopped))
	return 1
}

// luaStop is stop(): the loop ends once the current callback returns.
func (r *Runtime) luaStop(L *lua.LState) int {
	r.loop.stopped = true
	return 0
}
