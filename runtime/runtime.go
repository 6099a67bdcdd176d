package runtime

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	lua "github.com/yuin/gopher-lua"

	"github.com/tglua/tglua/internal/session"
	"github.com/tglua/tglua/luabind"
	"github.com/tglua/tglua/luabind/schema"
)

// The Lua value stack (gopher-lua's registry) of each VM starts small and
// grows on demand up to 262,144 values. gopher-lua's default is a fixed
// 5,120 values (80 KB), allocated for every VM whether used or not and
// rescanned by every garbage collection. gopher-lua grows the stack by a
// fixed step, copying it each time, so the step is large enough to keep
// growing to the limit cheap. The call-frame stack grows on demand too
// (MinimizeStackMemory) instead of a fixed 256 frames: together they cut
// an idle VM's heap from 147 to 112 KB, which matters for servers that
// hold many accounts (BenchmarkVMMemory).
const (
	registrySize     = 256
	registryGrowStep = 8192
	registryMaxSize  = 1 << 18
)

// Runtime is one Lua VM bound to the Telegram API.
type Runtime struct {
	opts    Options
	L       *lua.LState
	binding *luabind.Binding
	lazy    *lazyLibs    // standard libraries not opened yet; nil in the strict sandbox
	conn    *conn        // nil when the host brought its own invoker
	host    host         // Serve and Go
	seen    seenMessages // new messages dispatched, against repeats
	session *session.File
	closed  bool

	api apiState // flood waits, peer resolution, guard (guard.go)

	loopState         // event loop, handlers, timers (loop.go)
	threads   threads // light threads and the VM's baton (threads.go)
}

// New creates a Runtime. It does not connect: the first method call does.
func New(opts Options) (*Runtime, error) {
	opts.setDefaults()
	r := &Runtime{opts: opts}
	if opts.SessionPath != "" {
		f, err := session.Open(opts.SessionPath, session.Options{})
		if err != nil {
			return nil, err
		}
		r.session = f
		r.opts.Dial.Session = f
		opts = r.opts
	}
	r.L = lua.NewState(lua.Options{SkipOpenLibs: true, RegistrySize: registrySize, RegistryMaxSize: registryMaxSize, RegistryGrowStep: registryGrowStep, MinimizeStackMemory: true})
	r.lazy = openLibs(r.L, opts, r.luaExit)
	r.L.SetGlobal("print", r.L.NewFunction(r.print))

	inv := opts.Invoker
	if inv == nil {
		r.conn = newConn(opts)
		inv = r.conn
	}
	bopts, err := r.apiOptions(inv)
	if err != nil {
		r.L.Close()
		if r.session != nil {
			_ = r.session.Close()
		}
		return nil, err
	}
	r.binding = luabind.Register(r.L, bopts)
	r.setArgs(opts.Args)
	r.registerLogin()
	r.registerFiles()
	r.registerInspect()
	r.initLoop()
	r.registerThreads(r.L)
	r.threads.baton.acquire() // the host holds the VM between calls
	return r, nil
}

// State returns the Lua state, for hosts that add their own globals. Use it
// only from the goroutine that calls the Runtime.
func (r *Runtime) State() *lua.LState { return r.L }

// Session returns the session file, or nil when Options.SessionPath was
// empty.
func (r *Runtime) Session() *session.File { return r.session }

// MethodOf reports which Telegram method a Lua function calls, if it is one
// of the bound method functions (e.g. auth.sendInvites).
func (r *Runtime) MethodOf(fn *lua.LFunction) (*schema.Constructor, bool) {
	return r.binding.Method(fn)
}

// NamespaceOf reports which API namespace table t is (messages, auth...);
// "" is the tg table.
func (r *Runtime) NamespaceOf(t *lua.LTable) (string, bool) {
	return r.binding.Namespace(t)
}

// SetGlobal sets a global variable in the script's environment. For Go
// values, gopher-luar's luar.New(rt.State(), v) works, but it passes
// integers through float64: use Int64 (and ToInt64 back) for int64s such as
// ids and access hashes beyond 2^53.
func (r *Runtime) SetGlobal(name string, v lua.LValue) { r.L.SetGlobal(name, v) }

// rawGlobal reads a global the runtime itself consults on every call
// (flood_wait_max, parse_mode) without metamethods: a script that makes
// undefined globals an error (strict.lua's __index on _G) must still be able
// to call methods without setting them. It is also cheaper.
func rawGlobal(L *lua.LState, name string) lua.LValue {
	return L.G.Global.RawGetString(name)
}

// Close stops the connection the runtime dialled, if any, writes and
// releases the session file, and frees the VM.
func (r *Runtime) Close() error {
	if r.closed {
		return nil
	}
	err := r.shutdown(true)
	r.L.Close()
	return err
}

