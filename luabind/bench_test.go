package luabind_test

import (
	"runtime"
	"testing"
	"time"

	"github.com/gotd/td/bin"
	"github.com/gotd/td/tg"
	lua "github.com/yuin/gopher-lua"

	"github.com/tglua/tglua/luabind"
	"github.com/tglua/tglua/luabind/schema"
)

// sendMessageLua is the Lua twin of sendMessageGo.
const sendMessageLua = `return {
	peer = {_='inputPeerUser', user_id=1234567, access_hash='-7546723456789012345'},
	message = 'Hello, world! This is a message with some entities in it.',
	random_id = 1234567890123,
	silent = true, no_webpage = true,
	reply_to = {_='inputReplyToMessage', reply_to_msg_id=42},
	entities = {
		{_='messageEntityBold', offset=0, length=5},
		{_='messageEntityItalic', offset=7, length=5},
		{_='messageEntityTextUrl', offset=14, length=4, url='https://example.com'},
	},
}`

func sendMessageGo() *tg.MessagesSendMessageRequest {
	return &tg.MessagesSendMessageRequest{
		Peer:      &tg.InputPeerUser{UserID: 1234567, AccessHash: -7546723456789012345},
		Message:   "Hello, world! This is a message with some entities in it.",
		RandomID:  1234567890123,
		Silent:    true,
		NoWebpage: true,
		ReplyTo:   &tg.InputReplyToMessage{ReplyToMsgID: 42},
		Entities: []tg.MessageEntityClass{
			&tg.MessageEntityBold{Offset: 0, Length: 5},
			&tg.MessageEntityItalic{Offset: 7, Length: 5},
			&tg.MessageEntityTextURL{Offset: 14, Length: 4, URL: "https://example.com"},
		},
	}
}

func luaTable(tb testing.TB, L *lua.LState, src string) *lua.LTable {
	tb.Helper()
	if err := L.DoString(src); err != nil {
		tb.Fatal(err)
	}
	t := L.Get(-1).(*lua.LTable)
	L.Pop(1)
	return t
}

func TestEncodeMatchesGotd(t *testing.T) {
	L := lua.NewState()
	defer L.Close()
	args := luaTable(t, L, sendMessageLua)
	got, err := luabind.Encode(schema.ByName("messages.sendMessage"), args)
	if err != nil {
		t.Fatal(err)
	}
	var b bin.Buffer
	if err := sendMessageGo().Encode(&b); err != nil {
		t.Fatal(err)
	}
	if string(got) != string(b.Buf) {
		t.Fatalf("bytes differ\n got %x\nwant %x", got, b.Buf)
	}
}

