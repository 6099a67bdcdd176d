// Package authkey creates MTProto auth keys: the client's side of the key
// exchange (https://core.telegram.org/mtproto/auth_key), built from gotd's
// exported parts, for a server given by address and RSA public key.
//
// It does what gotd's exchange does, faster on the client's side, where gotd
// spends about 0.7 s of CPU on two checks that exist to distrust a server:
//   - dh_prime is compared with the primes already known to be safe (the
//     way TDLib caches primes that passed), and only an unknown one gets
//     the 2048-bit primality checks of crypto.CheckDH;
//   - pq is factored with Pollard's rho on 64-bit words, in microseconds,
//     instead of crypto.DecomposePQ's big.Int loop.
//
// Every other check of the exchange is made: nonces, the server's key
// fingerprint, g and g_a against the prime, and the new nonce hash.
package authkey

import (
	"context"
	"crypto/rsa"
	"math/big"
	"math/bits"
	"net"
	"time"

	"github.com/go-faster/errors"

	"github.com/gotd/td/bin"
	"github.com/gotd/td/crypto"
	"github.com/gotd/td/exchange"
	"github.com/gotd/td/mt"
	"github.com/gotd/td/proto"
	"github.com/gotd/td/session"
	"github.com/gotd/td/transport"
)

// Options tune New.
type Options struct {
	// ExponentBits is the size of the client's secret exponent b. Zero
	// means 2048, as Telegram's documentation asks. 256 bits give a
	// 2048-bit safe prime the 128-bit strength NIST SP 800-56A asks of it,
	// and cost the client's two exponentiations an eighth: for a server
	// the client trusts, such as the sandbox in its own process.
	ExponentBits int
	// Timeout bounds the whole exchange; zero means 30 s.
	Timeout time.Duration
}

func (o *Options) setDefaults() {
	if o.ExponentBits == 0 {
		o.ExponentBits = 2048
	}
	if o.Timeout == 0 {
		o.Timeout = 30 * time.Second
	}
}

// New creates an auth key with the MTProto server at addr ("host:port",
// the intermediate transport over TCP), whose RSA public key is server,
// for datacenter dc, and returns the session data that holds it.
func New(ctx context.Context, addr string, server *rsa.PublicKey, dc int, opts Options) (*session.Data, error) {
	opts.setDefaults()
	if opts.ExponentBits%8 != 0 || opts.ExponentBits < 256 || opts.ExponentBits > 2048 {
		return nil, errors.Errorf("new auth key: exponent of %d bits (want a multiple of 8 from 256 to 2048)", opts.ExponentBits)
	}
	ctx, cancel := context.WithTimeout(ctx, opts.Timeout)
	defer cancel()

	var d net.Dialer
	raw, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, errors.Wrap(err, "new auth key: dial")
	}
	defer func() { _ = raw.Close() }()
	if dl, ok := ctx.Deadline(); ok {
		_ = raw.SetDeadline(dl)
	}
	conn, err := transport.Intermediate.Handshake(raw)
	if err != nil {
		return nil, errors.Wrap(err, "new auth key: handshake")
	}
	key, salt, err := clientExchange(ctx, conn, server, dc, opts.ExponentBits)
	if err != nil {
		return nil, errors.Wrap(err, "new auth key: key exchange")
	}
	id := key.ID()
	return &session.Data{
		DC:        dc,
		Addr:      addr,
		AuthKey:   key[:],
		AuthKeyID: id[:],
		Salt:      salt,
	}, nil
}

