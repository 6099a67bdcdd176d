// Package session implements the tglua session file: one JSON document per
// Telegram account that holds everything tglua has to remember between runs.
// The document is stored in a file (the default) or under a Redis key (see
// Redis below); the format and every behaviour of File are the same.
//
// A session file holds
//
//   - the opaque session data of gotd (auth key, DC, salt, config), as stored by
//     gotd's session.Storage;
//   - the DC id the session belongs to and an optional server tag, so that a
//     session made against a test server is not silently used elsewhere;
//   - the login state: a pending phone login and the logged-in self user;
//   - the peer cache of telegram/peers (access hashes, usernames, phones,
//     contacts hash);
//   - the update state of telegram/updates (pts, qts, date, seq, channel pts and
//     access hashes).
//
// File implements session.Storage, peers.Storage, updates.StateStorage,
// updates.ChannelAccessHasher and updates.UserAccessHasher of gotd, and is
// safe for concurrent use.
//
// # Durability
//
// Every write replaces the whole document. In a session file, it is written
// to a temporary file in the same directory, which is fsynced and renamed
// over the target, and then the directory is fsynced. A crash therefore leaves either the old or
// the new document, never a mix. Files are always created with mode 0600, and
// Open tightens the mode of an existing session file to 0600.
//
// Session data and login state are written before the method returns. Peer
// cache and update state changes are frequent and cheap to lose, so they are
// batched: see Options.FlushDelay.
//
// # Locking
//
// Open takes an exclusive flock on FILE.lock (a separate file that is never
// renamed or removed) and writes its pid there. A second Open of the same
// session, from this or another process, fails with a *LockedError. (A Redis
// session is locked by a lease instead; see Redis.)
//
// # Corruption
//
// Open never modifies a file it cannot read as a tglua session: a corrupted,
// foreign or future-version file gives an error naming the file
// (*FileError wrapping ErrCorrupted, ErrForeign or ErrUnsupportedVersion)
// and is left untouched. A zero-length file is treated as a new session.
//
// # Redis
//
// So that a fleet of accounts can span machines, Open also takes a Redis URL:
//
//	redis://[user:password@]host[:port][/db]?key=KEY
//	rediss://...   (TLS)
//
// for example redis://127.0.0.1:6379/0?key=acct:alice. The key parameter is
// required; the path is the database number (default 0); other query
// parameters are go-redis options (dial_timeout, protocol, ...). The
// document is stored under KEY as the same JSON bytes a session file holds,
// with the same checks: a key holding something else (another string, or a
// hash, list... of Redis) gives a *FileError naming the URL and is never
// overwritten. URLs in errors, Path and String have the password replaced by
// "xxxxx". Open fails within a few seconds if Redis is unreachable. List
// finds the sessions under a key prefix (?prefix=acct:).
//
// Lease. Instead of a file lock, Open takes a lease: the key KEY:lease, set
// with SET KEY:lease OWNER NX PX TTL, where OWNER is a JSON object with the
// host name, the pid and a random token. While it exists, Open anywhere
// fails at once with a *LockedError naming that host and pid. The lease is
// renewed every TTL/3 (Options.LeaseTTL, default 15s) by a script that
// extends it only if it still holds our owner value, and deleted by Close
// the same way. A crashed process keeps the session locked until its lease
// expires, at most TTL later.
//
// Fencing. Every write is one Lua script that checks that the lease holds
// our owner value and only then SETs the document, atomically: a crash
// leaves the old or the new document, and a process that lost its lease can
// never overwrite the state of the new owner.
//
// Loss. The lease is lost when a renewal or a write finds another owner or
// no lease (it expired, for example because the process was suspended), or
// when Redis stayed unreachable for TTL since the last successful renewal,
// so that the lease may have expired and been taken. Then the File stops
// writing: every later write fails with a *FileError wrapping ErrLeaseLost,
// and Options.OnLost is called once, so that the host stops using the
// account. Reads keep working from memory. While Redis is merely
// unreachable, renewals are retried, writes fail with an error naming the
// URL ("Redis unreachable"), and batched changes stay pending and are
// written once Redis is back (as with a failing disk; see Options.OnError).
//
// A single Redis server (or a replicated primary) is supported, not Redis
// Cluster: a write touches KEY and KEY:lease. Opening a Redis session
// switches go-redis's own logging off, process-wide; its failures reach the
// caller as errors instead.
//
// # Secrets
//
// The auth key lives only inside the session data. No error, log or fmt
// formatting of File includes it; LoadSession is the only way out.
package session

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/go-faster/errors"
	gotdsession "github.com/gotd/td/session"
	"github.com/gotd/td/telegram/peers"
	"github.com/gotd/td/telegram/updates"
)

