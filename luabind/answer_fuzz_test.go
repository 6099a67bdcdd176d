package luabind_test

import (
	"encoding/binary"
	"strings"
	"testing"

	"github.com/gotd/td/bin"
	"github.com/gotd/td/tg"
	lua "github.com/yuin/gopher-lua"

	"github.com/tglua/tglua/luabind"
	"github.com/tglua/tglua/luabind/schema"
)

// answerMethods are the methods whose result types FuzzDecodeAnswer reads
// answers as: every method of the schema, by index.
func answerMethods() []*schema.Constructor {
	var ms []*schema.Constructor
	for i := range schema.All() {
		if c := &schema.All()[i]; c.Method {
			ms = append(ms, c)
		}
	}
	return ms
}

// answerSeed is a fuzz input: the method index (two bytes, little-endian),
// then the answer.
func answerSeed(method string, answer []byte) []byte {
	for i, m := range answerMethods() {
		if m.Name == method {
			return append(binary.LittleEndian.AppendUint16(nil, uint16(i)), answer...)
		}
	}
	panic("no method " + method)
}

func encodeGotd(tb testing.TB, o bin.Encoder) []byte {
	var b bin.Buffer
	if err := o.Encode(&b); err != nil {
		tb.Fatal(err)
	}
	return b.Buf
}

// FuzzDecodeAnswer feeds random, truncated and deeply nested server answers
// to the decoder, as the answer of any method: it must return a value or an
// error, never panic or overflow the stack.
func FuzzDecodeAnswer(f *testing.F) {
	msgs := messagesResult(f)
	f.Add(answerSeed("messages.getHistory", msgs))
	f.Add(answerSeed("messages.getHistory", msgs[:len(msgs)/2]))
	f.Add(answerSeed("messages.getHistory", msgs[:7]))
	f.Add(answerSeed("users.getUsers", encodeGotd(f, &tg.UserClassVector{Elems: []tg.UserClass{&tg.User{ID: 1, AccessHash: 1 << 60, FirstName: "Ann", Username: "ann"}}})))
	f.Add(answerSeed("help.getConfig", encodeGotd(f, &tg.Config{MessageLengthMax: 4096, DCOptions: []tg.DCOption{{ID: 2, IPAddress: "127.0.0.1", Port: 443}}})))
	f.Add(answerSeed("messages.sendMessage", encodeGotd(f, &tg.Updates{Updates: []tg.UpdateClass{&tg.UpdateNewMessage{Message: &tg.Message{ID: 5, Message: "hi", PeerID: &tg.PeerUser{UserID: 2}}}}})))
	f.Add(answerSeed("help.getAppConfig", encodeGotd(f, &tg.HelpAppConfig{Config: &tg.JSONArray{Value: []tg.JSONValueClass{&tg.JSONArray{Value: []tg.JSONValueClass{&tg.JSONNull{}}}}}})))
	// A page whose caption is 200 textBold objects deep (Go's decoder
	// recursion would take it; ours stops at MaxDepth).
	page := encodeGotd(f, &tg.MessagesWebPage{Webpage: &tg.WebPage{ID: 1, URL: "u", DisplayURL: "u", CachedPage: tg.Page{URL: "u", Blocks: []tg.PageBlockClass{&tg.PageBlockParagraph{Text: &tg.TextEmpty{}}}}}})
	textEmpty := binary.LittleEndian.AppendUint32(nil, schema.ByName("textEmpty").ID)
	if i := strings.Index(string(page), string(textEmpty)); i > 0 {
		deep := append(append(append([]byte(nil), page[:i]...), nestedBold(200)...), page[i+4:]...)
		f.Add(answerSeed("messages.getWebPage", deep))
	}
	f.Add(answerSeed("account.checkUsername", encodeGotd(f, &tg.BoolTrue{})))
	f.Add(answerSeed("help.getAppConfig", []byte{0x15, 0xc4, 0xb5, 0x1c, 0xff, 0xff, 0xff, 0x7f}))

	methods := answerMethods()
	L := lua.NewState(lua.Options{SkipOpenLibs: true})
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) < 2 {
			return
		}
		m := methods[int(binary.LittleEndian.Uint16(data))%len(methods)]
		answer := data[2:]
		_, _ = luabind.Decode(L, answer, m.Result)
		// The same bytes as one boxed object of any constructor, as
		// updates arrive.
		_, _ = luabind.DecodeObject(L, answer)
	})
}
