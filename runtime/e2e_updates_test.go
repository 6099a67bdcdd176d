package runtime_test

// End-to-end update tests: a real gotd client in the runtime, over TCP on
// 127.0.0.1, against gotd's tgtest server playing an account that receives
// messages. The server keeps the account's pts and its message history, so
// it can answer updates.getState and updates.getDifference like Telegram.

import (
	"context"
	"errors"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gotd/td/bin"
	"github.com/gotd/td/proto"
	"github.com/gotd/td/tg"
	"github.com/gotd/td/tgerr"
	"github.com/gotd/td/tgtest"
	lua "github.com/yuin/gopher-lua"
	"go.uber.org/goleak"

	"github.com/tglua/tglua/internal/syncbuf"
	"github.com/tglua/tglua/internal/testserver"
	"github.com/tglua/tglua/runtime"
)

const (
	selfID  = 1000
	aliceID = 42
	date    = 1700000000
)

var (
	selfUser  = &tg.User{ID: selfID, Self: true, AccessHash: 99, FirstName: "Me"}
	aliceUser = &tg.User{ID: aliceID, AccessHash: 1 << 60, FirstName: "Alice", Username: "alice"}
)

// account is the server side: one account's update sequence.
type account struct {
	t   *testing.T
	srv *testserver.Server

	mu      sync.Mutex
	session tgtest.Session // the client's latest session
	pts     int
	history []tg.MessageClass // message i has pts i+1
	counts  map[uint32]int    // requests by TL ID
	diffs   chan tg.UpdatesGetDifferenceRequest
	sent    chan tg.MessagesSendMessageRequest
}

// newAccount starts a server whose account has seen pts messages already.
func newAccount(t *testing.T, pts int) *account {
	a := &account{
		t:      t,
		srv:    testserver.Start(t),
		counts: map[uint32]int{},
		diffs:  make(chan tg.UpdatesGetDifferenceRequest, 16),
		sent:   make(chan tg.MessagesSendMessageRequest, 16),
	}
	for i := range pts {
		a.history = append(a.history, &tg.MessageEmpty{ID: i + 1})
	}
	a.pts = pts
	d := a.srv.Dispatcher
	d.HandleFunc(tg.UsersGetUsersRequestTypeID, a.getUsers)
	d.HandleFunc(tg.UpdatesGetStateRequestTypeID, a.getState)
	d.HandleFunc(tg.UpdatesGetDifferenceRequestTypeID, a.getDifference)
	d.HandleFunc(tg.HelpGetNearestDCRequestTypeID, func(s *tgtest.Server, req *tgtest.Request) error {
		a.seen(req)
		return s.SendResult(req, &tg.NearestDC{Country: "US", ThisDC: 2, NearestDC: 2})
	})
	d.HandleFunc(tg.MessagesSendMessageRequestTypeID, a.sendMessage)
	d.HandleFunc(tg.MessagesReadHistoryRequestTypeID, a.readHistory)
	return a
}

func (a *account) seen(req *tgtest.Request) {
	id, _ := req.Buf.PeekID()
	a.mu.Lock()
	defer a.mu.Unlock()
	a.session = req.Session
	a.counts[id]++
}

func (a *account) count(id uint32) int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.counts[id]
}

func (a *account) getUsers(s *tgtest.Server, req *tgtest.Request) error {
	a.seen(req)
	var r tg.UsersGetUsersRequest
	if err := r.Decode(req.Buf); err != nil {
		return err
	}
	var out []bin.Encoder
	for _, in := range r.ID {
		switch in := in.(type) {
		case *tg.InputUserSelf:
			out = append(out, selfUser)
		case *tg.InputUser:
			if in.UserID == aliceID {
				out = append(out, aliceUser)
			}
		}
	}
	return s.SendVector(req, out...)
}

func (a *account) state() tg.UpdatesState {
	return tg.UpdatesState{Pts: a.pts, Date: date, Seq: 0}
}

