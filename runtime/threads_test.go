package runtime_test

import (
	"context"
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

// barrierServer answers account.checkUsername only once n requests are in
// flight, all at once and in reverse order of arrival: a VM that does not
// overlap its calls never gets an answer. Usernames starting with "bad"
// get USERNAME_INVALID, "never" no answer at all.
type barrierServer struct {
	*testserver.Server
	mu      sync.Mutex
	pending []func()
	peak    atomic.Int64
	n       int
}

func newBarrierServer(t *testing.T, n int) *barrierServer {
	b := &barrierServer{Server: testserver.Start(t), n: n}
	b.Dispatcher.HandleFunc(tg.AccountCheckUsernameRequestTypeID, func(s *tgtest.Server, req *tgtest.Request) error {
		var r tg.AccountCheckUsernameRequest
		if err := r.Decode(req.Buf); err != nil {
			return err
		}
		switch {
		case strings.HasPrefix(r.Username, "never"):
			return nil
		case strings.HasPrefix(r.Username, "now"):
			return s.SendBool(req, true)
		}
		answer := func() {
			if strings.HasPrefix(r.Username, "bad") {
				_ = s.SendErr(req, tgerr.New(400, "USERNAME_INVALID"))
				return
			}
			_ = s.SendBool(req, len(r.Username)%2 == 0)
		}
		b.mu.Lock()
		b.pending = append(b.pending, answer)
		if int64(len(b.pending)) > b.peak.Load() {
			b.peak.Store(int64(len(b.pending)))
		}
		var all []func()
		if len(b.pending) >= b.n {
			all, b.pending = b.pending, nil
		}
		b.mu.Unlock()
		for i := len(all) - 1; i >= 0; i-- {
			go all[i]()
		}
		return nil
	})
	return b
}

func TestThreadsOverlapCalls(t *testing.T) {
	srv := newBarrierServer(t, 8)
	rt := rtFor(t, srv.Server, nil)
	out := luaDo(t, rt, `
		local names = {}
		for i = 1, 16 do names[i] = ('u'):rep(i) end
		local r = map(function(name) return account.checkUsername{username=name} end, names, {concurrency=8})
		local s = {}
		for i, v in ipairs(r) do s[i] = tostring(v) end
		return #r, table.concat(s, ',')`)
	wantValues(t, out, []any{int64(16), "false,true,false,true,false,true,false,true,false,true,false,true,false,true,false,true"})
	if p := srv.peak.Load(); p != 8 {
		t.Fatalf("the server saw at most %d requests in flight, want 8", p)
	}
}

func TestThreadsSpawnWait(t *testing.T) {
	srv := newBarrierServer(t, 3)
	rt := rtFor(t, srv.Server, nil)
	out := luaDo(t, rt, `
		local order = {}
		local a = spawn(function(x) local r = account.checkUsername{username='aa'} order[#order+1] = 'a' return x, r end, 'A')
		order[#order+1] = 'spawned a'
		local b = spawn(function() return account.checkUsername{username='bbb'} end)
		local c = spawn(function() return pcall(function() return account.checkUsername{username='bad'} end) end)
		local x, ra = wait(a)
		local rb, ok = wait(b, c)
		local okc, e = wait(c)
		return table.concat(order, ' '), x, ra, rb, ok, okc, e.type, tostring(a):match('^thread: spawned at <string>:3$') ~= nil`)
	wantValues(t, out, []any{"spawned a a", "A", true, false, false, false, "USERNAME_INVALID", true})
}

func TestThreadsErrorsAndCancel(t *testing.T) {
	srv := newBarrierServer(t, 1)
	rt := rtFor(t, srv.Server, nil)
	out := luaDo(t, rt, `
		local t = spawn(function() error('boom') end)
		local ok1, e1 = pcall(wait, t)
		local slow = spawn(function() return account.checkUsername{username='never'} end)
		local fast = spawn(function() return account.checkUsername{username='now'} end)
		local first, v = wait_any(slow, fast)
		local cancelled = slow:cancel()
		local ok2, e2 = pcall(wait, slow)
		-- waiting inside pcall and a metamethod works
		local mt = setmetatable({}, {__index = function(_, k) sleep(0.01) return k .. '!' end})
		local w = spawn(function() return pcall(function() return mt.x end) end)
		local okw, vw = wait(w)
		return ok1, e1:match('thread spawned at <string>:2: <string>:2: boom') ~= nil, first == fast, v, cancelled, ok2, tostring(e2):match('was cancelled') ~= nil, okw, vw`)
	wantValues(t, out, []any{false, true, true, true, true, false, true, true, "x!"})

	// A thread nobody waits for that raises fails the run.
	_, err := rt.DoString(context.Background(), `spawn(function() sleep(0.01) error('lost') end)`)
	if err == nil || !strings.Contains(err.Error(), "thread spawned at <string>:1 failed: <string>:1: lost") {
		t.Fatalf("err = %v", err)
	}
	// A caught one does not.
	luaDo(t, rt, `local t = spawn(function() error('caught') end) pcall(wait, t)`)

	// An error value that is not a string comes back from wait as it was
	// raised, as from pcall; map and parallel do the same.
	out = luaDo(t, rt, `
		local e = {code = 7}
		local ok1, e1 = pcall(wait, spawn(function() error(e) end))
		local ok2, e2 = pcall(map, function(x) if x == 2 then error(e) end return x end, {1, 2, 3})
		local ok3, e3 = pcall(wait_any, spawn(function() error(e) end))
		return ok1, e1 == e, ok2, e2 == e, ok3, e3 == e`)
	wantValues(t, out, []any{false, true, false, true, false, true})
}

// TestWaitDeadlocks: a wait that could never end is an error naming the
// threads, not a hang: a thread waiting for itself, two or three waiting
// for each other, a map worker waiting for the thread running the map.
// wait_any is refused only when none of its threads can finish first.
func TestWaitDeadlocks(t *testing.T) {
	rt := sbRuntime(t, runtime.Options{})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute) // a hang fails the test
	defer cancel()
	out, err := rt.DoString(ctx, `
		local function why(th)
			local ok, e = pcall(wait, th)
			if ok then return 'finished' end
			e = tostring(e)
			return e:match('a thread cannot wait for itself') or e:match('deadlock: the thread spawned at <string>:%d+ waits for this thread %(spawned at <string>:%d+%)') or e
		end
		-- Threads start once every handle below is set: settle waits for
		-- that, then for d seconds.
		local ready = false
		local function settle(d) repeat sleep(0.002) until ready sleep(d) end
		local self
		self = spawn(function() settle(0.01) return wait(self) end)
		local a, b
		a = spawn(function() settle(0.01) return wait(b) end)
		b = spawn(function() settle(0.02) return wait(a) end)
		local x, y, z
		x = spawn(function() settle(0.01) return wait(y) end)
		y = spawn(function() settle(0.01) return wait(z) end)
		z = spawn(function() settle(0.02) return wait(x) end)
		local outer
		outer = spawn(function() settle(0.01) return map(function() return wait(outer) end, {1, 2}) end)
		-- p needs q or free; q waits for p: free ends p, then q.
		local p, q, free
		free = spawn(function() settle(0.05) return 'free' end)
		p = spawn(function() settle(0.01) local _, v = wait_any(q, free) return v end)
		q = spawn(function() settle(0.02) return wait(p) end)
		-- r2 needs s2 or s3, and both wait for r2.
		local r2, s2, s3
		r2 = spawn(function() settle(0.01) return wait_any(s2, s3) end)
		s2 = spawn(function() settle(0.02) return wait(r2) end)
		s3 = spawn(function() settle(0.03) return wait(r2) end)
		ready = true
		local r2why = why(r2)
		pcall(wait, s2, s3) -- they fail too, as r2 did
		return why(self), why(a), why(b), why(x), why(y), why(z), why(outer), wait(q), r2why`)
	if err != nil {
		t.Fatal(err)
	}
	self := "a thread cannot wait for itself"
	dead := func(v any) bool {
		s, _ := v.(string)
		return strings.HasPrefix(s, "deadlock: the thread spawned at <string>:")
	}
	if out[0] != self {
		t.Errorf("self-wait: %v", out[0])
	}
	for i, name := range []string{"", "a", "b", "x", "y", "z", "outer"} {
		if i > 0 && !dead(out[i]) {
			t.Errorf("%s: %v", name, out[i])
		}
	}
	if out[7] != "free" {
		t.Errorf("wait_any with a thread that can finish: %v, want free", out[7])
	}
	if !dead(out[8]) {
		t.Errorf("wait_any on two threads waiting for it: %v", out[8])
	}
}

