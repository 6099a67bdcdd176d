package runtime

import (
	"sync"
	"time"

	lua "github.com/yuin/gopher-lua"

	"github.com/tglua/tglua/luabind"
)

// Conversations, for dialog-style bots:
//
//	wait_for(filter [, timeout])  the next message filter(msg) accepts (any
//	                              message when filter is nil), or nil and
//	                              'timeout' after timeout seconds (60)
//	ask(peer, text [, timeout])   sends text to peer and returns the next
//	                              message from that chat that is not ours
//
// Only the calling light thread waits: handlers, timers and other threads
// go on.

// defaultWaitFor is wait_for's and ask's timeout.
const defaultWaitFor = 60 * time.Second

func (r *Runtime) luaWaitFor(L *lua.LState) int {
	var filter *lua.LFunction
	switch f := L.Get(1).(type) {
	case *lua.LNilType:
	case *lua.LFunction:
		filter = f
	default:
		L.ArgError(1, "filter function or nil expected, got "+f.Type().String())
		return 0
	}
	return r.waitMessage(L, filter, nil, waitTimeout(L, 2), nil)
}

func waitTimeout(L *lua.LState, n int) time.Duration {
	d := defaultWaitFor
	if v := L.Get(n); v != lua.LNil {
		s, ok := v.(lua.LNumber)
		if !ok || s <= 0 {
			L.ArgError(n, "timeout in seconds expected")
		}
		d = time.Duration(float64(s) * float64(time.Second))
	}
	return d
}

// waitMessage waits for a message that match (Go) and filter (Lua) accept.
// before, if set, runs once the wait is registered and updates flow, so
// that an answer to what it sends is not missed.
func (r *Runtime) waitMessage(L *lua.LState, filter *lua.LFunction, match func(*lua.LTable) bool, timeout time.Duration, before func()) int {
	var (
		got  lua.LValue = lua.LNil
		once sync.Once
		done = make(chan struct{})
	)
	finish := func() { once.Do(func() { close(done) }) }
	h := &handler{event: eventMessage, fn: L.NewFunction(func(L *lua.LState) int {
		if got != lua.LNil {
			return 0
		}
		m, _ := L.Get(1).(*lua.LTable)
		if m == nil || (match != nil && !match(m)) {
			return 0
		}
		if filter != nil {
			L.Push(filter)
			L.Push(m)
			L.Call(1, 1)
			ok := lua.LVAsBool(L.Get(-1))
			L.Pop(1)
			if !ok {
				return 0
			}
		}
		got = m
		finish()
		return 0
	})}
	if r.events.byName == nil {
		r.events.byName = map[string][]*handler{}
	}
	r.events.byName[eventMessage] = append(r.events.byName[eventMessage], h)
	r.loop.handlers++
	defer r.remove(&handle{handler: h})
	r.startUpdates()
	r.waitUpdatesReady(L)
	if before != nil {
		before()
	}
	t := time.AfterFunc(timeout, finish)
	defer t.Stop()
	if err := r.waitFor(L, done); err != nil {
		L.RaiseError("%v", err)
		return 0
	}
	if got == lua.LNil {
		L.Push(lua.LNil)
		L.Push(lua.LString("timeout"))
		return 2
	}
	L.Push(got)
	return 1
}

// luaAsk is ask(peer, text [, timeout]).
func (r *Runtime) luaAsk(L *lua.LState) int {
	peer := L.Get(1)
	text := L.CheckString(2)
	timeout := waitTimeout(L, 3)
	in, err := r.api.peers.Resolve(luaContext(L), "InputPeer", peer)
	if err != nil {
		L.ArgError(1, err.Error())
		return 0
	}
	it, _ := in.(*lua.LTable)
	field, want := "", ""
	if it != nil {
		for _, f := range []string{"user_id", "chat_id", "channel_id"} {
			if v := it.RawGetString(f); v != lua.LNil {
				field, want = f, lua.LVAsString(v)
			}
		}
	}
	if field == "" {
		L.ArgError(1, "a user, group or channel expected")
		return 0
	}
	match := func(m *lua.LTable) bool {
		if lua.LVAsBool(m.RawGetString("out")) {
			return false
		}
		p, _ := m.RawGetString("peer_id").(*lua.LTable)
		if p == nil {
			return false
		}
		id, ok := luabind.ToLong(p.RawGetString(field))
		return ok && lua.LVAsString(luabind.LongValue(id)) == want
	}
	args := L.CreateTable(0, 2)
	args.RawSetString("peer", it)
	args.RawSetString("message", lua.LString(text))
	send := L.GetField(L.GetField(L.GetGlobal("tg"), "messages"), "sendMessage")
	// The wait is registered before the message goes out: a quick answer
	// is not missed.
	return r.waitMessage(L, nil, match, timeout, func() {
		L.Push(send)
		L.Push(args)
		L.Call(1, 0)
	})
}