// clientExchange is the client's side of the MTProto key exchange
// (https://core.telegram.org/mtproto/auth_key), built from gotd's exported
// parts. It returns the auth key and the first server salt.
func clientExchange(ctx context.Context, conn transport.Conn, server *rsa.PublicKey, dc, expBits int) (crypto.Key, int64, error) {
	rnd := crypto.DefaultRand()
	pub := exchange.PublicKey{RSA: server}
	b := new(bin.Buffer)

	nonce, err := crypto.RandInt128(rnd)
	if err != nil {
		return crypto.Key{}, 0, err
	}
	var res mt.ResPQ
	if err := roundTrip(ctx, conn, b, &mt.ReqPqMultiRequest{Nonce: nonce}, &res); err != nil {
		return crypto.Key{}, 0, errors.Wrap(err, "req_pq_multi")
	}
	if res.Nonce != nonce {
		return crypto.Key{}, 0, errors.New("ResPQ nonce mismatch")
	}
	if !hasFingerprint(res.ServerPublicKeyFingerprints, pub.Fingerprint()) {
		return crypto.Key{}, 0, errors.New("server offers no key of ours")
	}
	pq := new(big.Int).SetBytes(res.Pq)
	if pq.BitLen() > 63 {
		return crypto.Key{}, 0, errors.New("server provided bad pq")
	}
	p, q, ok := factorPQ(pq.Uint64())
	if !ok {
		return crypto.Key{}, 0, errors.Errorf("cannot factor pq %d", pq.Uint64())
	}
	pBytes := new(big.Int).SetUint64(p).Bytes()
	qBytes := new(big.Int).SetUint64(q).Bytes()

	newNonce, err := crypto.RandInt256(rnd)
	if err != nil {
		return crypto.Key{}, 0, err
	}
	b.Reset()
	inner := &mt.PQInnerDataDC{
		Pq: res.Pq, P: pBytes, Q: qBytes,
		Nonce: nonce, ServerNonce: res.ServerNonce, NewNonce: newNonce, DC: dc,
	}
	if err := inner.Encode(b); err != nil {
		return crypto.Key{}, 0, err
	}
	encrypted, err := crypto.RSAPad(b.Copy(), pub.RSA, rnd)
	if err != nil {
		return crypto.Key{}, 0, errors.Wrap(err, "encrypt p_q_inner_data")
	}
	var params mt.ServerDHParamsBox
	err = roundTrip(ctx, conn, b, &mt.ReqDHParamsRequest{
		Nonce: nonce, ServerNonce: res.ServerNonce, P: pBytes, Q: qBytes,
		PublicKeyFingerprint: pub.Fingerprint(), EncryptedData: encrypted,
	}, &params)
	if err != nil {
		return crypto.Key{}, 0, errors.Wrap(err, "req_DH_params")
	}
	ok2, isOK := params.Server_DH_Params.(*mt.ServerDHParamsOk)
	if !isOK {
		return crypto.Key{}, 0, errors.Errorf("server answered %T", params.Server_DH_Params)
	}
	if ok2.Nonce != nonce || ok2.ServerNonce != res.ServerNonce {
		return crypto.Key{}, 0, errors.New("ServerDHParamsOk nonce mismatch")
	}
	aesKey, aesIV := crypto.TempAESKeys(newNonce.BigInt(), res.ServerNonce.BigInt())
	answer, err := crypto.DecryptExchangeAnswer(ok2.EncryptedAnswer, aesKey, aesIV)
	if err != nil {
		return crypto.Key{}, 0, errors.Wrap(err, "decrypt answer")
	}
	var dh mt.ServerDHInnerData
	if err := dh.Decode(&bin.Buffer{Buf: answer}); err != nil {
		return crypto.Key{}, 0, errors.Wrap(err, "decode server_DH_inner_data")
	}
	if dh.Nonce != nonce || dh.ServerNonce != res.ServerNonce {
		return crypto.Key{}, 0, errors.New("ServerDHInnerData nonce mismatch")
	}
	dhPrime := new(big.Int).SetBytes(dh.DhPrime)
	if err := checkPrime(dh.G, dhPrime); err != nil {
		return crypto.Key{}, 0, errors.Wrap(err, "check DH params")
	}
	g := big.NewInt(int64(dh.G))
	gA := new(big.Int).SetBytes(dh.GA)
	bParam, err := randBig(rnd, expBits)
	if err != nil {
		return crypto.Key{}, 0, err
	}
	gB := new(big.Int).Exp(g, bParam, dhPrime)
	if err := crypto.CheckDHParams(dhPrime, g, gA, gB); err != nil {
		return crypto.Key{}, 0, errors.Wrap(err, "check DH params")
	}
	b.Reset()
	if err := (&mt.ClientDHInnerData{Nonce: nonce, ServerNonce: res.ServerNonce, GB: gB.Bytes()}).Encode(b); err != nil {
		return crypto.Key{}, 0, err
	}
	clientEncrypted, err := crypto.EncryptExchangeAnswer(rnd, b.Copy(), aesKey, aesIV)
	if err != nil {
		return crypto.Key{}, 0, errors.Wrap(err, "encrypt client_DH_inner_data")
	}
	var gen mt.SetClientDHParamsAnswerBox
	err = roundTrip(ctx, conn, b, &mt.SetClientDHParamsRequest{
		Nonce: nonce, ServerNonce: res.ServerNonce, EncryptedData: clientEncrypted,
	}, &gen)
	if err != nil {
		return crypto.Key{}, 0, errors.Wrap(err, "set_client_DH_params")
	}
	genOK, isOK := gen.Set_client_DH_params_answer.(*mt.DhGenOk)
	if !isOK {
		return crypto.Key{}, 0, errors.Errorf("server answered %T", gen.Set_client_DH_params_answer)
	}
	var key crypto.Key
	new(big.Int).Exp(gA, bParam, dhPrime).FillBytes(key[:])
	if crypto.NonceHash1(newNonce, key) != genOK.NewNonceHash1 {
		return crypto.Key{}, 0, errors.New("key exchange verification failed: hash mismatch")
	}
	return key, crypto.ServerSalt(newNonce, res.ServerNonce), nil
}

