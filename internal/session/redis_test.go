//go:build unix

package session

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	gotdsession "github.com/gotd/td/session"
	"github.com/gotd/td/telegram/peers"
	"github.com/gotd/td/telegram/updates"
	"github.com/redis/go-redis/v9"
)

// lostRecorder records OnLost calls.
type lostRecorder struct {
	mu    sync.Mutex
	errs  []error
	fired chan struct{} // closed on the first call
}

func newLostRecorder() *lostRecorder { return &lostRecorder{fired: make(chan struct{})} }

func (r *lostRecorder) onLost(err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errs = append(r.errs, err)
	if len(r.errs) == 1 {
		close(r.fired)
	}
}

// wait waits for the first call and returns its error.
func (r *lostRecorder) wait(t *testing.T, timeout time.Duration) error {
	t.Helper()
	select {
	case <-r.fired:
	case <-time.After(timeout):
		t.Fatalf("OnLost not called within %v", timeout)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.errs[0]
}

func (r *lostRecorder) calls() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.errs)
}

func TestRedisRoundTrip(t *testing.T) {
	s := startRedis(t)
	target := s.url("key=acct:alice")
	f := openT(t, target, Options{FlushDelay: time.Hour})
	if f.Path() != target || f.String() != "session.File("+target+")" {
		t.Errorf("Path() = %q, String() = %q", f.Path(), f.String())
	}
	// A new session is stored at once, in the file format.
	raw := s.get("acct:alice")
	if !bytes.HasPrefix(raw, []byte("{\n  \"format\": \"tglua-session\",\n  \"version\": 1")) {
		t.Fatalf("new session does not start with the format marker:\n%s", raw)
	}
	if _, err := f.LoadSession(ctx); !errors.Is(err, gotdsession.ErrNotFound) {
		t.Fatalf("LoadSession of a new session: %v", err)
	}

	want := &gotdsession.Data{
		DC:        4,
		Addr:      "149.154.167.91:443",
		AuthKey:   testKey(),
		AuthKeyID: testKey()[:8],
		Salt:      math.MinInt64 + 1,
	}
	if err := (&gotdsession.Loader{Storage: f}).Save(ctx, want); err != nil {
		t.Fatal(err)
	}
	stored, _ := f.LoadSession(ctx)
	// Synchronous: in Redis despite the long flush delay.
	if d := s.doc("acct:alice"); !bytes.Equal(d.Session, stored) || d.DC != 4 {
		t.Fatal("session data not in Redis after StoreSession")
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(f.SetDC(4, "test"))
	must(f.SetPendingLogin("+15550001", "hash1"))
	must(f.SetSelf(777, true))
	user := peers.Key{Prefix: "users_", ID: 42}
	must(f.Save(ctx, user, peers.Value{AccessHash: -9001}))
	must(f.SaveUsername(ctx, "@Alice", user))
	must(f.SavePhone(ctx, "15550002", user))
	must(f.SaveContactsHash(ctx, 12345))
	must(f.SetState(ctx, 777, updates.State{Pts: 10, Qts: 20, Date: 30, Seq: 40}))
	must(f.SetChannelPts(ctx, 777, 1001, 55))
	must(f.SetChannelAccessHash(ctx, 777, 1001, 66))
	must(f.SetUserAccessHash(ctx, 777, 42, 77))
	// Batched: not yet in Redis.
	if d := s.doc("acct:alice"); len(d.Peers.AccessHashes) != 0 {
		t.Error("batched peer write was not batched")
	}
	mustClose(t, f)

	ttl, err := s.client().TTL(ctx, "acct:alice").Result()
	if err != nil || ttl != -1 {
		t.Errorf("session key TTL = %v, %v; want none", ttl, err)
	}
	if n, _ := s.client().Exists(ctx, "acct:alice"+leaseSuffix).Result(); n != 0 {
		t.Error("lease left after Close")
	}

	f = openT(t, target, Options{})
	got, err := (&gotdsession.Loader{Storage: f}).Load(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got.DC != want.DC || got.Addr != want.Addr || got.Salt != want.Salt ||
		!bytes.Equal(got.AuthKey, want.AuthKey) || !bytes.Equal(got.AuthKeyID, want.AuthKeyID) {
		t.Errorf("loaded %+v, want %+v", got, want)
	}
	if dc, server := f.DC(); dc != 4 || server != "test" {
		t.Errorf("DC() = %d, %q", dc, server)
	}
	if phone, hash, ok := f.PendingLogin(); !ok || phone != "+15550001" || hash != "hash1" {
		t.Errorf("PendingLogin() = %q, %q, %v", phone, hash, ok)
	}
	if id, bot, ok := f.Self(); !ok || id != 777 || !bot {
		t.Errorf("Self() = %d, %v, %v", id, bot, ok)
	}
	if v, found, _ := f.Find(ctx, user); !found || v.AccessHash != -9001 {
		t.Errorf("Find = %v, %v", v, found)
	}
	if k, v, found, _ := f.FindUsername(ctx, "alice"); !found || k != user || v.AccessHash != -9001 {
		t.Errorf("FindUsername = %v, %v, %v", k, v, found)
	}
	if k, _, found, _ := f.FindPhone(ctx, "15550002"); !found || k != user {
		t.Errorf("FindPhone = %v, %v", k, found)
	}
	if h, _ := f.GetContactsHash(ctx); h != 12345 {
		t.Errorf("GetContactsHash = %d", h)
	}
	if st, found, _ := f.GetState(ctx, 777); !found || st != (updates.State{Pts: 10, Qts: 20, Date: 30, Seq: 40}) {
		t.Errorf("GetState = %+v, %v", st, found)
	}
	if pts, found, _ := f.GetChannelPts(ctx, 777, 1001); !found || pts != 55 {
		t.Errorf("GetChannelPts = %d, %v", pts, found)
	}
	if h, found, _ := f.GetChannelAccessHash(ctx, 777, 1001); !found || h != 66 {
		t.Errorf("GetChannelAccessHash = %d, %v", h, found)
	}
	if h, found, _ := f.GetUserAccessHash(ctx, 777, 42); !found || h != 77 {
		t.Errorf("GetUserAccessHash = %d, %v", h, found)
	}

	// The bytes are the session file format: a copy on disk opens.
	mustClose(t, f)
	path := sessionPath(t)
	if err := os.WriteFile(path, s.get("acct:alice"), 0o600); err != nil {
		t.Fatal(err)
	}
	ff := openT(t, path, Options{})
	if id, _, ok := ff.Self(); !ok || id != 777 {
		t.Error("Redis document does not open as a session file")
	}
}

func TestRedisDatabaseNumber(t *testing.T) {
	s := startRedis(t)
	f := openT(t, "redis://"+s.addr()+"/3?key=acct:db", Options{})
	mustClose(t, f)
	if s.get("acct:db") != nil {
		t.Error("session written to DB 0")
	}
	c := redis.NewClient(&redis.Options{Addr: s.addr(), DB: 3, DisableIdentity: true})
	defer c.Close()
	if n, err := c.Exists(ctx, "acct:db").Result(); err != nil || n != 1 {
		t.Errorf("session not in DB 3: %v, %v", n, err)
	}
}

func TestRedisLockSameProcess(t *testing.T) {
	s := startRedis(t)
	target := s.url("key=acct:a")
	f := openT(t, target, Options{})
	wantRedisLocked(t, target, target, os.Getpid(), hostname(t))
	wantRedisLocked(t, target, target, os.Getpid(), hostname(t)) // the failed Open did not drop the lease

	if err := f.SetSelf(1, false); err != nil {
		t.Fatal(err)
	}
	mustClose(t, f)
	f = openT(t, target, Options{})
	if id, _, ok := f.Self(); !ok || id != 1 {
		t.Fatal("session lost")
	}
	// Another key is another session.
	g := openT(t, s.url("key=acct:b"), Options{})
	mustClose(t, g)
}

func TestRedisLockOtherProcess(t *testing.T) {
	t.Run("closed", func(t *testing.T) {
		s := startRedis(t)
		target := s.url("key=acct:a")
		c := startChild(t, target, "serve", 0)
		wantRedisLocked(t, target, target, c.pid(), hostname(t))
		if got := c.do("close"); got != "closed" {
			t.Fatalf("child: %q", got)
		}
		c.wait()
		f := openT(t, target, Options{})
		mustClose(t, f)
	})
	t.Run("killed", func(t *testing.T) {
		// A crashed holder keeps the lease until its TTL expires.
		s := startRedis(t)
		target := s.url("key=acct:a")
		c := startChild(t, target, "serve", time.Second)
		wantRedisLocked(t, target, target, c.pid(), hostname(t))
		c.kill()
		wantRedisLocked(t, target, target, c.pid(), hostname(t))
		f := openEventually(t, target, Options{}, 10*time.Second)
		mustClose(t, f)
	})
}

// openEventually retries Open while the session is locked.
func openEventually(t *testing.T, target string, opts Options, timeout time.Duration) *File {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		f, err := Open(target, opts)
		if err == nil {
			t.Cleanup(func() { _ = f.Close() })
			return f
		}
		var locked *LockedError
		if !errors.As(err, &locked) || time.Now().After(deadline) {
			t.Fatalf("Open: %v", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// foreignOwner is a lease value of another tglua process.
const foreignOwner = `{"host":"other-host","pid":4242,"token":"0123456789abcdef"}`

func TestRedisLeaseLost(t *testing.T) {
	t.Run("fenced write", func(t *testing.T) {
		s := startRedis(t)
		target := s.url("key=acct:a")
		lost := newLostRecorder()
		f := openT(t, target, Options{FlushDelay: time.Hour, LeaseTTL: 10 * time.Second, OnLost: lost.onLost})
		if err := f.SetSelf(1, false); err != nil {
			t.Fatal(err)
		}
		if err := f.Save(ctx, peers.Key{Prefix: "users_", ID: 1}, peers.Value{AccessHash: 1}); err != nil {
			t.Fatal(err) // batched, pending
		}
		// Our lease expired and another process took the session over
		// and wrote its state.
		s.set("acct:a"+leaseSuffix, foreignOwner)
		theirs := fmt.Appendf(nil, "{\"format\":\"tglua-session\",\"version\":1,\"login\":{\"self\":{\"id\":2,\"bot\":false}}}\n")
		s.set("acct:a", theirs)

		err := f.StoreSession(ctx, gotdData(t, 2, testKey()))
		if !errors.Is(err, ErrLeaseLost) {
			t.Fatalf("StoreSession after takeover: %v, want ErrLeaseLost", err)
		}
		for _, want := range []string{target, "lease lost", "taken over by tglua pid 4242 on host other-host"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("error %q does not contain %q", err, want)
			}
		}
		if lerr := lost.wait(t, time.Second); !errors.Is(lerr, ErrLeaseLost) {
			t.Errorf("OnLost(%v)", lerr)
		}
		// Every later write fails, batched ones included.
		for name, err := range map[string]error{
			"SetSelf":  f.SetSelf(3, false),
			"Save":     f.Save(ctx, peers.Key{Prefix: "users_", ID: 2}, peers.Value{AccessHash: 2}),
			"SetState": f.SetState(ctx, 1, updates.State{Pts: 1}),
			"Reset":    f.Reset(),
			"Flush":    f.Flush(),
		} {
			if !errors.Is(err, ErrLeaseLost) {
				t.Errorf("%s after loss: %v, want ErrLeaseLost", name, err)
			}
		}
		if err := f.Close(); !errors.Is(err, ErrLeaseLost) {
			t.Errorf("Close with a pending change after loss: %v", err)
		}
		if got := s.get("acct:a"); !bytes.Equal(got, theirs) {
			t.Errorf("the new owner's session was overwritten:\n%s", got)
		}
		if got := s.get("acct:a" + leaseSuffix); string(got) != foreignOwner {
			t.Errorf("the new owner's lease was changed: %q", got)
		}
		time.Sleep(50 * time.Millisecond)
		if n := lost.calls(); n != 1 {
			t.Errorf("OnLost called %d times", n)
		}
	})

	t.Run("renewal", func(t *testing.T) {
		for _, tt := range []struct {
			name   string
			change func(s *redisServer)
			reason string
		}{
			{"deleted", func(s *redisServer) { s.del("acct:a" + leaseSuffix) }, "the lease expired"},
			{"overwritten", func(s *redisServer) { s.set("acct:a"+leaseSuffix, foreignOwner) }, "taken over by tglua pid 4242 on host other-host"},
			{"replaced by a hash", func(s *redisServer) {
				s.del("acct:a" + leaseSuffix)
				s.client().HSet(ctx, "acct:a"+leaseSuffix, "x", "y")
			}, "the lease expired"},
		} {
			t.Run(tt.name, func(t *testing.T) {
				s := startRedis(t)
				target := s.url("key=acct:a")
				lost := newLostRecorder()
				f := openT(t, target, Options{LeaseTTL: 300 * time.Millisecond, OnLost: lost.onLost})
				if err := f.SetSelf(1, false); err != nil {
					t.Fatal(err)
				}
				before := s.get("acct:a")
				tt.change(s)
				err := lost.wait(t, time.Second) // renewed every 100ms
				if !errors.Is(err, ErrLeaseLost) || !strings.Contains(err.Error(), tt.reason) || !strings.Contains(err.Error(), target) {
					t.Errorf("OnLost(%q), want ErrLeaseLost naming %s: %s", err, target, tt.reason)
				}
				if err := f.SetSelf(2, false); !errors.Is(err, ErrLeaseLost) {
					t.Errorf("SetSelf after loss: %v", err)
				}
				if err := f.Save(ctx, peers.Key{Prefix: "users_", ID: 1}, peers.Value{}); !errors.Is(err, ErrLeaseLost) {
					t.Errorf("Save after loss: %v", err)
				}
				if got := s.get("acct:a"); !bytes.Equal(got, before) {
					t.Error("session written after loss")
				}
				mustClose(t, f) // nothing pending
				if tt.name == "deleted" {
					if n, _ := s.client().Exists(ctx, "acct:a"+leaseSuffix).Result(); n != 0 {
						t.Error("a lost lease was taken again")
					}
				}
			})
		}
	})
}

func TestRedisTakeoverAfterExpiry(t *testing.T) {
	s := startRedis(t)
	target := s.url("key=acct:a")
	const ttl = 300 * time.Millisecond
	c := startChild(t, target, "serve", ttl)
	if got := c.do("store 1"); got != "ok" {
		t.Fatalf("child store: %q", got)
	}
	// The holder freezes: it stops renewing, without releasing.
	if err := c.cmd.Process.Signal(syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	wantRedisLocked(t, target, target, c.pid(), hostname(t))
	f := openEventually(t, target, Options{LeaseTTL: 5 * time.Second}, 3*time.Second)
	if waited := time.Since(start); waited > ttl+500*time.Millisecond {
		t.Errorf("takeover took %v with a TTL of %v", waited, ttl)
	}
	if data, _ := f.LoadSession(ctx); sessionN(data) != 1 {
		t.Fatalf("new owner loaded %q", data)
	}
	if err := f.StoreSession(ctx, []byte(`{"Version":1,"n":1000}`)); err != nil {
		t.Fatal(err)
	}

	// The old holder wakes up: its renewal finds the new owner.
	if err := c.cmd.Process.Signal(syscall.SIGCONT); err != nil {
		t.Fatal(err)
	}
	line := c.next(3 * time.Second)
	if !strings.HasPrefix(line, "lost ") || !strings.Contains(line, fmt.Sprintf("taken over by tglua pid %d on host %s", os.Getpid(), hostname(t))) {
		t.Errorf("old holder: %q, want lost (taken over by us)", line)
	}
	if got := c.do("store 5"); !strings.HasPrefix(got, "err lost ") {
		t.Errorf("old holder's write after takeover: %q", got)
	}
	if n := sessionN(s.doc("acct:a").Session); n != 1000 {
		t.Errorf("the new owner's session was overwritten: n = %d", n)
	}
	if err := f.SetSelf(9, false); err != nil {
		t.Errorf("new owner: %v", err)
	}
}

func TestRedisServerRestart(t *testing.T) {
	s := startRedis(t, "--requirepass", "s3cret-pw")
	target := "redis://:s3cret-pw@" + s.addr() + "/0?key=acct:a"
	shown := "redis://:xxxxx@" + s.addr() + "/0?key=acct:a"
	var errsMu sync.Mutex
	var delayed []error
	lost := newLostRecorder()
	f := openT(t, target, Options{
		FlushDelay: 20 * time.Millisecond,
		LeaseTTL:   10 * time.Second, // outlives the outage
		OnLost:     lost.onLost,
		OnError: func(err error) {
			errsMu.Lock()
			delayed = append(delayed, err)
			errsMu.Unlock()
		},
	})
	if f.Path() != shown {
		t.Errorf("Path() = %q, want %q", f.Path(), shown)
	}
	if err := f.StoreSession(ctx, []byte(`{"Version":1,"n":1}`)); err != nil {
		t.Fatal(err)
	}

	s.saveAndStop()
	err := f.StoreSession(ctx, []byte(`{"Version":1,"n":2}`))
	if err == nil {
		t.Fatal("StoreSession with Redis down succeeded")
	}
	if errors.Is(err, ErrLeaseLost) || !strings.Contains(err.Error(), shown) || !strings.Contains(err.Error(), "Redis unreachable") || strings.Contains(err.Error(), "s3cret") {
		t.Errorf("error %q: want Redis unreachable, naming %s", err, shown)
	}
	// A batched write stays pending; the timer reports its failure.
	if err := f.Save(ctx, peers.Key{Prefix: "users_", ID: 5}, peers.Value{AccessHash: 55}); err != nil {
		t.Fatalf("batched Save: %v", err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		errsMu.Lock()
		n := len(delayed)
		errsMu.Unlock()
		if n > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("OnError not called for the failed delayed write")
		}
		time.Sleep(10 * time.Millisecond)
	}
	errsMu.Lock()
	if derr := delayed[0]; !strings.Contains(derr.Error(), shown) || strings.Contains(derr.Error(), "s3cret") {
		t.Errorf("OnError(%q)", derr)
	}
	errsMu.Unlock()

	if err := s.start(); err != nil {
		t.Fatal(err)
	}
	// The pending changes (n=2, the peer) are written once Redis is back.
	restarted := time.Now()
	for {
		err := f.Flush()
		if err == nil {
			break
		}
		if errors.Is(err, ErrLeaseLost) || time.Since(restarted) > 5*time.Second {
			t.Fatalf("Flush after restart: %v", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Logf("writes succeed %v after the restart", time.Since(restarted).Round(time.Millisecond))
	d := s.doc("acct:a")
	if sessionN(d.Session) != 2 || d.Peers.AccessHashes["users_"][5] != 55 {
		t.Errorf("after restart Redis holds n=%d, peers %v", sessionN(d.Session), d.Peers.AccessHashes)
	}
	if err := f.StoreSession(ctx, []byte(`{"Version":1,"n":3}`)); err != nil {
		t.Fatalf("StoreSession after restart: %v", err)
	}
	d = s.doc("acct:a")
	if sessionN(d.Session) != 3 || d.Peers.AccessHashes["users_"][5] != 55 {
		t.Errorf("after restart Redis holds n=%d, peers %v", sessionN(d.Session), d.Peers.AccessHashes)
	}
	if lost.calls() != 0 {
		t.Errorf("OnLost called: %v", lost.wait(t, 0))
	}
	mustClose(t, f)
}

func TestRedisLostWhileUnreachable(t *testing.T) {
	// Redis stays away longer than the TTL: by the local clock the lease
	// may have been taken, so it is lost even if Redis comes back.
	s := startRedis(t)
	target := s.url("key=acct:a")
	lost := newLostRecorder()
	f := openT(t, target, Options{LeaseTTL: 300 * time.Millisecond, OnLost: lost.onLost})
	if err := f.SetSelf(1, false); err != nil {
		t.Fatal(err)
	}
	s.saveAndStop()
	err := lost.wait(t, 3*time.Second)
	if !errors.Is(err, ErrLeaseLost) || !strings.Contains(err.Error(), "longer than the lease TTL 300ms") || !strings.Contains(err.Error(), "Redis unreachable") {
		t.Errorf("OnLost(%q)", err)
	}
	if err := s.start(); err != nil {
		t.Fatal(err)
	}
	if err := f.SetSelf(2, false); !errors.Is(err, ErrLeaseLost) {
		t.Errorf("SetSelf after loss: %v", err)
	}
	// The session can be opened again (the lease expired).
	g := openEventually(t, target, Options{}, 2*time.Second)
	if id, _, _ := g.Self(); id != 1 {
		t.Errorf("Self() = %d", id)
	}
}

func TestRedisDownAtOpen(t *testing.T) {
	port := freePort(t) // nothing listens there
	target := fmt.Sprintf("redis://user:s3cret@127.0.0.1:%d/0?key=acct:a", port)
	start := time.Now()
	_, err := Open(target, Options{})
	if err == nil {
		t.Fatal("Open succeeded")
	}
	if d := time.Since(start); d > 4*time.Second {
		t.Errorf("Open took %v", d)
	}
	shown := fmt.Sprintf("redis://user:xxxxx@127.0.0.1:%d/0?key=acct:a", port)
	if !strings.HasPrefix(err.Error(), "session "+shown+": ") || !strings.Contains(err.Error(), "Redis unreachable") || strings.Contains(err.Error(), "s3cret") {
		t.Errorf("error %q", err)
	}
	var fe *FileError
	if !errors.As(err, &fe) || fe.Path != shown {
		t.Errorf("error %#v is not a *FileError for %s", err, shown)
	}
}

func TestRedisForeignKeys(t *testing.T) {
	good := func() []byte {
		d := newDocument()
		d.DC = 2
		buf, _ := d.encode()
		return buf
	}()
	tests := []struct {
		name     string
		setup    func(s *redisServer)
		sentinel error
		text     string
	}{
		{"text", func(s *redisServer) { s.set("acct:x", "hello, world") }, ErrForeign, "not a tglua session file"},
		{"other JSON", func(s *redisServer) { s.set("acct:x", `{"name":"x"}`) }, ErrForeign, "not a tglua session file"},
		{"gotd session", func(s *redisServer) { s.set("acct:x", `{"Version":1,"Data":{}}`) }, ErrForeign, "not a tglua session file (it looks like a gotd session file)"},
		{"truncated", func(s *redisServer) { s.set("acct:x", good[:len(good)/2]) }, ErrCorrupted, "corrupted: unexpected end of JSON input"},
		{"future version", func(s *redisServer) { s.set("acct:x", `{"format":"tglua-session","version":2}`) }, ErrUnsupportedVersion, "unsupported version 2"},
		{"hash", func(s *redisServer) { s.client().HSet(ctx, "acct:x", "format", "tglua-session") }, ErrForeign, "not a tglua session file (the key holds a Redis hash)"},
		{"list", func(s *redisServer) { s.client().RPush(ctx, "acct:x", "a", "b") }, ErrForeign, "not a tglua session file (the key holds a Redis list)"},
	}
	s := startRedis(t)
	target := s.url("key=acct:x")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s.del("acct:x")
			tt.setup(s)
			before, _ := s.client().Dump(ctx, "acct:x").Result()
			for range 2 { // the failed Open leaves no lease behind
				f, err := Open(target, Options{})
				if err == nil {
					_ = f.Close()
					t.Fatal("Open succeeded")
				}
				if !errors.Is(err, tt.sentinel) {
					t.Errorf("error %q is not %v", err, tt.sentinel)
				}
				var fe *FileError
				if !errors.As(err, &fe) || fe.Path != target {
					t.Errorf("error %q is not a *FileError for the key", err)
				}
				if want := "session " + target + ": " + tt.text; !strings.HasPrefix(err.Error(), want) {
					t.Errorf("error = %q\nwant prefix %q", err, want)
				}
			}
			if after, _ := s.client().Dump(ctx, "acct:x").Result(); after != before {
				t.Error("key modified")
			}
			if n, _ := s.client().Exists(ctx, "acct:x"+leaseSuffix).Result(); n != 0 {
				t.Error("lease left behind")
			}
		})
	}

	t.Run("replaced while open", func(t *testing.T) {
		s.del("acct:x")
		f := openT(t, target, Options{})
		s.del("acct:x")
		s.client().HSet(ctx, "acct:x", "a", "b")
		err := f.SetSelf(1, false)
		if !errors.Is(err, ErrForeign) || !strings.Contains(err.Error(), "hash; not overwritten") {
			t.Errorf("write over a hash: %v", err)
		}
		if typ, _ := s.client().Type(ctx, "acct:x").Result(); typ != "hash" {
			t.Errorf("key overwritten: now a %s", typ)
		}
	})

	t.Run("lease key of another type", func(t *testing.T) {
		s.del("acct:y", "acct:y"+leaseSuffix)
		s.client().HSet(ctx, "acct:y"+leaseSuffix, "a", "b")
		_, err := Open(s.url("key=acct:y"), Options{})
		if err == nil || !strings.Contains(err.Error(), `the lease key "acct:y:lease" holds a Redis hash`) {
			t.Errorf("Open: %v", err)
		}
	})
}

func TestRedisBadURLs(t *testing.T) {
	tests := []struct {
		target string
		shown  string // in the error
		text   string
	}{
		{"redis://127.0.0.1:6379/0", "redis://127.0.0.1:6379/0", "the key parameter is required"},
		{"redis://127.0.0.1:6379/0?key=", "redis://127.0.0.1:6379/0?key=", "empty key"},
		{"redis://127.0.0.1:6379/0?key=a&key=b", "", "key is given more than once"},
		{"redis://127.0.0.1:6379/0?key=acct:a:lease", "", `cannot end in ":lease"`},
		{"redis://127.0.0.1:6379/0?prefix=acct:", "", "prefix is for listing sessions"},
		{"redis://127.0.0.1:6379/zero?key=a", "", "the path must be a database number"},
		{"redis://127.0.0.1:6379/-1?key=a", "", "the path must be a database number"},
		{"redis://127.0.0.1:6379/0/1?key=a", "", "the path must be a database number"},
		{"redis://127.0.0.1:port/0?key=a", "", `invalid port ":port" after host`},
		{"redis://127.0.0.1:6379/0?key=a&bogus=1", "", "unexpected option: bogus"},
		{"redis://127.0.0.1:6379/0?key=a#frag", "", "unexpected fragment"},
		{"redis://127.0.0.1:6379/0?key=a%zz", "", "query: invalid URL escape"},
		{"http://127.0.0.1:6379/0?key=a", "http://127.0.0.1:6379/0?key=a", `unsupported URL scheme "http"`},
		{"redis+sentinel://h/0?key=a", "", `unsupported URL scheme "redis+sentinel"`},
		{"redis://u:s3cret@127.0.0.1:6379/0", "redis://u:xxxxx@127.0.0.1:6379/0", "the key parameter is required"},
		{"redis://u:s3cret@127.0.0.1:6379/x?key=a", "redis://u:xxxxx@127.0.0.1:6379/x?key=a", "database number"},
		{"redis://u:s3cret@127.0.0.1:badport/0?key=a", "redis://u:xxxxx@127.0.0.1:badport/0?key=a", "invalid Redis URL: cannot parse it"},
		{"redis://u:s3c/ret@127.0.0.1:6379/0?key=a", "redis://u:xxxxx@127.0.0.1:6379/0?key=a", "invalid Redis URL"},
		{"redis://:s3cret@127.0.0.1:6379/0?key=a&bogus=s3cret2", "redis://:xxxxx@127.0.0.1:6379/0?key=a&bogus=s3cret2", "unexpected option"},
	}
	for _, tt := range tests {
		t.Run(tt.target, func(t *testing.T) {
			start := time.Now()
			f, err := Open(tt.target, Options{})
			if err == nil {
				_ = f.Close()
				t.Fatal("Open succeeded")
			}
			if time.Since(start) > time.Second {
				t.Errorf("took %v", time.Since(start))
			}
			if !strings.Contains(err.Error(), tt.text) {
				t.Errorf("error %q does not contain %q", err, tt.text)
			}
			if tt.shown != "" && !strings.HasPrefix(err.Error(), "session "+tt.shown+": ") {
				t.Errorf("error %q does not name %s", err, tt.shown)
			}
			if strings.Contains(strings.ReplaceAll(err.Error(), "s3cret2", ""), "s3cret") {
				t.Errorf("password in %q", err)
			}
		})
	}
	if _, err := Open("redis://127.0.0.1:1/0?key=a", Options{LeaseTTL: time.Millisecond}); err == nil || !strings.Contains(err.Error(), "lease TTL 1ms is shorter than 30ms") {
		t.Errorf("tiny LeaseTTL: %v", err)
	}
}

func TestParseRedisURL(t *testing.T) {
	tt, err := parseRedisURL("rediss://alice:pw@example.com:6380/2?key=acct:x&dial_timeout=1s")
	if err != nil {
		t.Fatal(err)
	}
	o := tt.opts
	if o.Addr != "example.com:6380" || o.DB != 2 || o.Username != "alice" || o.Password != "pw" || o.TLSConfig == nil || o.TLSConfig.ServerName != "example.com" {
		t.Errorf("options %+v", o)
	}
	if o.DialTimeout != time.Second || o.ReadTimeout != redisDialTimeout || o.MaxRetries != 1 {
		t.Errorf("timeouts: dial %v, read %v, retries %d", o.DialTimeout, o.ReadTimeout, o.MaxRetries)
	}
	if tt.key != "acct:x" || !tt.hasKey || tt.hasPrefix {
		t.Errorf("key %q %v %v", tt.key, tt.hasKey, tt.hasPrefix)
	}
	if tt.shown != "rediss://alice:xxxxx@example.com:6380/2?key=acct:x&dial_timeout=1s" {
		t.Errorf("shown %q", tt.shown)
	}
	if got := tt.sessionURL("acct:y z"); got != "rediss://alice:pw@example.com:6380/2?dial_timeout=1s&key=acct:y+z" {
		t.Errorf("sessionURL = %q", got)
	}
	tt, err = parseRedisURL("redis://h?key=k")
	if err != nil || tt.opts.DB != 0 || tt.opts.Addr != "h:6379" || tt.opts.TLSConfig != nil {
		t.Errorf("defaults: %+v, %v", tt, err)
	}
	for in, want := range map[string]string{
		"redis://u:pw@h:x/0":      "redis://u:xxxxx@h:x/0",
		"redis://h:x/0":           "redis://h:x/0",
		"redis://u@h:x/0":         "redis://u@h:x/0",
		"redis://u:p@w@h:x/0?k=v": "redis://u:xxxxx@h:x/0?k=v",
	} {
		if got := redactRaw(in); got != want {
			t.Errorf("redactRaw(%q) = %q, want %q", in, got, want)
		}
	}
	for _, p := range []string{"x.session", "/tmp/a://b", "C:\\x.session", "./redis.session"} {
		if isURL(p) {
			t.Errorf("isURL(%q)", p)
		}
	}
}

func TestList(t *testing.T) {
	t.Run("directory", func(t *testing.T) {
		dir := t.TempDir()
		for _, name := range []string{"b.session", "a.session", "notes.txt", "a.session.lock", ".c.session.tmp-1"} {
			if err := os.WriteFile(filepath.Join(dir, name), nil, 0o600); err != nil {
				t.Fatal(err)
			}
		}
		if err := os.Mkdir(filepath.Join(dir, "d.session"), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(filepath.Join(dir, "a.session"), filepath.Join(dir, "link.session")); err != nil {
			t.Fatal(err)
		}
		got, err := List(dir)
		if err != nil {
			t.Fatal(err)
		}
		want := []string{filepath.Join(dir, "a.session"), filepath.Join(dir, "b.session"), filepath.Join(dir, "link.session")}
		if !slices.Equal(got, want) {
			t.Errorf("List = %q\nwant   %q", got, want)
		}
		if _, err := List(filepath.Join(dir, "missing")); err == nil {
			t.Error("List of a missing directory succeeded")
		}
	})
	t.Run("redis", func(t *testing.T) {
		s := startRedis(t)
		for _, k := range []string{"acct:b", "acct:a", "acct:*star", "other:x"} {
			f := openT(t, s.url("key="+k), Options{})
			mustClose(t, f)
		}
		held := openT(t, s.url("key=acct:c"), Options{}) // open: its lease exists
		s.set("acct:text", "hello")
		s.client().HSet(ctx, "acct:hash", "format", "tglua-session")
		s.set("acct:bare:lease", foreignOwner)
		for i := range 3000 { // more than one SCAN batch
			s.client().Set(ctx, fmt.Sprintf("noise:%d", i), "x", 0)
		}

		got, err := List(s.url("prefix=acct:"))
		if err != nil {
			t.Fatal(err)
		}
		var want []string
		for _, k := range []string{"acct:*star", "acct:a", "acct:b", "acct:c"} {
			want = append(want, s.url("key="+strings.ReplaceAll(k, "*", "%2A")))
		}
		if !slices.Equal(got, want) {
			t.Errorf("List = %q\nwant   %q", got, want)
		}
		mustClose(t, held)
		for _, u := range got {
			f := openT(t, u, Options{})
			mustClose(t, f)
		}
		// The prefix is literal, not a pattern.
		if got, _ := List(s.url("prefix=acct:*")); !slices.Equal(got, want[:1]) {
			t.Errorf("List(prefix=acct:*) = %q", got)
		}
		if got, _ := List(s.url("prefix=")); len(got) != 5 {
			t.Errorf("List(prefix=) = %q", got)
		}
		for _, bad := range []string{s.url("key=acct:a"), "redis://" + s.addr() + "/0"} {
			if _, err := List(bad); err == nil {
				t.Errorf("List(%q) succeeded", bad)
			}
		}
		if _, err := List(fmt.Sprintf("redis://127.0.0.1:%d/0?prefix=x", freePort(t))); err == nil || !strings.Contains(err.Error(), "Redis unreachable") {
			t.Errorf("List with Redis down: %v", err)
		}
	})
}

func TestRedisSecretsNeverFormatted(t *testing.T) {
	key := testKey()
	s := startRedis(t, "--requirepass", "s3cret-pw")
	target := "redis://:s3cret-pw@" + s.addr() + "/0?key=acct:a"
	f := openT(t, target, Options{FlushDelay: -1})
	if err := f.StoreSession(ctx, gotdData(t, 2, key)); err != nil {
		t.Fatal(err)
	}
	raw := s.get("acct:a")
	if !strings.Contains(string(raw), b64(key)) {
		t.Fatal("test setup: key not found in Redis")
	}

	var texts []string
	add := func(v any) {
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%T"} {
			texts = append(texts, fmt.Sprintf(verb, v))
		}
	}
	add(f)
	add(f.doc)
	texts = append(texts, f.String(), f.GoString(), f.Path())

	_, err := Open(target, Options{})
	add(err) // locked

	for i, n := range []int{len(raw) / 3, len(raw) / 2, len(raw) - 2} {
		k := fmt.Sprintf("acct:damaged%d", i)
		s.set(k, raw[:n])
		_, err := Open("redis://:s3cret-pw@"+s.addr()+"/0?key="+k, Options{})
		if err == nil {
			t.Fatal("Open of a truncated copy succeeded")
		}
		add(err)
	}

	// A fenced write, then writes with Redis down.
	s.set("acct:a"+leaseSuffix, foreignOwner)
	add(f.StoreSession(ctx, gotdData(t, 3, key)))
	g := openT(t, "redis://:s3cret-pw@"+s.addr()+"/0?key=acct:b", Options{FlushDelay: -1})
	if err := g.StoreSession(ctx, gotdData(t, 2, key)); err != nil {
		t.Fatal(err)
	}
	s.stop()
	add(g.StoreSession(ctx, gotdData(t, 3, key)))
	add(g.Save(ctx, peers.Key{Prefix: "users_", ID: 1}, peers.Value{AccessHash: 2}))
	add(g.StoreSession(ctx, append([]byte("garbage "), key...)))
	add(g.Close())
	add(f.Close())

	for _, text := range texts {
		if strings.Contains(text, "s3cret") {
			t.Errorf("password leaked in %q", text)
		}
		for _, form := range forms(key) {
			if strings.Contains(text, form) {
				t.Errorf("secret leaked in %q", text)
			}
		}
	}
}

// TestKillMidWrite kills a process writing in a tight loop at random
// moments: the session must always load afterwards, never going back.
func TestKillMidWrite(t *testing.T) {
	const kills = 50
	run := func(t *testing.T, target string, read func() []byte, afterKill func() bool) {
		midWrite := 0
		last := 0
		for i := range kills {
			c := startChild(t, target, "loop", 0)
			time.Sleep(time.Duration(1000+rand.IntN(19000)) * time.Microsecond)
			c.kill()
			data := read()
			d, err := decodeDocument(data)
			if err != nil {
				t.Fatalf("kill %d: session does not load: %v", i, err)
			}
			n := sessionN(d.Session)
			if n < last {
				t.Fatalf("kill %d: went back from write %d to %d", i, last, n)
			}
			last = n
			if afterKill() {
				midWrite++
			}
		}
		if last == 0 {
			t.Error("the child processes wrote nothing")
		}
		t.Logf("%d kills, %d writes", kills, last)
		if midWrite > 0 {
			t.Logf("%d kills left a temporary file: killed mid-write", midWrite)
		}
		f := openT(t, target, Options{})
		mustClose(t, f)
	}
	t.Run("file", func(t *testing.T) {
		t.Parallel()
		path := sessionPath(t)
		run(t, path, func() []byte {
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			return data
		}, func() bool {
			matches, _ := filepath.Glob(filepath.Join(filepath.Dir(path), tempPrefix(path)+"*"))
			return len(matches) > 0 // removed by the next Open
		})
	})
	t.Run("redis", func(t *testing.T) {
		t.Parallel()
		s := startRedis(t)
		run(t, s.url("key=acct:k"), func() []byte { return s.get("acct:k") }, func() bool {
			// The killed process's lease would block the next one for
			// its TTL.
			s.del("acct:k" + leaseSuffix)
			return false
		})
	})
}

// BenchmarkSessionWrite times one synchronous session data write
// (StoreSession) to a session file and to Redis.
func BenchmarkSessionWrite(b *testing.B) {
	bench := func(b *testing.B, target string) {
		// Session data, login state and a few peers: the storage, not the
		// JSON encoding of a large peer cache (the same for both), is
		// what is timed.
		f := openT(b, target, Options{})
		if err := f.SetSelf(777, false); err != nil {
			b.Fatal(err)
		}
		for i := range int64(20) {
			_ = f.Save(ctx, peers.Key{Prefix: "users_", ID: i}, peers.Value{AccessHash: i * 7919})
		}
		if err := f.Flush(); err != nil {
			b.Fatal(err)
		}
		b.ResetTimer()
		for i := range b.N {
			if err := f.StoreSession(ctx, gotdDataSalt(i)); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.Run("file", func(b *testing.B) { bench(b, sessionPath(b)) })
	b.Run("redis", func(b *testing.B) {
		s := startRedis(b)
		bench(b, s.url("key=bench"))
	})
}

// gotdDataSalt is gotd session data with the salt i, so that every write
// changes the session.
func gotdDataSalt(i int) []byte {
	key := testKey()
	return fmt.Appendf(nil, `{"Version":1,"Data":{"Config":{},"DC":2,"Addr":"149.154.167.50:443","AuthKey":%q,"AuthKeyID":%q,"Salt":%d}}`,
		b64(key), b64(key[:8]), i)
}

func TestIsURL(t *testing.T) {
	for in, want := range map[string]bool{
		"redis://127.0.0.1:6379/0?key=a": true,
		"rediss://h":                     true,
		"git+ssh://h":                    true,
		"./acct.session":                 false,
		"dir/a://b":                      false,
		"1redis://h":                     false,
		"://h":                           false,
		"redis:/h":                       false,
		`C:\sessions\a`:                  false,
	} {
		if got := isURL(in); got != want {
			t.Errorf("isURL(%q) = %v, want %v", in, got, want)
		}
	}
}