// shutdown is Close without freeing the VM, which may be running (os.exit).
// With drain, it waits for the cancelled light threads to end, letting them
// run; os.exit from a light thread does not, as it is one of them and must
// keep the baton until the process ends.
func (r *Runtime) shutdown(drain bool) error {
	if r.closed {
		return nil
	}
	r.closed = true
	if drain {
		r.cancelThreads()
	} else {
		for th := range r.threads.all {
			th.cancel()
		}
	}
	if r.api.flood != nil && r.api.flood.deadlines != nil {
		r.api.flood.deadlines.release()
	}
	if r.conn != nil {
		r.conn.Close()
	}
	if r.session != nil {
		return r.session.Close()
	}
	return nil
}

// luaExit is os.exit([code]): true or nothing is 0, false is 1, a number
// is itself. Like Close, it first stops the connection and writes and
// releases the session file (its batched peer cache and update state
// included), so a script that exits does not lose them; then it calls
// Options.Exit, which defaults to os.Exit.
func (r *Runtime) luaExit(L *lua.LState) int {
	code := 0
	switch v := L.Get(1).(type) {
	case *lua.LNilType:
	case lua.LBool:
		if !v {
			code = 1
		}
	case lua.LNumber:
		code = int(v)
	default:
		L.ArgError(1, "number or boolean expected, got "+v.Type().String())
		return 0
	}
	// From a light thread (a handler, a timer, spawn), the process ends
	// while this thread holds the baton: no other Lua runs meanwhile, and
	// the host cannot return from its run with an error of its own first.
	if r.threads.current != nil {
		// Should Exit return (a host that keeps its process), the host's
		// sleep or event loop ends too, as after stop().
		r.loop.stopped = true
		r.loop.notify()
	}
	if err := r.shutdown(r.threads.current == nil); err != nil {
		fmt.Fprintln(r.opts.Stderr, "tglua:", err)
	}
	r.opts.Exit(code)
	// A host's Exit returned: unwind the script; the runtime is closed.
	L.RaiseError("os.exit(%d): the runtime is closed", code)
	return 0
}

// DoString runs a chunk and returns what it returns, as Go values.
// Then, like DoFile, it runs the event loop while anything is registered
// (see Loop).
func (r *Runtime) DoString(ctx context.Context, src string) ([]any, error) {
	out, err := r.run(ctx, func() (*lua.LFunction, error) { return r.L.LoadString(src) }, nil)
	return r.thenLoop(ctx, out, err)
}

// DoStringAsHost runs src like DoString, as the host's own code rather
// than the script's: the method calls it makes are not subject to
// Options.Allow. It is for the host's set-up in a sandboxed runtime, such
// as logging in (phone_login) before running an untrusted script.
func (r *Runtime) DoStringAsHost(ctx context.Context, src string) ([]any, error) {
	r.api.guard.host.Store(true)
	defer r.api.guard.host.Store(false)
	return r.DoString(ctx, src)
}

// DoFile runs a script file. A leading "#!" line is skipped. When the
// main chunk returns with handlers, timers or callbacks registered, DoFile
// runs the event loop until they are done, stop() is called or ctx ends
// (see Loop), then returns the chunk's results.
func (r *Runtime) DoFile(ctx context.Context, path string) ([]any, error) {
	out, err := r.run(ctx, func() (*lua.LFunction, error) {
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, err
		}
		return r.L.Load(strings.NewReader(skipShebang(string(data))), path)
	}, r.scriptArgs())
	return r.thenLoop(ctx, out, err)
}

// DoChunk runs a script given as text, such as one read from standard
// input, like DoFile: name labels it in errors and tracebacks, Args[1:] are
// its varargs, a leading "#!" line is skipped and the event loop runs after.
func (r *Runtime) DoChunk(ctx context.Context, name, src string) ([]any, error) {
	out, err := r.run(ctx, func() (*lua.LFunction, error) {
		return r.L.Load(strings.NewReader(skipShebang(src)), name)
	}, r.scriptArgs())
	return r.thenLoop(ctx, out, err)
}

// scriptArgs are the script's varargs (...): Args[1:].
func (r *Runtime) scriptArgs() []lua.LValue {
	if len(r.opts.Args) < 2 {
		return nil
	}
	out := make([]lua.LValue, 0, len(r.opts.Args)-1)
	for _, a := range r.opts.Args[1:] {
		out = append(out, lua.LString(a))
	}
	return out
}

// skipShebang blanks a leading "#!" line, keeping line numbers.
func skipShebang(src string) string {
	if !strings.HasPrefix(src, "#!") {
		return src
	}
	if i := strings.IndexByte(src, '\n'); i >= 0 {
		return "--" + src[2:]
	}
	return ""
}

