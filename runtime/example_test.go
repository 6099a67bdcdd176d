package runtime_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/gotd/td/telegram"
	"github.com/gotd/td/tg"
	"github.com/gotd/td/tgtest"
	lua "github.com/yuin/gopher-lua"
	luar "layeh.com/gopher-luar"

	"github.com/tglua/tglua/internal/testserver"
	"github.com/tglua/tglua/runtime"
)

// exampleServer starts a loopback MTProto server that knows @ann and
// answers account.checkUsername (true for names longer than 4 letters).
func exampleServer() (*testserver.Server, func()) {
	srv, stop, err := testserver.StartServer(context.Background())
	if err != nil {
		panic(err)
	}
	ann := &tg.User{ID: 100, AccessHash: -7546723456789012345, FirstName: "Ann", Username: "ann"}
	srv.Dispatcher.HandleFunc(tg.ContactsResolveUsernameRequestTypeID, func(s *tgtest.Server, req *tgtest.Request) error {
		return s.SendResult(req, &tg.ContactsResolvedPeer{Peer: &tg.PeerUser{UserID: 100}, Users: []tg.UserClass{ann}})
	})
	srv.Dispatcher.HandleFunc(tg.UsersGetUsersRequestTypeID, func(s *tgtest.Server, req *tgtest.Request) error {
		return s.SendVector(req, ann)
	})
	srv.Dispatcher.HandleFunc(tg.AccountCheckUsernameRequestTypeID, func(s *tgtest.Server, req *tgtest.Request) error {
		var r tg.AccountCheckUsernameRequest
		if err := r.Decode(req.Buf); err != nil {
			return err
		}
		return s.SendBool(req, len(r.Username) > 4)
	})
	return srv, stop
}

// The runtime dials the server itself (Options.Dial), on the first method
// call. Peers can be named by username; the answer is cached.
func Example() {
	srv, stop := exampleServer()
	defer stop()

	rt, err := runtime.New(runtime.Options{
		Dial: runtime.Dial{
			AppID: 1, AppHash: "hash",
			Server: srv.Addr.String(), ServerKey: srv.PEM(), DC: srv.DC,
		},
		Stdout: os.Stdout,
	})
	if err != nil {
		panic(err)
	}
	defer func() { _ = rt.Close() }()

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	out, err := rt.DoString(ctx, `
		local u = users.getUsers{id={'@ann'}}[1]
		print(u.first_name, u.access_hash)
		return u.id`)
	if err != nil {
		panic(err)
	}
	fmt.Println(out[0])
	// Output:
	// Ann	-7546723456789012345
	// 100
}

// A host that already runs a gotd client passes it as Options.Invoker. Any
// number of runtimes may share it, each used from its own goroutine; they
// share nothing else (globals, peer caches) unless the host says so.
func ExampleOptions_invoker() {
	srv, stop := exampleServer()
	defer stop()

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	client := telegram.NewClient(1, "hash", srv.ClientOptions())
	err := client.Run(ctx, func(ctx context.Context) error {
		names := []string{"alice", "bob", "carol"}
		results := make([]string, len(names))
		var wg sync.WaitGroup
		for i, name := range names {
			rt, err := runtime.New(runtime.Options{Invoker: client})
			if err != nil {
				return err
			}
			defer func() { _ = rt.Close() }()
			rt.SetGlobal("name", lua.LString(name))
			wg.Add(1)
			go func() {
				defer wg.Done()
				out, err := rt.DoString(ctx, `return name, account.checkUsername{username=name}`)
				if err != nil {
					results[i] = err.Error() + "\n"
					return
				}
				results[i] = fmt.Sprintln(out...)
			}()
		}
		wg.Wait()
		for _, r := range results {
			fmt.Print(r)
		}
		return nil
	})
	if err != nil {
		panic(err)
	}
	// Output:
	// alice true
	// bob false
	// carol true
}

// gopher-luar passes host integers through float64, so an int64 beyond 2^53
// (an access hash, say) loses bits. Int64 keeps it exact, as a decimal
// string that method calls accept for long parameters; ToInt64 reads it
// back.
func ExampleInt64() {
	rt, err := runtime.New(runtime.Options{})
	if err != nil {
		panic(err)
	}
	defer func() { _ = rt.Close() }()

	type peer struct{ AccessHash int64 }
	host := peer{AccessHash: 1<<60 + 1}
	rt.SetGlobal("viaLuar", luar.New(rt.State(), host))
	rt.SetGlobal("exact", runtime.Int64(host.AccessHash))
	rt.SetGlobal("small", runtime.Int64(42))

	out, err := rt.DoString(context.Background(), `
		return string.format('%.0f', viaLuar.AccessHash), exact, type(exact), small, type(small)`)
	if err != nil {
		panic(err)
	}
	fmt.Println(out...)

	back, err := runtime.ToInt64(rt.State().GetGlobal("exact"))
	fmt.Println(back == host.AccessHash, err)
	// Output:
	// 1152921504606846976 1152921504606846977 string 42 number
	// true <nil>
}

// Cancelling the context stops a script wherever it is: in a busy loop
// (shown here), in a coroutine or in an RPC.
func ExampleRuntime_DoString_cancel() {
	rt, err := runtime.New(runtime.Options{Sandbox: runtime.SandboxStrict})
	if err != nil {
		panic(err)
	}
	defer func() { _ = rt.Close() }()

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	_, err = rt.DoString(ctx, `while true do end`)
	fmt.Println(errors.Is(err, context.DeadlineExceeded))
	// Output:
	// true
}

// A strict sandbox with a step budget, for untrusted scripts: no io, os
// (but the clock), debug or require, and at most StepLimit VM instructions
// per call.
func ExampleOptions_stepLimit() {
	rt, err := runtime.New(runtime.Options{Sandbox: runtime.SandboxStrict, StepLimit: 10_000})
	if err != nil {
		panic(err)
	}
	defer func() { _ = rt.Close() }()

	out, _ := rt.DoString(context.Background(), `return io == nil, os.execute == nil, (pcall(require, 'x'))`)
	fmt.Println(out...)
	_, err = rt.DoString(context.Background(), `while true do end`)
	fmt.Println(errors.Is(err, runtime.ErrStepLimit), err)
	// Output:
	// true true false
	// true <string>:1: step limit exceeded
}

// Light threads: spawn starts a thread that runs until its first wait (an
// RPC, sleep, wait); wait collects results in order; map runs a function
// over a list with a bounded number in flight. From Go, Spawn does what
// spawn does.
func ExampleRuntime_Spawn() {
	rt, err := runtime.New(runtime.Options{})
	if err != nil {
		panic(err)
	}
	defer func() { _ = rt.Close() }()

	out, err := rt.DoString(context.Background(), `
		local order = {}
		local slow = spawn(function() sleep(0.02) order[#order+1] = 'slow' return 1 end)
		local fast = spawn(function() sleep(0.01) order[#order+1] = 'fast' return 2 end)
		local a, b = wait(slow, fast)
		local squares = map(function(x) sleep(0.01) return x * x end, {1, 2, 3}, {concurrency = 2})
		return table.concat(order, ' '), a + b, table.concat(squares, ',')`)
	fmt.Println(out, err)

	_, _ = rt.DoString(context.Background(), `function greet(name) sleep(0.01) print('hello ' .. name) end`)
	_ = rt.Spawn(context.Background(), "greet", "from Go")
	_ = rt.Loop(context.Background()) // runs the thread to its end
	// Output:
	// [fast slow 3 1,4,9] <nil>
	// hello from Go
}