func (a *account) getState(s *tgtest.Server, req *tgtest.Request) error {
	a.seen(req)
	a.mu.Lock()
	st := a.state()
	a.mu.Unlock()
	return s.SendResult(req, &st)
}

func (a *account) getDifference(s *tgtest.Server, req *tgtest.Request) error {
	a.seen(req)
	var r tg.UpdatesGetDifferenceRequest
	if err := r.Decode(req.Buf); err != nil {
		return err
	}
	a.mu.Lock()
	var res tg.UpdatesDifferenceClass
	if r.Pts >= a.pts {
		res = &tg.UpdatesDifferenceEmpty{Date: date, Seq: 0}
	} else {
		res = &tg.UpdatesDifference{
			NewMessages: a.messagesSince(r.Pts),
			Users:       []tg.UserClass{selfUser, aliceUser},
			State:       a.state(),
		}
	}
	a.mu.Unlock()
	if err := s.SendResult(req, res); err != nil {
		return err
	}
	a.diffs <- r
	return nil
}

// messagesSince are the messages after pts; nil entries are pts events
// that are not messages (reads).
func (a *account) messagesSince(pts int) []tg.MessageClass {
	var out []tg.MessageClass
	for _, m := range a.history[pts:] {
		if m != nil {
			out = append(out, m)
		}
	}
	return out
}

// readHistory marks the chat read: one pts event, answered with
// messages.affectedMessages as Telegram does.
func (a *account) readHistory(s *tgtest.Server, req *tgtest.Request) error {
	a.seen(req)
	a.mu.Lock()
	a.history = append(a.history, nil)
	a.pts++
	res := &tg.MessagesAffectedMessages{Pts: a.pts, PtsCount: 1}
	a.mu.Unlock()
	return s.SendResult(req, res)
}

func (a *account) sendMessage(s *tgtest.Server, req *tgtest.Request) error {
	a.seen(req)
	var r tg.MessagesSendMessageRequest
	if err := r.Decode(req.Buf); err != nil {
		return err
	}
	a.mu.Lock()
	m := a.addLocked(r.Message, &tg.PeerUser{UserID: aliceID}, true)
	pts := a.pts
	a.mu.Unlock()
	a.sent <- r
	return s.SendResult(req, &tg.Updates{
		Updates: []tg.UpdateClass{
			&tg.UpdateMessageID{ID: m.ID, RandomID: r.RandomID},
			&tg.UpdateNewMessage{Message: m, Pts: pts, PtsCount: 1},
		},
		Users: []tg.UserClass{aliceUser},
		Date:  date,
	})
}

// add records a new message in a private chat with Alice and returns it;
// its pts is a.pts afterwards.
func (a *account) add(text string, out bool) *tg.Message {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.addLocked(text, &tg.PeerUser{UserID: aliceID}, out)
}

func (a *account) addLocked(text string, peer tg.PeerClass, out bool) *tg.Message {
	m := &tg.Message{ID: len(a.history) + 1, PeerID: peer, Message: text, Date: date}
	m.SetOut(out)
	if !out {
		m.SetFromID(&tg.PeerUser{UserID: aliceID})
	}
	a.history = append(a.history, m)
	a.pts++
	return m
}

// push sends updates to the client's latest session.
func (a *account) push(u tg.UpdatesClass) {
	a.t.Helper()
	a.mu.Lock()
	sess := a.session
	a.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := a.srv.Send(ctx, sess, proto.MessageFromServer, u); err != nil {
		a.t.Fatalf("push: %v", err)
	}
}

// waitDiff waits for the next updates.getDifference the server answered.
func (a *account) waitDiff() tg.UpdatesGetDifferenceRequest {
	a.t.Helper()
	select {
	case r := <-a.diffs:
		return r
	case <-time.After(time.Minute):
		a.t.Fatal("no updates.getDifference")
		return tg.UpdatesGetDifferenceRequest{}
	}
}

// client is a runtime connected to the account's server. Its script can
// call seen(text) to tell the test it handled a message.
type client struct {
	*runtime.Runtime
	t    *testing.T
	seen chan string
}

