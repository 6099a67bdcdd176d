package runtime_test

// Benchmarks of the runtime against a raw gotd client, over the same
// loopback MTProto server and the same client connection, and of the memory
// a VM costs. Run with
//
//	go test -run '^$' -bench Throughput -benchtime 30x ./runtime/
//	go test -run '^$' -bench VMMemory -benchtime 1x ./runtime/
//	go test -run '^$' -bench CallOverhead ./runtime/
//
// Each throughput benchmark makes the same 10,000 account.checkUsername
// calls (per -benchtime iteration) in four ways: from Lua through the
// runtime (one Call looping over the method), from Go through gotd's
// generated client, from the same Lua loop calling the raw client through a
// Go function (direct: the binding's own share is the gap between lua/raw
// and direct/raw), and from the raw client again, an A/A control. Calls go
// in rounds of 400, each round running every way once in a fresh random
// order, so drift and carry-over from the way before affect all alike.
//
// It reports calls/s and lua/raw, the ratio of throughputs (the target is
// >= 0.95), and logs the per-round geometric mean ratio with its 95%
// confidence interval; lua/raw-lo95 is that interval's lower bound. The
// A/A control, raw/raw, shows how far two identical ways drift apart in one
// run: on a shared 2-core VM, single 10,000-call runs of it range over
// +-5%, so judge the target on the pooled rounds of -benchtime 30x, and
// on more than one process: whole runs differ by about 1% more than their
// intervals say.

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	goruntime "runtime"
	"runtime/pprof"
	"testing"
	"time"

	"github.com/gotd/td/bin"
	"github.com/gotd/td/telegram"
	"github.com/gotd/td/tg"
	"github.com/gotd/td/tgtest"
	lua "github.com/yuin/gopher-lua"

	"github.com/tglua/tglua/internal/syncbuf"
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
	testserver.RunClient(b, client)
	// Warm up the connection.
	if _, err := client.API().AccountCheckUsername(context.Background(), "warmup"); err != nil {
		b.Fatal(err)
	}
	return client
}

