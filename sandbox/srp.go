package sandbox

import (
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/subtle"
	"encoding/binary"
	"encoding/hex"
	"math/big"

	"github.com/go-faster/errors"

	"github.com/gotd/td/bin"
	"github.com/gotd/td/tg"
	"github.com/gotd/td/tgerr"
)

// srpPrime is the 2048-bit safe prime Telegram uses for SRP, with
// generator srpG = 3.
var srpPrime = mustHex("C71CAEB9C6B1C9048E6C522F70F13F73980D40238E3E21C14934D037563D930F" +
	"48198A0AA7C14058229493D22530F4DBFA336F6E0AC925139543AED44CCE7C37" +
	"20FD51F69458705AC68CD4FE6B6B13ABDC9746512969328454F18FAF8C595F64" +
	"2477FE96BB2A941D5BCD1D4AC8CC49880708FA9B378E3C4F3A9060BEE67CF9A4" +
	"A4A695811051907E162753B56B0F6B410DBA74D8A84B2A14B3144E0EF1284754" +
	"FD17ED950D5965B4B9DD46582DB1178D169C6BC465B0D6FF9CA3928FEF5B9AE4" +
	"E418FC15E83EBEA0F87FA9FF5EED70050DED2849F47BF959D956850CE929851F" +
	"0D8115F635B105EE2E4E15D04B2454BF6F4FADF034B10403119CD8E3B92FCC5B")

const srpG = 3

func mustHex(s string) []byte {
	b, err := hex.DecodeString(s)
	if err != nil {
		panic(err)
	}
	return b
}

// srpSession holds the server's half of one SRP exchange.
type srpSession struct {
	id   int64
	user int64
	b    *big.Int
	gb   [256]byte // srp_B
}

func registerPassword(h map[uint32]handlerFunc) {
	h[tg.AccountGetPasswordRequestTypeID] = handle(getPassword)
	h[tg.AuthCheckPasswordRequestTypeID] = handle(checkPassword)
}

func sha(parts ...[]byte) []byte {
	h := sha256.New()
	for _, p := range parts {
		h.Write(p)
	}
	return h.Sum(nil)
}

func pad256(i *big.Int) (out [256]byte) {
	i.FillBytes(out[:])
	return out
}

// srpX computes PH2(password, salt1, salt2) as in
// https://core.telegram.org/api/srp.
func srpX(pass string, salt1, salt2 []byte) ([]byte, error) {
	ph1 := sha(salt2, sha(salt1, []byte(pass), salt1), salt2)
	dk, err := pbkdf2.Key(sha512.New, string(ph1), salt1, 100000, 64)
	if err != nil {
		return nil, errors.Wrap(err, "derive key")
	}
	return sha(salt2, dk, salt2), nil
}

// newPassword derives the SRP verifier of a password with fresh salts.
func newPassword(pass, hint string) (*password, error) {
	salt1 := make([]byte, 40)
	salt2 := make([]byte, 16)
	if _, err := rand.Read(salt1); err != nil {
		return nil, errors.Wrap(err, "read salt")
	}
	if _, err := rand.Read(salt2); err != nil {
		return nil, errors.Wrap(err, "read salt")
	}
	x, err := srpX(pass, salt1, salt2)
	if err != nil {
		return nil, err
	}
	p := new(big.Int).SetBytes(srpPrime)
	v := new(big.Int).Exp(big.NewInt(srpG), new(big.Int).SetBytes(x), p)
	vb := pad256(v)
	return &password{Salt1: salt1, Salt2: salt2, V: vb[:], Hint: hint}, nil
}

// srpK is k = H(p | g).
func srpK() *big.Int {
	g := pad256(big.NewInt(srpG))
	return new(big.Int).SetBytes(sha(srpPrime, g[:]))
}

