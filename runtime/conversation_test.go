package runtime_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gotd/td/session"

	"github.com/tglua/tglua/runtime"
	"github.com/tglua/tglua/sandbox"
	"github.com/tglua/tglua/sandbox/sandboxtest"
)

// sandboxUser starts a sandbox and a runtime logged in there as phone.
func sandboxUser(t *testing.T, phone string) (*runtime.Runtime, *sandbox.Server) {
	t.Helper()
	sb := sandboxtest.Start(t)
	return sandboxLogin(t, sb, phone), sb
}

func sandboxLogin(t *testing.T, sb *sandbox.Server, phone string) *runtime.Runtime {
	t.Helper()
	rt := sbRuntime(t, runtime.Options{Dial: runtime.Dial{
		AppID: 1, AppHash: "sandbox", Server: sb.Addr().String(), ServerKey: sb.PublicKeyPEM(), DC: sb.DC(),
		NewAuthKey: sb.NewAuthKey,
	}})
	if _, err := rt.DoStringAsHost(context.Background(), `phone_login('`+phone+`') complete_phone_login('12345')`); err != nil {
		t.Fatal(err)
	}
	return rt
}

// TestNewAuthKey: a new session file gets its key from Dial.NewAuthKey
// and keeps it: the next runtime on the file logs nothing in again and
// never asks for another key.
func TestNewAuthKey(t *testing.T) {
	sb := sandboxtest.Start(t)
	path := filepath.Join(t.TempDir(), "a.session")
	keys := 0
	dial := runtime.Dial{
		AppID: 1, AppHash: "sandbox", Server: sb.Addr().String(), ServerKey: sb.PublicKeyPEM(), DC: sb.DC(),
		NewAuthKey: func(ctx context.Context) (*session.Data, error) {
			keys++
			return sb.NewAuthKey(ctx)
		},
	}
	rt, err := runtime.New(runtime.Options{SessionPath: path, Dial: dial})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := rt.DoStringAsHost(context.Background(), `phone_login('+15550000') complete_phone_login('12345')`); err != nil {
		t.Fatal(err)
	}
	if err := rt.Close(); err != nil {
		t.Fatal(err)
	}
	rt2 := sbRuntime(t, runtime.Options{SessionPath: path, Dial: dial})
	out, err := rt2.DoString(context.Background(), `return get_self().phone`)
	if err != nil {
		t.Fatal(err)
	}
	if out[0] != "15550000" || keys != 1 {
		t.Fatalf("self %v after %d keys made, want 15550000 after 1", out[0], keys)
	}
}

func TestIterHistoryAndDialogs(t *testing.T) {
	rt, _ := sandboxUser(t, "+15550000")
	out, err := rt.DoString(context.Background(), `
		for i = 1, 250 do messages.sendMessage{peer='@alice', message='m' .. i} end
		local seen, last = {}, math.huge
		for m in iter(messages.getHistory, {peer='@alice'}) do
			assert(not seen[m.id], 'repeated ' .. m.id)
			assert(m.id < last, 'out of order')
			seen[m.id], last = true, m.id
			seen.n = (seen.n or 0) + 1
		end
		local n150 = 0
		for m in iter(messages.getHistory, {peer='@alice', limit=150}) do n150 = n150 + 1 end
		local dialogs = 0
		for d in iter(messages.getDialogs, {}) do dialogs = dialogs + 1 end
		local ok, e = pcall(iter, users.getUsers, {})
		return seen.n, n150, dialogs > 0, ok, tostring(e)`)
	if err != nil {
		t.Fatal(err)
	}
	if out[0] != int64(250) || out[1] != int64(150) || out[2] != true || out[3] != false || !strings.Contains(out[4].(string), "users.getUsers is not paginated") {
		t.Fatalf("iter: %v", out)
	}
}

func TestAskAndWaitFor(t *testing.T) {
	rt, sb := sandboxUser(t, "+15550000")
	// @echo_bot answers at once, from the server side: ask must not miss it.
	out, err := rt.DoString(context.Background(), `
		local m = ask('@echo_bot', 'ping')
		local t1 = m.text
		-- wait_for with a filter, the answer coming from another thread.
		spawn(function() sleep(0.05) messages.sendMessage{peer='@echo_bot', message='second'} end)
		local m2 = wait_for(function(m) return not m.out and m.text:find('second') end, 10)
		local none, why = wait_for(function() return false end, 0.1)
		return t1, m2.text, none, why`)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out[0].(string), "ping") || !strings.Contains(out[1].(string), "second") || out[2] != nil || out[3] != "timeout" {
		t.Fatalf("ask/wait_for: %v", out)
	}
	_ = sb
}

// TestOutgoingMessageEvents: each message the account sends reaches
// on('message') once, with out = true (#13 item 1: it was 2 runs in 11).
func TestOutgoingMessageEvents(t *testing.T) {
	rt, _ := sandboxUser(t, "+15550000")
	out, err := rt.DoString(context.Background(), `
		local outs, texts = 0, {}
		local h = on('message', function(m)
			if m.out then outs = outs + 1 texts[#texts+1] = m.text end
		end)
		for i = 1, 100 do messages.sendMessage{peer='@alice', message='o' .. i} end
		for _ = 1, 500 do if outs >= 100 then break end sleep(0.01) end
		sleep(0.2) -- no repeats come later
		off(h)
		return outs, texts[1], texts[100]`)
	if err != nil {
		t.Fatal(err)
	}
	if out[0] != int64(100) || out[1] != "o1" || out[2] != "o100" {
		t.Fatalf("outgoing events: %v, want 100 from o1 to o100", out)
	}
}
