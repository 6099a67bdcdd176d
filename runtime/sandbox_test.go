package runtime_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gotd/td/tg"
	"github.com/gotd/td/tgtest"
	lua "github.com/yuin/gopher-lua"
	"go.uber.org/goleak"

	"github.com/tglua/tglua/internal/syncbuf"
	"github.com/tglua/tglua/internal/testserver"
	"github.com/tglua/tglua/runtime"
)

// noLeaks fails the test if goroutines started during it are still running
// once it and its cleanups are done. Call it first: cleanups run last-in
// first-out, so the check runs after the others.
func noLeaks(t *testing.T) {
	t.Helper()
	opt := goleak.IgnoreCurrent()
	t.Cleanup(func() { goleak.VerifyNone(t, opt) })
}

// sbRuntime makes a runtime that never connects.
func sbRuntime(t *testing.T, opts runtime.Options) *runtime.Runtime {
	t.Helper()
	if opts.Stdout == nil {
		opts.Stdout = &syncbuf.Buffer{}
	}
	if opts.Stderr == nil {
		opts.Stderr = &syncbuf.Buffer{}
	}
	rt, err := runtime.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = rt.Close() })
	return rt
}

func TestSandboxStrictLeavesOutCapabilities(t *testing.T) {
	noLeaks(t)
	file := filepath.Join(t.TempDir(), "secret.lua")
	if err := os.WriteFile(file, []byte("return 'leaked'"), 0o600); err != nil {
		t.Fatal(err)
	}
	rt := sbRuntime(t, runtime.Options{Sandbox: runtime.SandboxStrict})
	rt.SetGlobal("secret_path", lua.LString(file))
	absent := []string{
		"io", "debug", "package", "channel", "dofile", "loadfile", "module",
		"collectgarbage", "_printregs",
		"os.execute", "os.remove", "os.rename", "os.exit", "os.getenv", "os.setenv",
		"os.tmpname", "os.setlocale", "os.difftime", "string.dump",
	}
	for _, name := range absent {
		src := "return " + name + " == nil"
		if strings.Contains(name, ".") {
			parts := strings.SplitN(name, ".", 2)
			src = "return " + parts[0] + "['" + parts[1] + "'] == nil"
		}
		if out := luaDo(t, rt, src); out[0] != true {
			t.Errorf("%s is present in the strict sandbox", name)
		}
	}
	// What stays.
	out := luaDo(t, rt, `
		return type(os.time()), type(os.clock()), type(os.date('%Y')), string.upper('a'),
		       table.concat({1, 2}, ','), math.floor(2.5), type(coroutine.create), type(pcall)`)
	wantValues(t, out, []any{"number", "number", "string", "A", "1,2", int64(2), "function", "function"})

	// require fails clearly, even for a file that exists.
	err := luaFail(t, rt, `return require(secret_path)`)
	if !strings.Contains(err.Error(), "require: module loading is disabled in the strict sandbox") {
		t.Errorf("require: %v", err)
	}
	// load and loadstring compile source only.
	out = luaDo(t, rt, `
		local f1 = loadstring('return 1 + 1')
		local parts = {'return ', '40', ' + 2'}
		local i = 0
		local f2 = load(function() i = i + 1 return parts[i] end)
		local f3 = load('return 3')
		local f4, e4 = load(string.char(27) .. 'LuaQ')
		local f5, e5 = loadstring(string.char(27) .. 'LuaQ')
		return f1(), f2(), f3(), f4, e4, f5, type(e5)`)
	wantValues(t, out, []any{int64(2), int64(42), int64(3), nil, "load: binary chunks are not supported", nil, "string"})
}

func TestSandboxNoneOpensEverything(t *testing.T) {
	rt := sbRuntime(t, runtime.Options{})
	out := luaDo(t, rt, `return type(io), type(os.execute), type(debug), type(package), type(require), type(dofile), type(collectgarbage)`)
	wantValues(t, out, []any{"table", "function", "table", "table", "function", "function", "function"})
}

func TestStepLimit(t *testing.T) {
	noLeaks(t)
	rt := sbRuntime(t, runtime.Options{Sandbox: runtime.SandboxStrict, StepLimit: 100_000})
	for _, src := range []string{
		`while true do end`,
		`while true do pcall(function() while true do end end) end`,
		`local f = coroutine.wrap(function() while true do end end) f()`,
		`local co = coroutine.create(function() while true do end end)
		 while true do coroutine.resume(co) end`,
		`local t = {} for i = 1, 1e9 do t[#t % 10 + 1] = i end`,
		`table.sort({5, 4, 3, 2, 1}, function(a, b) while true do end end)`,
		`string.gsub('aaaa', 'a', function() while true do end end)`,
	} {
		_, err := rt.DoString(context.Background(), src)
		if !errors.Is(err, runtime.ErrStepLimit) {
			t.Errorf("%s\n err = %v, want ErrStepLimit", src, err)
			continue
		}
		if !strings.Contains(err.Error(), "step limit exceeded") {
			t.Errorf("%s\n error text = %q", src, err.Error())
		}
	}
	// The budget is per call: two calls each within it both succeed, and a
	// coroutine created in one call runs under the next call's budget.
	for range 3 {
		luaDo(t, rt, `local n = 0 for i = 1, 10000 do n = n + i end return n`)
	}
	luaDo(t, rt, `spin = coroutine.create(function() while true do end end)`)
	_, err := rt.DoString(context.Background(), `return coroutine.resume(spin)`)
	if err != nil {
		t.Fatalf("resume returned a Lua error: %v", err)
	}
	out := luaDo(t, rt, `return 'still usable'`)
	wantValues(t, out, []any{"still usable"})
}

