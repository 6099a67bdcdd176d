package runtime

import (
	"context"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-faster/errors"
	"github.com/gotd/td/bin"
	"github.com/gotd/td/session"
	"github.com/gotd/td/telegram"
	"github.com/gotd/td/telegram/dcs"
	"github.com/gotd/td/tg"
	"github.com/gotd/td/transport"

	"github.com/tglua/tglua/internal/authkey"
	"github.com/tglua/tglua/luabind"
)

// conn is a gotd client dialled on first use and kept running in the
// background until Close. Enabling updates restarts it with updates on; the
// session storage (and so the auth key) is kept across the restart.
type conn struct {
	opts Options

	mu      sync.Mutex
	cur     *dialRun               // the running client; nil before first use
	updates telegram.UpdateHandler // non-nil once updates are enabled
	onReady func(ctx context.Context, client *telegram.Client)
	onFail  func(err error) // the client with updates stopped by itself
	closed  bool
}

// dialRun is one run of a gotd client.
type dialRun struct {
	ready   chan struct{} // closed when the client is usable or has failed
	err     error         // why it failed; read after ready
	client  *telegram.Client
	updates telegram.UpdateHandler // what RPC results that carry updates feed
	cancel  context.CancelFunc
	done    chan struct{} // closed when the client goroutine ends
	noticed atomic.Bool   // the "still connecting" line was written
}

func newConn(opts Options) *conn {
	if opts.Dial.Session == nil {
		// One in-memory session for every run, so a restart keeps the key.
		opts.Dial.Session = &session.StorageMemory{}
	}
	return &conn{opts: opts}
}

// Invoke implements luabind.Invoker: it connects on first use.
func (c *conn) Invoke(ctx context.Context, input bin.Encoder, output bin.Decoder) error {
	run := c.current()
	select {
	case <-run.ready:
	default:
		if err := c.waitReady(ctx, run); err != nil {
			if errors.Is(err, context.DeadlineExceeded) {
				return &luabind.Error{
					Method:  methodName(input),
					Type:    luabind.TypeTimeout,
					Message: "could not connect to " + c.describe() + " before the call timed out; check the network and the server address",
					Err:     err,
				}
			}
			return err
		}
	}
	if run.err != nil {
		return run.err
	}
	if run.updates == nil {
		return run.client.Invoke(ctx, input, output)
	}
	return invokeFeeding(ctx, run.client, run.updates, input, output)
}

// connectingNotice is how long a call waits for the connection before the
// runtime says, once per run, that it is still trying.
const connectingNotice = 3 * time.Second

// waitReady waits until run is connected (or failed) or ctx ends. After
// connectingNotice it writes one line to Stderr naming the server: gotd
// retries a dead network quietly, and a script that seems to hang says
// nothing about why.
func (c *conn) waitReady(ctx context.Context, run *dialRun) error {
	t := time.NewTimer(connectingNotice)
	defer t.Stop()
	for {
		select {
		case <-run.ready:
			return nil
		case <-ctx.Done():
			return context.Cause(ctx) // errCallTimeout at the call timeout
		case <-t.C:
			if run.noticed.CompareAndSwap(false, true) {
				_, _ = fmt.Fprintf(c.opts.Stderr, "tglua: still connecting to %s; retrying until the call times out\n", c.describe())
			}
		}
	}
}

// describe names the server the connection dials.
func (c *conn) describe() string {
	if c.opts.Dial.Server != "" {
		return c.opts.Dial.Server + " (DC " + strconv.Itoa(c.opts.Dial.DC) + ")"
	}
	return "Telegram DC " + strconv.Itoa(c.opts.Dial.DC)
}

// current returns the running client, starting it if needed.
func (c *conn) current() *dialRun {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.cur == nil || (c.cur.ended() && !c.closed) {
		// Not started, or the client stopped by itself (a permanent
		// error): the next call dials again rather than failing for ever.
		c.cur = c.start()
	}
	return c.cur
}

// ended reports whether the client's goroutine has ended.
func (r *dialRun) ended() bool {
	select {
	case <-r.done:
		return true
	default:
		return false
	}
}

