package runtime_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	lua "github.com/yuin/gopher-lua"

	"github.com/tglua/tglua/internal/syncbuf"
	"github.com/tglua/tglua/runtime"
)

func TestServeGo(t *testing.T) {
	noLeaks(t)
	rt, err := runtime.New(runtime.Options{Stdout: &syncbuf.Buffer{}, Stderr: &syncbuf.Buffer{}})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() {
		err := rt.Serve(ctx)
		_ = rt.Close()
		served <- err
	}()
	// Calls from many goroutines overlap: each sleeps in its own thread.
	var wg sync.WaitGroup
	results := make([]float64, 20)
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := rt.Go(ctx, func(L *lua.LState) error {
				if err := L.DoString(`sleep(0.05) x = (x or 0) + 1`); err != nil {
					return err
				}
				results[i] = float64(L.GetGlobal("x").(lua.LNumber))
				return nil
			})
			if err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	for i, v := range results {
		if v < 1 || v > 20 {
			t.Fatalf("results[%d] = %v", i, v)
		}
	}
	err = rt.Go(ctx, func(L *lua.LState) error { return L.DoString(`error('boom')`) })
	if err == nil {
		t.Fatal("no error from a failing call")
	}
	want := errors.New("mine")
	if err := rt.Go(ctx, func(L *lua.LState) error { return want }); !errors.Is(err, want) {
		t.Fatalf("Go = %v, want %v", err, want)
	}
	cancel()
	if err := <-served; err != nil {
		t.Fatal(err)
	}
	if err := rt.Go(context.Background(), func(L *lua.LState) error { return nil }); err == nil {
		t.Fatal("Go on a closed runtime succeeded")
	}
}

func TestCallDottedName(t *testing.T) {
	rt := sbRuntime(t, runtime.Options{})
	if _, err := rt.DoString(context.Background(), `lib = {sub = {f = function(a) return a.x + 1 end}}`); err != nil {
		t.Fatal(err)
	}
	out, err := rt.Call(context.Background(), "lib.sub.f", map[string]any{"x": 41})
	if err != nil || len(out) != 1 || out[0] != int64(42) {
		t.Fatalf("Call(lib.sub.f) = %v, %v", out, err)
	}
	for _, name := range []string{"lib.nope", "lib..f", "lib.sub", "string.nope.x"} {
		if _, err := rt.Call(context.Background(), name); err == nil || !strings.Contains(err.Error(), "not a function") {
			t.Errorf("Call(%q) = %v, want not a function", name, err)
		}
	}
	if out, err := rt.Call(context.Background(), "string.format", "%d-%s", 5, "x"); err != nil || out[0] != "5-x" {
		t.Fatalf("Call(string.format) = %v, %v", out, err)
	}
}

func TestInspectAndPP(t *testing.T) {
	out := &syncbuf.Buffer{}
	rt := sbRuntime(t, runtime.Options{Stdout: out})
	res, err := rt.DoString(context.Background(), `
		local t = {_='peerUser', user_id=1234567890123}
		local big = {_='user', id=42, access_hash='8432113761855933150', status={_='userStatusRecently'}, usernames={'a', 'b'}}
		big.self_ref = big
		pp(t, 7)
		return inspect(t), inspect(big), inspect(big, 1), inspect(messages.sendMessage)`)
	if err != nil {
		t.Fatal(err)
	}
	if res[0] != `{_ = "peerUser", user_id = 1234567890123}` {
		t.Fatalf("inspect(t) = %v", res[0])
	}
	for _, want := range []string{`access_hash = "8432113761855933150"`, `self_ref = {<cycle>}`, `status = {_ = "userStatusRecently"}`} {
		if !strings.Contains(res[1].(string), want) {
			t.Fatalf("inspect(big) lacks %q:\n%s", want, res[1])
		}
	}
	if !strings.Contains(res[2].(string), "status = {...}") || res[3] != "function: messages.sendMessage" {
		t.Fatalf("inspect(big, 1) = %v; inspect(fn) = %v", res[2], res[3])
	}
	if got := out.String(); got != "{_ = \"peerUser\", user_id = 1234567890123}\n7\n" {
		t.Fatalf("pp printed %q", got)
	}
}
