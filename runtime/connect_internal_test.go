package runtime

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/gotd/td/session"
)

// TestKeyedStorageFallback: when the fast exchange fails, a fallback
// storage tells gotd there is no session, so that gotd makes the key by
// its own exchange; without fallback, or once the context has ended, the
// failure is the error.
func TestKeyedStorageFallback(t *testing.T) {
	fail := func(context.Context) (*session.Data, error) { return nil, errors.New("no exchange") }
	k := keyedStorage{Storage: &session.StorageMemory{}, newKey: fail, fallback: true}
	if _, err := k.LoadSession(context.Background()); !errors.Is(err, session.ErrNotFound) {
		t.Fatalf("fallback: got %v, want session.ErrNotFound", err)
	}
	ended, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := k.LoadSession(ended); err == nil || errors.Is(err, session.ErrNotFound) {
		t.Fatalf("ended context: got %v, want the failure", err)
	}
	k.fallback = false
	if _, err := k.LoadSession(context.Background()); err == nil || !strings.Contains(err.Error(), "make auth key: no exchange") {
		t.Fatalf("no fallback: got %v", err)
	}
}
