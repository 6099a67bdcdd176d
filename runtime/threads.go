package runtime

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/go-faster/errors"
	"github.com/gotd/td/bin"
	lua "github.com/yuin/gopher-lua"

	"github.com/tglua/tglua/luabind"
)

// Light threads.
//
// The model is OpenResty's ngx.thread: straight-line Lua in which every call
// that waits (an RPC, sleep, wait, a flood wait) lets the VM run other light
// threads meanwhile. A light thread is a gopher-lua thread (an LState
// sharing the VM's globals) run by a goroutine of its own; only the
// goroutine holding the VM's baton runs Lua, and it hands the baton on
// whenever it waits, so Lua never runs on two goroutines at once. Because
// the wait happens inside Go rather than by a coroutine yield, a thread can
// wait anywhere: inside pcall, a metamethod, an iterator or a coroutine.
//
// The goroutine that calls DoString, DoFile, Call and Loop (the host) holds
// the baton while it runs the main chunk and the event loop; it lets it go
// during the main chunk's RPCs, while the loop is idle, and in sleep and
// wait. Handlers and timer callbacks each run in a light thread of their
// own, started by the loop. A new thread runs at once, until its first
// wait; the baton goes to waiting goroutines in FIFO order.

// DefaultMaxThreads is how many light threads a VM may have alive at once
// when Options.MaxThreads is zero.
const DefaultMaxThreads = 10000

// baton is the right to run Lua in the VM: a one-slot semaphore (a
// channel, so that Go can give up waiting for it). The order of threads
// comes from start, which waits until a new thread first waits.
type baton struct {
	once sync.Once
	ch   chan struct{}
}

func (b *baton) slot() chan struct{} {
	b.once.Do(func() { b.ch = make(chan struct{}, 1) })
	return b.ch
}

func (b *baton) acquire() { b.slot() <- struct{}{} }
func (b *baton) release() { <-b.slot() }

// threads is the Runtime's part for light threads.
type threads struct {
	baton   baton
	live    atomic.Int64 // threads started and not finished
	max     int64
	current *lthread      // the thread holding the baton; nil for the host
	free    []*lua.LState // finished host-call states, for reuse
	// failed are threads that raised; those nobody waited for are
	// reported when the run ends.
	failed []*lthread
	// ordered chains handler calls per chat for on(..., {ordered=true}).
	ordered map[orderKey]<-chan struct{}
	all     map[*lthread]struct{} // alive
}

// lthread is one light thread.
type lthread struct {
	L      *lua.LState
	origin string // "script.lua:3", where spawn was called
	cancel context.CancelFunc
	ctx    context.Context
	done   chan struct{}
	// paused is closed when the thread first waits or ends: start lets it
	// run until then.
	paused     chan struct{}
	pausedOnce sync.Once
	results    []lua.LValue
	err        error // *Error, or the context's error when cancelled
	waited     bool
	// waitsFor are the threads it waits for in wait, wait_any, map or
	// parallel, for deadlock checks; only read and written holding the
	// baton.
	waitsFor []*lthread
	waitsAny bool // for one of waitsFor (wait_any), not every one
	// onEnd, if set, runs on the thread's goroutine, holding the baton,
	// when it finishes (the loop's error reporting for handlers).
	onEnd func(err error)
	// reuse: the thread runs host code (Runtime.Go) that keeps no
	// reference to its state, which may then serve another host call.
	reuse bool
}

// maxFreeThreads bounds the states kept for reuse by host calls.
const maxFreeThreads = 64

// park lets other goroutines run Lua while the caller waits in Go, and
// returns what resume needs to take the VM back.
func (r *Runtime) park() parked {
	p := parked{th: r.threads.current, co: r.L.G.CurrentThread}
	if p.th != nil {
		p.th.pause()
	}
	r.threads.baton.release()
	return p
}

func (th *lthread) pause() { th.pausedOnce.Do(func() { close(th.paused) }) }

// parked is who held the baton before park.
type parked struct {
	th *lthread
	co *lua.LState
}

