package runtime_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gotd/td/bin"
	"github.com/gotd/td/tg"
	"github.com/gotd/td/tgerr"
	"github.com/gotd/td/tgtest"

	"github.com/tglua/tglua/internal/syncbuf"
	"github.com/tglua/tglua/internal/testserver"
	"github.com/tglua/tglua/runtime"
)

// Helpers shared by the tests of peers, flood waits, the guard and the
// sandbox.

// dialTo is the Dial of a runtime connecting to srv.
func dialTo(srv *testserver.Server) runtime.Dial {
	return runtime.Dial{AppID: 1, AppHash: "hash", Server: srv.Addr.String(), ServerKey: srv.PEM(), DC: srv.DC}
}

// rtFor makes a runtime dialling srv, with opts adjusted by edit.
func rtFor(t *testing.T, srv *testserver.Server, edit func(o *runtime.Options)) *runtime.Runtime {
	t.Helper()
	opts := runtime.Options{Dial: dialTo(srv), Stdout: &syncbuf.Buffer{}, Stderr: &syncbuf.Buffer{}}
	if edit != nil {
		edit(&opts)
	}
	rt, err := runtime.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = rt.Close() })
	return rt
}

// luaDo runs a chunk that must succeed.
func luaDo(t *testing.T, rt *runtime.Runtime, src string) []any {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	out, err := rt.DoString(ctx, src)
	if err != nil {
		t.Fatalf("script failed: %v\n%s", err, src)
	}
	return out
}

// luaFail runs a chunk that must fail.
func luaFail(t *testing.T, rt *runtime.Runtime, src string) error {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	_, err := rt.DoString(ctx, src)
	if err == nil {
		t.Fatalf("script succeeded, want an error\n%s", src)
	}
	return err
}

func wantValues(t *testing.T, got, want []any) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d values %#v, want %d %#v", len(got), got, len(want), want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("value %d: got %#v, want %#v", i+1, got[i], want[i])
		}
	}
}

// peerServer is a test server that knows a few peers and records the peers
// of sendMessage and getUsers requests.
type peerServer struct {
	*testserver.Server
	resolves   atomic.Int32 // contacts.resolveUsername calls
	contacts   atomic.Int32 // contacts.getContacts calls
	unexpected atomic.Int32 // requests no handler expected

	mu    sync.Mutex
	peers []tg.InputPeerClass // messages.sendMessage peers, in order
	users []tg.InputUserClass // users.getUsers ids, in order
	chans []tg.InputChannelClass
}

const (
	annID       = 100
	annHash     = -7546723456789012345 // beyond 2^53
	chanID      = 555
	chanHash    = 1 << 60
	contactID   = 7
	contactHash = 77
	otherID     = 4242 // known from users.getUsers
	otherHash   = 4343
)

