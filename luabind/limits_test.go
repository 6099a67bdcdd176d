package luabind_test

import (
	"runtime"
	"strings"
	"testing"

	"github.com/gotd/td/bin"
	lua "github.com/yuin/gopher-lua"

	"github.com/tglua/tglua/luabind"
	"github.com/tglua/tglua/luabind/schema"
)

// callError runs src (which must set the global err from a pcall) in a VM
// whose calls are answered true by a recording invoker, and returns err and
// how many requests went out.
func callError(t *testing.T, src string) (string, int) {
	t.Helper()
	L := lua.NewState()
	defer L.Close()
	inv := &recordInvoker{}
	luabind.Register(L, luabind.Options{Invoker: inv})
	if err := L.DoString(src); err != nil {
		t.Fatal(err)
	}
	return lua.LVAsString(L.GetGlobal("err")), len(inv.sent)
}

func TestDepthLimitOnArguments(t *testing.T) {
	for _, tc := range []struct {
		name, src, want string
	}{
		{"cycle", `
			local j = {_='jsonArray'} j.value = {j}
			local ok, e = pcall(help.saveAppLog, {events={{_='inputAppEvent', time=0, type='x', peer=0, data=j}}})
			err = tostring(e)`,
			"help.saveAppLog: events[1].data.value[1]: cycle: the table contains itself"},
		{"cycle through a field", `
			local o = {_='jsonObject', value={}}
			o.value[1] = {_='jsonObjectValue', key='k', value=o}
			local ok, e = pcall(help.saveAppLog, {events={{_='inputAppEvent', time=0, type='x', peer=0, data=o}}})
			err = tostring(e)`,
			"help.saveAppLog: events[1].data.value[1].value: cycle: the table contains itself"},
		{"deep nest", `
			local j = {_='jsonNull'}
			for i = 1, 400000 do j = {_='jsonArray', value={j}} end
			local ok, e = pcall(help.saveAppLog, {events={{_='inputAppEvent', time=0, type='x', peer=0, data=j}}})
			err = tostring(e)`,
			"help.saveAppLog: events[1].data.value[1].value[1].value[1].value[1].value...: table nested too deep (limit 64)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err, sent := callError(t, tc.src)
			if !strings.HasSuffix(err, ": "+tc.want) {
				t.Errorf("got  %q\nwant %q", err, tc.want)
			}
			if sent != 0 {
				t.Errorf("%d requests sent", sent)
			}
		})
	}
}

// TestDepthLimitAllowsLegalNesting: a JSON value nested 60 tables deep is
// sent.
func TestDepthLimitAllowsLegalNesting(t *testing.T) {
	err, sent := callError(t, `
		local j = {_='jsonNull'}
		for i = 1, 29 do j = {_='jsonArray', value={j}} end
		local ok, e = pcall(help.saveAppLog, {events={{_='inputAppEvent', time=0, type='x', peer=0, data=j}}})
		err = ok and 'ok' or tostring(e)`)
	if err != "ok" || sent != 1 {
		t.Fatalf("got %q, %d sent", err, sent)
	}
}

func TestRequestSizeLimit(t *testing.T) {
	for _, tc := range []struct{ name, src string }{
		{"vector", `
			local nums = {}
			for i = 1, 1000000 do nums[i] = '+1555' .. i end
			local ok, e = pcall(auth.sendInvites, {phone_numbers=nums, message='hi'})
			err = tostring(e)`},
		{"string", `
			local ok, e = pcall(help.saveAppLog, {events={{_='inputAppEvent', time=0, type=('x'):rep(2000000), peer=0, data='jsonNull'}}})
			err = tostring(e)`},
		{"shared subtables", `
			local j = {_='jsonNull'}
			for i = 1, 28 do j = {_='jsonArray', value={j, j}} end
			local ok, e = pcall(help.saveAppLog, {events={{_='inputAppEvent', time=0, type='x', peer=0, data=j}}})
			err = tostring(e)`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err, sent := callError(t, tc.src)
			if !strings.Contains(err, "request too large: over 1044448 bytes encoded (Telegram's limit for one request)") {
				t.Errorf("got %q", err)
			}
			if sent != 0 {
				t.Errorf("%d requests sent", sent)
			}
		})
	}
}

