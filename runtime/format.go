package runtime

import (
	"strings"

	"github.com/go-faster/errors"
	"github.com/gotd/td/bin"
	"github.com/gotd/td/telegram/message/entity"
	"github.com/gotd/td/telegram/message/html"
	"github.com/gotd/td/tg"
	lua "github.com/yuin/gopher-lua"

	"github.com/tglua/tglua/luabind"
	"github.com/tglua/tglua/luabind/schema"
)

// Formatted messages: parse_mode='html' on any method with a `message`
// text and `entities` (messages.sendMessage, messages.editMessage,
// messages.sendMedia captions, reply(), send_file()) turns Telegram's HTML
// subset (<b>, <i>, <u>, <s>, <code>, <pre>, <a href>, <tg-spoiler>,
// <blockquote>, mentions as <a href="tg://user?id=N">) into the text and its
// entities, with gotd's parser (telegram/message/html). A global
// parse_mode = 'html' makes it the default. The result is split like any
// long message.
//
// Markdown is not offered: gotd's markdown parser is built on goldmark,
// whose package initialisation alone costs about 6 ms at every start of
// tglua (GODEBUG=inittrace=1), more than the rest of tglua's own start-up.

// parseModeGlobal is the script's default parse mode.
const parseModeGlobal = "parse_mode"

// prepare applies parse_mode to a call's arguments (luabind.Options.Prepare).
func (r *Runtime) prepare(L *lua.LState, m *schema.Constructor, args *lua.LTable) (*lua.LTable, error) {
	if !r.formattable(m) {
		// The global applies where it can; a parse_mode argument here is
		// an unknown field for the encoder to report.
		return args, nil
	}
	mode := args.RawGetString("parse_mode")
	if mode == lua.LNil {
		mode = L.GetGlobal(parseModeGlobal)
		if mode == lua.LNil {
			return args, nil
		}
	}
	out := L.CreateTable(0, 8)
	args.ForEach(func(k, v lua.LValue) { out.RawSet(k, v) })
	out.RawSetString("parse_mode", lua.LNil)
	switch s, _ := mode.(lua.LString); strings.ToLower(string(s)) {
	case "", "none", "text":
		if _, ok := mode.(lua.LString); !ok {
			return nil, &luabind.ArgError{Method: m.Name, Path: "parse_mode", Msg: "'html' or nil expected, got " + mode.Type().String()}
		}
		return out, nil
	case "html":
	default:
		return nil, &luabind.ArgError{Method: m.Name, Path: "parse_mode", Msg: "'html' or nil expected, got '" + lua.LVAsString(mode) + "'"}
	}
	text, ok := args.RawGetString("message").(lua.LString)
	if !ok {
		return out, nil // the encoder reports a missing or wrong message
	}
	if args.RawGetString("entities") != lua.LNil {
		return nil, &luabind.ArgError{Method: m.Name, Path: "entities", Msg: "give either entities or parse_mode, not both"}
	}
	var (
		b       entity.Builder
		userErr error // gotd's parser drops a mention it cannot resolve: report it
	)
	resolve := r.htmlUser(L)
	users := func(id int64) (tg.InputUserClass, error) {
		u, err := resolve(id)
		if err != nil && userErr == nil {
			userErr = err
		}
		return u, err
	}
	err := html.HTML(strings.NewReader(string(text)), &b, html.Options{UserResolver: users})
	if err == nil {
		err = userErr
	}
	if err != nil {
		var ae *luabind.ArgError
		if errors.As(err, &ae) {
			return nil, ae
		}
		return nil, &luabind.ArgError{Method: m.Name, Path: "message", Msg: "html: " + err.Error()}
	}
	plain, ents := b.Complete()
	out.RawSetString("message", lua.LString(plain))
	if len(ents) > 0 {
		list := L.CreateTable(len(ents), 0)
		for _, e := range ents {
			t, err := encodeToLua(L, e)
			if err != nil {
				return nil, errors.Wrap(err, "entity")
			}
			list.Append(t)
		}
		out.RawSetString("entities", list)
	}
	return out, nil
}

// formattable reports whether m has a message text and its entities,
// remembering the answer per method.
func (r *Runtime) formattable(m *schema.Constructor) bool {
	if r.formats == nil {
		r.formats = make([]uint8, len(schema.All()))
	}
	i := m.Index()
	if r.formats[i] == 0 {
		r.formats[i] = 1
		if hasMessageText(m) {
			r.formats[i] = 2
		}
	}
	return r.formats[i] == 2
}

func hasMessageText(m *schema.Constructor) bool {
	var text, ents bool
	for i := range m.Params {
		switch p := &m.Params[i]; p.Name {
		case "message":
			text = p.Type.Kind == schema.KindString
		case "entities":
			ents = p.Type.Kind == schema.KindVector
		}
	}
	return text && ents
}

// htmlUser resolves the user of a tg://user?id=N link through the peer
// cache, like a numeric peer argument.
func (r *Runtime) htmlUser(L *lua.LState) func(id int64) (tg.InputUserClass, error) {
	return func(id int64) (tg.InputUserClass, error) {
		v, err := r.api.peers.Resolve(luaContext(L), "InputUser", luabind.LongValue(id))
		if err != nil {
			return nil, err
		}
		t, ok := v.(*lua.LTable)
		if !ok {
			return nil, errors.Errorf("user %d: not resolved", id)
		}
		raw, err := luabind.EncodeObject(t)
		if err != nil {
			return nil, err
		}
		return tg.DecodeInputUser(&bin.Buffer{Buf: raw})
	}
}
