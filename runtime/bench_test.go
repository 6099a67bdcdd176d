package runtime_test

// Benchmarks of the runtime against a raw gotd client, over the same
// loopback MTProto server and the same client connection, and of the memory
// a VM costs. Run with
//
//	go test -run '^$' -bench 'Throughput|VMMemory' -benchtime 1x ./runtime/
//	go test -run '^$' -bench CallOverhead ./runtime/
//
// Each throughput benchmark makes the same 10,000 account.checkUsername
// calls from Lua (one DoString looping over the method) and from Go
// (client.API().AccountCheckUsername), in rounds of 400 with the order rotating
// so that drift affects both alike, and reports calls/s of each and their ratio
// (lua/raw; the target is >= 0.95). A third way, direct/raw, runs the same Lua
// loop calling the raw client from a Go function: the binding's own share is
// the gap between lua/raw and direct/raw.

import (
	"context"
	"fmt"
	goruntime "runtime"
	"sync"
	"testing"
	"time"

	"github.com/gotd/td/bin"
	"github.com/gotd/td/telegram"
	"github.com/gotd/td/tg"
	"github.com/gotd/td/tgtest"
	lua "github.com/yuin/gopher-lua"

	"github.com/tglua/tglua/internal/testserver"
	"github.com/tglua/tglua/runtime"
)

const (
	benchCalls = 10_000
	benchRound = 400 // divisible by the 8 workers
)

// benchClient starts a server that answers account.checkUsername and a gotd
// client connected to it, running until the benchmark ends.
func benchClient(b testing.TB) *telegram.Client {
	b.Helper()
	srv := testserver.Start(b)
	srv.Dispatcher.HandleFunc(tg.AccountCheckUsernameRequestTypeID, func(s *tgtest.Server, req *tgtest.Request) error {
		return s.SendBool(req, true)
	})
	client := telegram.NewClient(1, "hash", srv.ClientOptions())
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan struct{})
	done := make(chan error, 1)
	go func() {
		done <- client.Run(ctx, func(ctx context.Context) error {
			close(ready)
			<-ctx.Done()
			return nil
		})
	}()
	select {
	case <-ready:
	case err := <-done:
		cancel()
		b.Fatal(err)
	}
	b.Cleanup(func() {
		cancel()
		<-done
	})
	// Warm up the connection.
	if _, err := client.API().AccountCheckUsername(context.Background(), "warmup"); err != nil {
		b.Fatal(err)
	}
	return client
}

// luaWorker is a VM that makes n calls per run.
func luaWorker(b testing.TB, client *telegram.Client) *runtime.Runtime {
	rt, err := runtime.New(runtime.Options{Invoker: client, Stdout: &lockedBuf{}, Stderr: &lockedBuf{}})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = rt.Close() })
	if _, err := rt.DoString(context.Background(), `
		function calls(n)
			for i = 1, n do
				if account.checkUsername{username='benchname'} ~= true then error('unexpected answer') end
			end
		end`); err != nil {
		b.Fatal(err)
	}
	return rt
}

func luaCalls(rt *runtime.Runtime, n int) error {
	_, err := rt.Call(context.Background(), "calls", n)
	return err
}

func rawCalls(client *telegram.Client, n int) error {
	api := client.API()
	for range n {
		ok, err := api.AccountCheckUsername(context.Background(), "benchname")
		if err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("unexpected answer")
		}
	}
	return nil
}

