package sandbox

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-faster/errors"

	"github.com/gotd/td/bin"
	"github.com/gotd/td/session"
	"github.com/gotd/td/telegram"
	"github.com/gotd/td/telegram/auth"
	"github.com/gotd/td/telegram/updates"
	"github.com/gotd/td/telegram/updates/hook"
	"github.com/gotd/td/tg"
	"github.com/gotd/td/tgerr"
)

// inbox collects the messages a client receives as updates.
func inbox() (tg.UpdateDispatcher, chan *tg.Message) {
	d := tg.NewUpdateDispatcher()
	ch := make(chan *tg.Message, 64)
	d.OnNewMessage(func(ctx context.Context, _ tg.Entities, u *tg.UpdateNewMessage) error {
		if m, ok := u.Message.(*tg.Message); ok {
			ch <- m
		}
		return nil
	})
	return d, ch
}

// next waits for the next received message.
func next(t *testing.T, ctx context.Context, ch chan *tg.Message) *tg.Message {
	t.Helper()
	select {
	case m := <-ch:
		return m
	case <-ctx.Done():
		t.Fatal("no message received")
		return nil
	}
}

func withHandler(h telegram.UpdateHandler) func(*telegram.Options) {
	return func(o *telegram.Options) { o.UpdateHandler = h }
}

