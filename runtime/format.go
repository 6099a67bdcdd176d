package runtime

import (
	"strings"

	"github.com/go-faster/errors"
	"github.com/gotd/td/bin"
	"github.com/gotd/td/telegram/message/entity"
	"github.com/gotd/td/tg"
	lua "github.com/yuin/gopher-lua"

	"github.com/tglua/tglua/internal/markdown"
	"github.com/tglua/tglua/internal/tghtml"
	"github.com/tglua/tglua/luabind"
	"github.com/tglua/tglua/luabind/schema"
)

// Formatted messages: parse_mode='html' or 'markdown' on any method with a
// `message` text and `entities` (messages.sendMessage, messages.editMessage,
// messages.sendMedia captions, reply(), send_file()) turns the text into
// plain text and its entities. A global parse_mode makes it the default;
// 'text' turns it off for one call. The result is split like any long
// message. Mentions (tg://user?id=N) resolve through the peer cache; an
// unknown user is an error, not a silently dropped mention.
//
//   - html: Telegram's HTML subset (<b>, <i>, <u>, <s>, <code>, <pre>,
//     <a href>, <tg-spoiler>, <blockquote>), with internal/tghtml: the same
//     text and entities as gotd's telegram/message/html (fuzzed against it),
//     without golang.org/x/net/html, whose package initialisation (entity
//     map, atom tables) every start would pay, HTML used or not.
//   - markdown (or md): Telegram's dialect, as in Telethon (**bold**,
//     __italic__, ~~strike~~, ||spoiler||, `code`, ```pre```, [text](url)),
//     with internal/markdown: gotd's markdown parser is built on goldmark,
//     whose package initialisation alone would cost every start about 6 ms.

// parseModeGlobal is the script's default parse mode.
const parseModeGlobal = "parse_mode"

// prepare applies parse_mode to a call's arguments (luabind.Plan.Prepare)
// for methods with a message text and its entities (hasMessageText). The
// global applies where it can; elsewhere a parse_mode argument is an
// unknown field for the encoder to report.
func (r *Runtime) prepare(L *lua.LState, m *schema.Constructor, args *lua.LTable) (*lua.LTable, error) {
	mode := args.RawGetString("parse_mode")
	if mode == lua.LNil {
		mode = rawGlobal(L, parseModeGlobal)
		if mode == lua.LNil {
			return args, nil
		}
	}
	out := L.CreateTable(0, 8)
	args.ForEach(func(k, v lua.LValue) { out.RawSet(k, v) })
	out.RawSetString("parse_mode", lua.LNil)
	name, isString := mode.(lua.LString)
	if !isString {
		return nil, &luabind.ArgError{Method: m.Name, Path: "parse_mode", Msg: "'html', 'markdown' or nil expected, got " + mode.Type().String()}
	}
	var parse func(L *lua.LState, text string) (string, *lua.LTable, error)
	switch strings.ToLower(string(name)) {
	case "", "none", "text":
		return out, nil
	case "html":
		parse = r.parseHTML
	case "markdown", "md":
		parse = r.parseMarkdown
	default:
		return nil, &luabind.ArgError{Method: m.Name, Path: "parse_mode", Msg: "'html', 'markdown' or nil expected, got '" + string(name) + "'"}
	}
	text, ok := args.RawGetString("message").(lua.LString)
	if !ok {
		return out, nil // the encoder reports a missing or wrong message
	}
	if args.RawGetString("entities") != lua.LNil {
		return nil, &luabind.ArgError{Method: m.Name, Path: "entities", Msg: "give either entities or parse_mode, not both"}
	}
	plain, ents, err := parse(L, string(text))
	if err != nil {
		var ae *luabind.ArgError
		if errors.As(err, &ae) {
			return nil, ae
		}
		return nil, &luabind.ArgError{Method: m.Name, Path: "message", Msg: string(name) + ": " + err.Error()}
	}
	out.RawSetString("message", lua.LString(plain))
	if ents != nil {
		out.RawSetString("entities", ents)
	}
	return out, nil
}

// parseHTML formats text with internal/tghtml (gotd's HTML parser's rules).
func (r *Runtime) parseHTML(L *lua.LState, text string) (string, *lua.LTable, error) {
	var (
		b       entity.Builder
		userErr error // the parser drops a mention it cannot resolve: report it
	)
	resolve := r.inputUser(L)
	users := func(id int64) (tg.InputUserClass, error) {
		u, err := resolve(id)
		if err != nil && userErr == nil {
			userErr = err
		}
		return u, err
	}
	err := tghtml.Parse(text, &b, tghtml.Options{UserResolver: users})
	if err == nil {
		err = userErr
	}
	if err != nil {
		return "", nil, err
	}
	plain, ents := b.Complete()
	if len(ents) == 0 {
		return plain, nil, nil
	}
	list := L.CreateTable(len(ents), 0)
	for _, e := range ents {
		t, err := encodeToLua(L, e)
		if err != nil {
			return "", nil, errors.Wrap(err, "entity")
		}
		list.Append(t)
	}
	return plain, list, nil
}

// markdownEntities are the constructors of internal/markdown's kinds.
var markdownEntities = map[markdown.Kind]string{
	markdown.Bold:        "messageEntityBold",
	markdown.Italic:      "messageEntityItalic",
	markdown.Strike:      "messageEntityStrike",
	markdown.Spoiler:     "messageEntitySpoiler",
	markdown.Code:        "messageEntityCode",
	markdown.Pre:         "messageEntityPre",
	markdown.TextURL:     "messageEntityTextUrl",
	markdown.MentionName: "inputMessageEntityMentionName",
}

// parseMarkdown formats text with internal/markdown (Telegram's dialect).
func (r *Runtime) parseMarkdown(L *lua.LState, text string) (string, *lua.LTable, error) {
	plain, ents := markdown.Parse(text)
	if len(ents) == 0 {
		return plain, nil, nil
	}
	list := L.CreateTable(len(ents), 0)
	for _, e := range ents {
		t := L.CreateTable(0, 4)
		t.RawSetString("_", lua.LString(markdownEntities[e.Kind]))
		t.RawSetString("offset", lua.LNumber(e.Offset))
		t.RawSetString("length", lua.LNumber(e.Length))
		switch e.Kind {
		case markdown.Pre:
			t.RawSetString("language", lua.LString(e.Lang))
		case markdown.TextURL:
			t.RawSetString("url", lua.LString(e.URL))
		case markdown.MentionName:
			u, err := r.inputUser(L)(e.UserID)
			if err != nil {
				return "", nil, err
			}
			ut, err := encodeToLua(L, u)
			if err != nil {
				return "", nil, err
			}
			t.RawSetString("user_id", ut)
		}
		list.Append(t)
	}
	return plain, list, nil
}

// hasMessageText reports whether m has a message text and its entities:
// the methods parse_mode applies to.
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

// inputUser resolves the user of a tg://user?id=N link through the peer
// cache, like a numeric peer argument.
func (r *Runtime) inputUser(L *lua.LState) func(id int64) (tg.InputUserClass, error) {
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
