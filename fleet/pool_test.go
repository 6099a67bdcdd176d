package fleet_test

import (
	"context"
	"errors"
	"path/filepath"
	"sync"
	"testing"

	lua "github.com/yuin/gopher-lua"

	"github.com/tglua/tglua/fleet"
	"github.com/tglua/tglua/runtime"
)

func TestPool(t *testing.T) {
	dir, base, _ := accounts(t, map[string]string{"alice": "+15550001", "bob": "+15550002"})
	pool := fleet.NewPool(func(name string) runtime.Options {
		o := base
		o.SessionPath = filepath.Join(dir, name+fleet.SessionExt)
		o.Stdout, o.Stderr = &syncBuf{}, &syncBuf{}
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
	o.Stdout, o.Stderr = &syncBuf{}, &syncBuf{}
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
