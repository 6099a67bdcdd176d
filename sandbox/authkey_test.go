package sandbox

import (
	"bytes"
	"sync"
	"testing"

	"github.com/gotd/td/session"
	"github.com/gotd/td/telegram"
)

// TestNewAuthKey: a client started on a session holding the key
// NewAuthKey made logs in and calls over that key, without an exchange of
// its own.
func TestNewAuthKey(t *testing.T) {
	s := startTestServer(t, Options{})
	ctx := testContext(t)
	data, err := s.NewAuthKey(ctx)
	if err != nil {
		t.Fatal(err)
	}
	st := &session.StorageMemory{}
	if err := (&session.Loader{Storage: st}).Save(ctx, data); err != nil {
		t.Fatal(err)
	}
	c, u := startUser(t, s, "+15550000", func(o *telegram.Options) { o.SessionStorage = st })
	if u.Phone != "15550000" {
		t.Fatalf("logged in as %q", u.Phone)
	}
	if _, err := c.API().HelpGetNearestDC(c.ctx); err != nil {
		t.Fatal(err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.keys) != 1 {
		t.Fatalf("server saw %d auth keys, want 1", len(s.keys))
	}
	for id := range s.keys {
		if !bytes.Equal(id[:], data.AuthKeyID) {
			t.Fatalf("server saw key %x, session holds %x", id, data.AuthKeyID)
		}
	}
}

// TestConcurrentKeyExchanges: keys made while other connections' calls
// come in. tgtest reads its map of keys under one mutex and writes it under
// another; without the listener's session guard this ends the process
// with a concurrent map read and write (listener.go) now and then, and
// `go test -race` reports it every time.
func TestConcurrentKeyExchanges(t *testing.T) {
	s := startTestServer(t, Options{})
	ctx := testContext(t)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range 4 {
		c := startClient(t, s, nil)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				if _, err := c.API().HelpGetNearestDC(c.ctx); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	var keys sync.WaitGroup
	for range 4 {
		keys.Add(1)
		go func() {
			defer keys.Done()
			for range 20 {
				if _, err := s.NewAuthKey(ctx); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	keys.Wait()
	close(stop)
	wg.Wait()
}

// BenchmarkNewAuthKey is one key made with the in-process fast path: the
// full exchange against the sandbox, both sides.
func BenchmarkNewAuthKey(b *testing.B) {
	s := startTestServer(b, Options{})
	ctx := testContext(b)
	for b.Loop() {
		if _, err := s.NewAuthKey(ctx); err != nil {
			b.Fatal(err)
		}
	}
}
