package sandbox

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"net"
	"sync"
	"time"

	"github.com/go-faster/errors"
	"go.uber.org/zap"

	"github.com/gotd/td/crypto"
	"github.com/gotd/td/tgtest"
	"github.com/gotd/td/transport"
)

// Options configures a Server. The zero value is usable.
type Options struct {
	// Listen is the TCP address to listen on, "127.0.0.1:0" by default.
	// Non-loopback addresses are refused unless ListenAny is set.
	Listen string
	// ListenAny allows listening on non-loopback addresses.
	ListenAny bool
	// DC is the datacenter id the server claims to be, 2 by default.
	DC int
	// Key is the server's RSA key. If nil, the key stored in the state file
	// is used, or a new 2048-bit key is generated (and then persisted with
	// the state).
	Key *rsa.PrivateKey
	// StatePath, if set, is a JSON state file: loaded by New when it exists,
	// written by Close (mode 0600: it holds bot tokens and the generated
	// RSA key).
	StatePath string
	// Logger receives the server's logs; none by default.
	Logger *zap.Logger
	// RequireSignUp makes accounts that auth.sendCode creates for unknown
	// numbers need auth.signUp, as Telegram does for new numbers: until
	// then auth.signIn answers auth.authorizationSignUpRequired.
	RequireSignUp bool
	// NoSeed disables the seeded accounts and group of a fresh state (see the
	// package documentation). Seeding is on by default and never touches a
	// state loaded from StatePath.
	NoSeed bool
}

// Server is a sandbox Telegram server. Its methods are safe for concurrent
// use.
type Server struct {
	opts Options
	log  *zap.Logger
	key  *rsa.PrivateKey
	dc   int
	srv  *tgtest.Server

	mu       sync.Mutex // guards the fields below
	st       *state
	keys     map[[8]byte]*authKey
	userKeys map[int64]map[[8]byte]*authKey
	codes    map[string]string  // phone_code_hash -> phone digits
	hashes   map[[2]int64]int64 // access hash cache
	files    *fileStore         // uploads and sent files (media.go), made on first use

	faults faults

	// deliver sends one encoded update container to a session.
	deliver func(sess tgtest.Session, raw []byte) error

	ctx    context.Context // cancelled on Close
	cancel context.CancelFunc
	wg     sync.WaitGroup // pushes and delayed answers

	runMu   sync.Mutex
	ln      *listener
	addr    *net.TCPAddr
	stop    context.CancelFunc
	done    chan struct{}
	closed  bool
	saveErr error
}

// New creates a server, loading Options.StatePath if it exists. Call Start
// to serve.
func New(opts Options) (*Server, error) {
	if opts.Listen == "" {
		opts.Listen = "127.0.0.1:0"
	}
	if opts.DC == 0 {
		opts.DC = 2
	}
	if opts.DC < 0 {
		return nil, errors.Errorf("check dc: %d is negative", opts.DC)
	}
	if err := checkListen(opts.Listen, opts.ListenAny); err != nil {
		return nil, err
	}
	lg := opts.Logger
	if lg == nil {
		lg = zap.NewNop()
	}

	st, err := loadState(opts.StatePath)
	if err != nil {
		return nil, err
	}
	fresh := st == nil
	if fresh {
		secret := make([]byte, 32)
		if _, err := rand.Read(secret); err != nil {
			return nil, errors.Wrap(err, "generate secret")
		}
		st = newState(secret)
		if !opts.NoSeed {
			if err := seed(st); err != nil {
				return nil, errors.Wrap(err, "seed state")
			}
		}
	}

	key := opts.Key
	if key == nil && len(st.RSAKey) > 0 {
		if key, err = x509.ParsePKCS1PrivateKey(st.RSAKey); err != nil {
			return nil, errors.Wrap(err, "parse stored key")
		}
	}
	if key == nil {
		if key, err = rsa.GenerateKey(rand.Reader, crypto.RSAKeyBits); err != nil {
			return nil, errors.Wrap(err, "generate key")
		}
		st.RSAKey = x509.MarshalPKCS1PrivateKey(key)
	}

	ctx, cancel := context.WithCancel(context.Background())
	s := &Server{
		opts:     opts,
		log:      lg,
		key:      key,
		dc:       opts.DC,
		st:       st,
		keys:     map[[8]byte]*authKey{},
		userKeys: map[int64]map[[8]byte]*authKey{},
		codes:    map[string]string{},
		hashes:   map[[2]int64]int64{},
		ctx:      ctx,
		cancel:   cancel,
	}
	s.faults.init()
	s.srv = tgtest.NewServer(tgtest.NewPrivateKey(key), s.handler(), tgtest.ServerOptions{
		DC:           opts.DC,
		Logger:       zapAdapter{l: lg.Named("mtproto")},
		ReadTimeout:  3 * time.Minute,
		WriteTimeout: 10 * time.Second,
	})
	s.deliver = func(sess tgtest.Session, raw []byte) error {
		err := s.srv.Send(s.ctx, sess, tgtest.MessageFromServer, rawObject(raw))
		if err != nil {
			// See Server.sent.
			s.srv.ForceDisconnect(sess)
		}
		return err
	}
	return s, nil
}