// enableUpdates makes the client receive updates and pass them to h, and
// calls onReady in the client's context once it is connected, or onFail if
// it cannot connect or stops by itself. A client already running without
// updates is restarted.
func (c *conn) enableUpdates(h telegram.UpdateHandler, onReady func(ctx context.Context, client *telegram.Client), onFail func(error)) {
	c.mu.Lock()
	old := c.cur
	c.cur, c.updates, c.onReady, c.onFail = nil, h, onReady, onFail
	c.mu.Unlock()
	if old != nil {
		old.stop(0) // one client at a time on the session
	}
	c.current()
}

func (c *conn) start() *dialRun {
	run := &dialRun{ready: make(chan struct{}), done: make(chan struct{}), updates: c.updates}
	if c.closed {
		run.err = errors.New("connection closed")
		close(run.ready)
		close(run.done)
		return run
	}
	client, err := newClient(c.opts, c.updates)
	if err != nil {
		run.err = err
		close(run.ready)
		close(run.done)
		if c.onFail != nil {
			c.onFail(err)
		}
		return run
	}
	run.client = client
	ctx, cancel := context.WithCancel(context.Background())
	run.cancel = cancel
	onReady, onFail := c.onReady, c.onFail
	go func() {
		defer close(run.done)
		err := client.Run(ctx, func(ctx context.Context) error {
			close(run.ready)
			if onReady != nil {
				onReady(ctx, client)
			}
			<-ctx.Done()
			return nil
		})
		select {
		case <-run.ready:
		default:
			if err == nil {
				err = errors.New("connection closed")
			}
			run.err = errors.Wrap(err, "connect")
			close(run.ready)
		}
		if onFail != nil && ctx.Err() == nil {
			if err == nil {
				err = errors.New("connection closed")
			}
			onFail(errors.Wrap(err, "connect"))
		}
	}()
	return run
}

// closeWait is how long Close waits for the client to end. A client that
// is dialling a dead network can take its dial timeout to notice the
// cancellation; a process that is exiting (--timeout) need not wait for
// that: the goroutine ends by itself, and the session is written by its
// owner, not by the client.
const closeWait = 750 * time.Millisecond

// stop stops the client and waits for it; with a positive limit, for that
// long at most.
func (r *dialRun) stop(limit time.Duration) {
	if r.cancel != nil {
		r.cancel()
	}
	if limit <= 0 {
		<-r.done
		return
	}
	t := time.NewTimer(limit)
	defer t.Stop()
	select {
	case <-r.done:
	case <-t.C:
	}
}

// Close stops the client, if it was started. Later calls fail.
func (c *conn) Close() {
	c.mu.Lock()
	run := c.cur
	c.closed = true
	c.cur = nil
	c.mu.Unlock()
	if run != nil {
		run.stop(closeWait)
	}
}

// newClient builds the gotd client described by opts.Dial. Without an
// update handler it subscribes to nothing.
func newClient(opts Options, updates telegram.UpdateHandler) (*telegram.Client, error) {
	d := opts.Dial
	storage := d.Session
	if storage == nil {
		storage = &session.StorageMemory{}
	}
	if d.NewAuthKey != nil {
		storage = keyedStorage{Storage: storage, newKey: d.NewAuthKey}
	}
	topts := telegram.Options{
		SessionStorage: storage,
		Logger:         opts.Logger,
		DC:             d.DC,
		// No update subscription until a script registers a handler: gotd
		// would otherwise call users.getUsers(self) on connect. Scripts that
		// handle updates reconnect with updates on (conn.enableUpdates).
		NoUpdates:     updates == nil,
		UpdateHandler: updates,
		// A server that keeps dropping connections is not hammered with
		// reconnects and resends.
		ReconnectionBackoff: newReconnectBackoff,
	}
	if d.Server != "" {
		host, portStr, err := net.SplitHostPort(d.Server)
		if err != nil {
			return nil, errors.Wrap(err, "parse server address")
		}
		port, err := strconv.Atoi(portStr)
		if err != nil {
			return nil, errors.Wrap(err, "parse server port")
		}
		key, err := ParsePublicKey(d.ServerKey)
		if err != nil {
			return nil, err
		}
		topts.PublicKeys = []telegram.PublicKey{{RSA: key}}
		if d.NewAuthKey == nil {
			// A new session's key comes from internal/authkey's exchange,
			// the same exchange without gotd's 0.7 s of client checks; if
			// it fails, gotd makes the key itself, as it would have.
			dc, addr := d.DC, d.Server
			topts.SessionStorage = keyedStorage{Storage: storage, fallback: true, newKey: func(ctx context.Context) (*session.Data, error) {
				return authkey.New(ctx, addr, key, dc, authkey.Options{})
			}}
		}
		topts.DCList = dcs.List{Options: []tg.DCOption{{
			ID:        d.DC,
			IPAddress: host,
			Port:      port,
			Static:    true,
			Ipv6:      net.ParseIP(host).To4() == nil,
		}}}
		topts.Resolver = dcs.Plain(dcs.PlainOptions{Protocol: transport.Intermediate})
	}
	return telegram.NewClient(d.AppID, d.AppHash, topts), nil
}

