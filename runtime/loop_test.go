package runtime_test

// Event loop, timers and handler tests without a network: the host brings
// its own Invoker and feeds updates through Runtime.UpdateHandler. Timing
// tests run in a testing/synctest bubble, where time is virtual, so their
// elapsed-time assertions are exact.

import (
	"context"
	"errors"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/gotd/td/bin"
	"github.com/gotd/td/tg"
	lua "github.com/yuin/gopher-lua"
	"go.uber.org/goleak"

	"github.com/tglua/tglua/internal/syncbuf"
	"github.com/tglua/tglua/runtime"
)

// offline is an Invoker that fails every call: these tests never reach
// Telegram, and the runtime must not dial.
type offline struct{}

func (offline) Invoke(context.Context, bin.Encoder, bin.Decoder) error {
	return errors.New("offline")
}

type loopRT struct {
	*runtime.Runtime
	t      *testing.T
	stdout *syncbuf.Buffer
	stderr *syncbuf.Buffer
}

func newLoopRT(t *testing.T, mod func(*runtime.Options)) *loopRT {
	t.Helper()
	o := runtime.Options{Invoker: offline{}, Stdout: &syncbuf.Buffer{}, Stderr: &syncbuf.Buffer{}}
	if mod != nil {
		mod(&o)
	}
	rt, err := runtime.New(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = rt.Close() })
	return &loopRT{Runtime: rt, t: t, stdout: o.Stdout.(*syncbuf.Buffer), stderr: o.Stderr.(*syncbuf.Buffer)}
}

// do runs a chunk (and the loop after it) and fails the test on error.
func (r *loopRT) do(src string) []any {
	r.t.Helper()
	out, err := r.DoString(context.Background(), src)
	if err != nil {
		r.t.Fatalf("script failed: %v", err)
	}
	return out
}

// global reads a global as a Go value.
func (r *loopRT) global(name string) any {
	return runtime.ToGo(r.State().GetGlobal(name))
}

func msgUpdate(id int, text string, peer tg.PeerClass, out bool) *tg.UpdateNewMessage {
	m := &tg.Message{ID: id, PeerID: peer, Message: text, Date: 1700000000}
	m.SetOut(out)
	return &tg.UpdateNewMessage{Message: m, Pts: id, PtsCount: 1}
}

// feed hands updates to the runtime from another goroutine, as gotd does.
func (r *loopRT) feed(u tg.UpdatesClass) {
	if err := r.UpdateHandler().Handle(context.Background(), u); err != nil {
		r.t.Errorf("handle updates: %v", err)
	}
}

func TestTimersFireInOrderDuringSleep(t *testing.T) {
	t.Cleanup(func() { goleak.VerifyNone(t) })
	synctest.Test(t, func(t *testing.T) {
		r := newLoopRT(t, nil)
		start := time.Now()
		r.do(`
			log = {}
			local function add(s) log[#log+1] = s end
			after(2, function() add('after2') end)
			after(1, function() add('after1') end)
			local n = 0
			local h
			h = every(0.5, function()
				n = n + 1
				add('every' .. n)
				if n == 3 then add('off=' .. tostring(off(h))) end
			end)
			add('sleep')
			add('slept=' .. tostring(sleep(1.2)))
			after(0, function() add('after0') end)
		`)
		got := r.global("log").([]any)
		want := "sleep,every1,after1,every2,slept=true,after0,every3,off=true,after2"
		if s := join(got); s != want {
			t.Fatalf("order:\n got %s\nwant %s", s, want)
		}
		// The loop ran until the last timer, at 2s of virtual time.
		if d := time.Since(start); d != 2*time.Second {
			t.Fatalf("loop ended after %v, want 2s", d)
		}
	})
}

func join(vs []any) string {
	s := make([]string, len(vs))
	for i, v := range vs {
		s[i] = v.(string)
	}
	return strings.Join(s, ",")
}

func TestOffCancelsTimers(t *testing.T) {
	t.Cleanup(func() { goleak.VerifyNone(t) })
	synctest.Test(t, func(t *testing.T) {
		r := newLoopRT(t, nil)
		start := time.Now()
		r.do(`
			fired = 0
			local a = after(5, function() fired = fired + 100 end)
			local e = every(1, function() fired = fired + 1 end)
			after(2.5, function()
				first, second = off(e), off(e)
				cancelled = off(a)
				handle = tostring(e)
			end)
		`)
		if d := time.Since(start); d != 2500*time.Millisecond {
			t.Fatalf("loop ended after %v, want 2.5s (nothing left after off)", d)
		}
		if r.global("fired") != int64(2) || r.global("first") != true || r.global("second") != false || r.global("cancelled") != true {
			t.Fatalf("fired=%v first=%v second=%v cancelled=%v", r.global("fired"), r.global("first"), r.global("second"), r.global("cancelled"))
		}
		if r.global("handle") != "timer: every(1)" {
			t.Fatalf("tostring(handle) = %v", r.global("handle"))
		}
	})
}