func (a *account) runtime(sessionPath string) *client {
	a.t.Helper()
	rt, err := runtime.New(runtime.Options{
		Dial: runtime.Dial{
			AppID: 1, AppHash: "hash",
			Server: a.srv.Addr.String(), ServerKey: a.srv.PEM(), DC: a.srv.DC,
		},
		SessionPath: sessionPath,
		Stdout:      &syncbuf.Buffer{},
		Stderr:      &syncbuf.Buffer{},
	})
	if err != nil {
		a.t.Fatal(err)
	}
	a.t.Cleanup(func() { _ = rt.Close() })
	c := &client{Runtime: rt, t: a.t, seen: make(chan string, 64)}
	rt.SetGlobal("seen", rt.State().NewFunction(func(L *lua.LState) int {
		c.seen <- L.CheckString(1)
		return 0
	}))
	return c
}

// waitSeen waits until the script has handled a message with this text.
// The client may see pushed updates in any order, so tests push the next
// one only after the previous one was handled.
func (c *client) waitSeen(text string) {
	c.t.Helper()
	for {
		select {
		case got := <-c.seen:
			if got == text {
				return
			}
		case <-time.After(time.Minute):
			c.t.Fatalf("the script never saw %q", text)
		}
	}
}

// script runs src in the background; wait returns its error.
type script struct {
	t    *testing.T
	done chan error
}

func start(t *testing.T, rt *client, src string) *script {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	s := &script{t: t, done: make(chan error, 1)}
	go func() {
		defer cancel()
		_, err := rt.DoString(ctx, src)
		s.done <- err
	}()
	return s
}

func (s *script) wait() {
	s.t.Helper()
	if err := <-s.done; err != nil {
		s.t.Fatalf("script: %v", err)
	}
}

// collect is a script that records every message it sees in `got` and
// stops after n of them.
func collect(n int, before string) string {
	return before + `
		got = {}
		on('message', function(m)
			got[#got+1] = string.format('%s|out=%s|%s:%s|from=%s', m.text, tostring(m.out), m.peer._,
				tostring(m.peer.user_id or m.peer.chat_id), m.from and m.from.first_name or '-')
			seen(m.text)
			if #got == ` + strconv.Itoa(n) + ` then stop() end
		end)`
}

func gotList(t *testing.T, rt *client) string {
	t.Helper()
	v, _ := runtime.ToGo(rt.State().GetGlobal("got")).([]any)
	return join(v)
}

func TestE2EHandlerReceivesPushedUpdates(t *testing.T) {
	t.Cleanup(func() { goleak.VerifyNone(t) })
	a := newAccount(t, 10)
	rt := a.runtime("")
	// The script calls a method first, so the client is already connected
	// without updates when on() restarts it with updates.
	s := start(t, rt, collect(4, `
		local dc = help.getNearestDc()
		assert(dc.this_dc == 2)`))
	if r := a.waitDiff(); r.Pts != 10 {
		t.Fatalf("startup getDifference from pts %d, want 10 (from updates.getState)", r.Pts)
	}
	if a.count(tg.UpdatesGetStateRequestTypeID) != 1 {
		t.Fatalf("updates.getState sent %d times, want 1", a.count(tg.UpdatesGetStateRequestTypeID))
	}

	m := a.add("hello", false)
	a.push(&tg.Updates{
		Updates: []tg.UpdateClass{&tg.UpdateNewMessage{Message: m, Pts: 11, PtsCount: 1}},
		Users:   []tg.UserClass{aliceUser},
		Date:    date,
	})
	rt.waitSeen("hello")
	m = a.add("short in", false)
	a.push(&tg.UpdateShortMessage{ID: m.ID, UserID: aliceID, Message: m.Message, Pts: 12, PtsCount: 1, Date: date})
	rt.waitSeen("short in")
	m = a.add("short out", true)
	a.push(&tg.UpdateShortMessage{Out: true, ID: m.ID, UserID: aliceID, Message: m.Message, Pts: 13, PtsCount: 1, Date: date})
	rt.waitSeen("short out")
	a.mu.Lock()
	m = a.addLocked("in group", &tg.PeerChat{ChatID: 9}, false)
	a.mu.Unlock()
	a.push(&tg.UpdateShortChatMessage{ID: m.ID, FromID: aliceID, ChatID: 9, Message: m.Message, Pts: 14, PtsCount: 1, Date: date})
	s.wait()

	want := strings.Join([]string{
		"hello|out=false|peerUser:42|from=Alice",
		"short in|out=false|peerUser:42|from=-",
		"short out|out=true|peerUser:42|from=-",
		"in group|out=false|peerChat:9|from=-",
	}, ",")
	if got := gotList(t, rt); got != want {
		t.Fatalf("handler saw\n%s\nwant\n%s", got, want)
	}
	// In order, without gaps: no getDifference after the startup one.
	if n := a.count(tg.UpdatesGetDifferenceRequestTypeID); n != 1 {
		t.Fatalf("updates.getDifference sent %d times, want 1", n)
	}
}