// newSRP starts an exchange: B = (k*v + g^b) mod p.
func newSRP(uid int64, pw *password) (*srpSession, error) {
	p := new(big.Int).SetBytes(srpPrime)
	var buf [256 + 8]byte
	if _, err := rand.Read(buf[:]); err != nil {
		return nil, errors.Wrap(err, "read random")
	}
	b := new(big.Int).SetBytes(buf[:256])
	gb := new(big.Int).Exp(big.NewInt(srpG), b, p)
	kv := new(big.Int).Mul(srpK(), new(big.Int).SetBytes(pw.V))
	gb.Add(gb, kv).Mod(gb, p)
	return &srpSession{
		id:   int64(binary.LittleEndian.Uint64(buf[256:]) >> 1),
		user: uid,
		b:    b,
		gb:   pad256(gb),
	}, nil
}

// verify checks the client's A and M1 against the exchange.
func (x *srpSession) verify(pw *password, aBytes, m1 []byte) bool {
	p := new(big.Int).SetBytes(srpPrime)
	a := new(big.Int).SetBytes(aBytes)
	if a.Sign() <= 0 || a.Cmp(p) >= 0 || len(aBytes) > 256 {
		return false
	}
	ga := pad256(a)
	u := new(big.Int).SetBytes(sha(ga[:], x.gb[:]))
	// S = (A * v^u) ^ b mod p.
	sv := new(big.Int).Exp(new(big.Int).SetBytes(pw.V), u, p)
	sv.Mul(sv, a).Mod(sv, p)
	sb := pad256(sv.Exp(sv, x.b, p))
	k := sha(sb[:])

	g := pad256(big.NewInt(srpG))
	hp, hg := sha(srpPrime), sha(g[:])
	for i := range hp {
		hp[i] ^= hg[i]
	}
	want := sha(hp, sha(pw.Salt1), sha(pw.Salt2), ga[:], x.gb[:], k)
	return subtle.ConstantTimeCompare(want, m1) == 1
}

// algo describes the KDF of pw (or a fresh one for new passwords).
func algo(pw *password) *tg.PasswordKdfAlgoSHA256SHA256PBKDF2HMACSHA512iter100000SHA256ModPow {
	a := &tg.PasswordKdfAlgoSHA256SHA256PBKDF2HMACSHA512iter100000SHA256ModPow{G: srpG, P: srpPrime}
	if pw != nil {
		a.Salt1, a.Salt2 = pw.Salt1, pw.Salt2
	} else {
		a.Salt1, a.Salt2 = []byte(randomHex(4)), []byte(randomHex(8))
	}
	return a
}

func getPassword(s *Server, c *call, _ *tg.AccountGetPasswordRequest) (bin.Encoder, error) {
	uid := c.auth.user
	if uid == 0 {
		uid = c.auth.pending
	}
	u := s.st.Users[uid]
	if u == nil {
		return nil, errUnauthorized
	}
	res := &tg.AccountPassword{
		NewAlgo:       algo(nil),
		NewSecureAlgo: &tg.SecurePasswordKdfAlgoSHA512{Salt: []byte(randomHex(4))},
		SecureRandom:  []byte(randomHex(16)),
	}
	if u.Password == nil {
		return res, nil
	}
	x, err := newSRP(u.ID, u.Password)
	if err != nil {
		return nil, err
	}
	c.auth.srp = x
	res.HasPassword = true
	res.CurrentAlgo = algo(u.Password)
	res.SRPB = x.gb[:]
	res.SRPID = x.id
	res.Hint = u.Password.Hint
	return res, nil
}

func checkPassword(s *Server, c *call, req *tg.AuthCheckPasswordRequest) (bin.Encoder, error) {
	in, ok := req.Password.(*tg.InputCheckPasswordSRP)
	if !ok {
		return nil, tgerr.New(400, "PASSWORD_HASH_INVALID")
	}
	x := c.auth.srp
	if x == nil || x.id != in.SRPID {
		return nil, tgerr.New(400, "SRP_ID_INVALID")
	}
	u := s.st.Users[x.user]
	if u == nil || u.Password == nil {
		return nil, tgerr.New(400, "SRP_ID_INVALID")
	}
	if !x.verify(u.Password, in.A, in.M1) {
		return nil, tgerr.New(400, "PASSWORD_HASH_INVALID")
	}
	c.auth.srp = nil
	s.bind(c.auth, u.ID)
	return s.authorization(u.ID), nil
}