func TestStopEndsLoop(t *testing.T) {
	t.Cleanup(func() { goleak.VerifyNone(t) })
	synctest.Test(t, func(t *testing.T) {
		r := newLoopRT(t, nil)
		start := time.Now()
		r.do(`
			n = 0
			every(1, function() n = n + 1; if n == 3 then stop() end end)
			after(100, function() error('never') end)
		`)
		if d := time.Since(start); d != 3*time.Second {
			t.Fatalf("stop() ended the loop after %v, want 3s", d)
		}
		if r.global("n") != int64(3) {
			t.Fatalf("n = %v, want 3", r.global("n"))
		}

		// sleep returns false once stopped, at once; the stop applies to one
		// run only.
		start = time.Now()
		r.do(`
			after(1, stop)
			s1 = sleep(5)
			s2 = sleep(5)
		`)
		if d := time.Since(start); d != time.Second {
			t.Fatalf("sleeps after stop() took %v, want 1s", d)
		}
		if r.global("s1") != false || r.global("s2") != false {
			t.Fatalf("sleep after stop: %v %v, want false false", r.global("s1"), r.global("s2"))
		}
		if r.stderr.String() != "" {
			t.Fatalf("stderr: %s", r.stderr.String())
		}
	})
}

// TestStopCancelsOthersQuietly: stop() ends the run; a timer still
// sleeping is cancelled, and its cancellation is not reported as an error.
func TestStopCancelsOthersQuietly(t *testing.T) {
	t.Cleanup(func() { goleak.VerifyNone(t) })
	synctest.Test(t, func(t *testing.T) {
		r := newLoopRT(t, nil)
		r.do(`
			after(0, function() sleep(5) slow = true end)
			after(1, function() stop() fast = true end)
		`)
		if r.global("fast") != true || r.global("slow") != nil {
			t.Fatalf("fast = %v, slow = %v; want true, nil", r.global("fast"), r.global("slow"))
		}
		if s := r.stderr.String(); s != "" {
			t.Fatalf("stderr: %q", s)
		}
	})
}

func TestHandlerErrorIsReportedAndLoopContinues(t *testing.T) {
	t.Cleanup(func() { goleak.VerifyNone(t) })
	synctest.Test(t, func(t *testing.T) {
		r := newLoopRT(t, nil)
		go func() {
			for i, text := range []string{"a", "boom", "b"} {
				time.Sleep(time.Second)
				r.feed(&tg.Updates{Updates: []tg.UpdateClass{msgUpdate(i+1, text, &tg.PeerUser{UserID: 42}, false)}})
			}
		}()
		r.do(`
			seen = {}
			local h
			h = on('message', function(m)
				if m.text == 'boom' then error('kaboom') end
				seen[#seen+1] = m.text
				if #seen == 2 then off(h) end
			end)
			every(0.7, function() ticks = (ticks or 0) + 1; if #seen == 2 then stop() end end)
		`)
		if s := join(r.global("seen").([]any)); s != "a,b" {
			t.Fatalf("seen %s, want a,b", s)
		}
		errText := r.stderr.String()
		if !strings.Contains(errText, "kaboom") || !strings.Contains(errText, "stack traceback") || !strings.Contains(errText, "on('message')") {
			t.Fatalf("stderr does not report the handler error with a traceback:\n%s", errText)
		}
	})
}

func TestStopOnHandlerError(t *testing.T) {
	t.Cleanup(func() { goleak.VerifyNone(t) })
	synctest.Test(t, func(t *testing.T) {
		r := newLoopRT(t, func(o *runtime.Options) { o.StopOnHandlerError = true })
		start := time.Now()
		_, err := r.DoString(context.Background(), `
			n = 0
			every(1, function() n = n + 1; if n == 2 then error('tick failed') end end)
		`)
		var se *runtime.Error
		if !errors.As(err, &se) || !strings.Contains(se.Message, "tick failed") || !strings.Contains(se.Traceback, "stack traceback") {
			t.Fatalf("err = %#v, want the handler's *runtime.Error", err)
		}
		if d := time.Since(start); d != 2*time.Second || r.global("n") != int64(2) {
			t.Fatalf("loop ended after %v with n=%v, want 2s and 2", d, r.global("n"))
		}
		if r.stderr.String() != "" {
			t.Fatalf("stderr: %s", r.stderr.String())
		}

		// An error during sleep() ends the script with the handler's error.
		_, err = r.DoString(context.Background(), `
			after(1, function() error('in timer') end)
			sleep(10)
			reached = true
		`)
		if !errors.As(err, &se) || !strings.Contains(se.Message, "in timer") {
			t.Fatalf("err = %v, want the timer's error", err)
		}
		if r.global("reached") != nil {
			t.Fatal("the script went on after the handler error")
		}
	})
}