func newPeerServer(t *testing.T) *peerServer {
	srv := &peerServer{Server: testserver.Start(t)}
	d := srv.Dispatcher
	ann := &tg.User{ID: annID, AccessHash: annHash, FirstName: "Ann", Username: "ann"}
	channel := &tg.Channel{ID: chanID, AccessHash: chanHash, Title: "News", Username: "news", Photo: &tg.ChatPhotoEmpty{}}
	d.HandleFunc(tg.ContactsResolveUsernameRequestTypeID, func(s *tgtest.Server, req *tgtest.Request) error {
		srv.resolves.Add(1)
		var r tg.ContactsResolveUsernameRequest
		if err := r.Decode(req.Buf); err != nil {
			return err
		}
		switch r.Username {
		case "ann":
			return s.SendResult(req, &tg.ContactsResolvedPeer{Peer: &tg.PeerUser{UserID: annID}, Users: []tg.UserClass{ann}})
		case "news":
			return s.SendResult(req, &tg.ContactsResolvedPeer{Peer: &tg.PeerChannel{ChannelID: chanID}, Chats: []tg.ChatClass{channel}})
		}
		return tgerr.New(400, "USERNAME_NOT_OCCUPIED")
	})
	d.HandleFunc(tg.ContactsGetContactsRequestTypeID, func(s *tgtest.Server, req *tgtest.Request) error {
		srv.contacts.Add(1)
		return s.SendResult(req, &tg.ContactsContacts{
			Contacts: []tg.Contact{{UserID: contactID}},
			Users:    []tg.UserClass{&tg.User{ID: contactID, AccessHash: contactHash, FirstName: "Carl", Phone: "15550001", Contact: true}},
		})
	})
	d.HandleFunc(tg.ContactsResolvePhoneRequestTypeID, func(s *tgtest.Server, req *tgtest.Request) error {
		return tgerr.New(400, "PHONE_NOT_OCCUPIED")
	})
	d.HandleFunc(tg.MessagesSendMessageRequestTypeID, func(s *tgtest.Server, req *tgtest.Request) error {
		var r tg.MessagesSendMessageRequest
		if err := r.Decode(req.Buf); err != nil {
			return err
		}
		srv.mu.Lock()
		srv.peers = append(srv.peers, r.Peer)
		srv.mu.Unlock()
		return s.SendResult(req, &tg.Updates{Date: 1})
	})
	d.HandleFunc(tg.UsersGetUsersRequestTypeID, func(s *tgtest.Server, req *tgtest.Request) error {
		var r tg.UsersGetUsersRequest
		if err := r.Decode(req.Buf); err != nil {
			return err
		}
		srv.mu.Lock()
		srv.users = append(srv.users, r.ID...)
		srv.mu.Unlock()
		var out []bin.Encoder
		for range r.ID {
			out = append(out, &tg.User{ID: otherID, AccessHash: otherHash, FirstName: "Otto", Username: "otto"})
		}
		return s.SendVector(req, out...)
	})
	d.HandleFunc(tg.ChannelsGetChannelsRequestTypeID, func(s *tgtest.Server, req *tgtest.Request) error {
		var r tg.ChannelsGetChannelsRequest
		if err := r.Decode(req.Buf); err != nil {
			return err
		}
		srv.mu.Lock()
		srv.chans = append(srv.chans, r.ID...)
		srv.mu.Unlock()
		return s.SendResult(req, &tg.MessagesChats{Chats: []tg.ChatClass{channel}})
	})
	d.HandleFunc(tg.MessagesGetHistoryRequestTypeID, func(s *tgtest.Server, req *tgtest.Request) error {
		return s.SendResult(req, &tg.MessagesChannelMessages{
			Messages: []tg.MessageClass{&tg.Message{ID: 9, Message: "hi", PeerID: &tg.PeerChannel{ChannelID: chanID}}},
			Chats:    []tg.ChatClass{channel},
		})
	})
	d.Fallback(tgtest.HandlerFunc(func(s *tgtest.Server, req *tgtest.Request) error {
		srv.unexpected.Add(1)
		return tgerr.New(400, "UNEXPECTED")
	}))
	return srv
}

// sent returns the peers of sendMessage calls so far and forgets them.
func (s *peerServer) sent() []tg.InputPeerClass {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := s.peers
	s.peers = nil
	return out
}

func wantUserPeer(t *testing.T, p tg.InputPeerClass, id, hash int64) {
	t.Helper()
	u, ok := p.(*tg.InputPeerUser)
	if !ok || u.UserID != id || u.AccessHash != hash {
		t.Errorf("peer = %#v, want inputPeerUser %d/%d", p, id, hash)
	}
}

func TestPeerUsernameResolvedOnceAcrossRuns(t *testing.T) {
	srv := newPeerServer(t)
	path := filepath.Join(t.TempDir(), "test.session")
	withSession := func(o *runtime.Options) { o.SessionPath = path }

	rt := rtFor(t, srv.Server, withSession)
	luaDo(t, rt, `
		messages.sendMessage{peer='@ann', message='1'}
		messages.sendMessage{peer='ann', message='2'}
		messages.sendMessage{peer='@Ann', message='3'}
		messages.sendMessage{peer='t.me/ann', message='4'}
		messages.sendMessage{peer='https://t.me/ann', message='5'}
		messages.sendMessage{peer=100, message='6'}
		messages.sendMessage{peer='100', message='7'}`)
	if n := srv.resolves.Load(); n != 1 {
		t.Fatalf("contacts.resolveUsername called %d times in one run, want 1", n)
	}
	sent := srv.sent()
	if len(sent) != 7 {
		t.Fatalf("server saw %d messages, want 7", len(sent))
	}
	for _, p := range sent {
		wantUserPeer(t, p, annID, annHash)
	}
	if err := rt.Close(); err != nil {
		t.Fatal(err)
	}

	// A second run on the same session file: no resolveUsername at all.
	rt2 := rtFor(t, srv.Server, withSession)
	luaDo(t, rt2, `
		messages.sendMessage{peer='@ann', message='again'}
		messages.sendMessage{peer=100, message='by id'}`)
	if n := srv.resolves.Load(); n != 1 {
		t.Fatalf("contacts.resolveUsername called %d times in total, want 1 (the second run must use the session's cache)", n)
	}
	for _, p := range srv.sent() {
		wantUserPeer(t, p, annID, annHash)
	}
}