// luaWorker is a VM that makes n calls per run.
func luaWorker(b testing.TB, client *telegram.Client) *runtime.Runtime {
	rt, err := runtime.New(runtime.Options{Invoker: client, Stdout: &syncbuf.Buffer{}, Stderr: &syncbuf.Buffer{}})
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

// crew is a set of long-lived goroutines, one per worker, as an embedding
// host keeps one goroutine per VM, rather than fresh goroutines that start
// every round with small stacks. (The GC may still shrink an idle one's
// stack while other ways run.)
type crew struct {
	jobs []chan func() error
	errs chan error
}

func newCrew(b testing.TB, workers int, way string) *crew {
	c := &crew{errs: make(chan error, workers)}
	for range workers {
		jobs := make(chan func() error)
		c.jobs = append(c.jobs, jobs)
		go func() {
			// A CPU profile's samples of this goroutine carry the way:
			// go tool pprof -tagfocus way=lua.
			pprof.SetGoroutineLabels(pprof.WithLabels(context.Background(), pprof.Labels("way", way)))
			for job := range jobs {
				c.errs <- job()
			}
		}()
	}
	b.Cleanup(func() {
		for _, j := range c.jobs {
			close(j)
		}
	})
	return c
}

// run runs fn(worker, share) on every worker, splitting n calls.
func (c *crew) run(n int, fn func(w, n int) error) error {
	for w, jobs := range c.jobs {
		jobs <- func() error { return fn(w, n/len(c.jobs)) }
	}
	var first error
	for range c.jobs {
		if err := <-c.errs; err != nil && first == nil {
			first = err
		}
	}
	return first
}

// The ways a throughput benchmark makes its calls.
const (
	wayLua    = iota // Lua through the runtime
	wayRaw           // gotd's generated client from Go
	wayDirect        // the Lua loop calling gotd from a Go function
	wayRawAA         // the raw client again: an A/A control for noise and bias
	numWays
)

// wayNames label the ways in CPU profiles.
var wayNames = [numWays]string{wayLua: "lua", wayRaw: "raw", wayDirect: "direct", wayRawAA: "rawAA"}

func benchThroughput(b *testing.B, workers int) {
	client := benchClient(b)
	rts := make([]*runtime.Runtime, workers)
	for i := range rts {
		rts[i] = luaWorker(b, client)
		addDirect(b, rts[i], client)
	}
	ways := [numWays]func(w, n int) error{
		wayLua:    func(w, n int) error { return luaCalls(rts[w], n) },
		wayRaw:    func(_, n int) error { return rawCalls(client, n) },
		wayDirect: func(w, n int) error { _, err := rts[w].Call(context.Background(), "direct_calls", n); return err },
		wayRawAA:  func(_, n int) error { return rawCalls(client, n) },
	}
	// Every round runs each way once, in a fresh random order (seeded, so
	// runs repeat): drift and any carry-over from the way before affect
	// all alike.
	rng := rand.New(rand.NewPCG(1, uint64(workers)))
	// Each way has its own goroutines, so none inherits a stack another
	// way grew.
	var crews [numWays]*crew
	for i := range crews {
		crews[i] = newCrew(b, workers, wayNames[i])
	}
	var total, cpu [numWays]time.Duration
	var rounds [numWays][]time.Duration
	calls := 0
	b.ResetTimer()
	for range b.N {
		for done := 0; done < benchCalls; done += benchRound {
			for _, way := range rng.Perm(numWays) {
				t0, c0 := time.Now(), cpuTime()
				if err := crews[way].run(benchRound, ways[way]); err != nil {
					b.Fatal(err)
				}
				d := time.Since(t0)
				cpu[way] += cpuTime() - c0
				total[way] += d
				rounds[way] = append(rounds[way], d)
			}
		}
		calls += benchCalls
	}
	b.StopTimer()
	rate := func(way int) float64 { return float64(calls) / total[way].Seconds() }
	luaRaw, directRaw, aa := rate(wayLua)/rate(wayRaw), rate(wayDirect)/rate(wayRaw), rate(wayRawAA)/rate(wayRaw)
	gm, lo, hi := pairedRatio(rounds[wayRaw], rounds[wayLua])
	aaGM, aaLo, aaHi := pairedRatio(rounds[wayRaw], rounds[wayRawAA])
	perCall := func(way int) float64 { return float64(cpu[way].Nanoseconds()) / float64(calls) / 1000 }
	b.ReportMetric(perCall(wayLua), "lua-cpu-µs/call")
	b.ReportMetric(perCall(wayRaw), "raw-cpu-µs/call")
	b.ReportMetric(rate(wayLua), "lua-calls/s")
	b.ReportMetric(rate(wayRaw), "raw-calls/s")
	b.ReportMetric(luaRaw, "lua/raw")
	b.ReportMetric(lo, "lua/raw-lo95")
	b.ReportMetric(directRaw, "direct/raw")
	b.ReportMetric(aa, "raw/raw")
	b.Logf("%d workers, %d calls each way in %d rounds: Lua %.0f calls/s, raw gotd %.0f calls/s", workers, calls, len(rounds[wayLua]), rate(wayLua), rate(wayRaw))
	b.Logf("lua/raw %.3f; per round %.3f (95%% CI %.3f-%.3f); Lua calling gotd without the binding %.3f", luaRaw, gm, lo, hi, directRaw)
	b.Logf("process CPU per call: Lua %.1f µs, direct %.1f µs, raw %.1f µs, raw again %.1f µs", perCall(wayLua), perCall(wayDirect), perCall(wayRaw), perCall(wayRawAA))
	b.Logf("A/A control, raw/raw: %.3f; per round %.3f (95%% CI %.3f-%.3f)", aa, aaGM, aaLo, aaHi)
}

// pairedRatio compares two ways round by round: the geometric mean of
// base[i]/other[i] (other's throughput relative to base's) and its 95%
// confidence interval, from Student's t over the log ratios.
func pairedRatio(base, other []time.Duration) (gm, lo, hi float64) {
	n := len(base)
	logs := make([]float64, n)
	var mean float64
	for i := range n {
		logs[i] = math.Log(base[i].Seconds() / other[i].Seconds())
		mean += logs[i]
	}
	mean /= float64(n)
	if n < 2 {
		return math.Exp(mean), math.NaN(), math.NaN()
	}
	var ss float64
	for _, l := range logs {
		ss += (l - mean) * (l - mean)
	}
	half := tQuantile975(n-1) * math.Sqrt(ss/float64(n-1)/float64(n))
	return math.Exp(mean), math.Exp(mean - half), math.Exp(mean + half)
}

func TestPairedRatio(t *testing.T) {
	ms := func(v ...int) []time.Duration {
		out := make([]time.Duration, len(v))
		for i, x := range v {
			out[i] = time.Duration(x) * time.Millisecond
		}
		return out
	}
	// Other always takes twice as long: half the throughput, exactly.
	if gm, lo, hi := pairedRatio(ms(10, 20, 30), ms(20, 40, 60)); math.Abs(gm-0.5) > 1e-12 || math.Abs(lo-0.5) > 1e-12 || math.Abs(hi-0.5) > 1e-12 {
		t.Fatalf("constant ratio: %v %v %v", gm, lo, hi)
	}
	// Ratios alternating 1/2 and 2 average to 1 geometrically; the
	// interval is exp(±t(5)·ln2/√5).
	gm, lo, hi := pairedRatio(ms(10, 20, 10, 20, 10, 20), ms(20, 10, 20, 10, 20, 10))
	half := 2.5706 * math.Ln2 / math.Sqrt(5)
	if math.Abs(gm-1) > 1e-12 || math.Abs(lo/math.Exp(-half)-1) > 0.01 || math.Abs(hi/math.Exp(half)-1) > 0.01 {
		t.Fatalf("alternating ratios: %v %v %v", gm, lo, hi)
	}
	for df, want := range map[int]float64{5: 2.5706, 10: 2.2281, 24: 2.0639, 100: 1.9840} {
		if got := tQuantile975(df); math.Abs(got-want) > 0.005 {
			t.Errorf("t(%d) = %.4f, want %.4f", df, got, want)
		}
	}
}

// tQuantile975 is Student's t 97.5% quantile for df degrees of freedom
// (Cornish-Fisher expansion around the normal's 1.96; within 0.2% for
// df >= 5).
func tQuantile975(df int) float64 {
	const z = 1.959964
	v := float64(df)
	return z + (z*z*z+z)/(4*v) + (5*math.Pow(z, 5)+16*z*z*z+3*z)/(96*v*v) +
		(3*math.Pow(z, 7)+19*math.Pow(z, 5)+17*z*z*z-15*z)/(384*v*v*v)
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

// BenchmarkCallOverheadInterleaved is BenchmarkCallOverhead with both ways
// in alternating rounds of 200 calls, so that drift of the machine hits
// both alike; it reports lua's time per call as a multiple of raw's. A
// third way is the floor no binding can go below: the same Lua loop and
// argument table literal calling a Go function that does nothing, in a
// bare gopher-lua VM.
func BenchmarkCallOverheadInterleaved(b *testing.B) {
	bare := lua.NewState()
	defer bare.Close()
	bare.SetGlobal("f", bare.NewFunction(func(L *lua.LState) int { L.Push(lua.LTrue); return 1 }))
	if err := bare.DoString(`function calls(n) for i = 1, n do f{username='benchname'} end end`); err != nil {
		b.Fatal(err)
	}
	floorCalls := bare.GetGlobal("calls")
	rt, err := runtime.New(runtime.Options{Invoker: trueInvoker{}})
	if err != nil {
		b.Fatal(err)
	}
	defer func() { _ = rt.Close() }()
	if _, err := rt.DoString(context.Background(), `function calls(n) for i = 1, n do account.checkUsername{username='benchname'} end end`); err != nil {
		b.Fatal(err)
	}
	api := tg.NewClient(trueInvoker{})
	const round = 200
	var luaT, rawT, floorT time.Duration
	for b.Loop() {
		t0 := time.Now()
		if _, err := rt.Call(context.Background(), "calls", round); err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		for range round {
			if _, err := api.AccountCheckUsername(context.Background(), "benchname"); err != nil {
				b.Fatal(err)
			}
		}
		t2 := time.Now()
		if err := bare.CallByParam(lua.P{Fn: floorCalls}, lua.LNumber(round)); err != nil {
			b.Fatal(err)
		}
		luaT += t1.Sub(t0)
		rawT += t2.Sub(t1)
		floorT += time.Since(t2)
	}
	b.ReportMetric(float64(luaT)/float64(rawT), "lua/raw")
	b.ReportMetric(float64(floorT)/float64(rawT), "floor/raw")
	b.ReportMetric(float64(luaT)/float64(b.N*round), "lua-ns/call")
	b.ReportMetric(float64(rawT)/float64(b.N*round), "raw-ns/call")
}
