package sandbox

import (
	"github.com/gotd/td/bin"
	"github.com/gotd/td/tg"
	"github.com/gotd/td/tgerr"

	"github.com/tglua/tglua/sandbox/srp"
)

// srpSession holds the server's half of one SRP exchange for a user.
type srpSession struct {
	*srp.Challenge
	user int64
}

func registerPassword(h map[uint32]handlerFunc) {
	h[tg.AccountGetPasswordRequestTypeID] = handle(getPassword)
	h[tg.AuthCheckPasswordRequestTypeID] = handle(checkPassword)
}

// newPassword derives the SRP verifier of a password with fresh salts.
func newPassword(pass, hint string) (*password, error) {
	pw, err := srp.NewPassword(pass)
	if err != nil {
		return nil, err
	}
	return &password{Salt1: pw.Salt1, Salt2: pw.Salt2, V: pw.V, Hint: hint}, nil
}

func (pw *password) srp() *srp.Password {
	return &srp.Password{Salt1: pw.Salt1, Salt2: pw.Salt2, V: pw.V}
}

// algo describes the KDF of pw (or a fresh one for new passwords).
func algo(pw *password) *tg.PasswordKdfAlgoSHA256SHA256PBKDF2HMACSHA512iter100000SHA256ModPow {
	if pw != nil {
		return pw.srp().Algo()
	}
	return (&srp.Password{Salt1: []byte(randomHex(4)), Salt2: []byte(randomHex(8))}).Algo()
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
	ch, err := srp.NewChallenge(u.Password.srp())
	if err != nil {
		return nil, err
	}
	c.auth.srp = &srpSession{Challenge: ch, user: u.ID}
	res.HasPassword = true
	res.CurrentAlgo = algo(u.Password)
	res.SRPB = ch.B[:]
	res.SRPID = ch.ID
	res.Hint = u.Password.Hint
	return res, nil
}

func checkPassword(s *Server, c *call, req *tg.AuthCheckPasswordRequest) (bin.Encoder, error) {
	in, ok := req.Password.(*tg.InputCheckPasswordSRP)
	if !ok {
		return nil, tgerr.New(400, "PASSWORD_HASH_INVALID")
	}
	x := c.auth.srp
	if x == nil || x.ID != in.SRPID {
		return nil, tgerr.New(400, "SRP_ID_INVALID")
	}
	u := s.st.Users[x.user]
	if u == nil || u.Password == nil {
		return nil, tgerr.New(400, "SRP_ID_INVALID")
	}
	if !x.Verify(u.Password.srp(), in.A, in.M1) {
		return nil, tgerr.New(400, "PASSWORD_HASH_INVALID")
	}
	c.auth.srp = nil
	s.bind(c.auth, u.ID)
	return s.authorization(u.ID), nil
}
