package sandbox

import (
	"context"

	"github.com/go-faster/errors"
	"github.com/gotd/td/session"

	"github.com/tglua/tglua/internal/authkey"
)

// NewAuthKey creates an auth key with the server and returns the session
// data that holds it, so that a client in the same process starts without
// a key exchange of its own (runtime.Dial.NewAuthKey).
//
// The key is made by the full MTProto key exchange over a real loopback
// connection (internal/authkey), and the server's side of it is the same as
// for any client. The client's secret exponent has 256 bits: the server is
// in the same process. Everything after it is the client's usual encrypted
// MTProto traffic.
func (s *Server) NewAuthKey(ctx context.Context) (*session.Data, error) {
	addr := s.Addr()
	if addr == nil {
		return nil, errors.New("new auth key: server is not started")
	}
	return authkey.New(ctx, addr.String(), &s.key.PublicKey, s.dc, authkey.Options{ExponentBits: 256})
}
