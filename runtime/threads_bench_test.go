package runtime_test

import (
	"context"
	"math/rand/v2"
	"runtime"
	"runtime/pprof"
	"testing"
	"time"

	lua "github.com/yuin/gopher-lua"

	"github.com/tglua/tglua/internal/syncbuf"
	tgruntime "github.com/tglua/tglua/runtime"
	"github.com/tglua/tglua/sandbox"
	"github.com/tglua/tglua/sandbox/sandboxtest"
)

// BenchmarkThroughputThreads8 compares one VM making its calls from 8
// light threads with a raw gotd client called from 8 goroutines, over the
// same loopback connection, in rounds of 400 calls in random order (see
// benchThroughput).
func BenchmarkThroughputThreads8(b *testing.B) {
	client := benchClient(b)
	rt := luaWorker(b, client)
	if _, err := rt.DoString(context.Background(), `
		function threaded_calls(n)
			local ts = {}
			for i = 1, 8 do ts[i] = spawn(calls, n / 8) end
			wait(table.unpack and table.unpack(ts) or unpack(ts))
		end`); err != nil {
		b.Fatal(err)
	}
	raw := newCrew(b, 8, "raw")
	lua := func() (err error) {
		// The light threads inherit the label, as the raw crew's goroutines
		// carry theirs: go tool pprof -tagfocus way=lua.
		pprof.Do(context.Background(), pprof.Labels("way", "lua"), func(ctx context.Context) {
			_, err = rt.Call(ctx, "threaded_calls", benchRound)
		})
		return err
	}
	ways := []func() error{lua, func() error { return raw.run(benchRound, func(_, n int) error { return rawCalls(client, n) }) }}
	rng := rand.New(rand.NewPCG(1, 8))
	var total, cpu [2]time.Duration
	var rounds [2][]time.Duration
	calls := 0
	b.ResetTimer()
	for range b.N {
		for done := 0; done < benchCalls; done += benchRound {
			for _, way := range rng.Perm(2) {
				t0, c0 := time.Now(), cpuTime()
				if err := ways[way](); err != nil {
					b.Fatal(err)
				}
				d := time.Since(t0)
				cpu[way] += cpuTime() - c0
				total[way] += d
				rounds[way] = append(rounds[way], d)
			}
			calls += benchRound
		}
	}
	b.StopTimer()
	ratio := total[1].Seconds() / total[0].Seconds()
	gm, lo, hi := pairedRatio(rounds[1], rounds[0])
	b.ReportMetric(ratio, "lua/raw")
	b.ReportMetric(lo, "lua/raw-lo95")
	b.ReportMetric(float64(calls)/total[0].Seconds(), "lua-calls/s")
	b.ReportMetric(float64(calls)/total[1].Seconds(), "raw-calls/s")
	b.ReportMetric(float64(cpu[0].Nanoseconds())/float64(calls)/1000, "lua-cpu-µs/call")
	b.ReportMetric(float64(cpu[1].Nanoseconds())/float64(calls)/1000, "raw-cpu-µs/call")
	b.Logf("8 light threads in one VM against 8 goroutines on raw gotd: %.3f; per round %.3f (95%% CI %.3f-%.3f)", ratio, gm, lo, hi)
}

// BenchmarkLatencyBoundMap: with the sandbox adding 200 ms to every
// answer, 100 calls through map(..., {concurrency=20}) against one call.
func BenchmarkLatencyBoundMap(b *testing.B) {
	sb := sandboxtest.Start(b)
	rt, err := tgruntime.New(tgruntime.Options{Stdout: &syncbuf.Buffer{}, Stderr: &syncbuf.Buffer{}, Dial: tgruntime.Dial{
		AppID: 1, AppHash: "sandbox", Server: sb.Addr().String(), ServerKey: sb.PublicKeyPEM(), DC: sb.DC(),
	}})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = rt.Close() })
	if _, err := rt.DoString(context.Background(), `help.getNearestDc()`); err != nil {
		b.Fatal(err)
	}
	sb.SetFault("help.getNearestDc", sandbox.Fault{Latency: 200 * time.Millisecond})
	var one, hundred time.Duration
	b.ResetTimer()
	for range b.N {
		t0 := time.Now()
		if _, err := rt.DoString(context.Background(), `help.getNearestDc()`); err != nil {
			b.Fatal(err)
		}
		one += time.Since(t0)
		t0 = time.Now()
		if _, err := rt.DoString(context.Background(), `
			local list = {}
			for i = 1, 100 do list[i] = i end
			local r = map(function() return help.getNearestDc().this_dc end, list, {concurrency=20})
			assert(#r == 100)`); err != nil {
			b.Fatal(err)
		}
		hundred += time.Since(t0)
	}
	b.ReportMetric(one.Seconds()/float64(b.N)*1000, "ms/call")
	b.ReportMetric(hundred.Seconds()/float64(b.N)*1000, "ms/100-calls")
	b.ReportMetric(float64(hundred)/float64(one), "x-one-call")
}

// BenchmarkThreadMemory: memory per parked light thread (one waiting in
// sleep: its LState, its goroutine's stack and its bookkeeping), measured
// over 10,000 threads.
func BenchmarkThreadMemory(b *testing.B) {
	rt, err := tgruntime.New(tgruntime.Options{Stdout: &syncbuf.Buffer{}, Stderr: &syncbuf.Buffer{}})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = rt.Close() })
	const n = 10000
	var perThread float64
	mem := func() uint64 {
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.HeapAlloc + m.StackInuse
	}
	var base uint64
	rt.SetGlobal("mark", rt.State().NewFunction(func(*lua.LState) int { base = mem(); return 0 }))
	rt.SetGlobal("measure", rt.State().NewFunction(func(*lua.LState) int {
		perThread = float64(mem()-base) / n
		return 0
	}))
	for range b.N {
		if _, err := rt.DoString(context.Background(), `
			mark()
			local ts = {}
			for i = 1, 10000 do ts[i] = spawn(function() sleep(0.2) end) end
			measure()
			ts = nil`); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(perThread, "bytes/thread")
}
