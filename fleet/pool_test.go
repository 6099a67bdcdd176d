package fleet_test

import (
	"context"
	"errors"
	"path/filepath"
	"sync"
	"testing"

	lua "github.com/yuin/gopher-lua"

	"github.com/tglua/tglua/fleet"
	"github.com/tglua/tglua/internal/syncbuf"
	"github.com/tglua/tglua/runtime"
)

func TestPool(t *testing.T) {
	dir, base, _ := accounts(t, map[string]string{"alice": "+15550001", "bob": "+15550002"})
	pool := fleet.NewPool(func(name string) runtime.Options {
		o := base
		o.SessionPath = filepath.Join(dir, name+fleet.SessionExt)
		o.Stdout, o.Stderr = &syncbuf.Buffer{}, &syncbuf.Buffer{}
		return o
	}, t.Logf)
	// Many calls at once on two accounts, each a light thread.
	var wg sync.WaitGroup
	names := make([]string, 20)
	for i := range names {
		wg.Add(1)
		go func() {
			defer wg.Done()
			acct := []string{"alice", "bob"}[i%2]
			err := pool.Go(context.Background(), acct, func(L *lua.LState) error {
				if err := L.DoString(`return get_self().username`); err != nil {
					return err
				}
				names[i] = L.Get(-1).String()
				return nil
			})
			if err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	for i, n := range names {
		if want := []string{"alice", "bob"}[i%2]; n != want {
			t.Fatalf("call %d ran as %q, want %q", i, n, want)
		}
	}
	rt1, gen1, err := pool.Runtime("alice")
	if err != nil || gen1 != 1 {
		t.Fatalf("Runtime(alice) = %v, %d, %v", rt1, gen1, err)
	}
	// A stopped account stays gone; its session was written and unlocked.
	pool.Stop("alice")
	if _, _, err := pool.Runtime("alice"); !errors.Is(err, fleet.ErrGone) {
		t.Fatalf("after Stop: %v", err)
	}
	o := base
	o.SessionPath = filepath.Join(dir, "alice"+fleet.SessionExt)
	o.Stdout, o.Stderr = &syncbuf.Buffer{}, &syncbuf.Buffer{}
	rt, err := runtime.New(o) // the session lock is free again
	if err != nil {
		t.Fatal(err)
	}
	_ = rt.Close()
	pool.Close()
	if err := pool.Go(context.Background(), "bob", func(*lua.LState) error { return nil }); !errors.Is(err, fleet.ErrGone) {
		t.Fatalf("after Close: %v", err)
	}
}

// TestPoolExec: a scripted account is the Pool's like a served one: it is
// busy while its function runs, Stop cancels that function and waits for
// its runtime to close, and the account stays gone.
func TestPoolExec(t *testing.T) {
	dir, base, _ := accounts(t, map[string]string{"alice": "+15550001"})
	pool := fleet.NewPool(func(name string) runtime.Options {
		o := base
		o.SessionPath = filepath.Join(dir, name+fleet.SessionExt)
		o.Stdout, o.Stderr = &syncbuf.Buffer{}, &syncbuf.Buffer{}
		return o
	}, t.Logf)
	defer pool.Close()
	running := make(chan struct{})
	done := make(chan error, 1)
	go func() {
		done <- pool.Exec(context.Background(), "alice", nil, func(ctx context.Context, rt *runtime.Runtime) error {
			if _, err := rt.DoString(ctx, `return get_self()`); err != nil {
				return err
			}
			close(running)
			<-ctx.Done()
			return ctx.Err()
		})
	}()
	<-running
	if _, _, err := pool.Runtime("alice"); !errors.Is(err, fleet.ErrBusy) {
		t.Fatalf("Runtime while scripted: %v, want ErrBusy", err)
	}
	if err := pool.Exec(context.Background(), "alice", nil, func(context.Context, *runtime.Runtime) error { return nil }); !errors.Is(err, fleet.ErrBusy) {
		t.Fatalf("second Exec: %v, want ErrBusy", err)
	}
	pool.Stop("alice")
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("Exec after Stop: %v, want context.Canceled", err)
	}
	if err := pool.Exec(context.Background(), "alice", nil, func(context.Context, *runtime.Runtime) error { return nil }); !errors.Is(err, fleet.ErrGone) {
		t.Fatalf("Exec after Stop: %v, want ErrGone", err)
	}
}
