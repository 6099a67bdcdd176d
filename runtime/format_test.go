package runtime_test

import (
	"strconv"
	"strings"
	"sync"
	"testing"
	"unicode/utf16"

	"github.com/gotd/td/tg"
	"github.com/gotd/td/tgtest"
	lua "github.com/yuin/gopher-lua"
)

// formatServer records the text and entities of messages.sendMessage.
type formatServer struct {
	*peerServer
	mu   sync.Mutex
	sent []*tg.MessagesSendMessageRequest
}

func newFormatServer(t *testing.T) *formatServer {
	fs := &formatServer{peerServer: newPeerServer(t)}
	fs.Dispatcher.HandleFunc(tg.MessagesSendMessageRequestTypeID, func(s *tgtest.Server, req *tgtest.Request) error {
		r := &tg.MessagesSendMessageRequest{}
		if err := r.Decode(req.Buf); err != nil {
			return err
		}
		fs.mu.Lock()
		fs.sent = append(fs.sent, r)
		fs.mu.Unlock()
		return s.SendResult(req, &tg.Updates{Date: 1})
	})
	return fs
}

func (fs *formatServer) take() []*tg.MessagesSendMessageRequest {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	out := fs.sent
	fs.sent = nil
	return out
}

func entityString(es []tg.MessageEntityClass) string {
	var parts []string
	for _, e := range es {
		s := e.TypeName()
		switch e := e.(type) {
		case *tg.MessageEntityTextURL:
			s += " " + e.URL
		case *tg.InputMessageEntityMentionName:
			u := e.UserID.(*tg.InputUser)
			s += " " + strings.Join([]string{strconv.FormatInt(u.UserID, 10), strconv.FormatInt(u.AccessHash, 10)}, "/")
		}
		parts = append(parts, s+" "+strconv.Itoa(e.GetOffset())+"+"+strconv.Itoa(e.GetLength()))
	}
	return strings.Join(parts, ", ")
}

func TestParseModeHTML(t *testing.T) {
	fs := newFormatServer(t)
	rt := rtFor(t, fs.Server, nil)
	luaDo(t, rt, `
		contacts.resolveUsername{username='ann'} -- mentions by id need a known user
		messages.sendMessage{peer='@ann', parse_mode='html',
			message='<b>bold</b> <i>it</i> &amp; <a href="https://example.org">link</a>, <a href="tg://user?id=100">Ann</a> 😀<code>x</code>'}`)
	sent := fs.take()
	if len(sent) != 1 {
		t.Fatalf("%d messages sent", len(sent))
	}
	if got, want := sent[0].Message, "bold it & link, Ann 😀x"; got != want {
		t.Errorf("text %q, want %q", got, want)
	}
	// Offsets are UTF-16: the emoji counts two.
	want := "messageEntityBold 0+4, messageEntityItalic 5+2, messageEntityTextUrl https://example.org 10+4, " +
		"inputMessageEntityMentionName 100/-7546723456789012345 16+3, messageEntityCode 22+1"
	if got := entityString(sent[0].Entities); got != want {
		t.Errorf("entities\n%s\nwant\n%s", got, want)
	}

	// The global is the default; 'text' turns it off for one call; reply()
	// and long messages go through it too.
	luaDo(t, rt, `
		parse_mode = 'html'
		messages.sendMessage{peer='@ann', message='<u>u</u>'}
		messages.sendMessage{peer='@ann', message='<u>u</u>', parse_mode='text'}
		reply({_='message', id=5, peer={_='peerUser', user_id=100}}, '<s>struck</s>')
		messages.sendMessage{peer='@ann', message=string.rep('<b>abc</b> ', 60) .. string.rep('y ', 2500)}
		parse_mode = nil`)
	sent = fs.take()
	if len(sent) != 5 {
		t.Fatalf("%d messages sent, want 5 (the long one in 2 chunks)", len(sent))
	}
	if sent[0].Message != "u" || entityString(sent[0].Entities) != "messageEntityUnderline 0+1" {
		t.Errorf("global: %q %s", sent[0].Message, entityString(sent[0].Entities))
	}
	if sent[1].Message != "<u>u</u>" || len(sent[1].Entities) != 0 {
		t.Errorf("parse_mode='text': %q %s", sent[1].Message, entityString(sent[1].Entities))
	}
	if sent[2].Message != "struck" || entityString(sent[2].Entities) != "messageEntityStrike 0+6" {
		t.Errorf("reply: %q %s", sent[2].Message, entityString(sent[2].Entities))
	}
	total := 0
	for _, m := range sent[3:] {
		n := len(utf16.Encode([]rune(m.Message)))
		total += n
		if n > 4096 {
			t.Errorf("chunk of %d units", n)
		}
		for _, e := range m.Entities {
			if e.GetOffset() < 0 || e.GetOffset()+e.GetLength() > n {
				t.Errorf("entity %s outside its %d-unit chunk", entityString([]tg.MessageEntityClass{e}), n)
			}
		}
	}
	if total < 5235 { // 60 × "abc " + 2500 × "y ", less the whitespace at cuts
		t.Errorf("chunks hold %d units", total)
	}
	if n := len(sent[3].Entities) + len(sent[4].Entities); n != 60 {
		t.Errorf("%d entities in the chunks, want 60", n)
	}
}

