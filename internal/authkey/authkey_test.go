package authkey_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"strings"
	"testing"
	"time"

	"github.com/gotd/td/session"
	"github.com/gotd/td/telegram"

	"github.com/tglua/tglua/internal/authkey"
	"github.com/tglua/tglua/internal/testserver"
	"github.com/tglua/tglua/sandbox/sandboxtest"
)

// TestNew: a key made with the default 2048-bit exponent is one gotd's
// client calls over, without an exchange of its own.
func TestNew(t *testing.T) {
	sb := sandboxtest.Start(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	data, err := authkey.New(ctx, sb.Addr().String(), sb.PublicKey(), sb.DC(), authkey.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(data.AuthKey) != 256 || len(data.AuthKeyID) != 8 || data.DC != sb.DC() || data.Addr != sb.Addr().String() {
		t.Fatalf("session data: key %d bytes, id %d bytes, dc %d, addr %q", len(data.AuthKey), len(data.AuthKeyID), data.DC, data.Addr)
	}
	st := &session.StorageMemory{}
	if err := (&session.Loader{Storage: st}).Save(ctx, data); err != nil {
		t.Fatal(err)
	}
	opts := sb.TelegramOptions()
	opts.SessionStorage = st
	client := telegram.NewClient(1, "sandbox", opts)
	testserver.RunClient(t, client)
	if _, err := client.API().HelpGetNearestDC(ctx); err != nil {
		t.Fatal(err)
	}
	after, err := (&session.Loader{Storage: st}).Load(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if string(after.AuthKeyID) != string(data.AuthKeyID) {
		t.Fatalf("the client made a key of its own: %x, want %x", after.AuthKeyID, data.AuthKeyID)
	}
}

// TestNewErrors: a server without our key, a bad exponent size and a dead
// address each fail with a clear error.
func TestNewErrors(t *testing.T) {
	sb := sandboxtest.Start(t)
	ctx := context.Background()
	other, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		addr string
		key  *rsa.PublicKey
		opts authkey.Options
		want string
	}{
		{"foreign key", sb.Addr().String(), &other.PublicKey, authkey.Options{}, "new auth key: key exchange: server offers no key of ours"},
		{"exponent", sb.Addr().String(), sb.PublicKey(), authkey.Options{ExponentBits: 100}, "exponent of 100 bits"},
		{"dead", "127.0.0.1:1", sb.PublicKey(), authkey.Options{Timeout: 5 * time.Second}, "new auth key: dial"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := authkey.New(ctx, c.addr, c.key, sb.DC(), c.opts)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("got %v, want %q", err, c.want)
			}
		})
	}
}

// BenchmarkNew makes one key with Telegram's 2048-bit exponent, both
// sides of the exchange in this process.
func BenchmarkNew(b *testing.B) {
	sb := sandboxtest.Start(b)
	for b.Loop() {
		if _, err := authkey.New(context.Background(), sb.Addr().String(), sb.PublicKey(), sb.DC(), authkey.Options{}); err != nil {
			b.Fatal(err)
		}
	}
}
