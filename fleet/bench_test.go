package fleet_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	goruntime "runtime"
	"runtime/pprof"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/tglua/tglua/fleet"
	"github.com/tglua/tglua/internal/memstat"
	"github.com/tglua/tglua/internal/syncbuf"
	"github.com/tglua/tglua/runtime"
	"github.com/tglua/tglua/sandbox/sandboxtest"
)

// BenchmarkFleet brings up TGLUA_ACCOUNTS accounts (default 10; their
// keys are made and logged in first, two at a time, by the sandbox's
// NewAuthKey, or with TGLUA_EXCHANGE=1 by the exchange any client of a
// --server makes, internal/authkey's with a 2048-bit exponent; the time
// is reported as ms-keys), runs a script that answers one call
// in each, and with all of them alive at once reports the process's RSS
// growth, its live heap and stack growth (KB-live) and goroutines per
// account, and the time to bring them up. The
// sandbox runs in the same process: its per-connection state is included.
// With TGLUA_HEAPPROFILE=FILE it writes a heap profile to FILE and the
// goroutines to FILE.goroutines while all accounts are up (add
// -test.memprofilerate=1 for every allocation).
func BenchmarkFleet(b *testing.B) {
	n := 10
	if s := os.Getenv("TGLUA_ACCOUNTS"); s != "" {
		n, _ = strconv.Atoi(s)
	}
	sb := sandboxtest.Start(b)
	base := runtime.Options{Dial: runtime.Dial{AppID: 1, AppHash: "sandbox", Server: sb.Addr().String(), ServerKey: sb.PublicKeyPEM(), DC: sb.DC()}}
	setup := base
	if os.Getenv("TGLUA_EXCHANGE") == "" {
		setup.Dial.NewAuthKey = sb.NewAuthKey
	}
	dir := b.TempDir()
	keysStart := time.Now()
	phones := []string{"+15550000", "+15550001", "+15550002"}
	var wg sync.WaitGroup
	sem := make(chan struct{}, 2)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			o := setup
			o.SessionPath = filepath.Join(dir, fmt.Sprintf("a%04d%s", i, fleet.SessionExt))
			o.Stdout, o.Stderr = &syncbuf.Buffer{}, &syncbuf.Buffer{}
			rt, err := runtime.New(o)
			if err != nil {
				b.Error(err)
				return
			}
			defer func() { _ = rt.Close() }()
			if _, err := rt.DoStringAsHost(context.Background(), `phone_login('`+phones[i%3]+`') complete_phone_login('12345')`); err != nil {
				b.Error(err)
			}
		}()
	}
	wg.Wait()
	keysTime := time.Since(keysStart)
	for range b.N {
		goruntime.GC()
		before, g0 := rss(b), goruntime.NumGoroutine()
		var m0 goruntime.MemStats
		goruntime.ReadMemStats(&m0)
		var up sync.WaitGroup
		up.Add(n)
		release := make(chan struct{})
		start := time.Now()
		var upTime time.Duration
		go func() {
			up.Wait()
			upTime = time.Since(start)
			goruntime.GC()
			after, g1 := rss(b), goruntime.NumGoroutine()
			var m1 goruntime.MemStats
			goruntime.ReadMemStats(&m1)
			b.ReportMetric(float64(after-before)/float64(n)/1024, "KB-RSS/account")
			live := float64(m1.HeapAlloc+m1.StackInuse) - float64(m0.HeapAlloc+m0.StackInuse)
			b.ReportMetric(live/float64(n)/1024, "KB-live/account")
			b.ReportMetric(float64(g1-g0)/float64(n), "goroutines/account")
			b.ReportMetric(upTime.Seconds()*1000, "ms-all-up")
			b.ReportMetric(keysTime.Seconds()*1000, "ms-keys")
			if f := os.Getenv("TGLUA_HEAPPROFILE"); f != "" {
				if w, err := os.Create(f); err == nil {
					_ = pprof.WriteHeapProfile(w)
					_ = w.Close()
				}
				if w, err := os.Create(f + ".goroutines"); err == nil {
					_ = pprof.Lookup("goroutine").WriteTo(w, 1)
					_ = w.Close()
				}
			}
			close(release)
		}()
		res, err := fleet.Run(context.Background(), fleet.Options{Accounts: dir, Runtime: base, Stdout: &syncbuf.Buffer{}, Stderr: &syncbuf.Buffer{}, Parallel: 8},
			func(ctx context.Context, rt *runtime.Runtime) error {
				_, err := rt.DoString(ctx, `return help.getNearestDc()`)
				up.Done()
				<-release
				return err
			})
		if err != nil {
			b.Fatal(err)
		}
		for _, r := range res {
			if r.Err != nil {
				b.Fatalf("%s: %v", r.Name, r.Err)
			}
		}
	}
}

// rss is the process's resident set in bytes; it skips the benchmark
// where that cannot be read.
func rss(b *testing.B) int64 {
	n, err := memstat.RSS()
	if err != nil {
		b.Skip(err)
	}
	return n
}
