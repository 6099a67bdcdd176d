package runtime_test

import (
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/gotd/td/bin"
	"github.com/gotd/td/session"
	"github.com/gotd/td/tg"
	"github.com/gotd/td/tgtest"

	"github.com/tglua/tglua/internal/syncbuf"
	"github.com/tglua/tglua/internal/testserver"
	"github.com/tglua/tglua/luabind/schema"
	"github.com/tglua/tglua/runtime"
)

// rawAnswer is an answer written as it is.
type rawAnswer []byte

func (r rawAnswer) Encode(b *bin.Buffer) error { b.Buf = append(b.Buf, r...); return nil }
func (r rawAnswer) Decode(*bin.Buffer) error   { return nil }

// TestHostileAnswerNesting: a server answer of 2,000,000 nested textBold
// objects (8 MB, under gotd's 16 MB frame limit) is a DECODE error, not a
// stack overflow, and the runtime goes on working.
func TestHostileAnswerNesting(t *testing.T) {
	srv := testserver.Start(t)
	bold, empty := schema.ByName("textBold").ID, schema.ByName("textEmpty").ID
	var deep bin.Buffer
	for range 2000000 {
		deep.PutID(bold)
	}
	deep.PutID(empty)
	srv.Dispatcher.HandleFunc(tg.HelpGetTermsOfServiceUpdateRequestTypeID, func(s *tgtest.Server, req *tgtest.Request) error {
		return s.SendResult(req, rawAnswer(deep.Buf))
	})
	srv.Dispatcher.HandleFunc(tg.AccountCheckUsernameRequestTypeID, func(s *tgtest.Server, req *tgtest.Request) error {
		return s.SendBool(req, true)
	})
	rt := rtFor(t, srv, func(o *runtime.Options) { o.Sandbox = runtime.SandboxStrict })
	out := luaDo(t, rt, `
		local ok, e = pcall(help.getTermsOfServiceUpdate)
		return ok, e.type, e.method, e.message, account.checkUsername{username='ann'}`)
	wantValues(t, out, []any{false, "DECODE", "help.getTermsOfServiceUpdate", "decode result: answer nested deeper than 64 levels", true})
}