// resume takes the baton back after park.
func (r *Runtime) resume(p parked) {
	r.threads.baton.acquire()
	r.threads.current = p.th
	r.L.G.CurrentThread = p.co
}

// yieldInvoker lets other light threads run while a request is in flight.
type yieldInvoker struct {
	r    *Runtime
	next luabind.Invoker
}

func (y yieldInvoker) Invoke(ctx context.Context, in bin.Encoder, out bin.Decoder) error {
	p := y.r.park()
	err := y.next.Invoke(ctx, in, out)
	y.r.resume(p)
	return err
}

// threadContext is the context a new thread runs under: a child of parent
// it can be cancelled through, with parent's step and memory budget.
func threadContext(parent context.Context) (context.Context, context.CancelFunc) {
	if parent == nil {
		parent = context.Background()
	}
	if lc, ok := parent.(*limitContext); ok {
		cctx, cancel := context.WithCancel(lc.Context)
		return &limitContext{Context: &threadCtx{Context: cctx}, budget: lc.budget}, cancel
	}
	cctx, cancel := context.WithCancel(parent)
	return &threadCtx{Context: cctx}, cancel
}

// threadCtx is a light thread's context: it carries the thread's reusable
// attempt context (calltimeout.go). The context package still sees the
// cancelCtx inside (through Value), so children register with it directly.
type threadCtx struct {
	context.Context
	slot attemptSlot
}

type attemptSlotKey struct{}

func (c *threadCtx) Value(key any) any {
	if key == (attemptSlotKey{}) {
		return &c.slot
	}
	return c.Context.Value(key)
}

// newThread makes a light thread that will call fn with args under a child
// of ctx. Its LState starts small: a parked thread should cost a few KB.
func (r *Runtime) newThread(ctx context.Context, origin string, fn *lua.LFunction, args []lua.LValue) (*lthread, error) {
	if n := r.threads.live.Load(); n >= r.threads.max {
		return nil, errors.Errorf("too many light threads (%d alive, the limit is %d)", n, r.threads.max)
	}
	o := r.L.Options
	var L *lua.LState
	if n := len(r.threads.free); n > 0 {
		L = r.threads.free[n-1]
		r.threads.free = r.threads.free[:n-1]
	} else {
		r.L.Options.RegistrySize, r.L.Options.RegistryGrowStep, r.L.Options.MinimizeStackMemory = 64, 256, true
		L, _ = r.L.NewThread()
		r.L.Options = o
	}
	tctx, cancel := threadContext(ctx)
	L.SetContext(tctx)
	th := &lthread{L: L, origin: origin, cancel: cancel, ctx: tctx, done: make(chan struct{}), paused: make(chan struct{})}
	r.threads.live.Add(1)
	if r.threads.all == nil {
		r.threads.all = map[*lthread]struct{}{}
	}
	r.threads.all[th] = struct{}{}
	return th, nil
}

// start makes a thread and lets it run until its first wait.
func (r *Runtime) start(ctx context.Context, origin string, fn *lua.LFunction, args []lua.LValue, onEnd func(error)) (*lthread, error) {
	th, err := r.newThread(ctx, origin, fn, args)
	if err != nil {
		return nil, err
	}
	go func() {
		r.threads.baton.acquire()
		r.runThread(th, fn, args)
	}()
	th.onEnd = onEnd
	// The new thread runs until its first wait before the caller goes on:
	// handlers started one after another begin in that order.
	p := r.park()
	<-th.paused
	r.resume(p)
	return th, nil
}

