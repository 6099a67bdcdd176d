package luabind_test

import (
	"encoding/binary"
	"math"
	"testing"

	"github.com/gotd/td/bin"
	"github.com/gotd/td/tg"
	lua "github.com/yuin/gopher-lua"

	"github.com/tglua/tglua/luabind"
	"github.com/tglua/tglua/luabind/schema"
)

// fuzzMethods are the methods whose argument tables the fuzzer builds.
var fuzzMethods = []string{
	"auth.sendInvites",
	"messages.sendMessage",
	"users.getUsers",
	"messages.forwardMessages",
	"channels.editAdmin",
	"messages.sendMedia",
}

// fuzzWords are keys and strings the generator draws from, so that it
// reaches deep into valid shapes as well as wrong ones.
var fuzzWords = []string{
	"_", "peer", "message", "phone_numbers", "random_id", "id", "user_id", "access_hash",
	"entities", "offset", "length", "url", "reply_to", "reply_to_msg_id", "silent", "no_webpage",
	"schedule_date", "from_peer", "to_peer", "channel", "admin_rights", "rank", "media", "flags",
	"inputPeerUser", "inputPeerSelf", "inputPeerChat", "inputUser", "inputUserSelf", "inputChannel",
	"messageEntityBold", "messageEntityTextUrl", "inputReplyToMessage", "chatAdminRights",
	"inputMediaEmpty", "inputMediaGeoPoint", "inputGeoPoint", "lat", "long", "peerUser",
	"-7546723456789012345", "9223372036854775808", "12ab", "", "+15550001",
}

// tableGen builds Lua values from fuzz bytes.
type tableGen struct {
	L    *lua.LState
	data []byte
}

func (g *tableGen) next() byte {
	if len(g.data) == 0 {
		return 0
	}
	b := g.data[0]
	g.data = g.data[1:]
	return b
}

func (g *tableGen) word() string { return fuzzWords[int(g.next())%len(fuzzWords)] }

func (g *tableGen) value(depth int) lua.LValue {
	switch g.next() % 12 {
	case 0:
		return lua.LNil
	case 1:
		return lua.LTrue
	case 2:
		return lua.LFalse
	case 3:
		return lua.LNumber(int8(g.next()))
	case 4:
		var b [8]byte
		for i := range b {
			b[i] = g.next()
		}
		return lua.LNumber(math.Float64frombits(binary.LittleEndian.Uint64(b[:])))
	case 5:
		return lua.LNumber(float64(int64(binary.LittleEndian.Uint32([]byte{g.next(), g.next(), g.next(), g.next()}))) * 1e6)
	case 6, 7:
		return lua.LString(g.word())
	case 8:
		n := int(g.next() % 40)
		b := make([]byte, n)
		for i := range b {
			b[i] = g.next()
		}
		return lua.LString(b)
	case 9:
		if depth > 5 {
			return lua.LNil
		}
		t := g.L.NewTable()
		for i := 1; i <= int(g.next()%4); i++ {
			t.RawSetInt(i, g.value(depth+1))
		}
		if g.next()%5 == 0 {
			t.RawSetInt(int(g.next()%8)+1, g.value(depth+1)) // maybe a hole
		}
		return t
	default:
		if depth > 5 {
			return lua.LNil
		}
		return g.object(depth + 1)
	}
}

func (g *tableGen) object(depth int) *lua.LTable {
	t := g.L.NewTable()
	for range int(g.next() % 8) {
		t.RawSetString(g.word(), g.value(depth))
	}
	if g.next()%7 == 0 {
		// Odd keys: numbers, booleans, tables. (Keys stay small: gopher-lua
		// grows the array part up to any integer key below 2^26.)
		var k lua.LValue
		switch g.next() % 3 {
		case 0:
			k = lua.LNumber(int(g.next()%16) - 4)
		case 1:
			k = lua.LTrue
		default:
			k = g.L.NewTable()
		}
		t.RawSet(k, g.value(depth+5))
	}
	return t
}

func FuzzEncodeArgs(f *testing.F) {
	f.Add([]byte{0, 10, 6, 2, 6, 1, 9, 2, 6, 44, 6, 44})
	f.Add([]byte{1, 10, 5, 24, 6, 24, 6, 1, 6, 22, 6, 39, 10, 2, 20, 3, 7, 1, 6, 25})
	f.Add([]byte("messages.sendMessage peer inputPeerUser user_id access_hash"))
	L := lua.NewState(lua.Options{SkipOpenLibs: true})
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) == 0 {
			return
		}
		m := schema.ByName(fuzzMethods[int(data[0])%len(fuzzMethods)])
		g := &tableGen{L: L, data: data[1:]}
		args := g.object(0)
		out, err := luabind.Encode(m, args)
		if err != nil {
			var ae *luabind.ArgError
			if !asArgError(err, &ae) || ae.Method != m.Name {
				t.Fatalf("%s: error %v is not an argument error naming the method", m.Name, err)
			}
			return
		}
		// What the encoder accepts must be valid TL: gotd decodes it, or,
		// for methods gotd lacks, our decoder does and re-encodes it.
		if mk, ok := tg.TypesConstructorMap()[m.ID]; ok {
			obj := mk()
			if err := obj.Decode(&bin.Buffer{Buf: out}); err != nil {
				t.Fatalf("%s: gotd cannot decode our bytes %x: %v", m.Name, out, err)
			}
			return
		}
		tbl, err := luabind.DecodeObject(L, out)
		if err != nil {
			t.Fatalf("%s: cannot decode our bytes: %v", m.Name, err)
		}
		again, err := luabind.EncodeObject(tbl)
		if err != nil || string(again) != string(out) {
			t.Fatalf("%s: re-encode differs: %v", m.Name, err)
		}
	})
}

func asArgError(err error, target **luabind.ArgError) bool {
	ae, ok := err.(*luabind.ArgError)
	if ok {
		*target = ae
	}
	return ok
}