// TestCallTimeoutWithoutNetwork: with nothing listening at the server's
// address, a call says after a few seconds that it is still connecting,
// then fails with a TIMEOUT error at the call timeout; Close does not wait
// for gotd's dialler.
func TestCallTimeoutWithoutNetwork(t *testing.T) {
	srv := testserver.Start(t)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := l.Addr().String()
	_ = l.Close()
	stderr := &syncbuf.Buffer{}
	rt := rtFor(t, srv, func(o *runtime.Options) {
		o.Dial.Server = dead
		o.CallTimeout = 3500 * time.Millisecond
		o.Stderr = stderr
	})
	out := luaDo(t, rt, `
		local ok, e = pcall(account.checkUsername, {username='ann'})
		return ok, e.type, e.method, e.message`)
	wantValues(t, out, []any{false, "TIMEOUT", "account.checkUsername", "could not connect to " + dead + " (DC 2) before the call timed out; check the network and the server address"})
	if want := "tglua: still connecting to " + dead + " (DC 2); retrying until the call times out\n"; stderr.String() != want {
		t.Fatalf("stderr %q, want %q", stderr.String(), want)
	}
	if err := rt.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestCallTimeoutOnSilentServer: a server that never answers a method
// makes the call fail with TIMEOUT, naming the method; the connection
// serves the next call.
func TestCallTimeoutOnSilentServer(t *testing.T) {
	srv := testserver.Start(t)
	srv.Dispatcher.HandleFunc(tg.HelpGetInviteTextRequestTypeID, func(*tgtest.Server, *tgtest.Request) error {
		return nil // never answered
	})
	srv.Dispatcher.HandleFunc(tg.AccountCheckUsernameRequestTypeID, func(s *tgtest.Server, req *tgtest.Request) error {
		return s.SendBool(req, true)
	})
	// The key exchange (CPU-bound, slow on a loaded machine) is made
	// first, without the short timeout.
	store := &session.StorageMemory{}
	warm := rtFor(t, srv, func(o *runtime.Options) { o.Dial.Session = store })
	luaDo(t, warm, `return account.checkUsername{username='warm'}`)
	_ = warm.Close()
	rt := rtFor(t, srv, func(o *runtime.Options) { o.CallTimeout = time.Second; o.Dial.Session = store })
	out := luaDo(t, rt, `
		local ok, e = pcall(help.getInviteText)
		return ok, e.type, e.method, e.message:match('^no answer within 1s') ~= nil, account.checkUsername{username='ann'}, e.message`)
	t.Log(out[len(out)-1])
	wantValues(t, out[:len(out)-1], []any{false, "TIMEOUT", "help.getInviteText", true, true})
}

// TestCyclicArgumentsInStrictSandbox: a table that contains itself is a
// clear error, not a crash of the process.
func TestCyclicArgumentsInStrictSandbox(t *testing.T) {
	rt := sbRuntime(t, runtime.Options{Sandbox: runtime.SandboxStrict, StepLimit: 1e6})
	out := luaDo(t, rt, `
		local j = {_='jsonArray'} j.value = {j}
		local ok, e = pcall(help.saveAppLog, {events={{_='inputAppEvent', time=0, type='x', peer=0, data=j}}})
		return ok, (tostring(e):gsub('^.-: help', 'help'))`)
	wantValues(t, out, []any{false, "help.saveAppLog: events[1].data.value[1]: cycle: the table contains itself"})
}

// TestStrictLimitsInBuiltins: the step budget and the context's deadline
// reach into string builtins, the memory budget bounds the strings they
// build and the tables a loop builds, and the string metatable is
// read-only in the strict sandbox.
func TestStrictLimitsInBuiltins(t *testing.T) {
	strict := runtime.Options{Sandbox: runtime.SandboxStrict, StepLimit: 5e6, MemoryLimit: 64 << 20}
	for _, tc := range []struct {
		name string
		opts runtime.Options
		src  string
		want string
	}{
		{"backtracking find", strict, `return string.find(('a'):rep(5000), ('a*'):rep(20)..'b')`, "step limit exceeded"},
		{"pcall cannot go on", strict, `for i = 1, 10 do pcall(string.find, ('a'):rep(5000), ('a*'):rep(20)..'b') end return 1`, "step limit exceeded"},
		{"gsub", strict, `return (('a'):rep(3000):gsub(('a*'):rep(15)..'b', ''))`, "step limit exceeded"},
		{"rep", strict, `return #string.rep('x', 2^31)`, "memory limit exceeded"},
		{"concat", strict, `local t = {} for i = 1, 100 do t[i] = ('x'):rep(1e6) end return #table.concat(t)`, "memory limit exceeded"},
		{"table growth", runtime.Options{Sandbox: runtime.SandboxStrict, MemoryLimit: 32 << 20}, `local t = {} for i = 1, 1e8 do t[i] = {i} end return #t`, "memory limit exceeded"},
		{"deadline", runtime.Options{Sandbox: runtime.SandboxStrict}, `return string.find(('a'):rep(5000), ('a*'):rep(20)..'b')`, "context deadline exceeded"},
		{"metatable", strict, `getmetatable('').__index = {upper = function() return 'evil' end} return 1`, "attempt to index"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rt := sbRuntime(t, tc.opts)
			// Only the deadline case needs a short one; elsewhere the
			// deadline only guards against a hang, and a slow machine (or
			// -race) must not reach it before the limit under test.
			timeout := time.Minute
			if tc.want == "context deadline exceeded" {
				timeout = 2 * time.Second
			}
			ctx, cancel := context.WithTimeout(context.Background(), timeout)
			defer cancel()
			_, err := rt.DoString(ctx, tc.src)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
			// The VM is still usable.
			out, err := rt.DoString(context.Background(), `return ('x'):upper()`)
			if err != nil || out[0] != "X" {
				t.Fatalf("after: %v %v", out, err)
			}
		})
	}
}
