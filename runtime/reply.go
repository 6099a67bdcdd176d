package runtime

import (
	lua "github.com/yuin/gopher-lua"
)

// luaReply is reply(msg, text [, params]): it sends text into msg's chat as
// a reply to msg and returns what messages.sendMessage returns. text may
// instead be a table of messages.sendMessage parameters (message, entities,
// silent...); params, if given, adds such parameters to a text reply. peer
// and reply_to are filled from msg.
//
// It calls the bound messages.sendMessage, so peer resolution (msg.peer is
// a peerUser/peerChat/peerChannel table), long-message splitting and error
// values are exactly those of a direct call.
func (r *Runtime) luaReply(L *lua.LState) int {
	msg := L.CheckTable(1)
	args := L.CreateTable(0, 8)
	switch v := L.Get(2).(type) {
	case lua.LString:
		args.RawSetString("message", v)
		if L.GetTop() >= 3 && L.Get(3) != lua.LNil {
			copyFields(args, L.CheckTable(3))
			args.RawSetString("message", v)
		}
	case *lua.LTable:
		copyFields(args, v)
	default:
		L.ArgError(2, "string or table expected, got "+L.Get(2).Type().String())
	}

	peer := msg.RawGetString("peer")
	if peer == lua.LNil {
		peer = msg.RawGetString("peer_id")
	}
	if _, ok := peer.(*lua.LTable); !ok {
		L.ArgError(1, "message table expected (no peer)")
	}
	id, ok := msg.RawGetString("id").(lua.LNumber)
	if !ok {
		L.ArgError(1, "message table expected (no id)")
	}
	to := L.CreateTable(0, 2)
	to.RawSetString("_", lua.LString("inputReplyToMessage"))
	to.RawSetString("reply_to_msg_id", id)
	args.RawSetString("peer", peer)
	args.RawSetString("reply_to", to)

	messages := L.GetField(r.binding.Table(), "messages")
	send := L.GetField(messages, "sendMessage")
	L.Push(send)
	L.Push(args)
	L.Call(1, 1)
	return 1
}

// copyFields copies src's string-keyed fields into dst.
func copyFields(dst, src *lua.LTable) {
	src.ForEach(func(k, v lua.LValue) {
		if ks, ok := k.(lua.LString); ok {
			dst.RawSetString(string(ks), v)
		}
	})
}