// TestWaitChains: a long chain of threads each waiting for the next ends
// when its last thread does, and closing it into a ring is a deadlock
// found at once.
func TestWaitChains(t *testing.T) {
	rt := sbRuntime(t, runtime.Options{})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	out, err := rt.DoString(ctx, `
		local function chain(n, ring)
			local ts, ready = {}, false
			local gate = spawn(function() repeat sleep(0.001) until ready end)
			for i = 1, n do
				ts[i] = spawn(function()
					wait(gate) -- until every ts[i] is set
					if i < n then return wait(ts[i + 1]) end
					if ring then return wait(ts[1]) end
					return 'end'
				end)
			end
			ready = true
			local ok, v = pcall(wait, ts[1])
			for i = 2, n do pcall(wait, ts[i]) end
			return ok, v
		end
		local ok1, v1 = chain(500, false)
		local ok2, v2 = chain(500, true)
		-- However long the chain of waits the error passed through, it
		-- stays short (elide).
		return ok1, v1, ok2, tostring(v2):match('deadlock') ~= nil, #tostring(v2) < 5000`)
	if err != nil {
		t.Fatal(err)
	}
	wantValues(t, out, []any{true, "end", false, true, true})
}

// TestMapStopsAtFirstError: the first error in map cancels the work still
// to do and is raised; the items after it are not started.
func TestMapStopsAtFirstError(t *testing.T) {
	rt := sbRuntime(t, runtime.Options{})
	out := luaDo(t, rt, `
		local started = 0
		local ok, e = pcall(map, function(x)
			started = started + 1
			sleep(0.005)
			if x == 3 then error('item 3') end
			return x
		end, {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20}, {concurrency = 2})
		return ok, tostring(e):match('item 3') ~= nil, started < 10`)
	wantValues(t, out, []any{false, true, true})
}