// BenchmarkEncode compares Lua table -> TL bytes with gotd's generated
// encoder on the same request, each with a fresh buffer per op.
func BenchmarkEncode(b *testing.B) {
	b.Run("gotd", func(b *testing.B) {
		req := sendMessageGo()
		b.ReportAllocs()
		for b.Loop() {
			var buf bin.Buffer
			if err := req.Encode(&buf); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("tglua", func(b *testing.B) {
		L := lua.NewState()
		defer L.Close()
		args := luaTable(b, L, sendMessageLua)
		m := schema.ByName("messages.sendMessage")
		b.ReportAllocs()
		for b.Loop() {
			if _, err := luabind.Encode(m, args); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// messagesResult is a messages.messages answer with 100 messages.
func messagesResult(tb testing.TB) []byte {
	var msgs []tg.MessageClass
	for i := range 100 {
		msgs = append(msgs, &tg.Message{
			ID:      1000 + i,
			Out:     i%2 == 0,
			PeerID:  &tg.PeerUser{UserID: 1234567},
			FromID:  &tg.PeerUser{UserID: 7654321},
			Date:    1700000000 + i,
			Message: "Message text number something, long enough to be realistic.",
			Entities: []tg.MessageEntityClass{
				&tg.MessageEntityBold{Offset: 0, Length: 7},
			},
		})
	}
	r := &tg.MessagesMessages{
		Messages: msgs,
		Users: []tg.UserClass{
			&tg.User{ID: 1234567, AccessHash: -7546723456789012345, FirstName: "Ann", Username: "ann"},
			&tg.User{ID: 7654321, AccessHash: 42, FirstName: "Bob", Username: "bob"},
		},
	}
	var b bin.Buffer
	if err := r.Encode(&b); err != nil {
		tb.Fatal(err)
	}
	return b.Buf
}

// BenchmarkDecode compares TL bytes -> Lua tables with gotd's generated
// decoder on a messages.messages answer with 100 messages.
func BenchmarkDecode(b *testing.B) {
	data := messagesResult(b)
	b.Run("gotd", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(data)))
		for b.Loop() {
			if _, err := tg.DecodeMessagesMessages(&bin.Buffer{Buf: data}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("tglua", func(b *testing.B) {
		L := lua.NewState()
		defer L.Close()
		bind := luabind.Register(L, luabind.Options{})
		m := schema.ByName("messages.getHistory")
		b.ReportAllocs()
		b.SetBytes(int64(len(data)))
		for b.Loop() {
			if _, err := bind.Decode(L, data, m.Result); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func TestDecodeMessages(t *testing.T) {
	L := lua.NewState()
	defer L.Close()
	bind := luabind.Register(L, luabind.Options{})
	plain, err := luabind.Decode(L, messagesResult(t), schema.ByName("messages.getHistory").Result)
	if err != nil {
		t.Fatal(err)
	}
	shaped, err := bind.Decode(L, messagesResult(t), schema.ByName("messages.getHistory").Result)
	if err != nil {
		t.Fatal(err)
	}
	L.SetGlobal("plain", plain)
	L.SetGlobal("shaped", shaped)
	if err := L.DoString(`
		for _, r in ipairs({plain, shaped}) do
			assert(r._ == 'messages.messages' and #r.messages == 100 and r.users[1].access_hash == '-7546723456789012345' and r.messages[100].id == 1099)
		end
		local function keys(t) local ks = {} for k in pairs(t) do ks[#ks+1] = k end table.sort(ks) return table.concat(ks, ',') end
		for i = 1, 100 do
			assert(keys(plain.messages[i]) == keys(shaped.messages[i]), keys(shaped.messages[i]))
		end
	`); err != nil {
		t.Fatal(err)
	}
}

// BenchmarkStartup measures a VM with the standard libraries and every
// namespace registered, against a bare VM with the standard libraries.
// heap-B/vm is what stays allocated per VM.
func BenchmarkStartup(b *testing.B) {
	for _, bc := range []struct {
		name     string
		register bool
	}{{"bare", false}, {"tglua", true}} {
		b.Run(bc.name, func(b *testing.B) {
			_ = schema.Namespaces() // the shared index is built once per process
			b.ReportAllocs()
			for b.Loop() {
				L := lua.NewState()
				if bc.register {
					luabind.Register(L, luabind.Options{})
				}
				L.Close()
			}
			b.StopTimer()
			b.ReportMetric(float64(heapPerVM(bc.register)), "heap-B/vm")
		})
	}
}

// heapPerVM measures the live heap of 200 VMs, per VM.
func heapPerVM(register bool) uint64 {
	const n = 200
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	states := make([]*lua.LState, n)
	for i := range states {
		states[i] = lua.NewState()
		if register {
			luabind.Register(states[i], luabind.Options{})
		}
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	for _, L := range states {
		L.Close()
	}
	return (after.HeapAlloc - before.HeapAlloc) / n
}

// BenchmarkDecodeInterleaved alternates gotd and tglua in rounds of 50
// decodes, so that drift of the machine hits both alike, and reports
// tglua's time as a multiple of gotd's.
func BenchmarkDecodeInterleaved(b *testing.B) {
	data := messagesResult(b)
	L := lua.NewState()
	defer L.Close()
	bind := luabind.Register(L, luabind.Options{})
	m := schema.ByName("messages.getHistory")
	var gotdT, ourT time.Duration
	const round = 50
	for b.Loop() {
		t0 := time.Now()
		for range round {
			if _, err := tg.DecodeMessagesMessages(&bin.Buffer{Buf: data}); err != nil {
				b.Fatal(err)
			}
		}
		t1 := time.Now()
		for range round {
			if _, err := bind.Decode(L, data, m.Result); err != nil {
				b.Fatal(err)
			}
		}
		gotdT += t1.Sub(t0)
		ourT += time.Since(t1)
	}
	b.ReportMetric(float64(ourT)/float64(gotdT), "x-gotd")
}

// BenchmarkEncodeInterleaved alternates gotd's generated Encode (fresh
// buffer) and luabind.Encode on messages.sendMessage in rounds of 200, and
// reports tglua's time as a multiple of gotd's.
func BenchmarkEncodeInterleaved(b *testing.B) {
	L := lua.NewState()
	defer L.Close()
	args := luaTable(b, L, sendMessageLua)
	m := schema.ByName("messages.sendMessage")
	req := sendMessageGo()
	var gotdT, ourT time.Duration
	const round = 200
	for b.Loop() {
		t0 := time.Now()
		for range round {
			var buf bin.Buffer
			if err := req.Encode(&buf); err != nil {
				b.Fatal(err)
			}
		}
		t1 := time.Now()
		for range round {
			if _, err := luabind.Encode(m, args); err != nil {
				b.Fatal(err)
			}
		}
		gotdT += t1.Sub(t0)
		ourT += time.Since(t1)
	}
	b.ReportMetric(float64(ourT)/float64(gotdT), "x-gotd")
	b.ReportMetric(float64(ourT)/float64(b.N*round), "tglua-ns/op")
	b.ReportMetric(float64(gotdT)/float64(b.N*round), "gotd-ns/op")
}
