package runtime

import (
	"sort"
	"strings"

	lua "github.com/yuin/gopher-lua"

	"github.com/tglua/tglua/luabind"
)

// Pagination: iter(method, args) is a for-in iterator over the items of a
// paginated method, fetching pages as the loop goes, with each method's own
// offset rule, as Telethon's iter_messages and iter_dialogs do:
//
//	for msg in iter(messages.getHistory, {peer='@alice', limit=500}) do ... end
//
// args.limit is the total number of items (default: all); pages are of at
// most 100. Flood waits are slept through (or raised) as for any call.

// iterPage is the largest page iter asks for.
const iterPage = 100

// pager is how one method pages.
type pager struct {
	list string // the field of the answer that holds the items
	// next sets the offsets of the next page in args from the last page's
	// answer and items; it reports false when there is no next page.
	next func(L *lua.LState, args, res *lua.LTable, items []lua.LValue) bool
}

var pagers = map[string]pager{
	"messages.getHistory":      {list: "messages", next: nextByMessageID},
	"messages.search":          {list: "messages", next: nextByMessageID},
	"messages.getReplies":      {list: "messages", next: nextByMessageID},
	"messages.getDialogs":      {list: "dialogs", next: nextDialogs},
	"channels.getParticipants": {list: "participants", next: nextByCount},
}

// complete answers hold every item: there is no next page.
var complete = map[string]bool{"messages.messages": true, "messages.dialogs": true}

// nextByMessageID continues before the last message: offset_id = its id.
func nextByMessageID(_ *lua.LState, args, _ *lua.LTable, items []lua.LValue) bool {
	last, ok := items[len(items)-1].(*lua.LTable)
	if !ok {
		return false
	}
	args.RawSetString("offset_id", last.RawGetString("id"))
	args.RawSetString("add_offset", lua.LNumber(0))
	return true
}

// nextByCount continues after the items so far: offset += #items, up to
// the answer's count.
func nextByCount(_ *lua.LState, args, res *lua.LTable, items []lua.LValue) bool {
	off, _ := luabind.ToLong(args.RawGetString("offset"))
	off += int64(len(items))
	args.RawSetString("offset", lua.LNumber(off))
	count, ok := luabind.ToLong(res.RawGetString("count"))
	return !ok || off < count
}

// nextDialogs continues after the last dialog: offset_date and offset_id
// of its top message, offset_peer its peer with the access hash from the
// answer's users and chats.
func nextDialogs(L *lua.LState, args, res *lua.LTable, items []lua.LValue) bool {
	last, ok := items[len(items)-1].(*lua.LTable)
	if !ok {
		return false
	}
	peer, _ := last.RawGetString("peer").(*lua.LTable)
	top := last.RawGetString("top_message")
	if peer == nil || top == lua.LNil {
		return false
	}
	args.RawSetString("offset_id", top)
	if msgs, ok := res.RawGetString("messages").(*lua.LTable); ok {
		for i := 1; i <= msgs.Len(); i++ {
			m, _ := msgs.RawGetInt(i).(*lua.LTable)
			if m != nil && lua.LVAsString(m.RawGetString("id")) == lua.LVAsString(top) && samePeer(m.RawGetString("peer_id"), peer) {
				args.RawSetString("offset_date", m.RawGetString("date"))
			}
		}
	}
	args.RawSetString("offset_peer", inputPeerOf(L, peer, res))
	return true
}

func samePeer(a lua.LValue, b *lua.LTable) bool {
	t, ok := a.(*lua.LTable)
	if !ok {
		return false
	}
	for _, f := range []string{"_", "user_id", "chat_id", "channel_id"} {
		if lua.LVAsString(t.RawGetString(f)) != lua.LVAsString(b.RawGetString(f)) {
			return false
		}
	}
	return true
}

