package luabind_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/gotd/td/bin"
	"github.com/gotd/td/tg"
	"github.com/gotd/td/tgerr"
	lua "github.com/yuin/gopher-lua"

	"github.com/tglua/tglua/luabind"
	"github.com/tglua/tglua/luabind/schema"
)

func TestLongRule(t *testing.T) {
	for _, v := range []int64{0, 1, -1, 1 << 53, -(1 << 53), 1<<53 + 1, -(1<<53 + 1), 1<<63 - 1, -1 << 63} {
		lv := luabind.LongValue(v)
		_, isNum := lv.(lua.LNumber)
		if wantNum := v >= -(1<<53) && v <= 1<<53; isNum != wantNum {
			t.Errorf("%d became %s", v, lv.Type())
		}
		back, ok := luabind.ToLong(lv)
		if !ok || back != v {
			t.Errorf("%d -> %v -> %d, %v", v, lv, back, ok)
		}
	}
	for _, bad := range []lua.LValue{lua.LNumber(1.5), lua.LNumber(1 << 60), lua.LString("1e3"), lua.LString(" 1"), lua.LString("9223372036854775808"), lua.LTrue, lua.LNil} {
		if _, ok := luabind.ToLong(bad); ok {
			t.Errorf("%v accepted as long", bad)
		}
	}
}

func encode(t *testing.T, method, src string) ([]byte, error) {
	t.Helper()
	L := lua.NewState()
	defer L.Close()
	return luabind.Encode(schema.ByName(method), luaTable(t, L, "return "+src))
}

func TestEncodeShapes(t *testing.T) {
	// A constructor name string for a field-less constructor.
	out, err := encode(t, "users.getUsers", `{id={'inputUserSelf'}}`)
	if err != nil {
		t.Fatal(err)
	}
	var r tg.UsersGetUsersRequest
	if err := r.Decode(&bin.Buffer{Buf: out}); err != nil || len(r.ID) != 1 {
		t.Fatalf("%v %v", err, r.ID)
	}
	if _, ok := r.ID[0].(*tg.InputUserSelf); !ok {
		t.Fatalf("got %T", r.ID[0])
	}

	// '_' omitted for a type with one constructor (InputContact).
	out, err = encode(t, "contacts.importContacts", `{contacts={{client_id=1, phone='+1', first_name='A', last_name=''}}}`)
	if err != nil {
		t.Fatal(err)
	}
	var ic tg.ContactsImportContactsRequest
	if err := ic.Decode(&bin.Buffer{Buf: out}); err != nil || len(ic.Contacts) != 1 {
		t.Fatalf("%v %v", err, ic.Contacts)
	}

	// random_id vector filled per message id when forwarding.
	out, err = encode(t, "messages.forwardMessages", `{from_peer='inputPeerSelf', to_peer='inputPeerSelf', id={1,2,3}}`)
	if err != nil {
		t.Fatal(err)
	}
	var fw tg.MessagesForwardMessagesRequest
	if err := fw.Decode(&bin.Buffer{Buf: out}); err != nil {
		t.Fatal(err)
	}
	if len(fw.RandomID) != 3 || fw.RandomID[0] == fw.RandomID[1] {
		t.Fatalf("random ids %v", fw.RandomID)
	}

	// An optional Bool set to false still sets its flag.
	out, err = encode(t, "account.updateNotifySettings", `{peer={_='inputNotifyPeer', peer='inputPeerSelf'}, settings={silent=false}}`)
	if err != nil {
		t.Fatal(err)
	}
	var ns tg.AccountUpdateNotifySettingsRequest
	if err := ns.Decode(&bin.Buffer{Buf: out}); err != nil {
		t.Fatal(err)
	}
	if v, ok := ns.Settings.GetSilent(); !ok || v {
		t.Fatalf("silent = %v, %v", v, ok)
	}

	// int128/int256 need exact lengths.
	if _, err := encode(t, "phone.joinGroupCall", `{call={_='inputGroupCall', id=1, access_hash=1}, join_as='inputPeerSelf', params={data='{}'}, public_key='short', block=''}`); err == nil ||
		!strings.Contains(err.Error(), "phone.joinGroupCall: public_key: int256 expected (a string of 32 bytes), got string of 5 bytes") {
		t.Fatalf("got %v", err)
	}
}

