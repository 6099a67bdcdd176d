// Package testserver runs gotd's in-process MTProto server (tgtest) on
// 127.0.0.1 for tests: a real key exchange, real encryption and real TCP,
// with handlers the test registers per method.
package testserver

import (
	"context"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"net"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/gotd/td/crypto"
	"github.com/gotd/td/exchange"
	"github.com/gotd/td/telegram"
	"github.com/gotd/td/telegram/dcs"
	"github.com/gotd/td/tg"
	"github.com/gotd/td/tgtest"
	"github.com/gotd/td/tgtest/services/config"
	"github.com/gotd/td/transport"
)

// Server is a running test server.
type Server struct {
	*tgtest.Server
	// Dispatcher routes requests by TL ID; register handlers on it.
	Dispatcher *tgtest.Dispatcher
	Addr       *net.TCPAddr
	Key        *rsa.PrivateKey
	DC         int
}

var (
	keyOnce sync.Once
	key     *rsa.PrivateKey
	keyErr  error
)

// serverKey is one RSA key per test process: generating one takes a while.
func serverKey() (*rsa.PrivateKey, error) {
	keyOnce.Do(func() {
		key, keyErr = rsa.GenerateKey(crypto.DefaultRand(), crypto.RSAKeyBits)
	})
	return key, keyErr
}

// Start starts a server on 127.0.0.1 that answers help.getConfig itself and
// routes everything else through the returned Dispatcher. It stops when the
// test ends.
func Start(tb testing.TB) *Server {
	tb.Helper()
	s, stop, err := StartServer(context.Background())
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(stop)
	return s
}

// StartServer is Start for code without a testing.TB, such as examples: it
// returns the server and a function that stops it and waits until it has
// stopped. The server also stops when ctx is cancelled.
func StartServer(ctx context.Context) (*Server, func(), error) {
	k, err := serverKey()
	if err != nil {
		return nil, nil, err
	}
	l, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		return nil, nil, err
	}
	addr := l.Addr().(*net.TCPAddr)
	const dc = 2
	d := tgtest.NewDispatcher()
	cfg := tg.Config{
		ThisDC:           dc,
		MessageLengthMax: 4096,
		DCOptions: []tg.DCOption{{
			ID: dc, IPAddress: addr.IP.String(), Port: addr.Port, Static: true,
		}},
	}
	config.NewService(&cfg, &tg.CDNConfig{}).Register(d)
	srv := tgtest.NewServer(exchange.PrivateKey{RSA: k}, tgtest.UnpackInvoke(d), tgtest.ServerOptions{DC: dc})

	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = srv.Serve(ctx, transport.ListenCodec(nil, l))
	}()
	stop := func() {
		cancel()
		<-done
	}
	return &Server{Server: srv, Dispatcher: d, Addr: addr, Key: k, DC: dc}, stop, nil
}

// PEM returns the server's public key in PKCS#1 PEM form.
func (s *Server) PEM() []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "RSA PUBLIC KEY", Bytes: x509.MarshalPKCS1PublicKey(&s.Key.PublicKey)})
}

// WriteKey writes the PEM key into dir and returns its path.
func (s *Server) WriteKey(tb testing.TB, dir string) string {
	p := filepath.Join(dir, "server.pem")
	if err := os.WriteFile(p, s.PEM(), 0o600); err != nil {
		tb.Fatal(err)
	}
	return p
}

// ClientOptions are the options a raw gotd client needs to reach the server.
func (s *Server) ClientOptions() telegram.Options {
	return telegram.Options{
		PublicKeys: []telegram.PublicKey{{RSA: &s.Key.PublicKey}},
		DC:         s.DC,
		DCList: dcs.List{Options: []tg.DCOption{{
			ID: s.DC, IPAddress: s.Addr.IP.String(), Port: s.Addr.Port, Static: true,
		}}},
		Resolver:  dcs.Plain(dcs.PlainOptions{Protocol: transport.Intermediate}),
		NoUpdates: true,
	}
}

// RunClient runs client until the test ends and returns once it is
// connected.
func RunClient(tb testing.TB, client *telegram.Client) {
	tb.Helper()
	ctx, cancel := context.WithCancel(context.Background())
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
		cancel()
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		cancel()
		<-done
	})
}
