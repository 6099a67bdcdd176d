package fleet_test

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/tglua/tglua/fleet"
	"github.com/tglua/tglua/internal/syncbuf"
	"github.com/tglua/tglua/runtime"
	"github.com/tglua/tglua/sandbox"
	"github.com/tglua/tglua/sandbox/sandboxtest"
)

// accounts starts a sandbox and logs the given phones in, one session file
// per name in a new directory; a name with an empty phone gets a session
// that never logged in.
func accounts(t *testing.T, phones map[string]string) (string, runtime.Options, *sandbox.Server) {
	t.Helper()
	sb := sandboxtest.Start(t)
	base := runtime.Options{Dial: runtime.Dial{AppID: 1, AppHash: "sandbox", Server: sb.Addr().String(), ServerKey: sb.PublicKeyPEM(), DC: sb.DC(), NewAuthKey: sb.NewAuthKey}}
	dir := t.TempDir()
	for name, phone := range phones {
		o := base
		o.SessionPath = filepath.Join(dir, name+fleet.SessionExt)
		o.Stdout, o.Stderr = &syncbuf.Buffer{}, &syncbuf.Buffer{}
		rt, err := runtime.New(o)
		if err != nil {
			t.Fatal(err)
		}
		if phone != "" {
			if _, err := rt.DoStringAsHost(context.Background(), `phone_login('`+phone+`') complete_phone_login('12345')`); err != nil {
				t.Fatal(err)
			}
		}
		if err := rt.Close(); err != nil {
			t.Fatal(err)
		}
	}
	return dir, base, sb
}

func TestRunIsolatesAccounts(t *testing.T) {
	dir, base, sb := accounts(t, map[string]string{"alice": "+15550001", "bob": "+15550002", "me": "+15550000", "stale": ""})
	var out, errs syncbuf.Buffer
	script := func(ctx context.Context, rt *runtime.Runtime) error {
		_, err := rt.DoString(ctx, `
			print('hello from ' .. account.name .. ' as @' .. account.self.username)
			if account.name == 'bob' then error('boom') end
			if account.name == 'me' then os.exit(0) end
			messages.sendMessage{peer='@sandbox', message='hi from ' .. account.name}
		`)
		return err
	}
	res, err := fleet.Run(context.Background(), fleet.Options{Accounts: dir, Runtime: base, Stdout: &out, Stderr: &errs}, script)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]fleet.Result{}
	for _, r := range res {
		got[r.Name] = r
	}
	if r := got["alice"]; r.Err != nil || r.Self != "@alice" || r.Runs != 1 {
		t.Fatalf("alice: %+v", r)
	}
	if r := got["me"]; r.Err != nil || r.Self != "@sandbox" {
		t.Fatalf("me (os.exit(0)): %+v", r)
	}
	if r := got["bob"]; r.Err == nil || !strings.Contains(r.Err.Error(), "boom") {
		t.Fatalf("bob: %+v", r)
	}
	if r := got["stale"]; r.Err == nil || !strings.Contains(r.Err.Error(), "not logged in: run 'tglua login --session") {
		t.Fatalf("stale: %+v", r)
	}
	for _, line := range []string{"[alice] hello from alice as @alice\n", "[bob] hello from bob as @bob\n"} {
		if !strings.Contains(out.String(), line) {
			t.Fatalf("stdout lacks %q:\n%s", line, out.String())
		}
	}
	var sum bytes.Buffer
	if fleet.Summary(&sum, res) {
		t.Fatal("Summary reports success")
	}
	if !strings.Contains(sum.String(), "4 accounts: 2 ok, 2 failed") || !strings.Contains(sum.String(), "account bob: ") {
		t.Fatalf("summary:\n%s", sum.String())
	}
	// alice's message went out; bob's run stopped before it.
	var texts []string
	for _, m := range sb.Messages(sandbox.SandboxUserID) {
		texts = append(texts, m.Text)
	}
	if j := strings.Join(texts, "|"); !strings.Contains(j, "hi from alice") || strings.Contains(j, "hi from bob") {
		t.Fatalf("sandbox user's messages: %q", texts)
	}
}

func TestRunRestarts(t *testing.T) {
	dir, base, _ := accounts(t, map[string]string{"bob": "+15550002"})
	var runs atomic.Int32
	script := func(ctx context.Context, rt *runtime.Runtime) error {
		n := runs.Add(1)
		if n == 1 {
			_, err := rt.DoString(ctx, `error('first run fails')`)
			return err
		}
		return nil
	}
	var errs syncbuf.Buffer
	res, err := fleet.Run(context.Background(), fleet.Options{Accounts: dir, Runtime: base, Restart: true, Stdout: &syncbuf.Buffer{}, Stderr: &errs}, script)
	if err != nil {
		t.Fatal(err)
	}
	if r := res[0]; r.Err != nil || r.Runs != 2 {
		t.Fatalf("bob: %+v", r)
	}
	if !strings.Contains(errs.String(), "[bob] tglua: ") || !strings.Contains(errs.String(), "restarting in 1s") {
		t.Fatalf("stderr:\n%s", errs.String())
	}
}

func TestRunRefusesAnEmptyDirectory(t *testing.T) {
	_, err := fleet.Run(context.Background(), fleet.Options{Accounts: t.TempDir()}, nil)
	if err == nil || !strings.Contains(err.Error(), "no accounts in") {
		t.Fatalf("empty directory: %v", err)
	}
}

func TestRunMaxRestarts(t *testing.T) {
	dir, base, _ := accounts(t, map[string]string{"bob": "+15550002"})
	script := func(ctx context.Context, rt *runtime.Runtime) error {
		_, err := rt.DoString(ctx, `error('always fails')`)
		return err
	}
	var errs syncbuf.Buffer
	res, err := fleet.Run(context.Background(), fleet.Options{Accounts: dir, Runtime: base, Restart: true, MaxRestarts: 1, Stdout: &syncbuf.Buffer{}, Stderr: &errs}, script)
	if err != nil {
		t.Fatal(err)
	}
	if r := res[0]; r.Err == nil || r.Runs != 2 {
		t.Fatalf("bob: %+v, want 2 failed runs", r)
	}
	if !strings.Contains(errs.String(), "giving up after 1 restart\n") {
		t.Fatalf("stderr:\n%s", errs.String())
	}
}
