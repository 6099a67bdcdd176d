package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/tglua/tglua/fleet"
	"github.com/tglua/tglua/internal/syncbuf"
	"github.com/tglua/tglua/runtime"
	"github.com/tglua/tglua/sandbox/sandboxtest"
)

// TestRunHundredAccounts: `tglua run --accounts` with 100 accounts on the
// sandbox, one of which fails: the other 99 each answer a call, the
// failure is reported with its account's name, and the summary and the
// exit status say so.
func TestRunHundredAccounts(t *testing.T) {
	const n, failing = 100, "a042"
	sb := sandboxtest.Start(t)
	dir := t.TempDir()
	key := filepath.Join(dir, "key.pem")
	if err := os.WriteFile(key, sb.PublicKeyPEM(), 0o600); err != nil {
		t.Fatal(err)
	}
	accts := filepath.Join(dir, "accts")
	if err := os.Mkdir(accts, 0o700); err != nil {
		t.Fatal(err)
	}
	// The accounts' keys are made by the sandbox (NewAuthKey), two at a
	// time, and logged in; the CLI then reuses them.
	base := runtime.Options{Dial: runtime.Dial{AppID: 1, AppHash: "sandbox", Server: sb.Addr().String(), ServerKey: sb.PublicKeyPEM(), DC: sb.DC(), NewAuthKey: sb.NewAuthKey}}
	phones := []string{"+15550000", "+15550001", "+15550002"}
	var wg sync.WaitGroup
	sem := make(chan struct{}, 2)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			o := base
			o.SessionPath = filepath.Join(accts, fmt.Sprintf("a%03d%s", i, fleet.SessionExt))
			o.Stdout, o.Stderr = &syncbuf.Buffer{}, &syncbuf.Buffer{}
			rt, err := runtime.New(o)
			if err != nil {
				t.Error(err)
				return
			}
			defer func() { _ = rt.Close() }()
			if _, err := rt.DoStringAsHost(context.Background(), `phone_login('`+phones[i%len(phones)]+`') complete_phone_login('12345')`); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	script := filepath.Join(dir, "each.lua")
	src := `if account.name == '` + failing + `' then error(account.name .. ' fails') end
print('dc ' .. help.getNearestDc().this_dc .. ' as @' .. account.self.username)
`
	if err := os.WriteFile(script, []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("tglua", "run", "--accounts", accts, "--server", sb.Addr().String(), "--server-key", key, script)
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 {
		t.Fatalf("exit: %v, want status 1\nstderr:\n%s", err, stderr.String())
	}
	ok := regexp.MustCompile(`(?m)^\[(a\d{3})\] dc \d+ as @\w+$`).FindAllStringSubmatch(stdout.String(), -1)
	seen := map[string]bool{}
	for _, m := range ok {
		seen[m[1]] = true
	}
	if len(seen) != n-1 || seen[failing] {
		t.Errorf("%d accounts answered (want %d, without %s):\n%s", len(seen), n-1, failing, stdout.String())
	}
	if !regexp.MustCompile(`(?m)^account ` + failing + `: .*each.lua:1: ` + failing + ` fails$`).MatchString(stderr.String()) {
		t.Errorf("the failure is not reported with its account:\n%s", stderr.String())
	}
	if !strings.Contains(stderr.String(), "100 accounts: 99 ok, 1 failed") {
		t.Errorf("summary:\n%s", stderr.String())
	}
}