func TestCancelStopsLoop(t *testing.T) {
	t.Cleanup(func() { goleak.VerifyNone(t) })
	synctest.Test(t, func(t *testing.T) {
		r := newLoopRT(t, nil)
		for _, src := range []string{
			`on('message', function() end)`, // the loop would wait forever
			`sleep(1000)`,
			`every(1, function() end)`,
		} {
			ctx, cancel := context.WithCancel(context.Background())
			start := time.Now()
			go func() {
				time.Sleep(1500 * time.Millisecond)
				cancel()
			}()
			_, err := r.DoString(ctx, src)
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("%s: err = %v, want context.Canceled", src, err)
			}
			if d := time.Since(start); d != 1500*time.Millisecond {
				t.Fatalf("%s: returned %v after the start, want at the cancel (1.5s)", src, d)
			}
		}
	})
}

func TestRegisterCallback(t *testing.T) {
	t.Cleanup(func() { goleak.VerifyNone(t) })
	synctest.Test(t, func(t *testing.T) {
		r := newLoopRT(t, nil)
		// fetch(x) answers later, from another goroutine, through the loop.
		r.SetGlobal("fetch", r.State().NewFunction(func(L *lua.LState) int {
			x := L.CheckString(1)
			cb := L.CheckFunction(2)
			enqueue := r.RegisterCallback()
			go func() {
				time.Sleep(2 * time.Second)
				enqueue(func() error {
					L := r.State()
					return L.CallByParam(lua.P{Fn: cb, Protect: true}, lua.LString("got "+x))
				})
				enqueue(func() error { panic("second enqueue must be ignored") })
			}()
			return 0
		}))
		start := time.Now()
		r.do(`fetch('x', function(v) result = v end)`)
		if r.global("result") != "got x" {
			t.Fatalf("result = %v", r.global("result"))
		}
		if d := time.Since(start); d != 2*time.Second {
			t.Fatalf("the reservation kept the loop for %v, want 2s", d)
		}

		// A callback error is reported like a handler error.
		enqueue := r.RegisterCallback()
		go enqueue(func() error { return errors.New("callback broke") })
		if err := r.Loop(context.Background()); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(r.stderr.String(), "callback broke") {
			t.Fatalf("stderr = %q", r.stderr.String())
		}
		// A panicking callback is an error, not a crash.
		enqueue = r.RegisterCallback()
		enqueue(func() error { panic("boom") })
		if err := r.Loop(context.Background()); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(r.stderr.String(), "callback panicked: boom") {
			t.Fatalf("stderr = %q", r.stderr.String())
		}
	})
}

