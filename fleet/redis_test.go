//go:build unix

package fleet_test

import (
	"bufio"
	"context"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tglua/tglua/fleet"
	"github.com/tglua/tglua/internal/syncbuf"
	"github.com/tglua/tglua/runtime"
)

// redisAddr starts a throwaway redis-server on 127.0.0.1 and returns its
// address; without redis-server the test is skipped (failed on CI).
func redisAddr(t *testing.T) string {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("redis-server not found (CI=true: the Redis tests are required)")
		}
		t.Skip("redis-server not found; apt-get install redis-server")
	}
	for range 5 {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		port := l.Addr().(*net.TCPAddr).Port
		_ = l.Close()
		cmd := exec.Command(bin, "--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", t.TempDir())
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
		addr := "127.0.0.1:" + strconv.Itoa(port)
		for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
			if c, err := net.Dial("tcp", addr); err == nil {
				_, _ = c.Write([]byte("PING\r\n"))
				line, _ := bufio.NewReader(c).ReadString('\n')
				_ = c.Close()
				if strings.HasPrefix(line, "+PONG") {
					return addr
				}
			}
		}
		_ = cmd.Process.Kill()
	}
	t.Fatal("redis-server did not start")
	return ""
}

// TestRunRedisAccounts: a fleet whose sessions are Redis keys with a
// prefix, named after the rest of the key.
func TestRunRedisAccounts(t *testing.T) {
	addr := redisAddr(t)
	_, base, _ := accounts(t, nil)
	for name, phone := range map[string]string{"alice": "+15550001", "bob": "+15550002"} {
		o := base
		o.SessionPath = "redis://" + addr + "/0?key=acct:" + name
		o.Stdout, o.Stderr = &syncbuf.Buffer{}, &syncbuf.Buffer{}
		rt, err := runtime.New(o)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := rt.DoStringAsHost(context.Background(), `phone_login('`+phone+`') complete_phone_login('12345')`); err != nil {
			t.Fatal(err)
		}
		if err := rt.Close(); err != nil {
			t.Fatal(err)
		}
	}
	var out syncbuf.Buffer
	res, err := fleet.Run(context.Background(), fleet.Options{Accounts: "redis://" + addr + "/0?prefix=acct:", Runtime: base, Stdout: &out, Stderr: &syncbuf.Buffer{}},
		func(ctx context.Context, rt *runtime.Runtime) error {
			_, err := rt.DoString(ctx, `print(account.name, account.self.username)`)
			return err
		})
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 2 || res[0].Name != "alice" || res[0].Err != nil || res[1].Name != "bob" || res[1].Err != nil {
		t.Fatalf("results %+v", res)
	}
	if !strings.Contains(out.String(), "[alice] alice\talice\n") || !strings.Contains(out.String(), "[bob] bob\tbob\n") {
		t.Fatalf("stdout:\n%s", out.String())
	}
}