// DefaultFlushDelay is the flush delay used when Options.FlushDelay is zero.
const DefaultFlushDelay = 250 * time.Millisecond

var (
	_ gotdsession.Storage         = (*File)(nil)
	_ peers.Storage               = (*File)(nil)
	_ updates.StateStorage        = (*File)(nil)
	_ updates.ChannelAccessHasher = (*File)(nil)
	_ updates.UserAccessHasher    = (*File)(nil)
	_ fmt.Formatter               = (*File)(nil)
	_ fmt.Stringer                = (*File)(nil)
	_ fmt.GoStringer              = (*File)(nil)
)

// ErrClosed is returned by methods of a closed File.
var ErrClosed = errors.New("session file is closed")

// Options configures Open.
type Options struct {
	// FlushDelay batches peer-cache and update-state writes: such a change is
	// written at most FlushDelay after it was made, and always on Flush, Close
	// and any synchronous write (session data, login state, Reset).
	//
	// Zero means DefaultFlushDelay (250ms). A negative value means
	// write-through: every change is written before the method returns.
	FlushDelay time.Duration

	// OnError, if set, is called with the error of a failed delayed write.
	// The change stays pending and is retried by the next write, Flush or
	// Close, which also report the error. It is called from a timer goroutine.
	OnError func(err error)

	// LeaseTTL is the time-to-live of the lease of a Redis session (see the
	// package documentation): how long the session stays locked after its
	// holder stopped renewing it, for example because it crashed. The lease
	// is renewed every LeaseTTL/3. Zero means DefaultLeaseTTL (15s); it must
	// be at least 30ms. Ignored for session files.
	LeaseTTL time.Duration

	// OnLost, if set, is called once when a Redis session lost its lease
	// (another process took it over, or it could not be renewed within
	// LeaseTTL). From then on every write fails with an error wrapping
	// ErrLeaseLost; the host should stop using the account and Close the
	// File. It is called in its own goroutine with that error. Never called
	// for session files.
	OnLost func(err error)
}

// timer is the part of *time.Timer that File uses; tests inject a fake.
type timer interface {
	Stop() bool
}

// File is an open, locked session file. Use Open to create one.
//
// All methods are safe for concurrent use.
type File struct {
	path   string  // b.describe(): the path as given to Open, or the redacted URL
	b      backend // where the document is stored
	delay  time.Duration
	onErr  func(error)
	onLost func(error)

	// afterFunc schedules delayed writes (time.AfterFunc outside tests).
	afterFunc func(d time.Duration, f func()) timer

	// wmu serializes writes to the backend and guards released.
	wmu      sync.Mutex
	released bool

	// mu guards everything below.
	mu      sync.Mutex
	doc     *document // behind a pointer, so that printing a File value shows no secrets
	gen     uint64    // incremented on every change
	written uint64    // gen of the last document written to disk
	timer   timer     // pending delayed write, or nil
	closed  bool
	lost    error // set once the backend lost ownership (ErrLeaseLost)
}

// Open opens the session at target, creating it if it does not exist,
// locks it and loads it. target is a file path, or a Redis URL (see the
// package documentation):
//
//	redis://[user:password@]host:port/db?key=KEY
//	rediss://... (TLS)
//
// A new session file is created with mode 0600.
//
// It fails with a *LockedError if the session is open elsewhere, and with a
// *FileError if the file or key is not a readable tglua session; such a file
// or key is not modified.
func Open(target string, opts Options) (*File, error) {
	return open(target, opts, func(d time.Duration, f func()) timer {
		return time.AfterFunc(d, f)
	})
}

func open(target string, opts Options, afterFunc func(time.Duration, func()) timer) (*File, error) {
	if target == "" {
		return nil, errors.New("open session: empty path")
	}
	f := &File{
		delay:     opts.FlushDelay,
		onErr:     opts.OnError,
		onLost:    opts.OnLost,
		afterFunc: afterFunc,
	}
	if f.delay == 0 {
		f.delay = DefaultFlushDelay
	}
	var b backend
	if isURL(target) {
		rb, err := openRedis(target, opts, f.setLost)
		if err != nil {
			return nil, err
		}
		b = rb
	} else {
		fb, err := openFileBackend(target)
		if err != nil {
			return nil, err
		}
		b = fb
	}
	f.b = b
	f.path = b.describe()
	if err := f.load(); err != nil {
		_ = b.release()
		return nil, err
	}
	return f, nil
}

