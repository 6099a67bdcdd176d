package runtime

import (
	"context"
	"sync"

	"github.com/go-faster/errors"
	lua "github.com/yuin/gopher-lua"
)

// Serving a Runtime to other goroutines.
//
// A server (the HTTP gateway, a fleet of accounts) keeps one goroutine in
// Serve, which runs the event loop while idle, and calls Go from any other
// goroutine: each call is a light thread of its own, so one request's RPC
// never waits for another's.

// Serve runs the event loop on the calling goroutine until ctx ends or the
// loop is stopped, so that Go calls from other goroutines run. It returns
// nil when ctx ends, or the error that ended the loop. Call it at most
// once; after it returns, Go fails and the host should Close the Runtime.
func (r *Runtime) Serve(ctx context.Context) error {
	defer close(r.hostEnd())
	err := r.LoopUntil(ctx, ctx.Done())
	if ctx.Err() != nil {
		return nil
	}
	return err
}

// Go runs fn in a new light thread on the VM and waits until it returns.
// It is safe from any goroutine while another one runs Serve (or any loop
// of the Runtime). fn gets the thread's state: it may call Lua functions
// that wait (RPCs, sleep) and other threads run meanwhile; it must not keep
// the state or any Lua value after it returns. A Lua error fn lets escape
// ends the thread with that error; a panic in fn is returned as an error.
// Cancelling ctx cancels the thread at its next wait and makes Go return
// ctx's error at once. Once Serve has returned, Go fails at once.
func (r *Runtime) Go(ctx context.Context, fn func(L *lua.LState) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	end := r.hostEnd()
	select {
	case <-end:
		return errServed
	default:
	}
	// Take the VM as the host does, without a trip through the loop: the
	// loop lets the baton go while it waits.
	select {
	case r.threads.baton.slot() <- struct{}{}:
	case <-end:
		return errServed
	case <-ctx.Done():
		return ctx.Err()
	}
	if r.closed {
		r.threads.baton.release()
		return errServed
	}
	done := make(chan error, 1)
	var ferr error
	lf := r.L.NewFunction(func(L *lua.LState) int {
		ferr = fn(L)
		return 0
	})
	th, err := r.newThread(ctx, "host call", lf, nil)
	if err != nil {
		r.threads.baton.release()
		return err
	}
	th.reuse = true
	th.onEnd = func(err error) {
		if err == nil {
			err = ferr
		}
		done <- err
	}
	// The thread runs on this goroutine: a caller such as an HTTP server's
	// connection goroutine keeps its grown stack from one call to the next.
	r.runThread(th, lf, nil)
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	case <-end:
		// The loop may have run fn just before it ended.
		select {
		case err := <-done:
			return err
		default:
			return errServed
		}
	}
}

// errServed is what Go returns once Serve has returned.
var errServed = errors.New("runtime is closed")

// host is the state Serve shares with Go.
type host struct {
	once sync.Once
	end  chan struct{} // closed when Serve returns
}

func (r *Runtime) hostEnd() chan struct{} {
	r.host.once.Do(func() { r.host.end = make(chan struct{}) })
	return r.host.end
}