// os.exit writes the session (its batched peer cache too) and releases it
// before the process ends.
func TestExitWritesSession(t *testing.T) {
	srv := newPeerServer(t)
	path := filepath.Join(t.TempDir(), "test.session")
	exitCode := -1
	rt := rtFor(t, srv.Server, func(o *runtime.Options) {
		o.SessionPath = path
		o.Exit = func(code int) { exitCode = code }
	})
	err := luaFail(t, rt, `
		messages.sendMessage{peer='@ann', message='1'}
		print('before')
		os.exit(3)
		print('after')`)
	if exitCode != 3 || !strings.Contains(err.Error(), "os.exit(3)") {
		t.Fatalf("exit code %d, error %v", exitCode, err)
	}
	if _, err := rt.DoString(context.Background(), `return 1`); err == nil || !strings.Contains(err.Error(), "closed") {
		t.Fatalf("after os.exit the runtime answered %v, want closed", err)
	}
	// The file is free and holds the cache: no second resolveUsername.
	rt2 := rtFor(t, srv.Server, func(o *runtime.Options) { o.SessionPath = path })
	luaDo(t, rt2, `messages.sendMessage{peer='@ann', message='2'}`)
	if n := srv.resolves.Load(); n != 1 {
		t.Fatalf("contacts.resolveUsername called %d times, want 1", n)
	}
	for _, tc := range []struct {
		src  string
		code int
	}{{`os.exit()`, 0}, {`os.exit(true)`, 0}, {`os.exit(false)`, 1}, {`os.exit(7)`, 7}} {
		code := -1
		rt := rtFor(t, srv.Server, func(o *runtime.Options) { o.Exit = func(c int) { code = c } })
		luaFail(t, rt, tc.src)
		if code != tc.code {
			t.Errorf("%s: exit code %d, want %d", tc.src, code, tc.code)
		}
	}
}

// os.exit from a light thread (spawn, a timer, a handler) ends the run with
// its code, like os.exit in the main chunk: it neither waits for itself
// nor lets the host end the run with an error of its own first, and when
// the host's Exit returns (as a fleet's does), the host's sleep or event
// loop ends too.
func TestExitFromThreads(t *testing.T) {
	srv := newPeerServer(t)
	for _, tc := range []struct {
		src  string
		code int
	}{
		{`wait(spawn(function() os.exit(5) end))`, 5},
		{`spawn(function() sleep(0.01) os.exit(6) end) sleep(3600)`, 6},
		{`after(0.01, function() os.exit(4) end) sleep(3600)`, 4},
		{`map(function(x) if x == 2 then os.exit(8) end sleep(3600) end, {1, 2, 3})`, 8},
		{`every(3600, function() end) after(0.01, function() os.exit(2) end)`, 2}, // the event loop
	} {
		var code atomic.Int64
		code.Store(-1)
		path := filepath.Join(t.TempDir(), "test.session")
		rt := rtFor(t, srv.Server, func(o *runtime.Options) {
			o.SessionPath = path
			o.Exit = func(c int) { code.Store(int64(c)) }
		})
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute) // a hang fails
		_, err := rt.DoString(ctx, `messages.sendMessage{peer='@ann', message='1'} `+tc.src)
		cancel()
		if code.Load() != int64(tc.code) || errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("%s: exit code %d, error %v; want %d", tc.src, code.Load(), err, tc.code)
		}
		// The session was written and released: another runtime opens it.
		rt2 := rtFor(t, srv.Server, func(o *runtime.Options) { o.SessionPath = path })
		luaDo(t, rt2, `return 1`)
	}
}