type fakeResolver struct{ asked []string }

func (f *fakeResolver) Resolve(_ context.Context, want string, v lua.LValue) (lua.LValue, error) {
	f.asked = append(f.asked, want+":"+v.String())
	if v.String() == "@nobody" {
		return nil, errors.New("peer @nobody: not found")
	}
	t := &lua.LTable{Metatable: lua.LNil}
	t.RawSetString("_", lua.LString("inputPeerUser"))
	t.RawSetString("user_id", lua.LNumber(5))
	t.RawSetString("access_hash", lua.LString("-7546723456789012345"))
	return t, nil
}

type recordInvoker struct{ sent [][]byte }

func (r *recordInvoker) Invoke(_ context.Context, in bin.Encoder, out bin.Decoder) error {
	var b bin.Buffer
	if err := in.Encode(&b); err != nil {
		return err
	}
	r.sent = append(r.sent, append([]byte(nil), b.Buf...))
	res := bin.Buffer{}
	res.PutID(schema.BoolTrueID)
	return out.Decode(&res)
}

func TestResolverAndErrorsInLua(t *testing.T) {
	L := lua.NewState()
	defer L.Close()
	res := &fakeResolver{}
	inv := &recordInvoker{}
	luabind.Register(L, luabind.Options{Invoker: inv, Resolver: res})
	err := L.DoString(`
		assert(messages.setTyping{peer='@ann', action='sendMessageTypingAction'} == true)
		local ok, e = pcall(messages.setTyping, {peer='@nobody', action='sendMessageTypingAction'})
		assert(not ok and e:find('messages.setTyping: peer: peer @nobody: not found', 1, true), e)
	`)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.asked) != 2 || res.asked[0] != "InputPeer:@ann" {
		t.Fatalf("resolver asked %v", res.asked)
	}
	if len(inv.sent) != 1 {
		t.Fatalf("%d requests sent", len(inv.sent))
	}
	var st tg.MessagesSetTypingRequest
	if err := st.Decode(&bin.Buffer{Buf: inv.sent[0]}); err != nil {
		t.Fatal(err)
	}
	if p := st.Peer.(*tg.InputPeerUser); p.AccessHash != -7546723456789012345 {
		t.Fatalf("peer %+v", p)
	}
}

type errInvoker struct{ err error }

func (e errInvoker) Invoke(context.Context, bin.Encoder, bin.Decoder) error { return e.err }

func TestErrorValues(t *testing.T) {
	L := lua.NewState()
	defer L.Close()
	luabind.Register(L, luabind.Options{Invoker: errInvoker{tgerr.New(420, "FLOOD_WAIT_30")}})
	if err := L.DoString(`
		local ok, e = pcall(help.getConfig)
		assert(not ok)
		assert(e.code == 420 and e.type == 'FLOOD_WAIT' and e.argument == 30 and e.method == 'help.getConfig', tostring(e))
		assert(tostring(e) == 'help.getConfig: rpc error 420: FLOOD_WAIT_30', tostring(e))
		err_value = e
	`); err != nil {
		t.Fatal(err)
	}
	e, ok := luabind.ErrorFromValue(L.GetGlobal("err_value"))
	if !ok || e.Code != 420 || e.Argument != 30 || !e.HasArg || e.Method != "help.getConfig" {
		t.Fatalf("ErrorFromValue = %+v, %v", e, ok)
	}

	L2 := lua.NewState()
	defer L2.Close()
	luabind.Register(L2, luabind.Options{Invoker: errInvoker{context.DeadlineExceeded}})
	if err := L2.DoString(`
		local ok, e = pcall(help.getConfig)
		assert(e.type == 'TIMEOUT' and e.code == nil and tostring(e) == 'help.getConfig: context deadline exceeded', tostring(e))
	`); err != nil {
		t.Fatal(err)
	}
}

// panicInvoker proves a panic inside a call becomes a Lua error.
type panicInvoker struct{}

func (panicInvoker) Invoke(context.Context, bin.Encoder, bin.Decoder) error { panic("boom") }