func TestE2EGapIsFilledByGetDifference(t *testing.T) {
	t.Cleanup(func() { goleak.VerifyNone(t) })
	a := newAccount(t, 10)
	rt := a.runtime("")
	s := start(t, rt, collect(4, ""))
	a.waitDiff()

	m := a.add("one", false)
	a.push(&tg.Updates{
		Updates: []tg.UpdateClass{&tg.UpdateNewMessage{Message: m, Pts: 11, PtsCount: 1}},
		Users:   []tg.UserClass{aliceUser},
		Date:    date,
	})
	rt.waitSeen("one")
	// "two" and "three" never arrive as updates: the next update's pts
	// jumps from 11 to 14.
	a.add("two", false)
	a.add("three", false)
	m = a.add("four", false)
	a.push(&tg.Updates{
		Updates: []tg.UpdateClass{&tg.UpdateNewMessage{Message: m, Pts: 14, PtsCount: 1}},
		Users:   []tg.UserClass{aliceUser},
		Date:    date,
	})
	if r := a.waitDiff(); r.Pts != 11 {
		t.Fatalf("gap getDifference from pts %d, want 11", r.Pts)
	}
	s.wait()
	want := "one|out=false|peerUser:42|from=Alice,two|out=false|peerUser:42|from=Alice," +
		"three|out=false|peerUser:42|from=Alice,four|out=false|peerUser:42|from=Alice"
	if got := gotList(t, rt); got != want {
		t.Fatalf("handler saw\n%s\nwant\n%s", got, want)
	}
}

// A read answered with messages.affectedMessages advances pts; the manager
// must apply it, or the next message looks like a gap and costs a
// getDifference.
func TestE2EAffectedMessagesKeepPtsInStep(t *testing.T) {
	t.Cleanup(func() { goleak.VerifyNone(t) })
	a := newAccount(t, 10)
	rt := a.runtime("")
	s := start(t, rt, collect(1, "")+`
		local r = messages.readHistory{peer={_='inputPeerUser', user_id=42, access_hash='1152921504606846976'}, max_id=10}
		assert(r._ == 'messages.affectedMessages' and r.pts == 11 and r.pts_count == 1, r._)
		seen('read')`)
	a.waitDiff()
	rt.waitSeen("read")
	m := a.add("after read", false)
	a.push(&tg.Updates{
		Updates: []tg.UpdateClass{&tg.UpdateNewMessage{Message: m, Pts: 12, PtsCount: 1}},
		Users:   []tg.UserClass{aliceUser},
		Date:    date,
	})
	s.wait()
	if got := gotList(t, rt); got != "after read|out=false|peerUser:42|from=Alice" {
		t.Fatalf("handler saw %s", got)
	}
	if n := a.count(tg.UpdatesGetDifferenceRequestTypeID); n != 1 {
		t.Fatalf("updates.getDifference sent %d times, want 1 (at start only)", n)
	}
}

