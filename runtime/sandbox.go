package runtime

import (
	"context"
	"sync"
	"sync/atomic"

	"github.com/go-faster/errors"
	lua "github.com/yuin/gopher-lua"
)

// ErrStepLimit is the error of a call that ran more Lua instructions than
// Options.StepLimit allows. A *Error reports it through errors.Is.
var ErrStepLimit = errors.New("step limit exceeded")

// Step budget.
//
// gopher-lua has no instruction hook, but once a context is set its VM loop
// (mainLoopWithContext) selects on ctx.Done() before every instruction. A
// stepContext counts those calls: after the budget it returns a closed
// channel, the VM raises ctx.Err() ("step limit exceeded") at the next
// instruction, and it does so again at every instruction after that, so even
// a pcall in a loop cannot go on. One step is one VM instruction (Go code
// that calls Done on the context, such as an RPC in flight, spends a few
// more). Coroutines count against the same budget because coroutine.resume
// hands the resumer's context to the coroutine (see bindCoroutines).
//
// Time spent inside Go functions (string.rep, a long RPC) is not counted:
// bound it with the context's deadline.
type stepContext struct {
	context.Context
	left atomic.Int64
	once sync.Once
	over chan struct{}
}

func newStepContext(ctx context.Context, steps int64) *stepContext {
	c := &stepContext{Context: ctx, over: make(chan struct{})}
	c.left.Store(steps)
	return c
}

// Done spends one step. While steps are left it returns the parent's Done
// channel (so that context.WithCancel on a stepContext registers with the
// parent directly, without a goroutine).
func (c *stepContext) Done() <-chan struct{} {
	if c.left.Add(-1) < 0 {
		c.once.Do(func() { close(c.over) })
		return c.over
	}
	return c.Context.Done()
}

// Err reports the parent's error, else ErrStepLimit once the budget is spent.
func (c *stepContext) Err() error {
	if err := c.Context.Err(); err != nil {
		return err
	}
	if c.left.Load() < 0 {
		return ErrStepLimit
	}
	return nil
}

// exceeded reports whether the budget ran out.
func (c *stepContext) exceeded() bool { return c.left.Load() < 0 }

// callContext is the context a DoString, DoFile or Call runs the VM under:
// ctx itself, or ctx with the step budget of Options.StepLimit.
func (r *Runtime) callContext(ctx context.Context) context.Context {
	if r.opts.StepLimit <= 0 {
		return ctx
	}
	return newStepContext(ctx, r.opts.StepLimit)
}

// stepLimitError turns the script error of a call whose budget ran out into
// an *Error that matches ErrStepLimit; other errors are returned as they are.
func stepLimitError(lctx context.Context, err error) error {
	sc, ok := lctx.(*stepContext)
	if !ok || !sc.exceeded() {
		return err
	}
	var e *Error
	if !errors.As(err, &e) {
		return &Error{Message: ErrStepLimit.Error(), Err: ErrStepLimit}
	}
	out := *e
	out.Value = nil
	out.Err = ErrStepLimit
	return &out
}

// bindCoroutines makes coroutine.resume (and coroutine.wrap) run the
// coroutine under the resumer's context. gopher-lua gives a coroutine a
// child of the context current when it was created, so a coroutine created
// in one call and resumed in a later one would run under a stale (perhaps
// cancelled, perhaps never cancelled) context, and its instructions would
// escape the step budget.
func bindCoroutines(L *lua.LState) {
	co, ok := L.GetGlobal("coroutine").(*lua.LTable)
	if !ok {
		return
	}
	resumeFn, ok1 := co.RawGetString("resume").(*lua.LFunction)
	createFn, ok2 := co.RawGetString("create").(*lua.LFunction)
	if !ok1 || !ok2 || !resumeFn.IsG || !createFn.IsG {
		return
	}
	resume, create := resumeFn.GFunction, createFn.GFunction
	bind := func(L *lua.LState, th *lua.LState) {
		if ctx := L.Context(); ctx != nil {
			th.SetContext(ctx)
		} else {
			th.RemoveContext()
		}
	}
	co.RawSetString("resume", L.NewFunction(func(L *lua.LState) int {
		bind(L, L.CheckThread(1))
		return resume(L)
	}))
	// wrap is create plus a function that resumes and re-raises errors, as
	// in Lua 5.1; gopher-lua's own wrap calls its resume directly.
	co.RawSetString("wrap", L.NewFunction(func(L *lua.LState) int {
		L.CheckFunction(1)
		L.SetTop(1)
		create(L)
		th := L.CheckThread(2)
		L.Push(L.NewClosure(func(L *lua.LState) int {
			L.Insert(th, 1)
			bind(L, th)
			n := resume(L)
			top := L.GetTop()
			if n > 0 && L.Get(top-n+1) == lua.LFalse {
				msg := lua.LValue(lua.LNil)
				if n > 1 {
					msg = L.Get(top - n + 2)
				}
				L.Error(msg, 0)
				return 0
			}
			if n == 0 {
				return 0
			}
			return n - 1
		}))
		return 1
	}))
}
