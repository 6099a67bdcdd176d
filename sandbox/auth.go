package sandbox

import (
	"crypto/rand"
	"encoding/hex"
	"strings"

	"github.com/gotd/td/bin"
	"github.com/gotd/td/tg"
	"github.com/gotd/td/tgerr"
)

// LoginCode is the code that auth.signIn accepts for every phone number.
const LoginCode = "12345"

func registerAuth(h map[uint32]handlerFunc) {
	h[tg.AuthSendCodeRequestTypeID] = handle(sendCode)
	h[tg.AuthSignInRequestTypeID] = handle(signIn)
	h[tg.AuthSignUpRequestTypeID] = handle(signUp)
	h[tg.AuthImportBotAuthorizationRequestTypeID] = handle(importBotAuthorization)
	h[tg.AuthLogOutRequestTypeID] = handle(logOut)
}

// normPhone reduces a phone number to its digits ("+1 555-0000" becomes
// "15550000"); it reports false unless 5 to 15 digits remain.
func normPhone(phone string) (string, bool) {
	var b strings.Builder
	for i, r := range strings.TrimSpace(phone) {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == '+' && i == 0, r == ' ', r == '-', r == '(', r == ')':
		default:
			return "", false
		}
	}
	n := b.Len()
	return b.String(), n >= 5 && n <= 15
}

// randomHex returns n random bytes in hex.
func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// authorization builds the auth.authorization answer for uid.
func (s *Server) authorization(uid int64) *tg.AuthAuthorization {
	return &tg.AuthAuthorization{User: s.renderUser(uid, s.st.Users[uid])}
}

func sendCode(s *Server, _ *call, req *tg.AuthSendCodeRequest) (bin.Encoder, error) {
	phone, ok := normPhone(req.PhoneNumber)
	if !ok {
		return nil, tgerr.New(400, "PHONE_NUMBER_INVALID")
	}
	if _, ok := s.st.phones[phone]; !ok {
		u := &user{Phone: phone, FirstName: "User " + phone, SignUp: s.opts.RequireSignUp}
		if err := s.st.addUser(u); err != nil {
			return nil, err
		}
	}
	hash := randomHex(8)
	s.codes[hash] = phone
	return &tg.AuthSentCode{
		Type:          &tg.AuthSentCodeTypeApp{Length: len(LoginCode)},
		PhoneCodeHash: hash,
	}, nil
}

// checkCode validates the phone, hash and code of auth.signIn/signUp and
// returns the account.
func (s *Server) checkCode(phone, hash, code string, needCode bool) (*user, error) {
	digits, ok := normPhone(phone)
	if !ok {
		return nil, tgerr.New(400, "PHONE_NUMBER_INVALID")
	}
	if hash == "" {
		return nil, tgerr.New(400, "PHONE_CODE_HASH_EMPTY")
	}
	if s.codes[hash] != digits {
		return nil, tgerr.New(400, "PHONE_CODE_EXPIRED")
	}
	if needCode {
		if code == "" {
			return nil, tgerr.New(400, "PHONE_CODE_EMPTY")
		}
		if code != LoginCode {
			return nil, tgerr.New(400, "PHONE_CODE_INVALID")
		}
	}
	u := s.st.Users[s.st.phones[digits]]
	if u == nil {
		return nil, tgerr.New(400, "PHONE_NUMBER_UNOCCUPIED")
	}
	return u, nil
}

func signIn(s *Server, c *call, req *tg.AuthSignInRequest) (bin.Encoder, error) {
	u, err := s.checkCode(req.PhoneNumber, req.PhoneCodeHash, req.PhoneCode, true)
	if err != nil {
		return nil, err
	}
	if u.SignUp {
		// The code stays valid for auth.signUp.
		return &tg.AuthAuthorizationSignUpRequired{}, nil
	}
	delete(s.codes, req.PhoneCodeHash)
	if u.Password != nil {
		s.unbind(c.auth)
		c.auth.pending = u.ID
		return nil, tgerr.New(401, "SESSION_PASSWORD_NEEDED")
	}
	s.bind(c.auth, u.ID)
	return s.authorization(u.ID), nil
}

func signUp(s *Server, c *call, req *tg.AuthSignUpRequest) (bin.Encoder, error) {
	u, err := s.checkCode(req.PhoneNumber, req.PhoneCodeHash, "", false)
	if err != nil {
		return nil, err
	}
	first := strings.TrimSpace(req.FirstName)
	if first == "" || len(first) > 64 {
		return nil, tgerr.New(400, "FIRSTNAME_INVALID")
	}
	delete(s.codes, req.PhoneCodeHash)
	u.FirstName, u.LastName = first, strings.TrimSpace(req.LastName)
	u.SignUp = false
	if u.Password != nil {
		s.unbind(c.auth)
		c.auth.pending = u.ID
		return nil, tgerr.New(401, "SESSION_PASSWORD_NEEDED")
	}
	s.bind(c.auth, u.ID)
	return s.authorization(u.ID), nil
}

func importBotAuthorization(s *Server, c *call, req *tg.AuthImportBotAuthorizationRequest) (bin.Encoder, error) {
	id, ok := s.st.tokens[req.BotAuthToken]
	if !ok || req.BotAuthToken == "" {
		return nil, tgerr.New(400, "ACCESS_TOKEN_INVALID")
	}
	s.bind(c.auth, id)
	return s.authorization(id), nil
}

func logOut(s *Server, c *call, _ *tg.AuthLogOutRequest) (bin.Encoder, error) {
	if _, err := s.self(c); err != nil {
		return nil, err
	}
	s.unbind(c.auth)
	return &tg.AuthLoggedOut{}, nil
}