func TestPanicBecomesLuaError(t *testing.T) {
	L := lua.NewState()
	defer L.Close()
	luabind.Register(L, luabind.Options{Invoker: panicInvoker{}})
	if err := L.DoString(`
		local ok, e = pcall(help.getConfig)
		assert(not ok and e.type == 'INTERNAL' and tostring(e):find('boom'), tostring(e))
	`); err != nil {
		t.Fatal(err)
	}
}

func TestGarbageAnswersAreErrors(t *testing.T) {
	L := lua.NewState()
	defer L.Close()
	for _, data := range [][]byte{nil, {1, 2}, {0x15, 0xc4, 0xb5, 0x1c, 0xff, 0xff, 0xff, 0x7f}} {
		if _, err := luabind.Decode(L, data, schema.ByName("photos.deletePhotos").Result); err == nil {
			t.Errorf("%x decoded", data)
		}
		if _, err := luabind.Decode(L, data, schema.ByName("messages.getHistory").Result); err == nil {
			t.Errorf("%x decoded", data)
		}
	}
}

// TestUnsafeFastPathsActive guards the unsafe fast paths: if gopher-lua's
// table layout or Go's interface layout changed, the code falls back to the
// safe paths (and this test says so).
func TestUnsafeFastPathsActive(t *testing.T) {
	if !luabind.FastPaths() {
		t.Fatal("fast table and boxing paths are off: check luabind/table.go against the gopher-lua version")
	}
}

// lateInvoker fails its first call but keeps that call's answer decoder, as
// an RPC engine may while a cancelled call's answer is still arriving. The
// next call is answered true, and then the late answer, false, arrives into
// the kept decoder.
type lateInvoker struct{ kept bin.Decoder }

func (l *lateInvoker) Invoke(_ context.Context, _ bin.Encoder, out bin.Decoder) error {
	if l.kept == nil {
		l.kept = out
		return context.Canceled
	}
	answer := func(id uint32) error {
		var b bin.Buffer
		b.PutID(id)
		return out.Decode(&b)
	}
	if err := answer(schema.BoolTrueID); err != nil {
		return err
	}
	out = l.kept
	return answer(schema.BoolFalseID)
}

// TestLateAnswerOfFailedCall: the binding reuses a call's request and answer
// holders only after a call that succeeded, so the late answer of a failed
// call cannot land in another call's answer.
func TestLateAnswerOfFailedCall(t *testing.T) {
	L := lua.NewState()
	defer L.Close()
	luabind.Register(L, luabind.Options{Invoker: &lateInvoker{}})
	err := L.DoString(`
		assert(not pcall(account.checkUsername, {username='first'}))
		assert(account.checkUsername{username='second'} == true, 'answer overwritten by a late one')
		assert(account.checkUsername{username='third'} == true)
	`)
	if err != nil {
		t.Fatal(err)
	}
}

// TestReusedEncoderSendsWhatEncodeBuilds: calls through one binding reuse
// its encoder, including after calls that failed halfway through their
// arguments; every request sent must still be exactly what Encode builds
// for the same arguments.
func TestReusedEncoderSendsWhatEncodeBuilds(t *testing.T) {
	L := lua.NewState()
	defer L.Close()
	inv := &recordInvoker{}
	luabind.Register(L, luabind.Options{Invoker: inv})
	calls := []struct{ method, args string }{
		{"auth.sendInvites", `{phone_numbers={'+15550001', '+15550002'}, message='hi'}`},
		{"auth.sendInvites", `{phone_numbers={'+1', {}}, message='bad'}`}, // fails at phone_numbers[2]
		{"account.checkUsername", `{username='ann'}`},
		{"messages.sendMessage", `{peer={_='inputPeerUser', user_id=1, access_hash='-7546723456789012345'}, message='x', random_id=7, entities={{_='messageEntityBold', offset=0, length=1}}}`},
		{"messages.sendMessage", `{peer={_='inputPeerSelf'}, message='y', random_id=8, entities={{_='messageEntityBold', offset=0, length='z'}}}`}, // fails in entities
		{"account.checkUsername", `{username='bob'}`},
		{"auth.sendInvites", `{phone_numbers={}, message=''}`},
	}
	var want [][]byte
	for _, c := range calls {
		if err := L.DoString("args = " + c.args); err != nil {
			t.Fatal(err)
		}
		args := L.GetGlobal("args").(*lua.LTable)
		body, encErr := luabind.Encode(schema.ByName(c.method), args)
		err := L.DoString("return " + c.method + "(args)")
		if (encErr == nil) != (err == nil) {
			t.Fatalf("%s %s: Encode error %v, call error %v", c.method, c.args, encErr, err)
		}
		if encErr == nil {
			want = append(want, body)
		}
	}
	if len(inv.sent) != len(want) {
		t.Fatalf("%d requests sent, want %d", len(inv.sent), len(want))
	}
	for i := range want {
		if string(inv.sent[i]) != string(want[i]) {
			t.Errorf("request %d: sent %x, Encode builds %x", i, inv.sent[i], want[i])
		}
	}
}