func TestPeerForms(t *testing.T) {
	srv := newPeerServer(t)
	rt := rtFor(t, srv.Server, nil)

	// Unknown numeric ids fail before anything is sent.
	for _, tc := range []struct{ src, want string }{
		{`messages.sendMessage{peer=12345, message='x'}`, "messages.sendMessage: peer: peer 12345: unknown user; resolve it by username first or receive a message from it"},
		{`messages.sendMessage{peer='12345', message='x'}`, "peer 12345: unknown user; resolve it by username first or receive a message from it"},
		{`messages.sendMessage{peer={_='peerUser', user_id=12345}, message='x'}`, "peer 12345: unknown user"},
		{`messages.sendMessage{peer=-1001234567890, message='x'}`, "peer -1001234567890: unknown channel; resolve it by username first or receive a message from it"},
		{`messages.sendMessage{peer='inputPeerFoo', message='x'}`, "messages.sendMessage: peer: unknown constructor 'inputPeerFoo' (want InputPeer)"},
		{`messages.sendMessage{peer={_='inputUser', user_id=1, access_hash=1}, message='x'}`, "unknown constructor 'inputUser' (want InputPeer)"},
		{`messages.sendMessage{peer=1.5, message='x'}`, "peer 1.5: not an integral id"},
		{`messages.sendMessage{peer='no such!', message='x'}`, "peer no such!: not a username, phone number (+...), id or peer table"},
		{`users.getUsers{id={-123}}`, "users.getUsers: id[1]: peer -123 is a basic group, not a user (InputUser)"},
		{`channels.getChannels{id={'me'}}`, "peer me is the current account, not a channel (InputChannel)"},
		{`messages.sendMessage{peer=true, message='x'}`, "InputPeer expected, got boolean"},
	} {
		err := luaFail(t, rt, tc.src)
		if !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s\n got: %v\nwant: %s", tc.src, err, tc.want)
		}
	}
	if n := srv.unexpected.Load() + srv.resolves.Load() + int32(len(srv.sent())); n != 0 {
		t.Fatalf("%d requests went out for peers that cannot be resolved", n)
	}

	// Self, basic groups (no access hash needed), and peers seen in results.
	out := luaDo(t, rt, `
		messages.sendMessage{peer='me', message='1'}
		messages.sendMessage{peer='self', message='2'}
		messages.sendMessage{peer=-123, message='3'}
		messages.sendMessage{peer={_='peerChat', chat_id=123}, message='4'}
		local us = users.getUsers{id={'me'}}
		local u = us[1]
		messages.sendMessage{peer=u, message='5'}
		messages.sendMessage{peer=u.id, message='6'}
		messages.sendMessage{peer={_='peerUser', user_id=u.id}, message='7'}
		messages.sendMessage{peer='@otto', message='8'}
		return u.id`)
	wantValues(t, out, []any{int64(otherID)})
	sent := srv.sent()
	if len(sent) != 8 {
		t.Fatalf("server saw %d messages, want 8", len(sent))
	}
	for i := range 2 {
		if _, ok := sent[i].(*tg.InputPeerSelf); !ok {
			t.Errorf("message %d: peer = %#v, want inputPeerSelf", i+1, sent[i])
		}
	}
	for i := 2; i < 4; i++ {
		if c, ok := sent[i].(*tg.InputPeerChat); !ok || c.ChatID != 123 {
			t.Errorf("message %d: peer = %#v, want inputPeerChat 123", i+1, sent[i])
		}
	}
	for _, p := range sent[4:] {
		wantUserPeer(t, p, otherID, otherHash)
	}
	if n := srv.resolves.Load(); n != 0 {
		t.Errorf("@otto came with a result, yet resolveUsername was called %d times", n)
	}
	srv.mu.Lock()
	if len(srv.users) != 1 {
		t.Errorf("getUsers ids = %#v", srv.users)
	} else if _, ok := srv.users[0].(*tg.InputUserSelf); !ok {
		t.Errorf("users.getUsers{id={'me'}} sent %#v, want inputUserSelf", srv.users[0])
	}
	srv.mu.Unlock()

	// Channels: by username, as InputChannel, by Bot API id, and msg.peer_id
	// from a result passed straight back.
	out = luaDo(t, rt, `
		channels.getChannels{id={'@news'}}
		local h = messages.getHistory{peer='@news', offset_id=0, offset_date=0, add_offset=0, limit=1, max_id=0, min_id=0, hash=0}
		local m = h.messages[1]
		messages.sendMessage{peer=m.peer_id, message='a'}
		messages.sendMessage{peer=-1000000000555, message='b'}
		messages.sendMessage{peer=h.chats[1], message='c'}
		channels.getChannels{id={m.peer_id.channel_id, h.chats[1]}}
		return m.peer_id._`)
	wantValues(t, out, []any{"peerChannel"})
	for i, p := range srv.sent() {
		if c, ok := p.(*tg.InputPeerChannel); !ok || c.ChannelID != chanID || c.AccessHash != chanHash {
			t.Errorf("channel message %d: peer = %#v", i+1, p)
		}
	}
	srv.mu.Lock()
	if len(srv.chans) != 3 {
		t.Errorf("getChannels ids = %#v, want 3", srv.chans)
	}
	for _, c := range srv.chans {
		if ic, ok := c.(*tg.InputChannel); !ok || ic.ChannelID != chanID || ic.AccessHash != chanHash {
			t.Errorf("getChannels id = %#v", c)
		}
	}
	srv.mu.Unlock()
	if n := srv.resolves.Load(); n != 1 {
		t.Errorf("@news resolved %d times, want 1", n)
	}
}

