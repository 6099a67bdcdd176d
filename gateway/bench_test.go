package gateway_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	runtimepkg "runtime"
	"sort"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/gotd/td/session"
	"github.com/gotd/td/telegram"

	"github.com/tglua/tglua/internal/memstat"
	"github.com/tglua/tglua/internal/testserver"
)

// benchClients is how many HTTP clients call at once.
const benchClients = 8

// BenchmarkGetNearestDc compares requests/s of 8 concurrent HTTP clients
// calling help.getNearestDc through the gateway with a bare net/http
// handler that calls a raw gotd client on the same sandbox and answers
// with encoding/json: the gateway's cost is its routing, the VM, the codec
// and the JSON. The two alternate in rounds of 400 requests (the order
// swapped every round), so machine noise hits both alike; it reports both
// rates, their ratio and p50/p99 latency in ms.
func BenchmarkGetNearestDc(b *testing.B) {
	e := newEnv(b)
	token := e.login("+15550000")
	bare := bareServer(b, e)
	urls := [2]string{e.srv.URL + "/user" + token + "/help.getNearestDc", bare}
	clients := [2]*http.Client{newBenchClient(), newBenchClient()}
	for i := range urls {
		runBatch(b, clients[i], urls[i], 2*benchClients) // warm up
	}
	const round = 400
	var (
		took [2]time.Duration
		lats [2][]time.Duration
		n    int
	)
	b.ResetTimer()
	for r := 0; n < b.N; r++ {
		for k := range 2 {
			i := (r + k) % 2
			start := time.Now()
			lats[i] = append(lats[i], runBatch(b, clients[i], urls[i], round)...)
			took[i] += time.Since(start)
		}
		n += round
	}
	b.StopTimer()
	gw, raw := float64(len(lats[0]))/took[0].Seconds(), float64(len(lats[1]))/took[1].Seconds()
	b.ReportMetric(gw, "gateway-req/s")
	b.ReportMetric(raw, "bare-req/s")
	b.ReportMetric(gw/raw, "ratio")
	for i, name := range []string{"gateway", "bare"} {
		l := lats[i]
		sort.Slice(l, func(a, c int) bool { return l[a] < l[c] })
		b.ReportMetric(float64(l[len(l)/2].Microseconds())/1000, name+"-p50-ms")
		b.ReportMetric(float64(l[len(l)*99/100].Microseconds())/1000, name+"-p99-ms")
	}
}

// bareServer is a net/http handler calling a raw gotd client on e's
// sandbox.
func bareServer(b *testing.B, e *env) string {
	o := e.sb.TelegramOptions()
	o.SessionStorage = &session.StorageMemory{}
	client := telegram.NewClient(1, "bench", o)
	testserver.RunClient(b, client)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		dc, err := client.API().HelpGetNearestDC(r.Context())
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"ok": true, "result": dc})
	}))
	b.Cleanup(srv.Close)
	return srv.URL
}

func newBenchClient() *http.Client {
	return &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: benchClients}}
}

// runBatch makes n GETs of url from benchClients goroutines and returns
// their latencies.
func runBatch(b *testing.B, client *http.Client, url string, n int) []time.Duration {
	next := make(chan struct{}, n)
	for range n {
		next <- struct{}{}
	}
	close(next)
	var (
		mu   sync.Mutex
		lats = make([]time.Duration, 0, n)
		wg   sync.WaitGroup
	)
	for range benchClients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			local := make([]time.Duration, 0, n/benchClients+1)
			for range next {
				start := time.Now()
				resp, err := client.Get(url)
				if err != nil {
					b.Error(err)
					return
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				_ = resp.Body.Close()
				if resp.StatusCode != 200 {
					b.Errorf("status %d", resp.StatusCode)
					return
				}
				local = append(local, time.Since(start))
			}
			mu.Lock()
			lats = append(lats, local...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	return lats
}

// BenchmarkAccounts logs in TGLUA_ACCOUNTS accounts (default 20) in one
// gateway, each a VM and a connection answering a call, and reports the
// process's RSS growth per account. The in-process sandbox's state for
// each connection is included, so the gateway's own share is smaller.
func BenchmarkAccounts(b *testing.B) {
	n := 20
	if s := os.Getenv("TGLUA_ACCOUNTS"); s != "" {
		n, _ = strconv.Atoi(s)
	}
	for range b.N {
		e := newEnv(b)
		runtimepkg.GC()
		before := rss(b)
		phones := []string{"+15550000", "+15550001", "+15550002"}
		start := time.Now()
		var wg sync.WaitGroup
		sem := make(chan struct{}, 2) // key exchanges are CPU-bound
		tokens := make([]string, n)
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				sem <- struct{}{}
				defer func() { <-sem }()
				tokens[i] = e.login(phones[i%len(phones)])
			}()
		}
		wg.Wait()
		up := time.Since(start)
		for _, tok := range tokens {
			ok(b, e.get("/user"+tok+"/help.getNearestDc"))
		}
		runtimepkg.GC()
		after := rss(b)
		b.ReportMetric(float64(after-before)/float64(n)/1024, "KB-RSS/account")
		b.ReportMetric(up.Seconds()/float64(n)*1000, "ms-login/account")
		b.ReportMetric(float64(runtimepkg.NumGoroutine())/float64(n), "goroutines/account")
		e.stop()
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
