package main

// End-to-end tests of tglua scripts against the sandbox with injected faults.

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/tglua/tglua/runtime"
	"github.com/tglua/tglua/sandbox"
)

// sandboxRuntime starts a sandbox and a runtime logged in as +15550000.
func sandboxRuntime(t *testing.T, edit ...func(*runtime.Options)) (*sandbox.Server, *runtime.Runtime, *bytes.Buffer) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	var opts runtime.Options
	var stderr bytes.Buffer
	opts.Stderr = &stderr
	for _, e := range edit {
		e(&opts)
	}
	sb, err := startSandbox(ctx, &opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sb.Close() })
	rt, err := runtime.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = rt.Close() })
	if err := sandboxLogin(ctx, rt); err != nil {
		t.Fatal(err)
	}
	return sb, rt, &stderr
}

func TestSandboxFloodWaitIsWaitedOut(t *testing.T) {
	sb, rt, stderr := sandboxRuntime(t)
	sb.SetFault("messages.sendMessage", sandbox.Fault{FloodWait: 1, Times: 1})
	start := time.Now()
	out, err := rt.DoString(context.Background(), `
		local r = messages.sendMessage{peer='@alice', message='after the flood'}
		return r._`)
	if err != nil {
		t.Fatal(err)
	}
	if out[0] != "updateShortSentMessage" {
		t.Fatalf("got %v", out)
	}
	if time.Since(start) < time.Second {
		t.Fatalf("the retry did not wait for FLOOD_WAIT_1")
	}
	if !strings.Contains(stderr.String(), "flood wait 1s on messages.sendMessage") {
		t.Fatalf("no flood wait log in %q", stderr.String())
	}
	if n := sb.Calls("messages.sendMessage"); n != 2 {
		t.Fatalf("server saw %d calls, want 2", n)
	}

	// Above the threshold it is raised at once, with the wait in e.argument.
	sb.SetFault("messages.sendMessage", sandbox.Fault{FloodWait: 3600, Times: 1})
	out, err = rt.DoString(context.Background(), `
		local ok, e = pcall(messages.sendMessage, {peer='@alice', message='x'})
		return ok, e.type, e.argument`)
	if err != nil {
		t.Fatal(err)
	}
	assertValues(t, out, []any{false, "FLOOD_WAIT", int64(3600)})
}

func TestSandboxDroppedConnectionIsRetried(t *testing.T) {
	sb, rt, _ := sandboxRuntime(t)
	sb.SetFault("messages.sendMessage", sandbox.Fault{Drop: true, Times: 1})
	out, err := rt.DoString(context.Background(), `
		local r = messages.sendMessage{peer='@bob', message='survives a dropped connection'}
		local h = messages.getHistory{peer='@bob', offset_id=0, offset_date=0, add_offset=0, limit=1, max_id=0, min_id=0, hash=0}
		return r._, h.messages[1].message`)
	if err != nil {
		t.Fatal(err)
	}
	assertValues(t, out, []any{"updateShortSentMessage", "survives a dropped connection"})
	if n := sb.Calls("messages.sendMessage"); n != 2 {
		t.Fatalf("server saw %d calls, want 2 (the dropped one and the resend)", n)
	}
}

func TestSandboxUnsupportedMethod(t *testing.T) {
	_, rt, _ := sandboxRuntime(t)
	out, err := rt.DoString(context.Background(), `
		local ok, e = pcall(stickers.checkShortName, {short_name='x'})
		return ok, e.code, e.type`)
	if err != nil {
		t.Fatal(err)
	}
	assertValues(t, out, []any{false, int64(400), "METHOD_NOT_SUPPORTED_IN_SANDBOX"})
}

// TestSandboxDroppedCallsEnd: a server that drops the connection on every
// messages.sendMessage makes gotd reconnect and resend; the call timeout
// ends the call with TIMEOUT, and the runtime goes on working.
func TestSandboxDroppedCallsEnd(t *testing.T) {
	sb, rt, _ := sandboxRuntime(t, func(o *runtime.Options) { o.CallTimeout = 4 * time.Second })
	sb.SetFault("messages.sendMessage", sandbox.Fault{Drop: true})
	out, err := rt.DoString(context.Background(), `
		local ok, e = pcall(messages.sendMessage, {peer='@alice', message='lost'})
		return ok, e.type, e.method, users.getUsers{id={'me'}}[1].phone`)
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(out) != "[false TIMEOUT messages.sendMessage 15550000]" {
		t.Fatalf("got %v", out)
	}
	t.Logf("the server saw %d sends of the dropped call", sb.Calls("messages.sendMessage"))
}

// TestSandboxOversizedRequestsNotSent: a request over Telegram's size
// limit and a message that would need more than split.max_chunks messages
// fail before anything is sent.
func TestSandboxOversizedRequestsNotSent(t *testing.T) {
	sb, rt, _ := sandboxRuntime(t)
	out, err := rt.DoString(context.Background(), `
		local nums = {}
		for i = 1, 1000000 do nums[i] = '+1555' .. i end
		local ok1, e1 = pcall(auth.sendInvites, {phone_numbers=nums, message='Join me!'})
		local ok2, e2 = pcall(messages.sendMessage, {peer='@alice', message=('x'):rep(50 * 1024 * 1024)})
		return ok1, tostring(e1):match('request too large') ~= nil, ok2, tostring(e2):match('more than split.max_chunks') ~= nil`)
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(out) != "[false true false true]" {
		t.Fatalf("got %v", out)
	}
	if n := sb.Calls("auth.sendInvites") + sb.Calls("messages.sendMessage"); n != 0 {
		t.Fatalf("%d requests reached the server", n)
	}
}

// TestSandboxHandlersInLightThreads: a handler that waits does not hold up
// the next one (the fast reply is handled first), unless the handler is
// registered with {ordered=true}, which keeps one chat's messages in order.
func TestSandboxHandlersInLightThreads(t *testing.T) {
	for _, tc := range []struct {
		opts, want string
	}{
		{"nil", "fast slow"},
		{"{ordered=true}", "slow fast"},
	} {
		t.Run(tc.opts, func(t *testing.T) {
			_, rt, stderr := sandboxRuntime(t)
			out, err := rt.DoString(context.Background(), `
				local got = {}
				on('message', function(msg)
					if msg.out then return end
					if msg.text:find('slow') then sleep(0.3) end
					table.insert(got, msg.text:match('%w+$'))
					if #got == 2 then stop() end
				end, `+tc.opts+`)
				after(20, stop)
				messages.sendMessage{peer='@echo_bot', message='slow'}
				messages.sendMessage{peer='@echo_bot', message='fast'}
				sleep(2)
				return table.concat(got, ' ')`)
			if err != nil {
				t.Fatal(err, stderr.String())
			}
			if fmt.Sprint(out[0]) != tc.want {
				t.Fatalf("handled %v, want %q; stderr %s", out, tc.want, stderr.String())
			}
		})
	}
}
