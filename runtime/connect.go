package runtime

import (
	"context"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"net"
	"strconv"
	"sync"

	"github.com/go-faster/errors"
	"github.com/gotd/td/bin"
	"github.com/gotd/td/session"
	"github.com/gotd/td/telegram"
	"github.com/gotd/td/telegram/dcs"
	"github.com/gotd/td/tg"
	"github.com/gotd/td/transport"
)

// conn is a gotd client dialled on first use and kept running in the
// background until Close.
type conn struct {
	opts Options

	once   sync.Once
	ready  chan struct{} // closed when the client is usable or has failed
	err    error         // why it failed; read after ready
	client *telegram.Client
	cancel context.CancelFunc
	done   chan struct{} // closed when the client goroutine ends
}

func newConn(opts Options) *conn {
	return &conn{opts: opts, ready: make(chan struct{}), done: make(chan struct{})}
}

// Invoke implements luabind.Invoker: it connects on first use.
func (c *conn) Invoke(ctx context.Context, input bin.Encoder, output bin.Decoder) error {
	c.once.Do(c.start)
	select {
	case <-c.ready:
	case <-ctx.Done():
		return ctx.Err()
	}
	if c.err != nil {
		return c.err
	}
	return c.client.Invoke(ctx, input, output)
}

func (c *conn) start() {
	client, err := newClient(c.opts)
	if err != nil {
		c.err = err
		close(c.ready)
		close(c.done)
		return
	}
	c.client = client
	ctx, cancel := context.WithCancel(context.Background())
	c.cancel = cancel
	go func() {
		defer close(c.done)
		err := client.Run(ctx, func(ctx context.Context) error {
			close(c.ready)
			<-ctx.Done()
			return nil
		})
		select {
		case <-c.ready:
		default:
			if err == nil {
				err = errors.New("connection closed")
			}
			c.err = errors.Wrap(err, "connect")
			close(c.ready)
		}
	}()
}

// Close stops the client, if it was started.
func (c *conn) Close() {
	c.once.Do(func() { close(c.ready); close(c.done) })
	if c.cancel != nil {
		c.cancel()
	}
	<-c.done
}

// newClient builds the gotd client described by opts.Dial.
func newClient(opts Options) (*telegram.Client, error) {
	d := opts.Dial
	storage := d.Session
	if storage == nil {
		storage = &session.StorageMemory{}
	}
	topts := telegram.Options{
		SessionStorage: storage,
		Logger:         opts.Logger,
		DC:             d.DC,
		// No update subscription at start-up: gotd would otherwise call
		// users.getUsers(self) on connect. Scripts that handle updates
		// reconnect with updates on.
		NoUpdates: true,
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