func TestMessageHandlerTables(t *testing.T) {
	t.Cleanup(func() { goleak.VerifyNone(t) })
	synctest.Test(t, func(t *testing.T) {
		r := newLoopRT(t, nil)
		go func() {
			time.Sleep(time.Second)
			in := msgUpdate(7, "hi", &tg.PeerUser{UserID: 42}, false)
			r.feed(&tg.Updates{
				Updates: []tg.UpdateClass{in, &tg.UpdateUserTyping{UserID: 42, Action: &tg.SendMessageTypingAction{}}},
				Users:   []tg.UserClass{&tg.User{ID: 42, AccessHash: 1 << 60, FirstName: "Ann"}},
			})
			out := msgUpdate(8, "to group", &tg.PeerChat{ChatID: 9}, true)
			out.Message.(*tg.Message).SetFromID(&tg.PeerUser{UserID: 1})
			r.feed(&tg.UpdateShort{Update: out})
			ch := &tg.Message{ID: 3, PeerID: &tg.PeerChannel{ChannelID: 77}, Message: "post", Date: 1}
			r.feed(&tg.UpdatesCombined{
				Updates: []tg.UpdateClass{&tg.UpdateNewChannelMessage{Message: ch, Pts: 4, PtsCount: 1}},
				Chats:   []tg.ChatClass{&tg.Channel{ID: 77, AccessHash: 5, Title: "News", Photo: &tg.ChatPhotoEmpty{}}},
			})
		}()
		r.do(`
			log = {}
			local function add(s) log[#log+1] = s end
			local hs = {}
			hs[1] = on('message', function(m)
				add(string.format('message %s %s %s out=%s peer=%s from=%s id=%d',
					m._, m.text, m.message, tostring(m.out), m.peer._, m.from and (m.from.first_name or m.from.title) or 'nil', m.id))
				if m.peer ~= m.peer_id then add('peer is not peer_id') end
				if m.text == 'post' then for _, h in ipairs(hs) do off(h) end end
			end)
			hs[2] = on('updateNewMessage', function(u) add('updateNewMessage ' .. u.message.message .. ' ' .. tostring(u.message.text)) end)
			hs[3] = on('updateUserTyping', function(u) add('typing ' .. u.user_id .. ' ' .. u.action._) end)
			hs[4] = on('update', function(u) add('update ' .. u._) end)
			ok_handle = tostring(hs[1])
		`)
		want := []string{
			"message message hi hi out=false peer=peerUser from=Ann id=7",
			"updateNewMessage hi nil",
			"update updateNewMessage",
			"typing 42 sendMessageTypingAction",
			"update updateUserTyping",
			"message message to group to group out=true peer=peerChat from=nil id=8",
			"updateNewMessage to group nil",
			"update updateNewMessage",
			"message message post post out=false peer=peerChannel from=News id=3",
		}
		if got := join(r.global("log").([]any)); got != strings.Join(want, ",") {
			t.Fatalf("handlers saw:\n%s\nwant:\n%s", strings.ReplaceAll(got, ",", "\n"), strings.Join(want, "\n"))
		}
		if r.global("ok_handle") != "handler: message" {
			t.Fatalf("tostring(handle) = %v", r.global("ok_handle"))
		}
	})
}

func TestLoopArgumentErrors(t *testing.T) {
	t.Cleanup(func() { goleak.VerifyNone(t) })
	r := newLoopRT(t, nil)
	for _, tc := range []struct{ src, want string }{
		{`on('mesage', function() end)`, "bad argument #1 to on (unknown event 'mesage' (did you mean 'message'?))"},
		{`on('updateUserTypin', function() end)`, "did you mean 'updateUserTyping'?"},
		{`on('messages.sendMessage', function() end)`, "unknown event 'messages.sendMessage'"},
		{`on('inputPeerSelf', function() end)`, "unknown event 'inputPeerSelf'"},
		{`on('message')`, "bad argument #2 to on (function expected, got nil)"},
		{`on(nil, print)`, "bad argument #1 to on (string expected, got nil)"},
		{`off(42)`, "bad argument #1 to off (handle expected, got number)"},
		{`off(io and io.stdout or newproxy and newproxy() or {})`, "bad argument #1 to off (handle expected"},
		{`after(-1, print)`, "bad argument #1 to after (non-negative number of seconds expected)"},
		{`after(0/0, print)`, "bad argument #1 to after (non-negative number of seconds expected)"},
		{`after(1e300, print)`, "bad argument #1 to after (at most"},
		{`after(1, 'print')`, "bad argument #2 to after (function expected, got string)"},
		{`every(0, print)`, "bad argument #1 to every (positive number of seconds expected)"},
		{`every('x', print)`, "bad argument #1 to every (number expected, got string)"},
		{`sleep()`, "bad argument #1 to sleep (number expected, got nil)"},
		{`sleep(-2)`, "bad argument #1 to sleep (non-negative number of seconds expected)"},
		{`reply()`, "bad argument #1 to reply (table expected, got nil)"},
		{`reply({}, 'x')`, "bad argument #1 to reply (message table expected (no peer))"},
		{`reply({peer={_='peerUser', user_id=1}}, 'x')`, "bad argument #1 to reply (message table expected (no id))"},
		{`reply({id=1, peer={_='peerUser', user_id=1}}, 5)`, "bad argument #2 to reply (string or table expected, got number)"},
	} {
		_, err := r.DoString(context.Background(), tc.src)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want %q", tc.src, err, tc.want)
		}
	}
	// Nothing got registered: a plain chunk returns at once.
	if out := r.do(`return 1`); len(out) != 1 || out[0] != int64(1) {
		t.Fatalf("out = %v", out)
	}
	// The functions are also in tg.
	if out := r.do(`return tg.on == on and tg.reply == reply and tg.sleep == sleep`); out[0] != true {
		t.Fatal("tg.on/reply/sleep are not the globals")
	}
}

