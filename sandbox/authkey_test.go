package sandbox

import (
	"bytes"
	"math/big"
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/gotd/td/crypto"
	"github.com/gotd/td/session"
	"github.com/gotd/td/telegram"
)

func TestKnownPrimesAreSafe(t *testing.T) {
	for _, h := range knownPrimes {
		p, ok := new(big.Int).SetString(h, 16)
		if !ok {
			t.Fatalf("bad hex %q", h)
		}
		if err := crypto.CheckDH(3, p); err != nil {
			t.Errorf("known prime %.16s...: %v", h, err)
		}
	}
}

func TestFactorPQ(t *testing.T) {
	for _, tc := range []struct{ pq, p, q uint64 }{
		{0x17ED48941A08F981, 1229739323, 1402015859}, // gotd's test server
		{15, 3, 5},
		{2 * 7, 2, 7},
		{2147483647 * 2147483629, 2147483629, 2147483647},
		{1000003 * 999983, 999983, 1000003},
	} {
		p, q, ok := factorPQ(tc.pq)
		if !ok || p != tc.p || q != tc.q {
			t.Errorf("factorPQ(%d) = %d, %d, %v; want %d, %d", tc.pq, p, q, ok, tc.p, tc.q)
		}
	}
	if _, _, ok := factorPQ(1); ok {
		t.Error("factorPQ(1) succeeded")
	}
	if _, _, ok := factorPQ(4294967291 * 4294967279); ok {
		t.Error("factorPQ above 2^63 succeeded")
	}
	// Random products of two 31-bit primes, as Telegram's pq is.
	rng := rand.New(rand.NewPCG(1, 2))
	prime := func() uint64 {
		for {
			p := uint64(1<<30) + rng.Uint64N(1<<30)
			if new(big.Int).SetUint64(p).ProbablyPrime(20) {
				return p
			}
		}
	}
	for range 200 {
		a, b := prime(), prime()
		if a == b {
			continue
		}
		p, q, ok := factorPQ(a * b)
		if !ok || p*q != a*b || p > q || (p != a && p != b) {
			t.Fatalf("factorPQ(%d * %d) = %d, %d, %v", a, b, p, q, ok)
		}
	}
}

// TestNewAuthKey: a client started on a session holding the key
// NewAuthKey made logs in and calls over that key, without an exchange of
// its own.
func TestNewAuthKey(t *testing.T) {
	s := startTestServer(t, Options{})
	ctx := testContext(t)
	data, err := s.NewAuthKey(ctx)
	if err != nil {
		t.Fatal(err)
	}
	st := &session.StorageMemory{}
	if err := (&session.Loader{Storage: st}).Save(ctx, data); err != nil {
		t.Fatal(err)
	}
	c, u := startUser(t, s, "+15550000", func(o *telegram.Options) { o.SessionStorage = st })
	if u.Phone != "15550000" {
		t.Fatalf("logged in as %q", u.Phone)
	}
	if _, err := c.API().HelpGetNearestDC(c.ctx); err != nil {
		t.Fatal(err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.keys) != 1 {
		t.Fatalf("server saw %d auth keys, want 1", len(s.keys))
	}
	for id := range s.keys {
		if !bytes.Equal(id[:], data.AuthKeyID) {
			t.Fatalf("server saw key %x, session holds %x", id, data.AuthKeyID)
		}
	}
}

// TestConcurrentKeyExchanges: keys made while other connections' calls
// come in. tgtest reads its map of keys under one mutex and writes it under
// another; without the listener's session guard this ends the process
// with a concurrent map read and write (listener.go) now and then, and
// `go test -race` reports it every time.
func TestConcurrentKeyExchanges(t *testing.T) {
	s := startTestServer(t, Options{})
	ctx := testContext(t)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range 4 {
		c := startClient(t, s, nil)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				if _, err := c.API().HelpGetNearestDC(c.ctx); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	var keys sync.WaitGroup
	for range 4 {
		keys.Add(1)
		go func() {
			defer keys.Done()
			for range 20 {
				if _, err := s.NewAuthKey(ctx); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	keys.Wait()
	close(stop)
	wg.Wait()
}

// BenchmarkNewAuthKey is one key made with the in-process fast path: the
// full exchange against the sandbox, both sides.
func BenchmarkNewAuthKey(b *testing.B) {
	s := startTestServer(b, Options{})
	ctx := testContext(b)
	for b.Loop() {
		if _, err := s.NewAuthKey(ctx); err != nil {
			b.Fatal(err)
		}
	}
}
