package gateway

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/go-faster/errors"

	"github.com/tglua/tglua/fleet"
	"github.com/tglua/tglua/internal/session"
)

// Gateway serves the HTTP API for the accounts in one sessions directory.
type Gateway struct {
	opts   Options
	unlock func() error
	docs   http.Handler
	pool   *fleet.Pool // the accounts' runtimes, by hash

	ctx    context.Context // ends at Close: webhooks, account loops
	cancel context.CancelFunc
	wg     sync.WaitGroup // webhook pushers

	mu       sync.Mutex
	accounts map[string]*account // by hex SHA-256 of the token
	closed   bool
}

// New opens the sessions directory, locks it and loads its accounts.
// Accounts whose updates were being polled start receiving them at once, so
// none are missed while no client polls.
func New(opts Options) (*Gateway, error) {
	opts.setDefaults()
	if opts.Sessions == "" {
		return nil, errors.New("no sessions directory")
	}
	if err := os.MkdirAll(opts.Sessions, 0o700); err != nil {
		return nil, errors.Wrap(err, "create sessions directory")
	}
	unlock, err := session.LockDir(opts.Sessions)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	g := &Gateway{
		opts:     opts,
		unlock:   unlock,
		docs:     docsHandler(),
		ctx:      ctx,
		cancel:   cancel,
		accounts: map[string]*account{},
	}
	g.pool = fleet.NewPool(g.runtimeOptions, g.logf)
	if err := g.load(); err != nil {
		cancel()
		_ = unlock()
		return nil, err
	}
	return g, nil
}

// load makes an account for every session file in the directory.
func (g *Gateway) load() error {
	entries, err := os.ReadDir(g.opts.Sessions)
	if err != nil {
		return errors.Wrap(err, "read sessions directory")
	}
	for _, e := range entries {
		hash, ok := strings.CutSuffix(e.Name(), sessionExt)
		if !ok || !validHash(hash) {
			continue
		}
		a := g.newAccount(hash)
		q, err := loadQueue(g.path(hash, updatesExt))
		if err != nil {
			return err
		}
		a.updates = q
		g.accounts[hash] = a
		if q != nil {
			a.resumeUpdates()
		}
	}
	return nil
}

// path is the file of the account hash with extension ext.
func (g *Gateway) path(hash, ext string) string {
	return filepath.Join(g.opts.Sessions, hash+ext)
}

// Handler is the HTTP API. Mount it at the root.
func (g *Gateway) Handler() http.Handler { return http.HandlerFunc(g.serveHTTP) }

// Server returns an http.Server for the Handler with timeouts for slow
// clients (Options.ReadHeaderTimeout, ReadTimeout).
func (g *Gateway) Server() *http.Server {
	return &http.Server{
		Handler:           g.Handler(),
		ReadHeaderTimeout: g.opts.ReadHeaderTimeout,
		ReadTimeout:       g.opts.ReadTimeout,
		WriteTimeout:      g.opts.ReadTimeout,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
	}
}

// Close stops every account, writing its session, stops webhook pushers
// and unlocks the directory. Requests still running fail; stop the HTTP
// server (http.Server.Shutdown) first to let them finish.
func (g *Gateway) Close() error {
	g.mu.Lock()
	if g.closed {
		g.mu.Unlock()
		return nil
	}
	g.closed = true
	list := make([]*account, 0, len(g.accounts))
	for _, a := range g.accounts {
		list = append(list, a)
	}
	g.mu.Unlock()
	g.cancel()
	g.pool.Close()
	g.wg.Wait()
	for _, a := range list {
		if a.updates != nil {
			if err := a.updates.save(); err != nil {
				g.logf("account %s: save updates: %v", a.id(), err)
			}
		}
	}
	return g.unlock()
}

// logf writes one line to the log.
func (g *Gateway) logf(format string, args ...any) {
	fmt.Fprintf(g.opts.Log, time.Now().UTC().Format(time.RFC3339)+" "+format+"\n", args...)
}