// roundTrip sends an unencrypted request and decodes the answer.
func roundTrip(ctx context.Context, conn transport.Conn, b *bin.Buffer, req bin.Encoder, res bin.Decoder) error {
	b.Reset()
	if err := req.Encode(b); err != nil {
		return err
	}
	msg := proto.UnencryptedMessage{
		MessageID:   int64(proto.NewMessageID(time.Now(), proto.MessageFromClient)),
		MessageData: b.Copy(),
	}
	b.Reset()
	if err := msg.Encode(b); err != nil {
		return err
	}
	if err := conn.Send(ctx, b); err != nil {
		return errors.Wrap(err, "send")
	}
	b.Reset()
	if err := conn.Recv(ctx, b); err != nil {
		return errors.Wrap(err, "receive")
	}
	if err := msg.Decode(b); err != nil {
		return errors.Wrap(err, "decode message")
	}
	return res.Decode(&bin.Buffer{Buf: msg.MessageData})
}

func hasFingerprint(fps []int64, fp int64) bool {
	for _, f := range fps {
		if f == fp {
			return true
		}
	}
	return false
}

func randBig(rnd interface{ Read([]byte) (int, error) }, nbits int) (*big.Int, error) {
	buf := make([]byte, nbits/8)
	if _, err := rnd.Read(buf); err != nil {
		return nil, errors.Wrap(err, "read random")
	}
	return new(big.Int).SetBytes(buf), nil
}

// TelegramPrime is the 2048-bit safe prime, in hex, that Telegram and gotd's
// test server use as dh_prime (with g = 3), and Telegram uses for SRP.
const TelegramPrime = "C71CAEB9C6B1C9048E6C522F70F13F73980D40238E3E21C14934D037563D930F" +
	"48198A0AA7C14058229493D22530F4DBFA336F6E0AC925139543AED44CCE7C37" +
	"20FD51F69458705AC68CD4FE6B6B13ABDC9746512969328454F18FAF8C595F64" +
	"2477FE96BB2A941D5BCD1D4AC8CC49880708FA9B378E3C4F3A9060BEE67CF9A4" +
	"A4A695811051907E162753B56B0F6B410DBA74D8A84B2A14B3144E0EF1284754" +
	"FD17ED950D5965B4B9DD46582DB1178D169C6BC465B0D6FF9CA3928FEF5B9AE4" +
	"E418FC15E83EBEA0F87FA9FF5EED70050DED2849F47BF959D956850CE929851F" +
	"0D8115F635B105EE2E4E15D04B2454BF6F4FADF034B10403119CD8E3B92FCC5B"