// load reads the document, or creates it if it is missing or empty.
// Called from open with the lock held.
func (f *File) load() error {
	data, err := f.b.load()
	if err != nil {
		return err
	}
	if len(data) == 0 {
		f.doc = newDocument()
		f.gen = 1 // force the initial write
		if err := f.flush(); err != nil {
			return &FileError{Path: f.path, Err: wrap(err, "create")}
		}
	} else {
		doc, err := decodeDocument(data)
		if err != nil {
			return &FileError{Path: f.path, Err: err}
		}
		f.doc = doc
	}
	return f.b.accepted()
}

// Path returns the path the file was opened with. For a Redis session it is
// the URL with any password replaced by "xxxxx".
func (f *File) Path() string { return f.path }

// String returns a description of f that names the file and nothing else.
func (f *File) String() string {
	if f == nil {
		return "session.File(nil)"
	}
	return "session.File(" + f.path + ")"
}

// GoString is like String: it never shows the contents.
func (f *File) GoString() string { return f.String() }

// Format implements fmt.Formatter so that no verb prints the contents.
func (f *File) Format(s fmt.State, _ rune) { _, _ = fmt.Fprint(s, f.String()) }

// Flush writes pending changes to disk.
func (f *File) Flush() error {
	f.mu.Lock()
	closed := f.closed
	f.mu.Unlock()
	if closed {
		return ErrClosed
	}
	return f.flush()
}

// Close writes pending changes and releases the lock. Further calls to
// methods that return an error fail with ErrClosed; closing twice is a no-op.
// The lock is released even if the final write fails.
func (f *File) Close() error {
	f.mu.Lock()
	if f.closed {
		f.mu.Unlock()
		return nil
	}
	f.closed = true
	f.mu.Unlock()

	err := f.flush()

	f.wmu.Lock()
	defer f.wmu.Unlock()
	f.released = true
	if rerr := f.b.release(); rerr != nil && err == nil {
		err = wrap(rerr, "release lock")
	}
	return err
}

// flush writes the document if it changed since the last write.
func (f *File) flush() error {
	f.wmu.Lock()
	defer f.wmu.Unlock()
	if f.released {
		return ErrClosed
	}

	f.mu.Lock()
	if f.gen == f.written {
		f.mu.Unlock()
		return nil
	}
	if f.lost != nil {
		err := f.lost
		f.mu.Unlock()
		return err
	}
	if f.timer != nil {
		f.timer.Stop()
		f.timer = nil
	}
	gen := f.gen
	buf, err := f.doc.encode()
	f.mu.Unlock()
	if err != nil {
		return wrap(err, "encode session")
	}

	if err := f.b.store(buf); err != nil {
		return wrap(err, "write session")
	}

	f.mu.Lock()
	f.written = gen
	f.mu.Unlock()
	return nil
}

// setLost puts f into the lost state: the backend lost ownership of the
// session (a Redis lease), so every later write fails with err. The first
// call runs Options.OnLost in its own goroutine.
func (f *File) setLost(err error) {
	f.mu.Lock()
	first := f.lost == nil
	if first {
		f.lost = err
	}
	f.mu.Unlock()
	if first && f.onLost != nil {
		go f.onLost(err)
	}
}

// timerFired is the delayed write.
func (f *File) timerFired() {
	f.mu.Lock()
	f.timer = nil
	f.mu.Unlock()
	if err := f.flush(); err != nil && !errors.Is(err, ErrClosed) && f.onErr != nil {
		f.onErr(err)
	}
}

// Write modes of update.
const (
	batchedWrite = false // peer cache, update state: written after FlushDelay
	syncWrite    = true  // session, login state: written before returning
)

// update applies fn to the document under the lock. If fn reports a change,
// the document is written now (syncWrite, or write-through) or scheduled.
func (f *File) update(now bool, fn func(d *document) (changed bool, err error)) error {
	f.mu.Lock()
	if f.closed {
		f.mu.Unlock()
		return ErrClosed
	}
	if f.lost != nil {
		err := f.lost
		f.mu.Unlock()
		return err
	}
	changed, err := fn(f.doc)
	if err != nil || !changed {
		f.mu.Unlock()
		return err
	}
	f.gen++
	if now || f.delay < 0 {
		f.mu.Unlock()
		return f.flush()
	}
	if f.timer == nil {
		f.timer = f.afterFunc(f.delay, f.timerFired)
	}
	f.mu.Unlock()
	return nil
}

// view runs fn on the document under the lock.
func (f *File) view(fn func(d *document)) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		return ErrClosed
	}
	fn(f.doc)
	return nil
}

