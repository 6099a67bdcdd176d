// Package srp is the server side of Telegram's two-step verification SRP
// (https://core.telegram.org/api/srp): password verifiers, the server's
// challenge B, and the check of the client's proof M1. gotd's crypto/srp
// has the client side; this package answers it.
package srp

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

	"github.com/gotd/td/tg"

	"github.com/tglua/tglua/internal/authkey"
)

// Prime is the 2048-bit safe prime Telegram uses, with generator G.
var Prime = mustHex(authkey.TelegramPrime)

// G is the generator.
const G = 3

func mustHex(s string) []byte {
	b, err := hex.DecodeString(s)
	if err != nil {
		panic(err)
	}
	return b
}

// Password is what a server stores of a password: its salts and verifier.
type Password struct {
	Salt1, Salt2 []byte
	V            []byte // g^x mod p, 256 bytes
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

// x computes PH2(password, salt1, salt2).
func x(pass string, salt1, salt2 []byte) ([]byte, error) {
	ph1 := sha(salt2, sha(salt1, []byte(pass), salt1), salt2)
	dk, err := pbkdf2.Key(sha512.New, string(ph1), salt1, 100000, 64)
	if err != nil {
		return nil, errors.Wrap(err, "derive key")
	}
	return sha(salt2, dk, salt2), nil
}

// NewPassword derives the verifier of pass with fresh salts.
func NewPassword(pass string) (*Password, error) {
	salt1 := make([]byte, 40)
	salt2 := make([]byte, 16)
	if _, err := rand.Read(salt1); err != nil {
		return nil, errors.Wrap(err, "read salt")
	}
	if _, err := rand.Read(salt2); err != nil {
		return nil, errors.Wrap(err, "read salt")
	}
	xb, err := x(pass, salt1, salt2)
	if err != nil {
		return nil, err
	}
	v := new(big.Int).Exp(big.NewInt(G), new(big.Int).SetBytes(xb), new(big.Int).SetBytes(Prime))
	vb := pad256(v)
	return &Password{Salt1: salt1, Salt2: salt2, V: vb[:]}, nil
}

// Algo describes the password's KDF for account.getPassword.
func (pw *Password) Algo() *tg.PasswordKdfAlgoSHA256SHA256PBKDF2HMACSHA512iter100000SHA256ModPow {
	return &tg.PasswordKdfAlgoSHA256SHA256PBKDF2HMACSHA512iter100000SHA256ModPow{
		Salt1: pw.Salt1, Salt2: pw.Salt2, G: G, P: Prime,
	}
}

// Challenge is the server's half of one exchange.
type Challenge struct {
	ID int64     // srp_id
	B  [256]byte // srp_B = (k*v + g^b) mod p
	b  *big.Int
}

// NewChallenge starts an exchange for pw.
func NewChallenge(pw *Password) (*Challenge, error) {
	p := new(big.Int).SetBytes(Prime)
	var buf [256 + 8]byte
	if _, err := rand.Read(buf[:]); err != nil {
		return nil, errors.Wrap(err, "read random")
	}
	b := new(big.Int).SetBytes(buf[:256])
	g := pad256(big.NewInt(G))
	k := new(big.Int).SetBytes(sha(Prime, g[:]))
	gb := new(big.Int).Exp(big.NewInt(G), b, p)
	gb.Add(gb, new(big.Int).Mul(k, new(big.Int).SetBytes(pw.V))).Mod(gb, p)
	return &Challenge{ID: int64(binary.LittleEndian.Uint64(buf[256:]) >> 1), B: pad256(gb), b: b}, nil
}

// Verify checks the client's A and M1:
// M1 = H(H(p) xor H(g) | H(salt1) | H(salt2) | A | B | H(S)), S = (A * v^u)^b mod p.
func (c *Challenge) Verify(pw *Password, aBytes, m1 []byte) bool {
	p := new(big.Int).SetBytes(Prime)
	a := new(big.Int).SetBytes(aBytes)
	if a.Sign() <= 0 || a.Cmp(p) >= 0 || len(aBytes) > 256 {
		return false
	}
	ga := pad256(a)
	u := new(big.Int).SetBytes(sha(ga[:], c.B[:]))
	sv := new(big.Int).Exp(new(big.Int).SetBytes(pw.V), u, p)
	sv.Mul(sv, a).Mod(sv, p)
	sb := pad256(sv.Exp(sv, c.b, p))

	g := pad256(big.NewInt(G))
	hp, hg := sha(Prime), sha(g[:])
	for i := range hp {
		hp[i] ^= hg[i]
	}
	want := sha(hp, sha(pw.Salt1), sha(pw.Salt2), ga[:], c.B[:], sha(sb[:]))
	return subtle.ConstantTimeCompare(want, m1) == 1
}
