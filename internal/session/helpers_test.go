package session

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	gotdsession "github.com/gotd/td/session"
)

// fakeClock replaces time.AfterFunc: delayed writes run only when the test
// calls fire.
type fakeClock struct {
	mu     sync.Mutex
	timers []*fakeTimer
}

type fakeTimer struct {
	c       *fakeClock
	delay   time.Duration
	fn      func()
	stopped bool
}

func (t *fakeTimer) Stop() bool {
	t.c.mu.Lock()
	defer t.c.mu.Unlock()
	was := !t.stopped
	t.stopped = true
	return was
}

func (c *fakeClock) afterFunc(d time.Duration, fn func()) timer {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := &fakeTimer{c: c, delay: d, fn: fn}
	c.timers = append(c.timers, t)
	return t
}

// armed returns the delays of the timers that have not run or been stopped.
func (c *fakeClock) armed() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	var ds []time.Duration
	for _, t := range c.timers {
		if !t.stopped {
			ds = append(ds, t.delay)
		}
	}
	return ds
}

// fire runs the armed timers.
func (c *fakeClock) fire() {
	c.mu.Lock()
	var run []func()
	for _, t := range c.timers {
		if !t.stopped {
			t.stopped = true
			run = append(run, t.fn)
		}
	}
	c.mu.Unlock()
	for _, fn := range run {
		fn()
	}
}

func sessionPath(t testing.TB) string {
	return filepath.Join(t.TempDir(), "x.session")
}

// openT opens path and closes it at the end of the test.
func openT(t testing.TB, path string, opts Options) *File {
	t.Helper()
	f, err := Open(path, opts)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { _ = f.Close() })
	return f
}

// openFake opens path with a fake clock for delayed writes.
func openFake(t testing.TB, path string, opts Options) (*File, *fakeClock) {
	t.Helper()
	c := &fakeClock{}
	f, err := open(path, opts, c.afterFunc)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() { _ = f.Close() })
	return f, c
}

// onDisk decodes the session file as it is on disk now.
func onDisk(t testing.TB, path string) *document {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	d, err := decodeDocument(data)
	if err != nil {
		t.Fatalf("decode on-disk session: %v", err)
	}
	return d
}

func mustClose(t testing.TB, f *File) {
	t.Helper()
	if err := f.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
}

func mode(t testing.TB, path string) os.FileMode {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Mode().Perm()
}

// testKey is a recognisable 256-byte auth key.
func testKey() []byte {
	key := make([]byte, 256)
	for i := range key {
		key[i] = byte(i*7 + 3)
	}
	return key
}

// gotdData returns session data as gotd's session.Loader stores it.
func gotdData(t testing.TB, dc int, key []byte) []byte {
	t.Helper()
	var mem gotdsession.StorageMemory
	l := gotdsession.Loader{Storage: &mem}
	if err := l.Save(context.Background(), &gotdsession.Data{
		DC:        dc,
		Addr:      "149.154.167.50:443",
		AuthKey:   key,
		AuthKeyID: key[:8],
		Salt:      -1234567890123456789,
	}); err != nil {
		t.Fatal(err)
	}
	data, err := mem.Bytes(nil)
	if err != nil {
		t.Fatal(err)
	}
	return slices.Clone(data)
}