// runThread runs th to its end on the calling goroutine, which holds the
// baton, and releases the baton.
func (r *Runtime) runThread(th *lthread, fn *lua.LFunction, args []lua.LValue) {
	r.threads.current = th
	r.L.G.CurrentThread = th.L
	L := th.L
	L.Push(fn)
	for _, a := range args {
		L.Push(a)
	}
	if err := L.PCall(len(args), lua.MultRet, nil); err != nil {
		if cerr := th.ctx.Err(); cerr != nil && !errors.Is(cerr, ErrStepLimit) && !errors.Is(cerr, ErrMemoryLimit) {
			th.err = cerr
		} else {
			th.err = limitError(th.ctx, scriptError(L, err))
		}
	} else {
		th.results = make([]lua.LValue, L.GetTop())
		for i := range th.results {
			th.results[i] = L.Get(i + 1)
		}
	}
	L.SetTop(0)
	th.cancel()
	if th.reuse && th.err == nil && len(r.threads.free) < maxFreeThreads {
		// A host call's state, clean after a normal return, serves the
		// next one: NewThread costs a fresh global table and registry.
		L.RemoveContext()
		r.threads.free = append(r.threads.free, L)
	}
	if th.onEnd != nil {
		th.onEnd(th.err)
	} else if th.err != nil && !errors.Is(th.err, context.Canceled) {
		r.threads.failed = append(r.threads.failed, th)
	}
	close(th.done)
	th.pause()
	delete(r.threads.all, th)
	r.threads.live.Add(-1)
	r.threads.current = nil
	r.loop.notify()
	r.threads.baton.release()
}