func TestE2ELogin(t *testing.T) {
	s := startTestServer(t, Options{})
	c := startClient(t, s, nil)
	ctx := c.ctx

	status, err := c.Auth().Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if status.Authorized {
		t.Fatal("authorized before login")
	}
	sent, err := c.Auth().SendCode(ctx, "+15550000", auth.SendCodeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Auth().SignIn(ctx, "+15550000", "00000", sent.(*tg.AuthSentCode).PhoneCodeHash)
	wantErr(t, err, 400, "PHONE_CODE_INVALID")

	u, err := login(ctx, c.Client, "+15550000", "")
	if err != nil {
		t.Fatal(err)
	}
	if u.ID != SandboxUserID || u.FirstName != "Sandbox" || !u.Self {
		t.Fatalf("self %+v", u)
	}
	cfg, err := c.API().HelpGetConfig(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.ThisDC != s.DC() || cfg.MessageLengthMax != 4096 || len(cfg.DCOptions) != 1 || cfg.DCOptions[0].Port != s.Addr().Port {
		t.Fatalf("config %+v", cfg)
	}
	if _, err := c.API().AuthLogOut(ctx); err != nil {
		t.Fatal(err)
	}
	_, err = c.Self(ctx)
	wantErr(t, err, 401, "AUTH_KEY_UNREGISTERED")
}

func TestE2EPassword(t *testing.T) {
	s := startTestServer(t, Options{})
	id, err := s.AddUser(UserSpec{Phone: "+15557777", FirstName: "Carol", Password: "correct horse"})
	if err != nil {
		t.Fatal(err)
	}

	c := startClient(t, s, nil)
	_, err = login(c.ctx, c.Client, "+15557777", "battery staple")
	if !errors.Is(err, auth.ErrPasswordInvalid) {
		t.Fatalf("wrong password: %v", err)
	}

	c2 := startClient(t, s, nil)
	u, err := login(c2.ctx, c2.Client, "+15557777", "correct horse")
	if err != nil {
		t.Fatal(err)
	}
	if u.ID != id {
		t.Fatalf("logged in as %d, want %d", u.ID, id)
	}
}

func TestE2EBot(t *testing.T) {
	s := startTestServer(t, Options{})
	c := startClient(t, s, nil)
	_, err := c.Auth().Bot(c.ctx, "1:nope")
	wantErr(t, err, 400, "ACCESS_TOKEN_INVALID")
	a, err := c.Auth().Bot(c.ctx, EchoBotToken)
	if err != nil {
		t.Fatal(err)
	}
	if u := a.User.(*tg.User); !u.Bot || u.ID != EchoBotID {
		t.Fatalf("bot %+v", u)
	}
}

func TestE2EExchange(t *testing.T) {
	s := startTestServer(t, Options{})
	da, inA := inbox()
	db, inB := inbox()
	da2, inA2 := inbox()
	alice, _ := startUser(t, s, "+15550001", withHandler(da))
	bob, _ := startUser(t, s, "+15550002", withHandler(db))
	alice2, _ := startUser(t, s, "+15550001", withHandler(da2)) // Alice's second device
	ctx := alice.ctx

	bobUser, err := resolve(ctx, alice.API(), "bob")
	if err != nil {
		t.Fatal(err)
	}
	res, err := alice.API().MessagesSendMessage(ctx, &tg.MessagesSendMessageRequest{
		Peer: inputPeer(bobUser), Message: "hi bob", RandomID: 1,
	})
	if err != nil {
		t.Fatal(err)
	}
	sent := res.(*tg.UpdateShortSentMessage)

	got := next(t, ctx, inB)
	if got.Message != "hi bob" || got.Out || got.FromID.(*tg.PeerUser).UserID != AliceID {
		t.Fatalf("bob got %+v", got)
	}
	own := next(t, ctx, inA2)
	if own.Message != "hi bob" || !own.Out || own.ID != sent.ID {
		t.Fatalf("alice's other device got %+v", own)
	}

	// Bob answers with the access hash he learnt from the update.
	aliceUser, err := resolve(ctx, bob.API(), "alice")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := bob.API().MessagesSendMessage(ctx, &tg.MessagesSendMessageRequest{
		Peer: inputPeer(aliceUser), Message: "hi alice", RandomID: 1,
		ReplyTo: &tg.InputReplyToMessage{ReplyToMsgID: got.ID},
	}); err != nil {
		t.Fatal(err)
	}
	back := next(t, ctx, inA)
	if back.Message != "hi alice" || back.ReplyTo.(*tg.MessageReplyHeader).ReplyToMsgID != sent.ID {
		t.Fatalf("alice got %+v", back)
	}
	if m := next(t, ctx, inA2); m.Message != "hi alice" {
		t.Fatalf("alice's other device got %+v", m)
	}
	select {
	case m := <-inA:
		t.Fatalf("alice's sending session got its own message pushed: %+v", m)
	default:
	}
	_ = alice2
}

func TestE2ECatchUp(t *testing.T) {
	s := startTestServer(t, Options{})
	d, in := inbox()
	gaps := updates.New(updates.Config{Handler: d})
	storage := &session.StorageMemory{}

	runBob := func() (*testClient, chan error) {
		c := startClient(t, s, func(o *telegram.Options) {
			o.SessionStorage = storage
			o.UpdateHandler = gaps
			o.Middlewares = []telegram.Middleware{hook.UpdateHook(gaps.Handle)}
		})
		u, err := login(c.ctx, c.Client, "+15550002", "")
		if err != nil {
			t.Fatal(err)
		}
		started := make(chan struct{})
		done := make(chan error, 1)
		go func() {
			done <- gaps.Run(c.ctx, c.API(), u.ID, updates.AuthOptions{OnStart: func(context.Context) { close(started) }})
		}()
		select {
		case <-started:
		case err := <-done:
			t.Fatal(err)
		}
		return c, done
	}

	alice, _ := startUser(t, s, "+15550001", nil)
	ctx := alice.ctx
	bobUser, err := resolve(ctx, alice.API(), "bob")
	if err != nil {
		t.Fatal(err)
	}
	say := func(text string, randomID int64) {
		t.Helper()
		if _, err := alice.API().MessagesSendMessage(ctx, &tg.MessagesSendMessageRequest{
			Peer: inputPeer(bobUser), Message: text, RandomID: randomID,
		}); err != nil {
			t.Fatal(err)
		}
	}

	bob, done := runBob()
	say("live", 1)
	if m := next(t, ctx, in); m.Message != "live" {
		t.Fatalf("got %q", m.Message)
	}
	bob.stop()
	<-done
	gaps.Reset()

	before := s.Calls("updates.getDifference")
	for i, text := range []string{"missed 1", "missed 2", "missed 3"} {
		say(text, int64(10+i))
	}
	runBob() // same session storage: same auth key, still logged in
	for _, want := range []string{"missed 1", "missed 2", "missed 3"} {
		if m := next(t, ctx, in); m.Message != want {
			t.Fatalf("got %q, want %q", m.Message, want)
		}
	}
	if s.Calls("updates.getDifference") == before {
		t.Fatal("caught up without updates.getDifference")
	}
	select {
	case m := <-in:
		t.Fatalf("extra message %q", m.Message)
	default:
	}
}

func TestE2EEchoBot(t *testing.T) {
	s := startTestServer(t, Options{})
	d, in := inbox()
	c, _ := startUser(t, s, "+15550000", withHandler(d))
	bot, err := resolve(c.ctx, c.API(), "echo_bot")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.API().MessagesSendMessage(c.ctx, &tg.MessagesSendMessageRequest{
		Peer: inputPeer(bot), Message: "echo me", RandomID: 1,
	}); err != nil {
		t.Fatal(err)
	}
	m := next(t, c.ctx, in)
	if m.Message != "echo me" || m.FromID.(*tg.PeerUser).UserID != EchoBotID {
		t.Fatalf("echo %+v", m)
	}
}

func TestE2EFaults(t *testing.T) {
	s := startTestServer(t, Options{})
	c, _ := startUser(t, s, "+15550000", nil)
	ctx, api := c.ctx, c.API()

	s.SetFault("messages.getDialogs", Fault{FloodWait: 7, Times: 1})
	req := &tg.MessagesGetDialogsRequest{OffsetPeer: &tg.InputPeerEmpty{}, Limit: 10}
	_, err := api.MessagesGetDialogs(ctx, req)
	rpcErr := wantErr(t, err, 420, tgerr.ErrFloodWait)
	if rpcErr.Argument != 7 {
		t.Fatalf("flood wait argument %d", rpcErr.Argument)
	}
	if d, ok := tgerr.AsFloodWait(err); !ok || d != 7*time.Second {
		t.Fatalf("AsFloodWait %v %v", d, ok)
	}
	if _, err := api.MessagesGetDialogs(ctx, req); err != nil {
		t.Fatalf("after the flood wait: %v", err)
	}

	s.SetFault("contacts.getContacts", Fault{Error: tgerr.New(403, "CUSTOM_TEST_ERROR")})
	_, err = api.ContactsGetContacts(ctx, 0)
	wantErr(t, err, 403, "CUSTOM_TEST_ERROR")
	s.SetFault("contacts.getContacts", Fault{})
	if _, err := api.ContactsGetContacts(ctx, 0); err != nil {
		t.Fatal(err)
	}

	// A dropped connection: the client reconnects and resends.
	s.SetFault("users.getFullUser", Fault{Drop: true, Times: 1})
	full, err := api.UsersGetFullUser(ctx, &tg.InputUserSelf{})
	if err != nil {
		t.Fatalf("after drop: %v", err)
	}
	if full.FullUser.ID != SandboxUserID {
		t.Fatalf("full user %+v", full.FullUser)
	}
	if n := s.Calls("users.getFullUser"); n != 2 {
		t.Fatalf("users.getFullUser called %d times, want 2 (dropped + resent)", n)
	}

	s.SetFault("updates.getState", Fault{Latency: 20 * time.Millisecond, Times: 1})
	if _, err := api.UpdatesGetState(ctx); err != nil {
		t.Fatal(err)
	}
}

func TestE2EValidation(t *testing.T) {
	s := startTestServer(t, Options{})
	c, _ := startUser(t, s, "+15550000", nil)
	ctx := c.ctx
	alice, err := resolve(ctx, c.API(), "alice")
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.API().MessagesSendMessage(ctx, &tg.MessagesSendMessageRequest{
		Peer: inputPeer(alice), Message: strings.Repeat("x", 4097), RandomID: 1,
	})
	wantErr(t, err, 400, "MESSAGE_TOO_LONG")
	_, err = c.API().MessagesSendMessage(ctx, &tg.MessagesSendMessageRequest{
		Peer: inputPeer(alice), Message: "", RandomID: 2,
	})
	wantErr(t, err, 400, "MESSAGE_EMPTY")
	_, err = c.API().MessagesSendMessage(ctx, &tg.MessagesSendMessageRequest{
		Peer: &tg.InputPeerUser{UserID: AliceID, AccessHash: alice.AccessHash ^ 1}, Message: "x", RandomID: 3,
	})
	wantErr(t, err, 400, "PEER_ID_INVALID")
}

func TestE2ESendInvites(t *testing.T) {
	s := startTestServer(t, Options{})
	c, _ := startUser(t, s, "+15550002", nil)
	var res tg.BoolBox
	err := c.Invoke(c.ctx, sendInvitesRequest{[]string{"+4915112345678", "+15550100"}, "Try the sandbox!"}, &res)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := res.Bool.(*tg.BoolTrue); !ok {
		t.Fatalf("got %T", res.Bool)
	}
	err = c.Invoke(c.ctx, sendInvitesRequest{[]string{"12345"}, "bad"}, &res)
	wantErr(t, err, 400, "PHONE_NUMBER_INVALID")
	err = c.Invoke(c.ctx, sendInvitesRequest{[]string{"+4915112345678"}, ""}, &res)
	wantErr(t, err, 400, "MESSAGE_EMPTY")

	inv := s.Invites()
	if len(inv) != 1 {
		t.Fatalf("invites %+v", inv)
	}
	if inv[0].From != BobID || inv[0].Message != "Try the sandbox!" || strings.Join(inv[0].Numbers, ",") != "+4915112345678,+15550100" {
		t.Fatalf("invite %+v", inv[0])
	}
}

func TestE2EUnsupported(t *testing.T) {
	s := startTestServer(t, Options{})
	c, _ := startUser(t, s, "+15550000", nil)
	_, err := c.API().ChannelsGetFullChannel(c.ctx, &tg.InputChannel{ChannelID: 1, AccessHash: 1})
	rpcErr := wantErr(t, err, 400, ErrUnsupported)
	if name := MethodName(uint32(rpcErr.Argument)); name != "channels.getFullChannel" {
		t.Fatalf("method %q", name)
	}
	// A constructor nobody knows.
	var b bin.Buffer
	b.PutID(0xdeadbeef)
	err = c.Invoke(c.ctx, rawObject(b.Buf), &tg.BoolBox{})
	rpcErr = wantErr(t, err, 400, ErrUnsupported)
	if uint32(rpcErr.Argument) != 0xdeadbeef {
		t.Fatalf("argument %#x", rpcErr.Argument)
	}
	// A truncated wrapper is answered, not dropped.
	b.Reset()
	b.PutID(tg.InvokeWithLayerRequestTypeID)
	b.PutInt(tg.Layer)
	err = c.Invoke(c.ctx, rawObject(b.Buf), &tg.BoolBox{})
	wantErr(t, err, 400, "INPUT_FETCH_ERROR")
	if _, err := c.Self(c.ctx); err != nil {
		t.Fatal(err)
	}
}

func TestE2ECloseWithClients(t *testing.T) {
	s := startTestServer(t, Options{})
	c, _ := startUser(t, s, "+15550000", nil)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Start(context.Background()); err == nil {
		t.Fatal("restarted a closed server")
	}
	c.stop()
}

func TestE2EStateRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sandbox.json")
	s := startTestServer(t, Options{StatePath: path})
	c, _ := startUser(t, s, "+15550000", nil)
	alice, err := resolve(c.ctx, c.API(), "alice")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.API().MessagesSendMessage(c.ctx, &tg.MessagesSendMessageRequest{
		Peer: inputPeer(alice), Message: "still here?", RandomID: 1,
	}); err != nil {
		t.Fatal(err)
	}
	c.stop()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s2 := startTestServer(t, Options{StatePath: path})
	c2, _ := startUser(t, s2, "+15550001", nil)
	me, err := resolve(c2.ctx, c2.API(), "sandbox")
	if err != nil {
		t.Fatal(err)
	}
	hist, err := c2.API().MessagesGetHistory(c2.ctx, &tg.MessagesGetHistoryRequest{Peer: inputPeer(me), Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	msgs := hist.(*tg.MessagesMessages).Messages
	if len(msgs) != 1 || msgs[0].(*tg.Message).Message != "still here?" {
		t.Fatalf("history after restart %v", msgs)
	}
}
