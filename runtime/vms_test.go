package runtime_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gotd/td/telegram"
	"github.com/gotd/td/tg"
	"github.com/gotd/td/tgtest"

	"github.com/tglua/tglua/internal/syncbuf"
	"github.com/tglua/tglua/internal/testserver"
	"github.com/tglua/tglua/runtime"
)

// echoServer answers messages.sendMessage with an update that carries the
// text back.
func echoServer(t *testing.T) (*testserver.Server, *atomic.Int32) {
	srv := testserver.Start(t)
	var n atomic.Int32
	srv.Dispatcher.HandleFunc(tg.MessagesSendMessageRequestTypeID, func(s *tgtest.Server, req *tgtest.Request) error {
		var r tg.MessagesSendMessageRequest
		if err := r.Decode(req.Buf); err != nil {
			return err
		}
		id := int(n.Add(1))
		return s.SendResult(req, &tg.Updates{
			Updates: []tg.UpdateClass{&tg.UpdateNewMessage{
				Message: &tg.Message{ID: id, Out: true, Message: r.Message, PeerID: &tg.PeerUser{UserID: 1}},
			}},
			Date: 1,
		})
	})
	return srv, &n
}

// TestManyVMsShareOneClient runs 100 runtimes, each on its own goroutine,
// over one gotd client that the host runs (Options.Invoker).
func TestManyVMsShareOneClient(t *testing.T) {
	noLeaks(t)
	srv, sent := echoServer(t)
	const vms, calls = 100, 10
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	client := telegram.NewClient(1, "hash", srv.ClientOptions())
	err := client.Run(ctx, func(ctx context.Context) error {
		peers := runtime.NewPeerStorage() // one cache for all of them
		rts := make([]*runtime.Runtime, vms)
		for i := range rts {
			rt, err := runtime.New(runtime.Options{Invoker: client, PeerStorage: peers, Stdout: &syncbuf.Buffer{}, Stderr: &syncbuf.Buffer{}})
			if err != nil {
				return err
			}
			defer func() { _ = rt.Close() }()
			rt.SetGlobal("mine", runtime.Int64(int64(i)))
			rts[i] = rt
		}
		var wg sync.WaitGroup
		errs := make(chan error, vms)
		for i, rt := range rts {
			wg.Add(1)
			go func() {
				defer wg.Done()
				out, err := rt.DoString(ctx, fmt.Sprintf(`
					local got = {}
					for k = 1, %d do
						local text = 'vm' .. mine .. '-' .. k
						local r = messages.sendMessage{peer='me', message=text}
						if r.updates[1].message.message ~= text then
							error('got ' .. r.updates[1].message.message .. ' for ' .. text)
						end
						got[#got + 1] = r.updates[1].message.id
					end
					return mine, #got`, calls))
				if err != nil {
					errs <- fmt.Errorf("vm %d: %w", i, err)
					return
				}
				if out[0] != int64(i) || out[1] != int64(calls) {
					errs <- fmt.Errorf("vm %d returned %v", i, out)
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n := sent.Load(); n != vms*calls {
		t.Fatalf("server saw %d messages, want %d", n, vms*calls)
	}
}

// TestValueStackGrows: a VM's value stack starts small (VMs are cheap) but
// grows to hold large unpacks, up to 262,144 values, where it stops
// with a Lua error rather than a crash.
func TestValueStackGrows(t *testing.T) {
	rt, err := runtime.New(runtime.Options{Invoker: nopInvoker{}, Sandbox: runtime.SandboxStrict})
	if err != nil {
		t.Fatal(err)
	}
	defer rt.Close()
	out, err := rt.DoString(context.Background(), `
		local t = {}
		for i = 1, 200000 do t[i] = i end
		return select('#', unpack(t)), select('#', string.byte(string.rep('x', 250000), 1, -1))`)
	if err != nil || len(out) != 2 || out[0] != int64(200000) || out[1] != int64(250000) {
		t.Fatalf("200,000 and 250,000 values: %v, %v", out, err)
	}
	_, err = rt.DoString(context.Background(), `return string.byte(string.rep('x', 300000), 1, -1)`)
	if err == nil || !strings.Contains(err.Error(), "registry overflow") {
		t.Fatalf("300,000 values: %v", err)
	}
	// The VM is still usable.
	if out, err := rt.DoString(context.Background(), `return 1 + 1`); err != nil || out[0] != int64(2) {
		t.Fatalf("after the overflow: %v, %v", out, err)
	}
}
