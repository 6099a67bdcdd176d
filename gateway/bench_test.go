package gateway_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	runtimepkg "runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gotd/td/session"
	"github.com/gotd/td/telegram"
)

// benchClients is how many HTTP clients call at once.
const benchClients = 8

// BenchmarkGetNearestDc compares requests/s of 8 concurrent HTTP clients
// calling help.getNearestDc through the gateway with a bare net/http
// handler that calls a raw gotd client on the same sandbox and answers
// with encoding/json: the gateway's cost is its routing, the VM, the codec
// and the JSON. Reports p50/p99 latency in ms.
func BenchmarkGetNearestDc(b *testing.B) {
	e := newEnv(b)
	token := e.login("+15550000")
	b.Run("gateway", func(b *testing.B) {
		benchHTTP(b, e.srv.URL+"/user"+token+"/help.getNearestDc")
	})
	b.Run("bare", func(b *testing.B) {
		o := e.sb.TelegramOptions()
		o.SessionStorage = &session.StorageMemory{}
		client := telegram.NewClient(1, "bench", o)
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
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
			b.Fatal(err)
		}
		bare := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			dc, err := client.API().HelpGetNearestDC(r.Context())
			if err != nil {
				http.Error(w, err.Error(), http.StatusBadGateway)
				return
			}
			w.Header().Set("Content-Type", "application/json")
			_ = json.NewEncoder(w).Encode(map[string]any{"ok": true, "result": dc})
		}))
		defer bare.Close()
		benchHTTP(b, bare.URL)
		cancel()
		<-done
	})
}

func benchHTTP(b *testing.B, url string) {
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: benchClients}}
	defer client.CloseIdleConnections()
	get := func() (time.Duration, error) {
		start := time.Now()
		resp, err := client.Get(url)
		if err != nil {
			return 0, err
		}
		_, err = io.Copy(io.Discard, resp.Body)
		_ = resp.Body.Close()
		if resp.StatusCode != 200 {
			b.Fatalf("status %d", resp.StatusCode)
		}
		return time.Since(start), err
	}
	for range benchClients { // warm the connections
		if _, err := get(); err != nil {
			b.Fatal(err)
		}
	}
	var (
		mu   sync.Mutex
		lats = make([]time.Duration, 0, b.N)
		wg   sync.WaitGroup
		next = make(chan struct{}, b.N)
	)
	for range b.N {
		next <- struct{}{}
	}
	close(next)
	b.ResetTimer()
	for range benchClients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			local := make([]time.Duration, 0, b.N/benchClients+1)
			for range next {
				d, err := get()
				if err != nil {
					b.Error(err)
					return
				}
				local = append(local, d)
			}
			mu.Lock()
			lats = append(lats, local...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	b.StopTimer()
	sort.Slice(lats, func(i, j int) bool { return lats[i] < lats[j] })
	if n := len(lats); n > 0 {
		b.ReportMetric(float64(lats[n/2].Microseconds())/1000, "p50-ms")
		b.ReportMetric(float64(lats[n*99/100].Microseconds())/1000, "p99-ms")
	}
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

// rss is the process's resident set in bytes.
func rss(b *testing.B) int64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		b.Skip("no /proc/self/status")
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb * 1024
		}
	}
	b.Skip("no VmRSS")
	return 0
}