func TestE2ERestartCatchesUpFromSession(t *testing.T) {
	t.Cleanup(func() { goleak.VerifyNone(t) })
	a := newAccount(t, 10)
	path := filepath.Join(t.TempDir(), "tglua.session")

	rt := a.runtime(path)
	s := start(t, rt, collect(2, ""))
	a.waitDiff()
	for _, text := range []string{"first", "second"} {
		m := a.add(text, false)
		a.push(&tg.Updates{
			Updates: []tg.UpdateClass{&tg.UpdateNewMessage{Message: m, Pts: a.pts, PtsCount: 1}},
			Users:   []tg.UserClass{aliceUser},
			Date:    date,
		})
		rt.waitSeen(text)
	}
	s.wait()
	if got := gotList(t, rt); got != "first|out=false|peerUser:42|from=Alice,second|out=false|peerUser:42|from=Alice" {
		t.Fatalf("first run saw %s", got)
	}
	if id, bot, ok := rt.Session().Self(); !ok || id != selfID || bot {
		t.Fatalf("session self = %d %v %v, want %d, not a bot", id, bot, ok, selfID)
	}
	if err := rt.Close(); err != nil {
		t.Fatal(err)
	}
	states := a.count(tg.UpdatesGetStateRequestTypeID)

	// Messages arrive while no script runs.
	a.add("while away", false)
	a.add("still away", false)

	rt2 := a.runtime(path)
	s = start(t, rt2, collect(2, ""))
	if r := a.waitDiff(); r.Pts != 12 || r.Date != date {
		t.Fatalf("after restart getDifference from pts %d date %d, want the persisted pts 12, date %d", r.Pts, r.Date, date)
	}
	s.wait()
	if got := gotList(t, rt2); got != "while away|out=false|peerUser:42|from=Alice,still away|out=false|peerUser:42|from=Alice" {
		t.Fatalf("second run saw %s", got)
	}
	if n := a.count(tg.UpdatesGetStateRequestTypeID); n != states {
		t.Fatalf("the restarted runtime called updates.getState (%d calls, had %d): the state was not persisted", n, states)
	}
}

func TestE2EMethodsOnlySendNoUpdateRequests(t *testing.T) {
	t.Cleanup(func() { goleak.VerifyNone(t) })
	a := newAccount(t, 10)
	rt := a.runtime(filepath.Join(t.TempDir(), "s"))
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	out, err := rt.DoString(ctx, `
		local a = help.getNearestDc()
		local b = help.getNearestDc()
		local h = after(0.01, function() end) -- timers need no updates
		sleep(0.02)
		return a.country, b.this_dc`)
	if err != nil {
		t.Fatal(err)
	}
	if len(out) != 2 || out[0] != "US" || out[1] != int64(2) {
		t.Fatalf("out = %v", out)
	}
	for _, id := range []uint32{tg.UpdatesGetStateRequestTypeID, tg.UsersGetUsersRequestTypeID, tg.UpdatesGetDifferenceRequestTypeID} {
		if n := a.count(id); n != 0 {
			t.Errorf("request %#x sent %d times by a script that only calls methods", id, n)
		}
	}
	if n := a.count(tg.HelpGetNearestDCRequestTypeID); n != 2 {
		t.Fatalf("help.getNearestDc seen %d times, want 2", n)
	}
}