// inputPeerOf turns a peer table into an InputPeer, with the access hash
// of the user or channel in the answer.
func inputPeerOf(L *lua.LState, peer, res *lua.LTable) lua.LValue {
	in := L.CreateTable(0, 3)
	find := func(list, id lua.LValue) lua.LValue {
		t, _ := list.(*lua.LTable)
		if t == nil {
			return lua.LNumber(0)
		}
		for i := 1; i <= t.Len(); i++ {
			e, _ := t.RawGetInt(i).(*lua.LTable)
			if e != nil && lua.LVAsString(e.RawGetString("id")) == lua.LVAsString(id) {
				if h := e.RawGetString("access_hash"); h != lua.LNil {
					return h
				}
			}
		}
		return lua.LNumber(0)
	}
	switch lua.LVAsString(peer.RawGetString("_")) {
	case "peerUser":
		id := peer.RawGetString("user_id")
		in.RawSetString("_", lua.LString("inputPeerUser"))
		in.RawSetString("user_id", id)
		in.RawSetString("access_hash", find(res.RawGetString("users"), id))
	case "peerChat":
		in.RawSetString("_", lua.LString("inputPeerChat"))
		in.RawSetString("chat_id", peer.RawGetString("chat_id"))
	case "peerChannel":
		id := peer.RawGetString("channel_id")
		in.RawSetString("_", lua.LString("inputPeerChannel"))
		in.RawSetString("channel_id", id)
		in.RawSetString("access_hash", find(res.RawGetString("chats"), id))
	default:
		in.RawSetString("_", lua.LString("inputPeerEmpty"))
	}
	return in
}

// offsets renders the offset parameters of args, to tell that a page
// moved them.
func offsets(args *lua.LTable) string {
	var b strings.Builder
	for _, f := range []string{"offset_id", "offset_date", "offset"} {
		b.WriteString(lua.LVAsString(args.RawGetString(f)))
		b.WriteByte('|')
	}
	return b.String()
}

// luaIter is iter(method, args).
func (r *Runtime) luaIter(L *lua.LState) int {
	fn := L.CheckFunction(1)
	m, ok := r.MethodOf(fn)
	if !ok {
		L.ArgError(1, "an API method expected, such as messages.getHistory")
		return 0
	}
	pg, ok := pagers[m.Name]
	if !ok {
		names := make([]string, 0, len(pagers))
		for n := range pagers {
			names = append(names, n)
		}
		sort.Strings(names)
		L.ArgError(1, m.Name+" is not paginated here; iter knows "+strings.Join(names, ", "))
		return 0
	}
	args := L.CreateTable(0, 8)
	if t, ok := L.Get(2).(*lua.LTable); ok {
		t.ForEach(func(k, v lua.LValue) { args.RawSet(k, v) })
	} else if L.Get(2) != lua.LNil {
		L.ArgError(2, "arguments table expected, got "+L.Get(2).Type().String())
		return 0
	}
	total, _ := luabind.ToLong(args.RawGetString("limit"))
	var (
		buf     []lua.LValue
		yielded int64
		done    bool
	)
	it := func(L *lua.LState) int {
		for len(buf) == 0 {
			if done || (total > 0 && yielded >= total) {
				return 0
			}
			page := int64(iterPage)
			if total > 0 {
				page = min(page, total-yielded)
			}
			args.RawSetString("limit", lua.LNumber(page))
			req := L.CreateTable(0, 8)
			args.ForEach(func(k, v lua.LValue) { req.RawSet(k, v) })
			L.Push(fn)
			L.Push(req)
			L.Call(1, 1)
			res, _ := L.Get(-1).(*lua.LTable)
			L.Pop(1)
			if res == nil {
				return 0
			}
			list, _ := res.RawGetString(pg.list).(*lua.LTable)
			if list == nil || list.Len() == 0 {
				return 0
			}
			for i := 1; i <= list.Len(); i++ {
				buf = append(buf, list.RawGetInt(i))
			}
			before := offsets(args)
			done = complete[lua.LVAsString(res.RawGetString("_"))] || !pg.next(L, args, res, buf) ||
				offsets(args) == before // a server that ignores the offset would loop for ever
		}
		v := buf[0]
		buf = buf[1:]
		yielded++
		L.Push(v)
		return 1
	}
	L.Push(L.NewFunction(it))
	return 1
}
