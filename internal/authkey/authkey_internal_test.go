package authkey

import (
	"math/big"
	"math/rand/v2"
	"testing"

	"github.com/gotd/td/crypto"
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