// Call calls a Lua function with Go arguments and returns its results as
// Go values. name is a global function ("get_self") or a dotted path from
// the globals, such as an API method: Call(ctx, "auth.sendInvites",
// map[string]any{"phone_numbers": []string{"+15550001"}, "message": "Hi"}).
func (r *Runtime) Call(ctx context.Context, name string, args ...any) ([]any, error) {
	return r.run(ctx, func() (*lua.LFunction, error) {
		fn, ok := r.lookupFunc(name)
		if !ok {
			return nil, fmt.Errorf("call %s: not a function", name)
		}
		lvals := make([]lua.LValue, len(args))
		for i, a := range args {
			lvals[i] = ToLua(r.L, a)
		}
		return r.L.NewFunction(func(L *lua.LState) int {
			L.Push(fn)
			for _, v := range lvals {
				L.Push(v)
			}
			L.Call(len(lvals), lua.MultRet)
			return L.GetTop()
		}), nil
	}, nil)
}

// lookupFunc resolves a global or dotted name to something callable: a
// function, or a table or userdata with __call (upload).
func (r *Runtime) lookupFunc(name string) (lua.LValue, bool) {
	var v lua.LValue = r.L.Get(lua.GlobalsIndex)
	for part := range strings.SplitSeq(name, ".") {
		t, ok := v.(*lua.LTable)
		if !ok || part == "" {
			return nil, false
		}
		v = r.L.GetField(t, part)
	}
	switch v.(type) {
	case *lua.LFunction:
		return v, true
	case *lua.LTable, *lua.LUserData:
		return v, r.L.GetMetaField(v, "__call") != lua.LNil
	}
	return nil, false
}

// enterContext makes Lua run under ctx (with the step budget, if any) when
// it is not running under a context already, and returns the function that
// undoes it. A context that can never end is not set: gopher-lua then runs
// without checking for cancellation at every instruction.
func (r *Runtime) enterContext(ctx context.Context) (restore func()) {
	L := r.L
	if L.Context() != nil {
		return func() {}
	}
	if r.endless(ctx) {
		return func() {}
	}
	L.SetContext(r.callContext(ctx))
	return func() { L.RemoveContext() }
}

// endless reports whether Lua can run under ctx without a context: ctx can
// never be cancelled and there is no step budget.
func (r *Runtime) endless(ctx context.Context) bool {
	return r.opts.StepLimit <= 0 && r.opts.MemoryLimit <= 0 && ctx.Done() == nil
}

// run loads a chunk and calls it under ctx, with a traceback on error.
func (r *Runtime) run(ctx context.Context, load func() (*lua.LFunction, error), args []lua.LValue) (_ []any, err error) {
	if r.closed {
		return nil, errors.New("runtime is closed")
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	fn, err := load()
	if err != nil {
		return nil, &Error{Message: err.Error(), Err: err}
	}
	L := r.L
	lctx := r.callContext(ctx) // ctx, with the step budget if any (sandbox.go)
	if !r.endless(ctx) {
		L.SetContext(lctx)
		defer L.RemoveContext()
	}
	top := L.GetTop()
	L.Push(fn)
	for _, a := range args {
		L.Push(a)
	}
	if err := L.PCall(len(args), lua.MultRet, nil); err != nil {
		L.SetTop(top)
		if cerr := ctx.Err(); cerr != nil {
			return nil, cerr
		}
		return nil, limitError(lctx, scriptError(L, err))
	}
	n := L.GetTop() - top
	out := make([]any, n)
	for i := range n {
		out[i] = ToGo(L.Get(top + 1 + i))
	}
	L.SetTop(top)
	return out, nil
}

func (r *Runtime) print(L *lua.LState) int {
	var b strings.Builder
	for i := 1; i <= L.GetTop(); i++ {
		if i > 1 {
			b.WriteByte('\t')
		}
		b.WriteString(L.ToStringMeta(L.Get(i)).String())
	}
	b.WriteByte('\n')
	_, _ = r.opts.Stdout.Write([]byte(b.String()))
	return 0
}

// setModulePaths puts dir/?.lua and dir/?/init.lua for each dir in front
// of pkg.path.
func setModulePaths(pkg *lua.LTable, dirs []string) {
	if len(dirs) == 0 {
		return
	}
	var parts []string
	for _, d := range dirs {
		parts = append(parts, filepath.Join(d, "?.lua"), filepath.Join(d, "?", "init.lua"))
	}
	if cur := lua.LVAsString(pkg.RawGetString("path")); cur != "" {
		parts = append(parts, cur)
	}
	pkg.RawSetString("path", lua.LString(strings.Join(parts, ";")))
}

func (r *Runtime) setArgs(args []string) {
	t := r.L.CreateTable(len(args), 1)
	for i, a := range args {
		t.RawSetInt(i, lua.LString(a))
	}
	r.L.SetGlobal("arg", t)
}
