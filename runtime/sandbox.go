package runtime

import (
	"context"
	"math"
	goruntime "runtime"
	"runtime/metrics"
	"sync"
	"sync/atomic"

	"github.com/go-faster/errors"
	lua "github.com/yuin/gopher-lua"
)

// ErrStepLimit is the error of a call that ran more Lua instructions than
// Options.StepLimit allows. A *Error reports it through errors.Is.
var ErrStepLimit = errors.New("step limit exceeded")

// ErrMemoryLimit is the error of a call that built more than
// Options.MemoryLimit allows. A *Error reports it through errors.Is.
var ErrMemoryLimit = errors.New("memory limit exceeded")

// Step and memory budgets.
//
// gopher-lua has no instruction hook, but once a context is set its VM loop
// (mainLoopWithContext) selects on ctx.Done() before every instruction. A
// limitContext counts those calls: after the budget it returns a closed
// channel, the VM raises ctx.Err() ("step limit exceeded") at the next
// instruction, and it does so again at every instruction after that, so even
// a pcall in a loop cannot go on. One step is one VM instruction (Go code
// that calls Done on the context, such as an RPC in flight, spends a few
// more). Coroutines count against the same budget because coroutine.resume
// hands the resumer's context to the coroutine (see bindCoroutines). The
// string builtins spend steps for their work too (internal/luastr): a
// pattern match spends one per matching step.
//
// Every memCheckEvery steps, a context with a memory budget reads the Go
// heap; when it has grown by more than the budget since the call began
// (after a garbage collection, so that garbage does not count), the call
// fails the same way with "memory limit exceeded".
type limitContext struct {
	context.Context
	*budget // shared by the light threads of a run (threads.go)
}

// budget is what a run may still spend.
type budget struct {
	left     atomic.Int64
	memLimit int64  // 0: none
	memBase  uint64 // heap bytes when the call began
	once     sync.Once
	cause    error // ErrStepLimit or ErrMemoryLimit, set in once
	over     chan struct{}
}

// memCheckEvery is how many steps pass between two heap checks.
const memCheckEvery = 1 << 16

func newLimitContext(ctx context.Context, steps, mem int64) *limitContext {
	c := &limitContext{Context: ctx, budget: &budget{over: make(chan struct{}), memLimit: mem}}
	if steps <= 0 {
		steps = math.MaxInt64
	}
	c.left.Store(steps)
	if mem > 0 {
		c.memBase = heapBytes()
	}
	return c
}

// Done spends one step. While steps are left it returns the parent's Done
// channel (so that context.WithCancel on a limitContext registers with the
// parent directly, without a goroutine).
func (c *limitContext) Done() <-chan struct{} {
	n := c.left.Add(-1)
	if n < 0 {
		return c.exceed(ErrStepLimit)
	}
	if c.memLimit > 0 && n%memCheckEvery == 0 && c.memOver() {
		return c.exceed(ErrMemoryLimit)
	}
	return c.Context.Done()
}

// spend spends n steps at once, for work done in Go (a pattern match), and
// reports whether the budget is gone. It checks the heap when the steps
// cross a multiple of memCheckEvery.
func (c *limitContext) spend(n int64) bool {
	after := c.left.Add(-n)
	if after < 0 {
		c.exceed(ErrStepLimit)
		return true
	}
	if c.memLimit > 0 && (after+n)/memCheckEvery != after/memCheckEvery && c.memOver() {
		c.exceed(ErrMemoryLimit)
		return true
	}
	return c.exceeded()
}

func (c *limitContext) exceed(cause error) <-chan struct{} {
	c.once.Do(func() {
		c.cause = cause
		close(c.over)
	})
	return c.over
}

// memOver reports whether the heap grew past the budget, after a garbage
// collection when it seems to.
func (c *limitContext) memOver() bool {
	if heapBytes() <= c.memBase+uint64(c.memLimit) {
		return false
	}
	goruntime.GC()
	return heapBytes() > c.memBase+uint64(c.memLimit)
}

// heapBytes is the bytes of the heap's objects, live or not yet swept.
func heapBytes() uint64 {
	s := [1]metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(s[:])
	if s[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return s[0].Value.Uint64()
}

// Err reports the parent's error, else the exceeded budget's.
func (c *limitContext) Err() error {
	if err := c.Context.Err(); err != nil {
		return err
	}
	if c.exceeded() {
		return c.cause
	}
	return nil
}

// exceeded reports whether a budget ran out.
func (c *limitContext) exceeded() bool {
	select {
	case <-c.over:
		return true
	default:
		return false
	}
}

// callContext is the context a DoString, DoFile or Call runs the VM under:
// ctx itself, or ctx with the budgets of Options.StepLimit and
// Options.MemoryLimit.
func (r *Runtime) callContext(ctx context.Context) context.Context {
	if r.opts.StepLimit <= 0 && r.opts.MemoryLimit <= 0 {
		return ctx
	}
	return newLimitContext(ctx, r.opts.StepLimit, r.opts.MemoryLimit)
}

// limitError turns the script error of a call whose budget ran out into
// an *Error that matches ErrStepLimit or ErrMemoryLimit; other errors are
// returned as they are.
func limitError(lctx context.Context, err error) error {
	sc, ok := lctx.(*limitContext)
	if !ok || !sc.exceeded() {
		return err
	}
	var e *Error
	if !errors.As(err, &e) {
		return &Error{Message: sc.cause.Error(), Err: sc.cause}
	}
	out := *e
	out.Value = nil
	out.Err = sc.cause
	return &out
}

// spendSteps is the luastr budget hook: work done by a string builtin
// counts against the step budget, and a cancelled or exceeded context
// stops the builtin with the error the VM would raise.
func spendSteps(L *lua.LState, units int) {
	ctx := L.Context()
	if ctx == nil {
		return
	}
	if c, ok := ctx.(*limitContext); ok && c.spend(int64(units)) {
		L.RaiseError("%s", c.Err().Error())
		return
	}
	if err := ctx.Err(); err != nil {
		L.RaiseError("%s", err.Error())
	}
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