func TestPeerPhone(t *testing.T) {
	srv := newPeerServer(t)
	rt := rtFor(t, srv.Server, nil)
	luaDo(t, rt, `
		messages.sendMessage{peer='+15550001', message='1'}
		messages.sendMessage{peer='+1 555 0001', message='2'}`)
	sent := srv.sent()
	if len(sent) != 2 {
		t.Fatalf("server saw %d messages, want 2", len(sent))
	}
	for _, p := range sent {
		wantUserPeer(t, p, contactID, contactHash)
	}
	if n := srv.contacts.Load(); n != 1 {
		t.Errorf("contacts.getContacts called %d times, want 1 (then the cache)", n)
	}
	err := luaFail(t, rt, `messages.sendMessage{peer='+15559999', message='x'}`)
	if want := "peer +15559999: not in your contacts (contacts.resolvePhone: rpc error 400: PHONE_NOT_OCCUPIED)"; !strings.Contains(err.Error(), want) {
		t.Errorf("unknown phone: %v\nwant: %s", err, want)
	}
}

// A failed lookup reaches the script as a structured RPC error that pcall
// catches, with the resolving method in e.method.
func TestResolveFailureIsStructured(t *testing.T) {
	srv := newPeerServer(t)
	rt := rtFor(t, srv.Server, nil)
	out := luaDo(t, rt, `
		local ok, e = pcall(messages.sendMessage, {peer='@nobody', message='x'})
		return ok, e.code, e.type, e.method, tostring(e)`)
	want := []any{false, int64(400), "USERNAME_NOT_OCCUPIED", "contacts.resolveUsername", "contacts.resolveUsername: rpc error 400: USERNAME_NOT_OCCUPIED"}
	for i := range want {
		if out[i] != want[i] {
			t.Fatalf("got %v, want %v", out, want)
		}
	}
	if n := len(srv.sent()); n != 0 {
		t.Fatalf("%d messages sent", n)
	}
}

// With an allowlist, peer lookups are calls too: a script limited to
// messages.* cannot make the runtime call contacts.resolveUsername.
func TestAllowListCoversPeerLookups(t *testing.T) {
	srv := newPeerServer(t)
	rt := rtFor(t, srv.Server, func(o *runtime.Options) { o.Allow = []string{"messages.*"} })
	out := luaDo(t, rt, `
		local ok, e = pcall(messages.sendMessage, {peer='@ann', message='x'})
		return ok, e.type, e.method`)
	want := []any{false, runtime.TypeNotAllowed, "contacts.resolveUsername"}
	for i := range want {
		if out[i] != want[i] {
			t.Fatalf("got %v, want %v", out, want)
		}
	}
	if n := srv.resolves.Load(); n != 0 {
		t.Fatalf("contacts.resolveUsername reached the server %d times", n)
	}
	if n := len(srv.sent()); n != 0 {
		t.Fatalf("%d messages sent", n)
	}
}