// checkListen refuses non-loopback listen addresses unless any is set.
func checkListen(addr string, anyAddr bool) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return errors.Wrapf(err, "parse listen address %q", addr)
	}
	if anyAddr || host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return errors.Errorf("refuse non-loopback listen address %q (set ListenAny)", addr)
}

// Start listens and serves in the background until ctx is cancelled or
// Close is called. It returns once the listener is open.
func (s *Server) Start(ctx context.Context) error {
	s.runMu.Lock()
	defer s.runMu.Unlock()
	if s.closed {
		return errors.New("start: server is closed")
	}
	if s.ln != nil {
		return errors.New("start: already started")
	}
	var lc net.ListenConfig
	l, err := lc.Listen(ctx, "tcp", s.opts.Listen)
	if err != nil {
		return errors.Wrap(err, "listen")
	}
	s.ln = newListener(l)
	s.addr, _ = l.Addr().(*net.TCPAddr)
	serveCtx, stop := context.WithCancel(ctx)
	s.stop = stop
	s.done = make(chan struct{})
	go func() {
		defer close(s.done)
		if err := s.srv.Serve(serveCtx, transport.ListenCodec(nil, s.ln)); err != nil && !errors.Is(err, context.Canceled) {
			s.log.Warn("Serve stopped", zap.Error(err))
		}
	}()
	s.log.Info("Sandbox listening", zap.Stringer("addr", s.addr), zap.Int("dc", s.dc))
	return nil
}

// Close stops serving, closes all connections and, if Options.StatePath is
// set, saves the state there. Calling Close again returns the first result.
func (s *Server) Close() error {
	s.runMu.Lock()
	defer s.runMu.Unlock()
	if s.closed {
		return s.saveErr
	}
	s.closed = true
	if s.ln != nil {
		s.stop()
		_ = s.ln.Close()
		s.ln.closeConns()
		<-s.done
	}
	s.cancel()
	s.wg.Wait()
	if s.opts.StatePath != "" {
		s.saveErr = s.Save(s.opts.StatePath)
	}
	return s.saveErr
}

// Addr returns the listening address, or nil before Start.
func (s *Server) Addr() *net.TCPAddr {
	s.runMu.Lock()
	defer s.runMu.Unlock()
	return s.addr
}

// DC returns the datacenter id of the server.
func (s *Server) DC() int { return s.dc }

// PublicKey returns the server's RSA public key.
func (s *Server) PublicKey() *rsa.PublicKey { return &s.key.PublicKey }

// PublicKeyPEM returns the server's RSA public key as a PKCS#1
// "RSA PUBLIC KEY" PEM block, the format Telegram publishes its keys in.
func (s *Server) PublicKeyPEM() []byte {
	return pem.EncodeToMemory(&pem.Block{
		Type:  "RSA PUBLIC KEY",
		Bytes: x509.MarshalPKCS1PublicKey(&s.key.PublicKey),
	})
}

// advertised returns the address put into dc_options: the listen address,
// or loopback when listening on an unspecified address.
func (s *Server) advertised() (ip net.IP, port int) {
	addr := s.Addr()
	if addr == nil {
		return net.IPv4(127, 0, 0, 1), 0
	}
	ip = addr.IP
	if ip == nil || ip.IsUnspecified() {
		ip = net.IPv4(127, 0, 0, 1)
	}
	return ip, addr.Port
}
