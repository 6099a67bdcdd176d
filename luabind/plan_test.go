package luabind_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/gotd/td/bin"
	"github.com/gotd/td/tg"
	lua "github.com/yuin/gopher-lua"

	"github.com/tglua/tglua/luabind"
	"github.com/tglua/tglua/luabind/schema"
)

// TestPlan checks the per-method plan: the host is asked once per method,
// not per call; the guard runs on every call, after the arguments are
// encoded; Prepare's table is the one sent; Binding.Call runs the guard
// but not Prepare.
func TestPlan(t *testing.T) {
	L := lua.NewState()
	defer L.Close()
	inv := &recordInvoker{}
	asked := map[string]int{}
	guarded := 0
	refuse := errors.New("refused by the guard")
	b := luabind.Register(L, luabind.Options{
		Invoker: inv,
		Plan: func(m *schema.Constructor) luabind.Plan {
			asked[m.Name]++
			p := luabind.Plan{Guard: func(_ context.Context, m *schema.Constructor) error {
				guarded++
				if m.Name == "account.updateStatus" {
					return refuse
				}
				return nil
			}}
			if m.Name == "account.checkUsername" {
				p.Prepare = func(L *lua.LState, _ *schema.Constructor, args *lua.LTable) (*lua.LTable, error) {
					out := L.CreateTable(0, 1)
					out.RawSetString("username", lua.LString("prepared_"+lua.LVAsString(args.RawGetString("username"))))
					return out, nil
				}
			}
			return p
		},
	})
	if err := L.DoString(`
		for i = 1, 3 do assert(account.checkUsername{username='ann'} == true) end
		-- Bad arguments stop the call before its guard.
		local ok, e = pcall(account.updateStatus, {offline=1})
		assert(not ok and tostring(e):find('offline: boolean expected', 1, true), tostring(e))
		ok, e = pcall(account.updateStatus, {offline=true})
		assert(not ok and tostring(e):find('refused by the guard', 1, true), tostring(e))
	`); err != nil {
		t.Fatal(err)
	}
	if asked["account.checkUsername"] != 1 || asked["account.updateStatus"] != 1 {
		t.Fatalf("plans asked %v, want once per method", asked)
	}
	// Three calls and the refused one; the bad arguments stopped before.
	if guarded != 4 {
		t.Fatalf("guard ran %d times, want 4", guarded)
	}
	if len(inv.sent) != 3 {
		t.Fatalf("%d requests sent, want 3", len(inv.sent))
	}
	var req tg.AccountCheckUsernameRequest
	if err := req.Decode(&bin.Buffer{Buf: inv.sent[0]}); err != nil || req.Username != "prepared_ann" {
		t.Fatalf("sent %q (%v), want the prepared table", req.Username, err)
	}

	// From Go: the guard runs, Prepare does not.
	args := L.CreateTable(0, 1)
	args.RawSetString("username", lua.LString("bob"))
	if _, err := b.Call(context.Background(), L, schema.ByName("account.checkUsername"), args); err != nil {
		t.Fatal(err)
	}
	if guarded != 5 {
		t.Fatalf("guard ran %d times, want 5", guarded)
	}
	if err := req.Decode(&bin.Buffer{Buf: inv.sent[3]}); err != nil || req.Username != "bob" {
		t.Fatalf("Call sent %q (%v), want the table as given", req.Username, err)
	}
	off := L.CreateTable(0, 1)
	off.RawSetString("offline", lua.LTrue)
	if _, err := b.Call(context.Background(), L, schema.ByName("account.updateStatus"), off); !errors.Is(err, refuse) {
		t.Fatalf("Call of a refused method: %v", err)
	}
}

// answerInvoker answers every call with the given bytes.
type answerInvoker []byte

func (a answerInvoker) Invoke(_ context.Context, _ bin.Encoder, out bin.Decoder) error {
	return out.Decode(&bin.Buffer{Buf: append([]byte(nil), a...)})
}

// TestBoolAnswers checks the answers of Bool methods, which are read where
// they arrive: true, false, and anything else is an error, also when it
// is longer than a Bool.
func TestBoolAnswers(t *testing.T) {
	word := func(ids ...uint32) answerInvoker {
		var b bin.Buffer
		for _, id := range ids {
			b.PutID(id)
		}
		return b.Buf
	}
	for _, tc := range []struct {
		answer answerInvoker
		want   string
	}{
		{word(schema.BoolTrueID), "true"},
		{word(schema.BoolFalseID), "false"},
		{word(schema.BoolTrueID, 7), "true"}, // trailing bytes: decoded as before
		{word(0x12345678), "decode result: unexpected id 0x12345678"},
		{answerInvoker{1, 2}, "decode result: unexpected EOF"},
	} {
		L := lua.NewState()
		luabind.Register(L, luabind.Options{Invoker: tc.answer})
		err := L.DoString(`
			local ok, v = pcall(account.checkUsername, {username='ann'})
			got = ok and tostring(v) or ('error: ' .. tostring(v))`)
		if err != nil {
			t.Fatal(err)
		}
		if got := lua.LVAsString(L.GetGlobal("got")); !strings.Contains(got, tc.want) {
			t.Errorf("answer % x: got %q, want %q", []byte(tc.answer), got, tc.want)
		}
		L.Close()
	}
}