func TestChunkLimit(t *testing.T) {
	err, sent := callError(t, `
		local ok, e = pcall(messages.sendMessage, {peer='inputPeerSelf', message=('x'):rep(50000000)})
		err = tostring(e)`)
	if want := "messages.sendMessage: message: message too long: it would be sent as at least 12208 messages of up to 4096 UTF-16 units, more than split.max_chunks (100); send less text, or raise split.max_chunks"; !strings.HasSuffix(err, ": "+want) || sent != 0 {
		t.Fatalf("got %q, %d sent\nwant %q", err, sent, want)
	}
	err, sent = callError(t, `
		split.max_chunks = 3
		local ok, e = pcall(messages.sendMessage, {peer='inputPeerSelf', message=('x'):rep(4096 * 3 + 1)})
		err = tostring(e)
		local ok, r = pcall(messages.sendMessage, {peer='inputPeerSelf', message=('x'):rep(4096 * 3)})
		n = ok and #r`)
	if !strings.Contains(err, "as at least 4 messages") || sent != 3 {
		t.Fatalf("got %q, %d sent", err, sent)
	}
}

// nestedBold is an answer of n textBold objects, each holding the next,
// ending in textEmpty.
func nestedBold(n int) []byte {
	bold, empty := schema.ByName("textBold").ID, schema.ByName("textEmpty").ID
	var b bin.Buffer
	for range n {
		b.PutID(bold)
	}
	b.PutID(empty)
	return b.Buf
}

func TestDepthLimitOnAnswers(t *testing.T) {
	rt := schema.TypeRef{Kind: schema.KindObject}
	typ, _ := schema.TypeByName("RichText")
	for i := range schema.Types() {
		if &schema.Types()[i] == typ {
			rt.Type = uint16(i)
		}
	}
	L := lua.NewState()
	defer L.Close()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err := luabind.Decode(L, nestedBold(2000000), rt)
	if err == nil || !strings.Contains(err.Error(), "decode result: answer nested deeper than 64 levels") {
		t.Fatalf("got %v", err)
	}
	if _, err := luabind.Decode(L, nestedBold(63), rt); err != nil {
		t.Fatalf("63 levels: %v", err)
	}

	// The same through a call: a structured DECODE error.
	luabind.Register(L, luabind.Options{Invoker: answerInvoker(append(nestedBold(2000000)[:0:0], nestedBold(2000000)...))})
	if err := L.DoString(`local ok, e = pcall(help.getTermsOfServiceUpdate) err = e.type .. ': ' .. e.message`); err != nil {
		t.Fatal(err)
	}
	if got := lua.LVAsString(L.GetGlobal("err")); !strings.HasPrefix(got, "DECODE: decode result: ") {
		t.Fatalf("got %q", got)
	}
}

func TestAnswerTableLimit(t *testing.T) {
	empty := schema.ByName("textEmpty").ID
	var b bin.Buffer
	b.PutID(schema.ByName("textConcat").ID)
	b.PutVectorHeader(luabind.MaxAnswerTables + 1)
	for range luabind.MaxAnswerTables + 1 {
		b.PutID(empty)
	}
	typ, _ := schema.TypeByName("RichText")
	rt := schema.TypeRef{Kind: schema.KindObject}
	for i := range schema.Types() {
		if &schema.Types()[i] == typ {
			rt.Type = uint16(i)
		}
	}
	L := lua.NewState()
	defer L.Close()
	if _, err := luabind.Decode(L, b.Buf, rt); err == nil || !strings.Contains(err.Error(), "answer has more than 262144 objects") {
		t.Fatalf("got %v", err)
	}
}

// TestMaxDepthCoversSchema: MaxDepth leaves a margin over the deepest
// nesting of tables the schema has without repeating a type (each object
// and each vector is one table).
func TestMaxDepthCoversSchema(t *testing.T) {
	types, all := schema.Types(), schema.All()
	onPath := make([]bool, len(types))
	best := 0
	var dfs func(ti uint16, depth int)
	dfs = func(ti uint16, depth int) {
		best = max(best, depth)
		onPath[ti] = true
		defer func() { onPath[ti] = false }()
		for _, ci := range types[ti].Constructors {
			for _, p := range all[ci].Params {
				add := 1
				switch {
				case p.Type.Kind == schema.KindObject:
				case (p.Type.Kind == schema.KindVector || p.Type.Kind == schema.KindBareVector) && p.Type.Elem == schema.KindObject:
					add = 2
				default:
					continue
				}
				if !onPath[p.Type.Type] {
					dfs(p.Type.Type, depth+add)
				}
			}
		}
	}
	for ti := range types {
		dfs(uint16(ti), 1)
	}
	t.Logf("deepest nesting without a repeated type: %d tables", best)
	if best*2 > luabind.MaxDepth {
		t.Fatalf("the schema nests %d tables deep: raise MaxDepth (%d) to keep a margin for recursive types", best, luabind.MaxDepth)
	}
}