func TestThreadsLimits(t *testing.T) {
	rt := sbRuntime(t, runtime.Options{MaxThreads: 3, StepLimit: 1e6})
	err := luaFail(t, rt, `for i = 1, 5 do spawn(function() sleep(1) end) end`)
	if !strings.Contains(err.Error(), "spawn: too many light threads (3 alive, the limit is 3)") {
		t.Fatalf("err = %v", err)
	}
	// The step budget covers threads.
	err = luaFail(t, rt, `local t = spawn(function() while true do end end) wait(t)`)
	if !strings.Contains(err.Error(), "step limit exceeded") {
		t.Fatalf("err = %v", err)
	}
	// Cancelling the run cancels its threads.
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, err = rt.DoString(ctx, `spawn(function() sleep(60) end) spawn(function() while true do sleep(0.001) end end)`)
	if err == nil {
		t.Fatal("no error after the run's context ended")
	}
}

// TestTimersDoNotWaitForEachOther: a timer callback whose call is slow does
// not hold up another: the fast one's result comes first.
func TestTimersDoNotWaitForEachOther(t *testing.T) {
	srv := newBarrierServer(t, 1)
	var slow atomic.Bool
	srv.Dispatcher.HandleFunc(tg.HelpGetInviteTextRequestTypeID, func(s *tgtest.Server, req *tgtest.Request) error {
		slow.Store(true)
		go func() {
			time.Sleep(200 * time.Millisecond)
			_ = s.SendResult(req, &tg.HelpInviteText{Message: "slow"})
		}()
		return nil
	})
	stderr := &syncbuf.Buffer{}
	rt := rtFor(t, srv.Server, func(o *runtime.Options) { o.Stderr = stderr })
	defer func() { t.Log(stderr.String()) }()
	out := luaDo(t, rt, `
		account.checkUsername{username='now'} -- connected first
		local got = {}
		after(0, function() local m = help.getInviteText().message table.insert(got, m) end)
		after(0.01, function() local ok = account.checkUsername{username='now'} table.insert(got, tostring(ok)) end)
		sleep(0.5)
		return table.concat(got, ' ')`)
	wantValues(t, out, []any{"true slow"})
}