// parallel runs fn(worker, share) on workers goroutines, splitting n calls.
func parallel(workers, n int, fn func(w, n int) error) error {
	var wg sync.WaitGroup
	errs := make([]error, workers)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[w] = fn(w, n/workers)
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

func benchThroughput(b *testing.B, workers int) {
	client := benchClient(b)
	rts := make([]*runtime.Runtime, workers)
	for i := range rts {
		rts[i] = luaWorker(b, client)
		addDirect(b, rts[i], client)
	}
	// Three ways, in rotating order per round: through the runtime, the
	// raw gotd client, and (to tell the binding's share from the Lua VM's)
	// the same Lua loop calling a Go function that calls the raw client.
	ways := []func(w, n int) error{
		func(w, n int) error { return luaCalls(rts[w], n) },
		func(_, n int) error { return rawCalls(client, n) },
		func(w, n int) error { _, err := rts[w].Call(context.Background(), "direct_calls", n); return err },
	}
	var spent [3]time.Duration
	calls := 0
	b.ResetTimer()
	for range b.N {
		for round := 0; round*benchRound < benchCalls; round++ {
			for i := range ways {
				way := (i + round) % len(ways)
				t0 := time.Now()
				if err := parallel(workers, benchRound, ways[way]); err != nil {
					b.Fatal(err)
				}
				spent[way] += time.Since(t0)
			}
		}
		calls += benchCalls
	}
	b.StopTimer()
	luaRate := float64(calls) / spent[0].Seconds()
	rawRate := float64(calls) / spent[1].Seconds()
	directRate := float64(calls) / spent[2].Seconds()
	b.ReportMetric(luaRate, "lua-calls/s")
	b.ReportMetric(rawRate, "raw-calls/s")
	b.ReportMetric(luaRate/rawRate, "lua/raw")
	b.ReportMetric(directRate/rawRate, "direct/raw")
	b.Logf("%d workers, %d calls each way: Lua %.0f calls/s, raw gotd %.0f calls/s, ratio %.3f (Lua calling gotd without the binding: %.3f)",
		workers, calls, luaRate, rawRate, luaRate/rawRate, directRate/rawRate)
}

// addDirect defines direct_calls(n) in rt: the benchmark's Lua loop, with
// the same argument table, calling a Go function that sends the request
// through the raw gotd client, with no luabind encoding or decoding.
func addDirect(b *testing.B, rt *runtime.Runtime, client *telegram.Client) {
	api := client.API()
	rt.SetGlobal("direct", rt.State().NewFunction(func(L *lua.LState) int {
		ok, err := api.AccountCheckUsername(context.Background(), L.CheckTable(1).RawGetString("username").String())
		if err != nil {
			L.RaiseError("%v", err)
		}
		L.Push(lua.LBool(ok))
		return 1
	}))
	if _, err := rt.DoString(context.Background(), `
		function direct_calls(n)
			for i = 1, n do
				if direct{username='benchname'} ~= true then error('unexpected answer') end
			end
		end`); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkThroughputSequential: one goroutine, one VM vs the raw client.
func BenchmarkThroughputSequential(b *testing.B) { benchThroughput(b, 1) }

// BenchmarkThroughputParallel8: 8 goroutines, each with its own VM, sharing
// one client, vs 8 goroutines on the raw client.
func BenchmarkThroughputParallel8(b *testing.B) { benchThroughput(b, 8) }

// nopInvoker never sends anything: idle VMs do not call it.
type nopInvoker struct{}

func (nopInvoker) Invoke(context.Context, bin.Encoder, bin.Decoder) error {
	return fmt.Errorf("not connected")
}

// BenchmarkVMMemory measures the heap held by idle VMs (every namespace
// registered, as runtime.New does) and by 1,000 of them in one process.
func BenchmarkVMMemory(b *testing.B) {
	const vms = 1000
	var perVM, total float64
	for range b.N {
		rts := make([]*runtime.Runtime, vms)
		goruntime.GC()
		var before, after goruntime.MemStats
		goruntime.ReadMemStats(&before)
		for i := range rts {
			rt, err := runtime.New(runtime.Options{Invoker: nopInvoker{}})
			if err != nil {
				b.Fatal(err)
			}
			rts[i] = rt
		}
		goruntime.GC()
		goruntime.ReadMemStats(&after)
		total = float64(after.HeapAlloc) - float64(before.HeapAlloc)
		perVM = total / vms
		for _, rt := range rts {
			_ = rt.Close()
		}
		goruntime.KeepAlive(rts)
	}
	b.ReportMetric(perVM, "heap-bytes/VM")
	b.ReportMetric(total/(1<<20), "heap-MB/1000VMs")
	b.Logf("idle VM: %.0f KB of heap; 1,000 VMs: %.1f MB (target <= 512 KB per VM)", perVM/1024, total/(1<<20))
}

// trueInvoker answers every call with boolTrue in-process: it isolates the
// cost of the Lua side (argument table, encoding, guard, decoding) from the
// network.
type trueInvoker struct{}

func (trueInvoker) Invoke(_ context.Context, in bin.Encoder, out bin.Decoder) error {
	var b bin.Buffer
	if err := in.Encode(&b); err != nil {
		return err
	}
	b.Reset()
	if err := (&tg.BoolTrue{}).Encode(&b); err != nil {
		return err
	}
	return out.Decode(&b)
}

// BenchmarkCallOverhead is the CPU cost of one account.checkUsername call
// without a network: from Lua through the runtime, and from Go through
// gotd's generated client, over the same in-process invoker.
func BenchmarkCallOverhead(b *testing.B) {
	b.Run("lua", func(b *testing.B) {
		rt, err := runtime.New(runtime.Options{Invoker: trueInvoker{}})
		if err != nil {
			b.Fatal(err)
		}
		defer func() { _ = rt.Close() }()
		if _, err := rt.DoString(context.Background(), `function calls(n) for i = 1, n do account.checkUsername{username='benchname'} end end`); err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		b.ResetTimer()
		if _, err := rt.Call(context.Background(), "calls", b.N); err != nil {
			b.Fatal(err)
		}
	})
	b.Run("raw", func(b *testing.B) {
		api := tg.NewClient(trueInvoker{})
		b.ReportAllocs()
		for range b.N {
			if _, err := api.AccountCheckUsername(context.Background(), "benchname"); err != nil {
				b.Fatal(err)
			}
		}
	})
}