// knownPrimes are the dh_primes known to be safe 2048-bit primes.
// TestKnownPrimesAreSafe runs crypto.CheckDH on each.
var knownPrimes = []string{TelegramPrime}

// checkPrime accepts a known safe prime after checking g against it, and
// gives any other prime crypto.CheckDH's full checks.
func checkPrime(g int, p *big.Int) error {
	for _, h := range knownPrimes {
		k, _ := new(big.Int).SetString(h, 16)
		if k.Cmp(p) == 0 {
			return crypto.CheckGP(g, p)
		}
	}
	return crypto.CheckDH(g, p)
}

// factorPQ splits pq into primes p < q with Brent's variant of Pollard's
// rho in Montgomery form (no division in the loop: about 0.3 ms for two
// 31-bit primes). Telegram's pq is below 2^63, as clientExchange checks;
// larger numbers are refused.
func factorPQ(pq uint64) (p, q uint64, ok bool) {
	if pq < 4 || pq >= 1<<63 {
		return 0, 0, false
	}
	if pq%2 == 0 {
		return 2, pq / 2, true
	}
	d := brent(pq)
	if d <= 1 || d >= pq {
		return 0, 0, false
	}
	p, q = d, pq/d
	if p > q {
		p, q = q, p
	}
	return p, q, true
}

func gcd(a, b uint64) uint64 {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

// montgomery is arithmetic modulo an odd n < 2^63 in Montgomery form
// (R = 2^64).
type montgomery struct{ n, inv uint64 } // inv = -n^-1 mod 2^64

func newMontgomery(n uint64) montgomery {
	x := n // Newton's iteration: each step doubles the correct low bits
	for range 5 {
		x *= 2 - n*x
	}
	return montgomery{n: n, inv: -x}
}

// mul returns a*b/R mod n for a, b < n.
func (m montgomery) mul(a, b uint64) uint64 {
	hi, lo := bits.Mul64(a, b)
	t := lo * m.inv
	mhi, mlo := bits.Mul64(t, m.n)
	_, carry := bits.Add64(lo, mlo, 0)
	r := hi + mhi + carry // < 2n < 2^64
	if r >= m.n {
		r -= m.n
	}
	return r
}

// brent returns a non-trivial factor of the odd composite n < 2^63, or 0.
func brent(n uint64) uint64 {
	m := newMontgomery(n)
	const batch = 128
	for c := uint64(1); c < 64; c++ {
		f := func(x uint64) uint64 {
			x = m.mul(x, x) + c
			if x >= n {
				x -= n
			}
			return x
		}
		y, g, q := uint64(2), uint64(1), uint64(1)
		var x, ys uint64
		for r := 1; g == 1 && r < 1<<24; r *= 2 {
			x = y
			for range r {
				y = f(y)
			}
			for k := 0; k < r && g == 1; k += batch {
				ys = y
				for range min(batch, r-k) {
					y = f(y)
					d := x - y
					if x < y {
						d = y - x
					}
					q = m.mul(q, d)
				}
				g = gcd(q, n)
			}
		}
		if g == n {
			// The batch overshot: step again one at a time.
			for g = 1; g == 1; {
				ys = f(ys)
				d := x - ys
				if x < ys {
					d = ys - x
				}
				g = gcd(d, n)
			}
		}
		if g != n && g > 1 {
			return g
		}
	}
	return 0
}
