package runtime_test

import (
	"errors"
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/gotd/td/tgtest"

	"github.com/tglua/tglua/internal/session"
	"github.com/tglua/tglua/internal/testserver"
	"github.com/tglua/tglua/runtime"
)

const sendInvitesID = 0x771c1d97 // auth.sendInvites: gotd's tg no longer has it

// inviteServer counts auth.sendInvites requests.
func inviteServer(t *testing.T) (*testserver.Server, *atomic.Int32) {
	srv := testserver.Start(t)
	var n atomic.Int32
	srv.Dispatcher.HandleFunc(sendInvitesID, func(s *tgtest.Server, req *tgtest.Request) error {
		n.Add(1)
		return s.SendBool(req, true)
	})
	return srv, &n
}

func TestBotGuardFromSession(t *testing.T) {
	srv, invites := inviteServer(t)
	path := filepath.Join(t.TempDir(), "bot.session")
	f, err := session.Open(path, session.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.SetSelf(777, true); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	rt := rtFor(t, srv, func(o *runtime.Options) { o.SessionPath = path })
	out := luaDo(t, rt, `
		local ok, e = pcall(auth.sendInvites, {phone_numbers={'+15550001'}, message='hi'})
		return ok, tostring(e), e.type, e.message, e.method, e.code`)
	wantValues(t, out, []any{false, "auth.sendInvites: bots cannot use this method",
		runtime.TypeBotMethodInvalid, "bots cannot use this method", "auth.sendInvites", nil})
	if n := invites.Load(); n != 0 {
		t.Fatalf("the server saw %d auth.sendInvites requests from a bot session, want 0", n)
	}
	// Uncaught, the host sees the structured error.
	err = luaFail(t, rt, `auth.sendInvites{phone_numbers={'+15550001'}, message='hi'}`)
	var se *runtime.Error
	if !errors.As(err, &se) || se.Value == nil || se.Value.Type != runtime.TypeBotMethodInvalid || err.Error() != "auth.sendInvites: bots cannot use this method" {
		t.Fatalf("error = %#v", err)
	}
}

func TestBotGuardFromOptionsAndUsers(t *testing.T) {
	srv, invites := inviteServer(t)
	bot := rtFor(t, srv, func(o *runtime.Options) { o.Bot = true })
	err := luaFail(t, bot, `auth.sendInvites{phone_numbers={'+1'}, message='hi'}`)
	if err.Error() != "auth.sendInvites: bots cannot use this method" {
		t.Fatalf("bot: %v", err)
	}
	// A user session sends it.
	user := rtFor(t, srv, nil)
	wantValues(t, luaDo(t, user, `return auth.sendInvites{phone_numbers={'+1'}, message='hi'}`), []any{true})
	if n := invites.Load(); n != 1 {
		t.Fatalf("server saw %d requests, want 1 (from the user session)", n)
	}
}