func TestE2EReplyAndOwnMessages(t *testing.T) {
	t.Cleanup(func() { goleak.VerifyNone(t) })
	a := newAccount(t, 10)
	rt := a.runtime("")
	// Each message's handler runs in a light thread of its own, so the
	// reply's own message may be handled before reply returns: the script
	// stops once both have happened, in whichever order.
	s := start(t, rt, `
		got = {}
		local sent, echoed
		local function done() if sent and echoed then stop() end end
		on('message', function(m)
			got[#got+1] = m.text .. '|out=' .. tostring(m.out)
			if not m.out then
				local r = reply(m, 'pong: ' .. m.text, {silent = true})
				got[#got+1] = 'sent ' .. r._
				sent = true
			else
				echoed = true
			end
			done()
		end)`)
	a.waitDiff()
	m := a.add("ping", false)
	a.push(&tg.Updates{
		Updates: []tg.UpdateClass{&tg.UpdateNewMessage{Message: m, Pts: a.pts, PtsCount: 1}},
		Users:   []tg.UserClass{aliceUser},
		Date:    date,
	})
	var req tg.MessagesSendMessageRequest
	select {
	case req = <-a.sent:
	case <-time.After(time.Minute):
		t.Fatal("no messages.sendMessage")
	}
	s.wait()
	peer, ok := req.Peer.(*tg.InputPeerUser)
	if !ok || peer.UserID != aliceID || peer.AccessHash != aliceUser.AccessHash {
		t.Fatalf("reply peer = %#v, want inputPeerUser %d with Alice's access hash", req.Peer, aliceID)
	}
	to, ok := req.ReplyTo.(*tg.InputReplyToMessage)
	if !ok || to.ReplyToMsgID != m.ID {
		t.Fatalf("reply_to = %#v, want inputReplyToMessage{reply_to_msg_id=%d}", req.ReplyTo, m.ID)
	}
	if req.Message != "pong: ping" || !req.Silent {
		t.Fatalf("message %q silent=%v", req.Message, req.Silent)
	}
	// The sent message came back in the result's Updates, which the
	// runtime feeds to the updates manager: the handler saw it (out=true)
	// without another getDifference for the pts it took.
	if got := gotList(t, rt); got != "ping|out=false,sent updates,pong: ping|out=true" && got != "ping|out=false,pong: ping|out=true,sent updates" {
		t.Fatalf("handler saw %s", got)
	}
	if n := a.count(tg.UpdatesGetDifferenceRequestTypeID); n != 1 {
		t.Fatalf("updates.getDifference sent %d times, want 1 (startup only)", n)
	}
}

func TestE2ECancelStopsRunningScript(t *testing.T) {
	t.Cleanup(func() { goleak.VerifyNone(t) })
	a := newAccount(t, 10)
	rt := a.runtime("")
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := rt.DoString(ctx, `on('message', function() end)`)
		done <- err
	}()
	a.waitDiff() // updates are running
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("err = %v, want context.Canceled", err)
		}
	case <-time.After(time.Minute):
		t.Fatal("cancelling the context did not stop the loop")
	}
}

func TestE2EUpdateFailureEndsLoop(t *testing.T) {
	t.Cleanup(func() { goleak.VerifyNone(t) })
	a := newAccount(t, 10)
	// A session the server does not know: users.getUsers(self) fails.
	a.srv.Dispatcher.HandleFunc(tg.UsersGetUsersRequestTypeID, func(s *tgtest.Server, req *tgtest.Request) error {
		return tgerr.New(401, "AUTH_KEY_UNREGISTERED")
	})
	rt := a.runtime("")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	_, err := rt.DoString(ctx, `on('message', function() end)`)
	if err == nil || !strings.Contains(err.Error(), "receive updates") || !strings.Contains(err.Error(), "AUTH_KEY_UNREGISTERED") {
		t.Fatalf("err = %v, want the update start-up failure", err)
	}
	if ctx.Err() != nil {
		t.Fatal("the loop waited for the context instead of failing")
	}

	// A connection that cannot even be built fails the same way.
	bad, err := runtime.New(runtime.Options{Dial: runtime.Dial{AppID: 1, AppHash: "hash", Server: "127.0.0.1:1", ServerKey: []byte("not a key")}})
	if err != nil {
		t.Fatal(err)
	}
	defer bad.Close()
	_, err = bad.DoString(ctx, `on('update', function() end)`)
	if err == nil || !strings.Contains(err.Error(), "receive updates: server key") {
		t.Fatalf("err = %v, want the dial failure", err)
	}
}