// TestNumericDefaults: a method's plain int, long and double parameters
// default to 0 and offset_peer to inputPeerEmpty, as gotd encodes the zero
// request; strings, vectors and peers stay required, and constructors'
// fields have no defaults.
func TestNumericDefaults(t *testing.T) {
	out, err := encode(t, "messages.getHistory", `{peer='inputPeerSelf', limit=1}`)
	if err != nil {
		t.Fatal(err)
	}
	var want bin.Buffer
	if err := (&tg.MessagesGetHistoryRequest{Peer: &tg.InputPeerSelf{}, Limit: 1}).Encode(&want); err != nil {
		t.Fatal(err)
	}
	if string(out) != string(want.Buf) {
		t.Fatalf("got % x\nwant % x", out, want.Buf)
	}
	out, err = encode(t, "messages.getDialogs", `{limit=10}`)
	if err != nil {
		t.Fatal(err)
	}
	want.Reset()
	if err := (&tg.MessagesGetDialogsRequest{OffsetPeer: &tg.InputPeerEmpty{}, Limit: 10}).Encode(&want); err != nil {
		t.Fatal(err)
	}
	if string(out) != string(want.Buf) {
		t.Fatalf("getDialogs: got % x\nwant % x", out, want.Buf)
	}
	for _, tc := range []struct{ method, src, want string }{
		{"auth.sendInvites", `{message='x'}`, "auth.sendInvites: phone_numbers: Vector<string> expected"},
		{"auth.sendInvites", `{phone_numbers={'+1'}}`, "auth.sendInvites: message: string expected, got nil"},
		{"messages.getHistory", `{limit=1}`, "messages.getHistory: peer: InputPeer expected, got nil"},
		{"messages.getHistory", `{peer={_='inputPeerUser', user_id=1}, limit=1}`, "messages.getHistory: peer.access_hash: long expected, got nil"},
	} {
		if _, err := encode(t, tc.method, tc.src); err == nil || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("%s%s: got %v, want %q", tc.method, tc.src, err, tc.want)
		}
	}
}

// TestEncodeKeyList covers tables read through their key list (fewer keys
// than the constructor has parameters): keys set to nil, keys added after,
// a key that names no parameter, and a non-string key.
func TestEncodeKeyList(t *testing.T) {
	out, err := encode(t, "messages.sendMessage", `(function()
		local t = {peer='inputPeerSelf', message='hi', silent=true, random_id=7}
		t.silent = nil
		t.no_webpage = true
		t.message = nil
		t.message = 'again'
		return t
	end)()`)
	if err != nil {
		t.Fatal(err)
	}
	var r tg.MessagesSendMessageRequest
	if err := r.Decode(&bin.Buffer{Buf: out}); err != nil {
		t.Fatal(err)
	}
	if r.Silent || !r.NoWebpage || r.Message != "again" || r.RandomID != 7 {
		t.Fatalf("got %+v", r)
	}
	for src, want := range map[string]string{
		`{peer='inputPeerSelf', message='x', random_id=1, bogus=1}`:                                       "messages.sendMessage: bogus: unknown field",
		`(function() local t = {peer='inputPeerSelf', message='x', random_id=1} t[5] = 1 return t end)()`: "unexpected key 5 (number) in messages.sendMessage",
	} {
		if _, err := encode(t, "messages.sendMessage", src); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: got %v, want %q", src, err, want)
		}
	}
}
