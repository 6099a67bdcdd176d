package gateway

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"io"
	"os"
	"sync"

	"github.com/tglua/tglua/fleet"
	"github.com/tglua/tglua/internal/linewriter"
	"github.com/tglua/tglua/runtime"
)

// Files of an account in the sessions directory, named after the hash of
// its token.
const (
	sessionExt = ".session"
	updatesExt = ".updates"
)

// account is one slot: a session file and, while in use, a Runtime in
// the gateway's fleet.Pool, named by the token's hash.
type account struct {
	g    *Gateway
	hash string // hex SHA-256 of the token

	mu sync.Mutex
	// updates is the account's queue once a client has asked for updates;
	// listening is the generation of the pool's runtime that feeds it (0:
	// none).
	updates   *updateQueue
	listening int
}

var errGone = fleet.ErrGone

func (g *Gateway) newAccount(hash string) *account {
	return &account{g: g, hash: hash}
}

// id names the account in logs: a prefix of the token's hash, which says
// nothing about the token.
func (a *account) id() string { return idOf(a.hash) }

func idOf(hash string) string { return hash[:12] }

// newToken returns a fresh token (192 random bits) and its hash.
func newToken() (token, hash string) {
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on supported systems
	}
	token = base64.RawURLEncoding.EncodeToString(b)
	return token, hashToken(token)
}

func hashToken(token string) string {
	s := sha256.Sum256([]byte(token))
	return hex.EncodeToString(s[:])
}

func validHash(s string) bool {
	if len(s) != 2*sha256.Size {
		return false
	}
	_, err := hex.DecodeString(s)
	return err == nil
}

// lookup finds the account of token, or nil. The map is keyed by the
// token's hash, so its timing says nothing about the token; the final
// comparison is constant-time.
func (g *Gateway) lookup(token string) *account {
	if token == "" {
		return nil
	}
	h := hashToken(token)
	g.mu.Lock()
	a := g.accounts[h]
	g.mu.Unlock()
	if a == nil || subtle.ConstantTimeCompare([]byte(a.hash), []byte(h)) != 1 {
		return nil
	}
	return a
}

// create makes a new account with a fresh token.
func (g *Gateway) create() (*account, string, error) {
	token, hash := newToken()
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.closed {
		return nil, "", errGone
	}
	a := g.newAccount(hash)
	g.accounts[hash] = a
	return a, token, nil
}

// remove ends the account and deletes its files.
func (g *Gateway) remove(a *account) {
	g.mu.Lock()
	delete(g.accounts, a.hash)
	g.mu.Unlock()
	a.shutdown()
	for _, ext := range []string{sessionExt, updatesExt} {
		if err := os.Remove(g.path(a.hash, ext)); err != nil && !os.IsNotExist(err) {
			g.logf("account %s: remove %s file: %v", a.id(), ext[1:], err)
		}
	}
}

// runtime returns the account's Runtime and its generation, starting it
// (again, if its loop ended) when needed.
func (a *account) runtime() (*runtime.Runtime, int, error) {
	return a.g.pool.Runtime(a.hash)
}

// runtimeOptions are the options of the account hash's runtime.
func (g *Gateway) runtimeOptions(hash string) runtime.Options {
	o := g.opts
	return runtime.Options{
		SessionPath:  g.path(hash, sessionExt),
		Dial:         o.Dial,
		Stdout:       io.Discard,
		Stderr:       linewriter.New(o.RuntimeLog, "account "+idOf(hash)+": ", nil),
		FloodWaitMax: o.FloodWaitMax,
		CallTimeout:  o.CallTimeout,
		Sandbox:      runtime.SandboxStrict,
	}
}

// shutdown stops the account's runtime, writing its session.
func (a *account) shutdown() { a.g.pool.Stop(a.hash) }