// keyedStorage gives a session without an auth key the one newKey makes
// when gotd first loads it (Dial.NewAuthKey).
type keyedStorage struct {
	session.Storage
	newKey func(ctx context.Context) (*session.Data, error)
	// fallback: when newKey fails, gotd loads the session as it is and
	// makes the key by its own exchange.
	fallback bool
}

func (k keyedStorage) LoadSession(ctx context.Context) ([]byte, error) {
	raw, err := k.Storage.LoadSession(ctx)
	if err != nil && !errors.Is(err, session.ErrNotFound) {
		return nil, err
	}
	var old *session.Data
	if err == nil {
		// Decode what was read, without reading the storage again.
		read := &session.StorageMemory{}
		if err := read.StoreSession(ctx, raw); err != nil {
			return nil, err
		}
		old, err = (&session.Loader{Storage: read}).Load(ctx)
		if err == nil && len(old.AuthKey) > 0 {
			return raw, nil
		}
		if err != nil && !errors.Is(err, session.ErrNotFound) {
			return nil, err
		}
	}
	d, err := k.newKey(ctx)
	if err != nil {
		if k.fallback && ctx.Err() == nil {
			if old == nil {
				return nil, session.ErrNotFound
			}
			return raw, nil
		}
		return nil, errors.Wrap(err, "make auth key")
	}
	if old != nil {
		d.Config = old.Config
	}
	mem := &session.StorageMemory{}
	if err := (&session.Loader{Storage: mem}).Save(ctx, d); err != nil {
		return nil, err
	}
	out, err := mem.LoadSession(ctx)
	if err != nil {
		return nil, err
	}
	if err := k.Storage.StoreSession(ctx, out); err != nil {
		return nil, err
	}
	return out, nil
}

// ParsePublicKey reads an RSA public key in PEM form: PKCS#1
// ("RSA PUBLIC KEY") or PKIX ("PUBLIC KEY").
func ParsePublicKey(data []byte) (*rsa.PublicKey, error) {
	block, _ := pem.Decode(data)
	if block == nil {
		return nil, errors.New("server key: no PEM block found")
	}
	switch block.Type {
	case "RSA PUBLIC KEY":
		k, err := x509.ParsePKCS1PublicKey(block.Bytes)
		if err != nil {
			return nil, errors.Wrap(err, "server key")
		}
		return k, nil
	case "PUBLIC KEY":
		k, err := x509.ParsePKIXPublicKey(block.Bytes)
		if err != nil {
			return nil, errors.Wrap(err, "server key")
		}
		rk, ok := k.(*rsa.PublicKey)
		if !ok {
			return nil, errors.Errorf("server key: %T is not an RSA key", k)
		}
		return rk, nil
	default:
		return nil, errors.Errorf("server key: unexpected PEM block %q (want RSA PUBLIC KEY or PUBLIC KEY)", block.Type)
	}
}
