package sandbox

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"sync"
	"testing"
	"time"

	"github.com/go-faster/errors"

	"github.com/gotd/td/bin"
	"github.com/gotd/td/session"
	"github.com/gotd/td/telegram"
	"github.com/gotd/td/telegram/auth"
	"github.com/gotd/td/tg"
	"github.com/gotd/td/tgerr"
	"github.com/gotd/td/tgtest"
)

// testTimeout bounds every test as a safety net against hangs; no test
// asserts on durations.
const testTimeout = 2 * time.Minute

var testKey = sync.OnceValue(func() *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	return k
})

func testContext(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	t.Cleanup(cancel)
	return ctx
}

// newTestServer creates a server that is not listening (for unit tests).
func newTestServer(t testing.TB, opts Options) *Server {
	t.Helper()
	if opts.Key == nil {
		opts.Key = testKey()
	}
	s, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// startTestServer creates and starts a server on 127.0.0.1.
func startTestServer(t testing.TB, opts Options) *Server {
	t.Helper()
	s := newTestServer(t, opts)
	if err := s.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	return s
}

// testClient is a gotd client running in the background.
type testClient struct {
	*telegram.Client
	ctx  context.Context
	stop func()
}

// startClient runs a gotd client against s until the test ends or stop is
// called. It returns once the connection is ready.
func startClient(t testing.TB, s *Server, configure func(*telegram.Options)) *testClient {
	t.Helper()
	opts := s.TelegramOptions()
	opts.SessionStorage = &session.StorageMemory{}
	if configure != nil {
		configure(&opts)
	}
	client := telegram.NewClient(1, "sandbox", opts)
	ctx, cancel := context.WithCancel(testContext(t))
	ready := make(chan context.Context, 1)
	errc := make(chan error, 1)
	go func() {
		errc <- client.Run(ctx, func(ctx context.Context) error {
			ready <- ctx
			<-ctx.Done()
			return ctx.Err()
		})
	}()
	var runCtx context.Context
	select {
	case runCtx = <-ready:
	case err := <-errc:
		cancel()
		t.Fatalf("run client: %v", err)
	}
	var once sync.Once
	stop := func() {
		once.Do(func() {
			cancel()
			<-errc
		})
	}
	t.Cleanup(stop)
	return &testClient{Client: client, ctx: runCtx, stop: stop}
}

// codeAuth always enters the sandbox login code.
var codeAuth = auth.CodeAuthenticatorFunc(func(context.Context, *tg.AuthSentCode) (string, error) {
	return LoginCode, nil
})

// login logs c in through gotd's auth flow.
func login(ctx context.Context, c *telegram.Client, phone, password string) (*tg.User, error) {
	flow := auth.NewFlow(auth.Constant(phone, password, codeAuth), auth.SendCodeOptions{})
	if err := c.Auth().IfNecessary(ctx, flow); err != nil {
		return nil, errors.Wrap(err, "log in")
	}
	return c.Self(ctx)
}

// startUser starts a client logged in with phone.
func startUser(t testing.TB, s *Server, phone string, configure func(*telegram.Options)) (*testClient, *tg.User) {
	t.Helper()
	c := startClient(t, s, configure)
	u, err := login(c.ctx, c.Client, phone, "")
	if err != nil {
		t.Fatal(err)
	}
	return c, u
}

// wantErr checks that err is an RPC error of the given code and type.
func wantErr(t testing.TB, err error, code int, typ string) *tgerr.Error {
	t.Helper()
	rpcErr, ok := tgerr.As(err)
	if !ok {
		t.Fatalf("got error %v, want rpc error %d %s", err, code, typ)
	}
	if rpcErr.Code != code || rpcErr.Type != typ {
		t.Fatalf("got rpc error %d %s (%s), want %d %s", rpcErr.Code, rpcErr.Type, rpcErr.Message, code, typ)
	}
	return rpcErr
}

// rec collects pushed updates per session in unit tests.
type rec struct {
	mu     sync.Mutex
	pushes map[int64][]tg.UpdatesClass
	cond   *sync.Cond
}

// record makes s deliver pushes to a recorder instead of the network.
func record(s *Server) *rec {
	r := &rec{pushes: map[int64][]tg.UpdatesClass{}}
	r.cond = sync.NewCond(&r.mu)
	s.deliver = func(sess tgtest.Session, raw []byte) error {
		u, err := tg.DecodeUpdates(&bin.Buffer{Buf: append([]byte(nil), raw...)})
		if err != nil {
			return err
		}
		r.mu.Lock()
		r.pushes[sess.ID] = append(r.pushes[sess.ID], u)
		r.cond.Broadcast()
		r.mu.Unlock()
		return nil
	}
	return r
}

// wait blocks until session has n pushes and returns them.
func (r *rec) wait(session int64, n int) []tg.UpdatesClass {
	r.mu.Lock()
	defer r.mu.Unlock()
	for len(r.pushes[session]) < n {
		r.cond.Wait()
	}
	return append([]tg.UpdatesClass(nil), r.pushes[session]...)
}

// conn is a fake client connection for unit tests: an auth key and a
// session id.
type conn struct {
	s       *Server
	key     [8]byte
	session int64
}

var connSeq struct {
	sync.Mutex
	n int64
}

// newConn returns a fresh fake connection with its own auth key.
func newConn(s *Server) *conn {
	connSeq.Lock()
	defer connSeq.Unlock()
	connSeq.n++
	c := &conn{s: s, session: connSeq.n}
	c.key[0], c.key[1] = byte(connSeq.n), byte(connSeq.n>>8)
	return c
}

// sibling returns another session of the same auth key.
func (c *conn) sibling() *conn {
	connSeq.Lock()
	defer connSeq.Unlock()
	connSeq.n++
	return &conn{s: c.s, key: c.key, session: connSeq.n}
}

// invoke serves one request like the network path does, minus MTProto.
func (c *conn) invoke(in bin.Encoder, out bin.Decoder) error {
	var b bin.Buffer
	if err := in.Encode(&b); err != nil {
		return err
	}
	id, err := b.PeekID()
	if err != nil {
		return err
	}
	cl := &call{
		key:     c.key,
		session: tgtest.Session{ID: c.session},
		id:      id,
		method:  MethodName(id),
		buf:     &b,
	}
	if f := c.s.faults.check(cl.method); f.err != nil {
		return f.err
	}
	res, err := c.s.dispatch(cl)
	if err != nil {
		return err
	}
	var rb bin.Buffer
	if err := res.Encode(&rb); err != nil {
		return err
	}
	if out != nil {
		if err := out.Decode(&rb); err != nil {
			return err
		}
	}
	c.s.runAfter(cl)
	return nil
}

// api returns a tg.Client over invoke.
func (c *conn) api() *tg.Client {
	return tg.NewClient(invokerFunc(func(ctx context.Context, in bin.Encoder, out bin.Decoder) error {
		return c.invoke(in, out)
	}))
}

type invokerFunc func(ctx context.Context, in bin.Encoder, out bin.Decoder) error

func (f invokerFunc) Invoke(ctx context.Context, in bin.Encoder, out bin.Decoder) error {
	return f(ctx, in, out)
}

// loginConn logs a fake connection in by phone and returns the user.
func loginConn(t testing.TB, c *conn, phone string) *tg.User {
	t.Helper()
	ctx := context.Background()
	api := c.api()
	sent, err := api.AuthSendCode(ctx, &tg.AuthSendCodeRequest{PhoneNumber: phone, Settings: tg.CodeSettings{}})
	if err != nil {
		t.Fatal(err)
	}
	a, err := api.AuthSignIn(ctx, &tg.AuthSignInRequest{
		PhoneNumber:   phone,
		PhoneCodeHash: sent.(*tg.AuthSentCode).PhoneCodeHash,
		PhoneCode:     LoginCode,
	})
	if err != nil {
		t.Fatal(err)
	}
	return a.(*tg.AuthAuthorization).User.(*tg.User)
}

// inputPeer returns the input peer of u as seen by the viewer who got u.
func inputPeer(u *tg.User) *tg.InputPeerUser {
	return &tg.InputPeerUser{UserID: u.ID, AccessHash: u.AccessHash}
}

// resolve resolves a username through the API.
func resolve(ctx context.Context, api *tg.Client, username string) (*tg.User, error) {
	res, err := api.ContactsResolveUsername(ctx, &tg.ContactsResolveUsernameRequest{Username: username})
	if err != nil {
		return nil, err
	}
	for _, u := range res.Users {
		if u, ok := u.(*tg.User); ok {
			return u, nil
		}
	}
	return nil, errors.New("resolve: no user")
}