func TestParseModeMarkdown(t *testing.T) {
	fs := newFormatServer(t)
	rt := rtFor(t, fs.Server, nil)
	rt.SetGlobal("md", lua.LString("**bold** __it__ ~~s~~ ||sp|| [link](https://example.org), [Ann](tg://user?id=100) 😀`x`\n```lua\nprint(1)\n```"))
	rt.SetGlobal("escaped", lua.LString(`\*\*literal\*\* **b**`))
	luaDo(t, rt, `
		contacts.resolveUsername{username='ann'}
		messages.sendMessage{peer='@ann', parse_mode='markdown', message=md}
		parse_mode = 'md'
		messages.sendMessage{peer='@ann', message=escaped}
		parse_mode = nil`)
	sent := fs.take()
	if len(sent) != 2 {
		t.Fatalf("%d messages sent", len(sent))
	}
	if got, want := sent[0].Message, "bold it s sp link, Ann 😀x\nprint(1)\n"; got != want {
		t.Errorf("text %q, want %q", got, want)
	}
	want := "messageEntityBold 0+4, messageEntityItalic 5+2, messageEntityStrike 8+1, messageEntitySpoiler 10+2, " +
		"messageEntityTextUrl https://example.org 13+4, inputMessageEntityMentionName 100/-7546723456789012345 19+3, " +
		"messageEntityCode 25+1, messageEntityPre 27+9"
	if got := entityString(sent[0].Entities); got != want {
		t.Errorf("entities\n%s\nwant\n%s", got, want)
	}
	if pre, ok := sent[0].Entities[len(sent[0].Entities)-1].(*tg.MessageEntityPre); !ok || pre.Language != "lua" {
		t.Errorf("pre entity %+v", sent[0].Entities[len(sent[0].Entities)-1])
	}
	if sent[1].Message != "**literal** b" || entityString(sent[1].Entities) != "messageEntityBold 12+1" {
		t.Errorf("escapes and the md global: %q %s", sent[1].Message, entityString(sent[1].Entities))
	}
}

func TestParseModeErrors(t *testing.T) {
	fs := newFormatServer(t)
	rt := rtFor(t, fs.Server, nil)
	for _, tc := range []struct{ src, want string }{
		{`messages.sendMessage{peer='@ann', message='x', parse_mode='rst'}`, "messages.sendMessage: parse_mode: 'html', 'markdown' or nil expected, got 'rst'"},
		{`messages.sendMessage{peer='@ann', message='x', parse_mode=1}`, "messages.sendMessage: parse_mode: 'html', 'markdown' or nil expected, got number"},
		{`users.getUsers{id={'me'}, parse_mode='html'}`, "users.getUsers: parse_mode: unknown field"},
		{`messages.sendMessage{peer='@ann', message='<b>x</b>', parse_mode='html', entities={}}`, "messages.sendMessage: entities: give either entities or parse_mode, not both"},
		{`messages.sendMessage{peer='@ann', message='<a href="tg://user?id=12345">who</a>', parse_mode='html'}`, "peer 12345: unknown user"},
		{`messages.sendMessage{peer='@ann', message='[who](tg://user?id=12345)', parse_mode='markdown'}`, "peer 12345: unknown user"},
	} {
		if err := luaFail(t, rt, tc.src); !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s:\n%v\nwant %q", tc.src, err, tc.want)
		}
	}
	if sent := fs.take(); len(sent) != 0 {
		t.Fatalf("%d messages sent despite the errors", len(sent))
	}
}

// TestStrictGlobals: a script that makes undefined globals an error (the
// strict.lua idiom) can still call methods, resolve peers, reply and send
// formatted text: the runtime reads flood_wait_max and parse_mode raw.
func TestStrictGlobals(t *testing.T) {
	fs := newFormatServer(t)
	rt := rtFor(t, fs.Server, nil)
	luaDo(t, rt, `
		setmetatable(_G, {
			__index = function(_, k) error('undefined global ' .. tostring(k), 2) end,
			__newindex = function(_, k) error('assignment to undeclared global ' .. tostring(k), 2) end,
		})
		messages.sendMessage{peer='@ann', message='plain'}
		rawset(_G, 'parse_mode', 'html')
		rawset(_G, 'flood_wait_max', 5)
		messages.sendMessage{peer='@ann', message='<b>b</b>'}
		reply({_='message', id=5, peer={_='peerUser', user_id=100}}, '<i>i</i>')
		assert(not pcall(function() return undefined_name end), 'strict mode is on')`)
	sent := fs.take()
	if len(sent) != 3 {
		t.Fatalf("%d messages sent", len(sent))
	}
	for i, want := range []string{"", "messageEntityBold 0+1", "messageEntityItalic 0+1"} {
		if got := entityString(sent[i].Entities); got != want {
			t.Errorf("message %d: entities %q, want %q", i, got, want)
		}
	}
}