func TestStepLimitCoroutineResults(t *testing.T) {
	// resume of a coroutine that ran out reports false and the message.
	rt := sbRuntime(t, runtime.Options{StepLimit: 10_000})
	_, err := rt.DoString(context.Background(), `
		local ok, msg = coroutine.resume(coroutine.create(function() while true do end end))
		result = {ok, msg}
		while true do end`)
	if !errors.Is(err, runtime.ErrStepLimit) {
		t.Fatalf("err = %v", err)
	}
}

func TestWallClockLimitFromContext(t *testing.T) {
	noLeaks(t)
	rt := sbRuntime(t, runtime.Options{Sandbox: runtime.SandboxStrict})
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err := rt.DoString(ctx, `local f = coroutine.wrap(function() while true do end end) f()`)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want context.DeadlineExceeded", err)
	}
}

func TestCoroutineResumedInALaterCall(t *testing.T) {
	// gopher-lua binds a coroutine to the context of the call that created
	// it; the runtime rebinds it to the resumer's. A coroutine made under a
	// context that has since been cancelled still runs.
	rt := sbRuntime(t, runtime.Options{})
	ctx, cancel := context.WithCancel(context.Background())
	if _, err := rt.DoString(ctx, `gen = coroutine.wrap(function() for i = 1, 3 do coroutine.yield(i) end end)`); err != nil {
		t.Fatal(err)
	}
	cancel()
	out := luaDo(t, rt, `local a, b = gen(), gen() return a, b`)
	wantValues(t, out, []any{int64(1), int64(2)})
	// ...and one resumed under a cancelled context stops.
	ctx2, cancel2 := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel2()
	if _, err := rt.DoString(ctx2, `spin = coroutine.wrap(function() while true do end end) spin()`); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v", err)
	}
	// wrap re-raises errors from the coroutine, as in Lua 5.1.
	out = luaDo(t, rt, `
		local ok, e = pcall(coroutine.wrap(function() error('boom', 0) end))
		return ok, e`)
	wantValues(t, out, []any{false, "boom"})
}

func TestCancelMidRPC(t *testing.T) {
	noLeaks(t)
	srv := testserver.Start(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	arrived := make(chan struct{})
	returned := make(chan struct{})
	var held sync.WaitGroup
	// The answer is held until the call has returned, so it can only have
	// returned because of the cancellation. (The handler itself returns at
	// once: gotd answers a cancellation with rpc_drop_answer and waits for
	// the server's reply, which tgtest sends only between handlers.)
	srv.Dispatcher.HandleFunc(tg.AccountCheckUsernameRequestTypeID, func(s *tgtest.Server, req *tgtest.Request) error {
		held.Add(1)
		go func() {
			defer held.Done()
			<-returned
			_ = s.SendBool(req, true)
		}()
		close(arrived)
		return nil
	})
	rt := rtFor(t, srv, func(o *runtime.Options) { o.Sandbox = runtime.SandboxStrict })
	go func() {
		<-arrived
		cancel()
	}()
	_, err := rt.DoString(ctx, `return account.checkUsername{username='ann'}`)
	close(returned)
	held.Wait()
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	select {
	case <-arrived:
	default:
		t.Fatal("the call never reached the server")
	}
	if err := rt.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestAllowList(t *testing.T) {
	srv := newPeerServer(t)
	rt := rtFor(t, srv.Server, func(o *runtime.Options) {
		o.Sandbox = runtime.SandboxStrict
		o.Allow = []string{"messages.*", "users.getUsers"}
	})
	out := luaDo(t, rt, `
		local ok, e = pcall(auth.sendInvites, {phone_numbers={'+1'}, message='x'})
		local u = users.getUsers{id={'me'}}
		messages.sendMessage{peer=u[1], message='hi'}
		return ok, tostring(e), e.type, u[1].id`)
	wantValues(t, out, []any{false, "auth.sendInvites: not allowed in this sandbox (allow auth.sendInvites to permit it)", runtime.TypeNotAllowed, int64(otherID)})
	if n := srv.unexpected.Load(); n != 0 {
		t.Fatalf("%d refused requests reached the server", n)
	}
	if len(srv.sent()) != 1 {
		t.Fatal("messages.sendMessage did not go out")
	}

	// A refused method is refused before its peers are resolved: the
	// error names it, not the lookup. A peer lookup the list refuses is
	// named with what it was needed for.
	rt2 := rtFor(t, srv.Server, func(o *runtime.Options) { o.Allow = []string{"users.*"} })
	out = luaDo(t, rt2, `
		local _, e1 = pcall(messages.sendMessage, {peer='@nobody_here', message='hi'})
		local _, e2 = pcall(users.getUsers, {id={'@nobody_here'}})
		return tostring(e1), tostring(e2)`)
	wantValues(t, out, []any{
		"messages.sendMessage: not allowed in this sandbox (allow messages.sendMessage to permit it)",
		"contacts.resolveUsername: not allowed in this sandbox (needed to resolve a peer; allow contacts.resolveUsername to permit it)",
	})
	// The host's own code is not subject to the list.
	if _, err := rt2.DoStringAsHost(context.Background(), `return pcall(auth.sendInvites, {phone_numbers={'+1'}, message='x'})`); err != nil {
		t.Fatal(err)
	}
	if n := srv.unexpected.Load(); n != 1 {
		t.Fatalf("the host's call did not reach the server (%d unexpected requests)", n)
	}

	for _, bad := range [][]string{{"messages.sendMesage"}, {"nosuch.*"}} {
		_, err := runtime.New(runtime.Options{Allow: bad})
		if err == nil || !strings.Contains(err.Error(), "no such method or namespace") {
			t.Errorf("Allow %v: err = %v", bad, err)
		}
	}
}