// waitFor blocks the calling thread until ch is closed or the caller's
// context ends, letting other threads run. The host runs the event loop
// meanwhile, so handlers and timers fire.
func (r *Runtime) waitFor(L *lua.LState, ch <-chan struct{}) error {
	ctx := luaContext(L)
	if r.threads.current == nil {
		return r.loop.runUntil(ctx, L, ch)
	}
	p := r.park()
	defer r.resume(p)
	select {
	case <-ch:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// inOrder wraps an ordered handler's function for one call: it first waits
// for the handler's previous call for the same chat to finish.
func (r *Runtime) inOrder(L *lua.LState, h *handler, arg lua.LValue) *lua.LFunction {
	key := orderKey{h, chatOf(arg)}
	if r.threads.ordered == nil {
		r.threads.ordered = map[orderKey]<-chan struct{}{}
	}
	prev := r.threads.ordered[key]
	mine := make(chan struct{})
	r.threads.ordered[key] = mine
	return L.NewFunction(func(L *lua.LState) int {
		defer func() {
			close(mine)
			if r.threads.ordered[key] == (<-chan struct{})(mine) {
				delete(r.threads.ordered, key)
			}
		}()
		if prev != nil {
			if err := r.waitFor(L, prev); err != nil {
				L.RaiseError("%v", err)
			}
		}
		L.Push(h.fn)
		L.Push(arg)
		L.Call(1, 0)
		return 0
	})
}

// orderKey is a handler and a chat, for ordered handlers.
type orderKey struct {
	h    *handler
	chat string
}

// chatOf names the chat an update is about: the peer of a message, or of
// the message an update carries (updateNewMessage...), or "" for updates
// without one.
func chatOf(arg lua.LValue) string {
	t, ok := arg.(*lua.LTable)
	if !ok {
		return ""
	}
	if m, ok := t.RawGetString("message").(*lua.LTable); ok {
		t = m
	}
	peer, ok := t.RawGetString("peer_id").(*lua.LTable)
	if !ok {
		return ""
	}
	for _, f := range []string{"user_id", "chat_id", "channel_id"} {
		if v := peer.RawGetString(f); v != lua.LNil {
			return f + ":" + v.String()
		}
	}
	return ""
}

// Spawn calls the global Lua function name with args in a new light thread
// under ctx, as spawn() does from Lua: it runs until its first wait, then
// Spawn returns; the rest runs in the next DoString, DoFile, Call or Loop
// (or in the one running, from a callback). An error it raises is reported
// as that of a thread nobody waited for: the run that ends after it fails
// with it. Call it on the goroutine that calls the Runtime.
func (r *Runtime) Spawn(ctx context.Context, name string, args ...any) error {
	if r.closed {
		return errors.New("runtime is closed")
	}
	fn, ok := r.L.GetGlobal(name).(*lua.LFunction)
	if !ok {
		return errors.Errorf("spawn %s: not a function", name)
	}
	lvals := make([]lua.LValue, len(args))
	for i, a := range args {
		lvals[i] = ToLua(r.L, a)
	}
	_, err := r.start(ctx, "Spawn("+name+")", fn, lvals, nil)
	return err
}

// Lua API: spawn, wait, wait_any, parallel, map and the thread handle.

const threadTypeName = "tglua.thread"

func (r *Runtime) registerThreads(L *lua.LState) {
	r.threads.max = int64(r.opts.MaxThreads)
	if r.threads.max <= 0 {
		r.threads.max = DefaultMaxThreads
	}
	mt := luabind.NewTypeMetatable(L, threadTypeName, 4)
	methods := L.CreateTable(0, 2)
	methods.RawSetString("cancel", L.NewFunction(r.luaCancel))
	methods.RawSetString("done", L.NewFunction(func(L *lua.LState) int {
		th := checkThread(L, 1)
		select {
		case <-th.done:
			L.Push(lua.LTrue)
		default:
			L.Push(lua.LFalse)
		}
		return 1
	}))
	mt.RawSetString("__index", methods)
	mt.RawSetString("__tostring", L.NewFunction(func(L *lua.LState) int {
		L.Push(lua.LString("thread: spawned at " + checkThread(L, 1).origin))
		return 1
	}))
	mt.RawSetString("__metatable", lua.LString(threadTypeName))
	for name, fn := range map[string]lua.LGFunction{
		"spawn":    r.luaSpawn,
		"wait":     r.luaWait,
		"wait_any": r.luaWaitAny,
		"parallel": r.luaParallel,
		"map":      r.luaMap,
	} {
		f := L.NewFunction(fn)
		L.SetGlobal(name, f)
		r.binding.Table().RawSetString(name, f)
	}
}

func checkThread(L *lua.LState, n int) *lthread {
	if ud, ok := L.Get(n).(*lua.LUserData); ok {
		if th, ok := ud.Value.(*lthread); ok {
			return th
		}
	}
	L.ArgError(n, "thread expected (from spawn), got "+L.Get(n).Type().String())
	return nil
}

func (r *Runtime) threadValue(L *lua.LState, th *lthread) lua.LValue {
	ud := L.NewUserData()
	ud.Value = th
	ud.Metatable = L.GetTypeMetatable(threadTypeName)
	return ud
}

// where is the position of the Lua code that called the current function.
func where(L *lua.LState) string {
	w := strings.TrimSuffix(strings.TrimSpace(L.Where(1)), ":")
	if w == "" {
		return "?"
	}
	return w
}

// luaSpawn is spawn(fn, ...): a light thread calling fn(...), started at
// once; it runs until its first wait, then spawn returns its handle.
func (r *Runtime) luaSpawn(L *lua.LState) int {
	fn := L.CheckFunction(1)
	args := make([]lua.LValue, 0, L.GetTop()-1)
	for i := 2; i <= L.GetTop(); i++ {
		args = append(args, L.Get(i))
	}
	th, err := r.start(luaContext(L), where(L), fn, args, nil)
	if err != nil {
		L.RaiseError("spawn: %v", err)
	}
	L.Push(r.threadValue(L, th))
	return 1
}

// finished returns th's results, or raises its error naming the thread.
func (r *Runtime) finished(L *lua.LState, th *lthread) []lua.LValue {
	th.waited = true
	if th.err == nil {
		return th.results
	}
	if errors.Is(th.err, context.Canceled) && luaContext(L).Err() == nil {
		L.RaiseError("thread spawned at %s was cancelled", th.origin)
	}
	var se *Error
	if errors.As(th.err, &se) && se.Value != nil {
		// A method call's error value stays structured.
		L.Error(luabind.ErrorValue(L, se.Value), 0)
	}
	var ae *lua.ApiError
	if errors.As(th.err, &ae) && ae.Object != nil {
		switch ae.Object.(type) {
		case lua.LString, lua.LNumber:
		default:
			// A table (or other value) raised with error() is raised
			// again as it is, as pcall would have returned it.
			L.Error(ae.Object, 0)
		}
	}
	L.RaiseError("thread spawned at %s: %s", th.origin, elide(th.err.Error()))
	return nil
}

// maxWaitMessage is up to how many bytes of a thread's error message wait
// passes on: threads waiting in a long chain each add their origin, and
// elide keeps the outermost and the innermost parts.
const maxWaitMessage = 4096

// elide shortens s to about maxWaitMessage bytes by cutting out its
// middle, at UTF-8 boundaries.
func elide(s string) string {
	if len(s) <= maxWaitMessage {
		return s
	}
	head, tail := maxWaitMessage/4, maxWaitMessage*3/4
	for head > 0 && !utf8.RuneStart(s[head]) {
		head--
	}
	cut := len(s) - tail
	for cut < len(s) && !utf8.RuneStart(s[cut]) {
		cut++
	}
	return s[:head] + " ... " + s[cut:]
}

// luaWait is wait(t1, t2, ...): it waits for each thread and returns their
// results in order (for one thread, all its return values; for several,
// the first value of each). A thread that raised re-raises its error.
func (r *Runtime) luaWait(L *lua.LState) int {
	n := L.GetTop()
	if n == 0 {
		L.ArgError(1, "thread expected (from spawn)")
	}
	ths := make([]*lthread, n)
	for i := range ths {
		ths[i] = checkThread(L, i+1)
	}
	done, err := r.waitingFor(ths, false)
	if err != nil {
		L.RaiseError("wait: %v", err)
	}
	for _, th := range ths {
		if err := r.waitFor(L, th.done); err != nil {
			done()
			L.RaiseError("wait: %v", err)
		}
	}
	done()
	if n == 1 {
		res := r.finished(L, ths[0])
		for _, v := range res {
			L.Push(v)
		}
		return len(res)
	}
	for _, th := range ths {
		res := r.finished(L, th)
		if len(res) == 0 {
			L.Push(lua.LNil)
		} else {
			L.Push(res[0])
		}
	}
	return n
}

// luaWaitAny is wait_any(t1, t2, ...): it waits for the first thread to
// finish and returns its handle, then its results.
func (r *Runtime) luaWaitAny(L *lua.LState) int {
	n := L.GetTop()
	if n == 0 {
		L.ArgError(1, "thread expected (from spawn)")
	}
	ths := make([]*lthread, n)
	for i := range ths {
		ths[i] = checkThread(L, i+1)
	}
	first := func() *lthread {
		for _, th := range ths {
			select {
			case <-th.done:
				return th
			default:
			}
		}
		return nil
	}
	if first() == nil {
		done, err := r.waitingFor(ths, true)
		if err != nil {
			L.RaiseError("wait_any: %v", err)
		}
		defer done()
		any, stop := make(chan struct{}), make(chan struct{})
		var once sync.Once
		for _, th := range ths {
			go func() {
				select {
				case <-th.done:
					once.Do(func() { close(any) })
				case <-stop:
				}
			}()
		}
		err = r.waitFor(L, any)
		close(stop)
		if err != nil {
			L.RaiseError("wait_any: %v", err)
		}
	}
	th := first()
	res := r.finished(L, th)
	L.Push(L.Get(indexOf(ths, th) + 1))
	for _, v := range res {
		L.Push(v)
	}
	return 1 + len(res)
}

// waitingFor records that the calling light thread waits for ths until
// done is called, and refuses a wait that could never end: one of ths is
// the caller, or cannot end before the caller does. With any (wait_any),
// the caller needs only one of ths, so the wait is refused only when none
// of them can end first. The host (the main chunk and the event loop) has
// no handle, so no thread can wait for it.
func (r *Runtime) waitingFor(ths []*lthread, any bool) (done func(), err error) {
	cur := r.threads.current
	if cur == nil {
		return func() {}, nil
	}
	if live := liveThreads(cur, ths, any); !live[cur] {
		for _, th := range ths {
			if th == cur {
				return nil, errors.Errorf("a thread cannot wait for itself (the thread spawned at %s)", cur.origin)
			}
		}
		stuck := ths[0]
		for _, th := range ths {
			if !live[th] {
				stuck = th
				break
			}
		}
		return nil, errors.Errorf("deadlock: the thread spawned at %s waits for this thread (spawned at %s)", stuck.origin, cur.origin)
	}
	cur.waitsFor, cur.waitsAny = ths, any
	return func() { cur.waitsFor, cur.waitsAny = nil, false }, nil
}

// liveThreads finds, among the threads cur would wait for (directly or
// through their own waits) if it waited for ths, those that can still end:
// a thread that has ended or waits for something other than threads (an
// RPC, sleep, a message), one that waits for threads every one of which
// can end, and one in wait_any for threads one of which can. What is left
// out of the result waits in a cycle: it never ends.
func liveThreads(cur *lthread, ths []*lthread, any bool) map[*lthread]bool {
	waits := func(th *lthread) ([]*lthread, bool) {
		if th == cur {
			return ths, any
		}
		return th.waitsFor, th.waitsAny
	}
	var all []*lthread
	seen := map[*lthread]bool{cur: true}
	for queue := []*lthread{cur}; len(queue) > 0; queue = queue[1:] {
		all = append(all, queue[0])
		edges, _ := waits(queue[0])
		for _, w := range edges {
			if !seen[w] {
				seen[w] = true
				queue = append(queue, w)
			}
		}
	}
	live := make(map[*lthread]bool, len(all))
	for changed := true; changed; {
		changed = false
		// From the far end, where waits end, so that a chain settles in
		// one pass.
		for _, th := range slices.Backward(all) {
			if live[th] {
				continue
			}
			edges, anyOf := waits(th)
			ok := th.ended() || len(edges) == 0
			if !ok {
				n := 0
				for _, w := range edges {
					if live[w] || w.ended() {
						n++
					}
				}
				ok = n == len(edges) || (anyOf && n > 0)
			}
			if ok {
				live[th], changed = true, true
			}
		}
	}
	return live
}

// ended reports whether th has finished.
func (th *lthread) ended() bool {
	select {
	case <-th.done:
		return true
	default:
		return false
	}
}

func indexOf(ths []*lthread, th *lthread) int {
	for i, t := range ths {
		if t == th {
			return i
		}
	}
	return -1
}

// luaCancel is t:cancel(): the thread stops at its next instruction or
// wait. It reports whether the thread was still running.
func (r *Runtime) luaCancel(L *lua.LState) int {
	th := checkThread(L, 1)
	select {
	case <-th.done:
		L.Push(lua.LFalse)
	default:
		th.cancel()
		L.Push(lua.LTrue)
	}
	return 1
}

// DefaultConcurrency is how many calls map and parallel keep in flight
// unless told otherwise.
const DefaultConcurrency = 8

// luaMap is map(fn, list [, {concurrency=N}]): fn(v, i) for every element,
// at most N at a time, returning the results in list order. The first
// error cancels the rest and is raised.
func (r *Runtime) luaMap(L *lua.LState) int {
	fn := L.CheckFunction(1)
	list := L.CheckTable(2)
	n := list.Len()
	items := make([]lua.LValue, n)
	for i := range items {
		items[i] = list.RawGetInt(i + 1)
	}
	return r.runAll(L, n, concurrency(L, 3), func(L *lua.LState, i int) lua.LValue {
		L.Push(fn)
		L.Push(items[i])
		L.Push(lua.LNumber(i + 1))
		L.Call(2, 1)
		v := L.Get(-1)
		L.Pop(1)
		return v
	})
}

// luaParallel is parallel(fns [, {concurrency=N}]): every function of the
// list called with no arguments, at most N at a time, results in order.
func (r *Runtime) luaParallel(L *lua.LState) int {
	list := L.CheckTable(1)
	n := list.Len()
	fns := make([]*lua.LFunction, n)
	for i := range fns {
		f, ok := list.RawGetInt(i + 1).(*lua.LFunction)
		if !ok {
			L.ArgError(1, "list of functions expected, element "+strconv.Itoa(i+1)+" is a "+list.RawGetInt(i+1).Type().String())
		}
		fns[i] = f
	}
	return r.runAll(L, n, concurrency(L, 2), func(L *lua.LState, i int) lua.LValue {
		L.Push(fns[i])
		L.Call(0, 1)
		v := L.Get(-1)
		L.Pop(1)
		return v
	})
}

func concurrency(L *lua.LState, n int) int {
	opts, ok := L.Get(n).(*lua.LTable)
	if !ok {
		if L.Get(n) != lua.LNil {
			L.ArgError(n, "options table expected, got "+L.Get(n).Type().String())
		}
		return DefaultConcurrency
	}
	switch c := opts.RawGetString("concurrency").(type) {
	case *lua.LNilType:
		return DefaultConcurrency
	case lua.LNumber:
		if c >= 1 && c <= 1e6 && float64(c) == float64(int(c)) {
			return int(c)
		}
	}
	L.ArgError(n, "concurrency must be a positive integer")
	return 0
}

// runAll runs work(i) for i in [0, n) on up to conc light threads and
// pushes the results as one array table.
func (r *Runtime) runAll(L *lua.LState, n, conc int, work func(L *lua.LState, i int) lua.LValue) int {
	results := make([]lua.LValue, n)
	next, stopped := 0, false
	var ths []*lthread
	stop := func() { // cancels the workers but the one calling it
		stopped = true
		for _, t := range ths {
			if t != r.threads.current {
				t.cancel()
			}
		}
	}
	worker := L.NewFunction(func(L *lua.LState) int {
		defer func() {
			if p := recover(); p != nil {
				stop() // the first error stops the other workers
				panic(p)
			}
		}()
		for next < n && !stopped {
			i := next
			next++
			results[i] = work(L, i)
		}
		return 0
	})
	origin := where(L)
	for range min(conc, n) {
		th, err := r.start(luaContext(L), origin, worker, nil, nil)
		if err != nil {
			stop()
			L.RaiseError("%v", err)
		}
		ths = append(ths, th)
	}
	// A worker may already wait for the caller: then the caller's wait
	// would never end.
	done, err := r.waitingFor(ths, false)
	if err != nil {
		stop()
		L.RaiseError("%v", err)
	}
	defer done()
	var failed *lthread
	for _, th := range ths {
		if err := r.waitFor(L, th.done); err != nil {
			stop()
			L.RaiseError("%v", err)
		}
		th.waited = true
		if failed == nil && th.err != nil && !errors.Is(th.err, context.Canceled) {
			failed = th
		}
	}
	if failed != nil {
		r.finished(L, failed)
	}
	if err := luaContext(L).Err(); err != nil {
		L.RaiseError("%v", err)
	}
	out := L.CreateTable(n, 0)
	for i, v := range results {
		if v == nil {
			v = lua.LNil
		}
		out.RawSetInt(i+1, v)
	}
	L.Push(out)
	return 1
}

// unwaited is the error of the first thread that raised and that nobody
// waited for; the others are written to Stderr. It clears the list.
func (r *Runtime) unwaited() error {
	var first error
	for _, th := range r.threads.failed {
		if th.waited {
			continue
		}
		e := &Error{Message: "thread spawned at " + th.origin + " failed: " + th.err.Error(), Err: th.err}
		var se *Error
		if errors.As(th.err, &se) {
			e.Traceback = se.Traceback
		}
		if first == nil {
			first = e
			continue
		}
		r.loop.report(context.Background(), "thread", e)
	}
	r.threads.failed = nil
	return first
}

// drainThreads waits, letting them run, until no light thread is alive:
// after a run's context ended, its threads see the cancellation and end.
func (r *Runtime) drainThreads() {
	for r.threads.live.Load() > 0 {
		p := r.park()
		select {
		case <-r.loop.wake:
		case <-time.After(10 * time.Millisecond):
		}
		r.resume(p)
	}
}

// settleThreads ends a run: once its context has ended or stop() was
// called, the threads still alive are cancelled, and they finish before
// the run returns.
func (r *Runtime) settleThreads(ctx context.Context) {
	if ctx.Err() != nil || r.loop.stopped {
		r.cancelThreads()
	}
}

// cancelThreads cancels every light thread and waits for them to end.
func (r *Runtime) cancelThreads() {
	for th := range r.threads.all {
		th.cancel()
	}
	r.drainThreads()
}