func TestHandlersSurviveNestedSleep(t *testing.T) {
	t.Cleanup(func() { goleak.VerifyNone(t) })
	synctest.Test(t, func(t *testing.T) {
		r := newLoopRT(t, nil)
		go func() {
			for i := range 3 {
				time.Sleep(time.Second)
				r.feed(&tg.UpdateShort{Update: msgUpdate(i+1, string(rune('a'+i)), &tg.PeerUser{UserID: 5}, false)})
			}
		}()
		// A handler that sleeps still lets later updates through.
		r.do(`
			seen = {}
			local h
			h = on('message', function(m)
				seen[#seen+1] = '<' .. m.text
				if m.text == 'a' then sleep(1.5) end
				seen[#seen+1] = m.text .. '>'
				if #seen == 6 then off(h) end
			end)
		`)
		if s := join(r.global("seen").([]any)); s != "<a,<b,b>,a>,<c,c>" {
			t.Fatalf("seen %s", s)
		}
	})
}

// Poll runs what is ready — a delivered update, a due timer — and returns
// at once, without waiting for the timers still pending: the REPL calls it
// between inputs.
func TestPollRunsReadyWorkOnly(t *testing.T) {
	t.Cleanup(func() { goleak.VerifyNone(t) })
	synctest.Test(t, func(t *testing.T) {
		r := newLoopRT(t, nil)
		L := r.State()
		if err := L.DoString(`
			got = {}
			setup = function()
				on('message', function(m) got[#got+1] = m.text end)
				after(0, function() got[#got+1] = 'timer0' end)
				after(60, function() got[#got+1] = 'timer60' end)
			end`); err != nil {
			t.Fatal(err)
		}
		// Register through Call, which runs no loop, as the REPL does.
		if _, err := r.Call(context.Background(), "setup"); err != nil {
			t.Fatal(err)
		}
		r.feed(&tg.Updates{Updates: []tg.UpdateClass{msgUpdate(1, "typed meanwhile", &tg.PeerUser{UserID: 7}, false)}})
		start := time.Now()
		if err := r.Poll(context.Background()); err != nil {
			t.Fatal(err)
		}
		if d := time.Since(start); d != 0 {
			t.Fatalf("Poll waited %v", d)
		}
		if s := join(r.global("got").([]any)); s != "timer0,typed meanwhile" && s != "typed meanwhile,timer0" {
			t.Fatalf("after Poll: %q", s)
		}
	})
}

// LoopUntil runs handlers and timers, waits while idle, returns when its
// channel fires (between callbacks), and lets a handler's sleep finish.
func TestLoopUntil(t *testing.T) {
	t.Cleanup(func() { goleak.VerifyNone(t) })
	synctest.Test(t, func(t *testing.T) {
		r := newLoopRT(t, nil)
		L := r.State()
		done := make(chan struct{})
		L.SetGlobal("done", L.NewFunction(func(*lua.LState) int {
			close(done)
			return 0
		}))
		if err := L.DoString(`
			got = {}
			setup = function()
				on('message', function(m)
					got[#got+1] = m.text
					sleep(5) -- a handler's sleep is not cut short by done
					got[#got+1] = 'slept'
					done()
				end)
				every(1, function() got[#got+1] = 'tick' end)
			end`); err != nil {
			t.Fatal(err)
		}
		if _, err := r.Call(context.Background(), "setup"); err != nil {
			t.Fatal(err)
		}
		go func() {
			time.Sleep(2500 * time.Millisecond)
			r.feed(&tg.Updates{Updates: []tg.UpdateClass{msgUpdate(1, "hi", &tg.PeerUser{UserID: 7}, false)}})
		}()
		start := time.Now()
		if err := r.LoopUntil(context.Background(), done); err != nil {
			t.Fatal(err)
		}
		if d := time.Since(start); d != 7500*time.Millisecond {
			t.Fatalf("LoopUntil returned after %v, want 7.5s", d)
		}
		// Ticks at 1 and 2 s, then the handler, whose sleep runs the ticks
		// at 3 to 7 s.
		want := "tick,tick,hi,tick,tick,tick,tick,tick,slept"
		if s := join(r.global("got").([]any)); s != want {
			t.Fatalf("got %q, want %q", s, want)
		}

		// Idle (nothing registered): it waits for the channel.
		r2 := newLoopRT(t, nil)
		idle := make(chan struct{})
		go func() {
			time.Sleep(time.Hour)
			close(idle)
		}()
		start = time.Now()
		if err := r2.LoopUntil(context.Background(), idle); err != nil {
			t.Fatal(err)
		}
		if d := time.Since(start); d != time.Hour {
			t.Fatalf("idle LoopUntil returned after %v, want 1h", d)
		}
	})
}