// LoadSession implements gotd session.Storage. It returns
// session.ErrNotFound if no session data is stored.
func (f *File) LoadSession(context.Context) ([]byte, error) {
	var data []byte
	if err := f.view(func(d *document) {
		data = bytes.Clone(d.Session)
	}); err != nil {
		return nil, wrap(err, "load session")
	}
	if len(data) == 0 {
		return nil, gotdsession.ErrNotFound
	}
	return data, nil
}

// StoreSession implements gotd session.Storage. data must be JSON (as
// written by gotd's session.Loader); it is kept compacted and written before
// StoreSession returns. If data is gotd session data with a DC, the DC of the file
// (see DC) is updated to match.
func (f *File) StoreSession(_ context.Context, data []byte) error {
	var compact bytes.Buffer
	if err := json.Compact(&compact, data); err != nil {
		return errors.New("store session: data is not JSON")
	}
	data = compact.Bytes()
	var probe struct {
		Data struct {
			DC int
		}
	}
	_ = json.Unmarshal(data, &probe) // best effort; the error could quote data
	err := f.update(syncWrite, func(d *document) (bool, error) {
		changed := !bytes.Equal(d.Session, data)
		if changed {
			d.Session = data
		}
		if probe.Data.DC != 0 && probe.Data.DC != d.DC {
			d.DC = probe.Data.DC
			changed = true
		}
		return changed, nil
	})
	return wrap(err, "store session")
}

// DC returns the DC id the session belongs to and the server tag (see
// SetDC). Both are zero if unknown.
func (f *File) DC() (dc int, server string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.doc.DC, f.doc.Server
}

// SetDC records the DC id the session belongs to and a server tag (for
// example an address or "test"), written before it returns. The tag is only
// stored; callers compare it to refuse a session made for another server.
func (f *File) SetDC(dc int, server string) error {
	err := f.update(syncWrite, func(d *document) (bool, error) {
		if d.DC == dc && d.Server == server {
			return false, nil
		}
		d.DC, d.Server = dc, server
		return true, nil
	})
	return wrap(err, "set dc")
}

// PendingLogin returns the phone number and phone_code_hash of a phone
// login waiting for its code.
func (f *File) PendingLogin() (phone, hash string, ok bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	p := f.doc.Login.Pending
	if p == nil {
		return "", "", false
	}
	return p.Phone, p.CodeHash, true
}

// SetPendingLogin records a phone login waiting for its code, written before
// it returns.
func (f *File) SetPendingLogin(phone, hash string) error {
	if phone == "" || hash == "" {
		return errors.New("set pending login: empty phone or hash")
	}
	err := f.update(syncWrite, func(d *document) (bool, error) {
		if p := d.Login.Pending; p != nil && p.Phone == phone && p.CodeHash == hash {
			return false, nil
		}
		d.Login.Pending = &pendingLogin{Phone: phone, CodeHash: hash}
		return true, nil
	})
	return wrap(err, "set pending login")
}

// ClearPendingLogin forgets the pending phone login, written before it
// returns.
func (f *File) ClearPendingLogin() error {
	err := f.update(syncWrite, func(d *document) (bool, error) {
		if d.Login.Pending == nil {
			return false, nil
		}
		d.Login.Pending = nil
		return true, nil
	})
	return wrap(err, "clear pending login")
}

// Self returns the logged-in user id and whether it is a bot.
func (f *File) Self() (id int64, bot bool, ok bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	s := f.doc.Login.Self
	if s == nil {
		return 0, false, false
	}
	return s.ID, s.Bot, true
}

// SetSelf records the logged-in user, written before it returns. It does
// not clear a pending login; see ClearPendingLogin.
func (f *File) SetSelf(id int64, bot bool) error {
	if id == 0 {
		return errors.New("set self: zero user id")
	}
	err := f.update(syncWrite, func(d *document) (bool, error) {
		if s := d.Login.Self; s != nil && s.ID == id && s.Bot == bot {
			return false, nil
		}
		d.Login.Self = &selfUser{ID: id, Bot: bot}
		return true, nil
	})
	return wrap(err, "set self")
}

// Reset is logout: it drops the session data (auth key), the DC, the login
// state, the peer cache and the update state, and writes the file before it
// returns. Only the server tag is kept.
func (f *File) Reset() error {
	err := f.update(syncWrite, func(d *document) (bool, error) {
		server := d.Server
		*d = *newDocument()
		d.Server = server
		return true, nil
	})
	return wrap(err, "reset session")
}

// normalizeUsername makes username lookups case-insensitive and accepts a
// leading "@".
func normalizeUsername(username string) string {
	return strings.ToLower(strings.TrimPrefix(username, "@"))
}

// wrap is errors.Wrap that keeps nil nil.
func wrap(err error, msg string) error {
	if err == nil {
		return nil
	}
	return errors.Wrap(err, msg)
}
