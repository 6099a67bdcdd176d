package runtime_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gotd/td/tg"
	"github.com/gotd/td/tgerr"
	"github.com/gotd/td/tgtest"

	"github.com/tglua/tglua/internal/syncbuf"
	"github.com/tglua/tglua/internal/testserver"
	"github.com/tglua/tglua/runtime"
)

// floodServer answers account.checkUsername with the errors in script, one
// per call, then true; it records when each call arrived.
type floodServer struct {
	*testserver.Server
	mu     sync.Mutex
	script []string
	times  []time.Time
}

func newFloodServer(t *testing.T, script ...string) *floodServer {
	s := &floodServer{Server: testserver.Start(t), script: script}
	s.Dispatcher.HandleFunc(tg.AccountCheckUsernameRequestTypeID, func(srv *tgtest.Server, req *tgtest.Request) error {
		s.mu.Lock()
		s.times = append(s.times, time.Now())
		var msg string
		if len(s.script) > 0 {
			msg, s.script = s.script[0], s.script[1:]
		}
		s.mu.Unlock()
		if msg != "" {
			return tgerr.New(420, msg)
		}
		return srv.SendBool(req, true)
	})
	return s
}

func (s *floodServer) calls() []time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Time(nil), s.times...)
}

// withoutConnecting drops the runtime's "still connecting" notice, which a
// loaded machine prints when the first connection takes over 3 s; it is
// not what these tests are about.
func withoutConnecting(s string) string {
	var b strings.Builder
	for _, line := range strings.SplitAfter(s, "\n") {
		if !strings.HasPrefix(line, "tglua: still connecting to ") {
			b.WriteString(line)
		}
	}
	return b.String()
}

func TestFloodWaitSleepsAndRetries(t *testing.T) {
	srv := newFloodServer(t, "FLOOD_WAIT_2")
	var stderr syncbuf.Buffer
	rt := rtFor(t, srv.Server, func(o *runtime.Options) { o.Stderr = &stderr })
	out := luaDo(t, rt, `return account.checkUsername{username='ann'}`)
	wantValues(t, out, []any{true})
	calls := srv.calls()
	if len(calls) != 2 {
		t.Fatalf("server saw %d calls, want 2 (the flood wait, then the retry)", len(calls))
	}
	if gap := calls[1].Sub(calls[0]); gap < 2*time.Second {
		t.Fatalf("retry came %v after the first attempt, want at least 2s", gap)
	}
	if got, want := withoutConnecting(stderr.String()), "flood wait 2s on account.checkUsername\n"; got != want {
		t.Fatalf("stderr = %q, want %q", got, want)
	}
}

func TestFloodPremiumWaitRetries(t *testing.T) {
	srv := newFloodServer(t, "FLOOD_PREMIUM_WAIT_1")
	var stderr syncbuf.Buffer
	rt := rtFor(t, srv.Server, func(o *runtime.Options) { o.Stderr = &stderr })
	wantValues(t, luaDo(t, rt, `return account.checkUsername{username='ann'}`), []any{true})
	calls := srv.calls()
	if len(calls) != 2 || calls[1].Sub(calls[0]) < time.Second {
		t.Fatalf("calls at %v, want 2 at least 1s apart", calls)
	}
	if !strings.Contains(stderr.String(), "flood wait 1s on account.checkUsername") {
		t.Fatalf("stderr = %q", stderr.String())
	}
}

func TestFloodWaitAboveThresholdRaisedAtOnce(t *testing.T) {
	srv := newFloodServer(t, "FLOOD_WAIT_600")
	var stderr syncbuf.Buffer
	rt := rtFor(t, srv.Server, func(o *runtime.Options) { o.Stderr = &stderr })
	out := luaDo(t, rt, `
		local ok, e = pcall(account.checkUsername, {username='ann'})
		return ok, e.code, e.type, e.argument, tostring(e)`)
	wantValues(t, out, []any{false, int64(420), "FLOOD_WAIT", int64(600), "account.checkUsername: rpc error 420: FLOOD_WAIT_600"})
	if n := len(srv.calls()); n != 1 {
		t.Fatalf("server saw %d calls, want 1", n)
	}
	if s := withoutConnecting(stderr.String()); s != "" {
		t.Fatalf("nothing was waited for, yet stderr = %q", s)
	}

	// Uncaught, Go sees the structured error.
	srv.mu.Lock()
	srv.script = []string{"FLOOD_WAIT_600"}
	srv.mu.Unlock()
	err := luaFail(t, rt, `account.checkUsername{username='ann'}`)
	var se *runtime.Error
	if !errors.As(err, &se) || se.Value == nil || se.Value.Argument != 600 || se.Value.Type != "FLOOD_WAIT" {
		t.Fatalf("error = %#v", err)
	}
}

func TestFloodWaitMaxFromLuaAndOptions(t *testing.T) {
	// The global overrides the option, and applies to the next call.
	srv := newFloodServer(t, "FLOOD_WAIT_2", "FLOOD_WAIT_1", "FLOOD_WAIT_0", "", "FLOOD_WAIT_0")
	rt := rtFor(t, srv.Server, nil)
	out := luaDo(t, rt, `
		flood_wait_max = 1
		local ok1, e1 = pcall(account.checkUsername, {username='a'}) -- 2 > 1: raised
		flood_wait_max = 1.5
		local ok2 = pcall(account.checkUsername, {username='a'})     -- 1 <= 1.5: waited, then FLOOD_WAIT_0 waited too
		flood_wait_max = -1
		local ok3, e3 = pcall(account.checkUsername, {username='a'}) -- never wait: FLOOD_WAIT_0 raised
		flood_wait_max = 'soon'
		local ok4, e4 = pcall(account.checkUsername, {username='a'})
		flood_wait_max = nil
		return ok1, e1.argument, ok2, ok3, e3.argument, ok4, e4`)
	wantValues(t, out, []any{false, int64(2), true, false, int64(0), false,
		"<string>:9: account.checkUsername: global flood_wait_max: number of seconds expected, got string"})
	if n := len(srv.calls()); n != 5 {
		t.Fatalf("server saw %d calls, want 5", n)
	}

	// Options: never wait.
	srv2 := newFloodServer(t, "FLOOD_WAIT_1")
	rt2 := rtFor(t, srv2.Server, func(o *runtime.Options) { o.FloodWaitMax = -1 })
	wantValues(t, luaDo(t, rt2, `local ok, e = pcall(account.checkUsername, {username='a'}) return ok, e.argument`),
		[]any{false, int64(1)})
}

func TestFloodWaitRetryLimit(t *testing.T) {
	srv := newFloodServer(t, "FLOOD_WAIT_0", "FLOOD_WAIT_0", "FLOOD_WAIT_0", "FLOOD_WAIT_0")
	var stderr syncbuf.Buffer
	rt := rtFor(t, srv.Server, func(o *runtime.Options) { o.FloodWaitRetries = 2; o.Stderr = &stderr })
	out := luaDo(t, rt, `local ok, e = pcall(account.checkUsername, {username='a'}) return ok, e.type`)
	wantValues(t, out, []any{false, "FLOOD_WAIT"})
	if n := len(srv.calls()); n != 3 {
		t.Fatalf("server saw %d calls, want 3 (1 + 2 retries)", n)
	}
	if n := strings.Count(stderr.String(), "flood wait 0s on account.checkUsername\n"); n != 2 {
		t.Fatalf("stderr = %q, want 2 flood wait lines", stderr.String())
	}
}

func TestFloodWaitSleepHonoursCancel(t *testing.T) {
	srv := newFloodServer(t, "FLOOD_WAIT_30")
	var stderr syncbuf.Buffer
	rt := rtFor(t, srv.Server, func(o *runtime.Options) { o.Stderr = &stderr })
	ctx, cancel := context.WithCancel(context.Background())
	var waiting atomic.Bool
	go func() {
		for !strings.Contains(stderr.String(), "flood wait 30s") {
			time.Sleep(10 * time.Millisecond)
		}
		waiting.Store(true)
		cancel()
	}()
	_, err := rt.DoString(ctx, `return account.checkUsername{username='a'}`)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if !waiting.Load() {
		t.Fatal("returned before the flood wait began")
	}
	if n := len(srv.calls()); n != 1 {
		t.Fatalf("server saw %d calls, want 1", n)
	}
}
