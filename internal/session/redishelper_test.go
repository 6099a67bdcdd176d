//go:build unix

package session

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Environment of the child processes of the Redis and kill tests.
const (
	childTargetEnv = "TGLUA_SESSION_CHILD_TARGET" // what to Open
	childModeEnv   = "TGLUA_SESSION_CHILD_MODE"   // "serve" or "loop"
	childTTLEnv    = "TGLUA_SESSION_CHILD_TTL"    // Options.LeaseTTL
)

// TestChildProcess is not a test: it is the other process of the tests
// that use startChild. It opens the session at $TGLUA_SESSION_CHILD_TARGET
// and prints "ready", then:
//
//   - mode serve: runs the commands read from stdin ("store N": store
//     session data {"Version":1,"n":N}, answering "ok" or "err lost|other
//     MESSAGE"; "close": Close and exit) and prints "lost MESSAGE" when
//     OnLost is called;
//   - mode loop: stores session data with an increasing n (starting after
//     the stored one) and a peer, in a tight loop, until killed.
func TestChildProcess(t *testing.T) {
	target := os.Getenv(childTargetEnv)
	if target == "" {
		t.Skip("child process of the Redis and kill tests")
	}
	var outMu sync.Mutex
	say := func(format string, args ...any) {
		outMu.Lock()
		defer outMu.Unlock()
		fmt.Printf(format+"\n", args...)
	}
	ttl, _ := time.ParseDuration(os.Getenv(childTTLEnv))
	f, err := Open(target, Options{
		FlushDelay: -1,
		LeaseTTL:   ttl,
		OnLost:     func(err error) { say("lost %s", oneLine(err)) },
	})
	if err != nil {
		say("error %s", oneLine(err))
		os.Exit(2)
	}
	say("ready")
	switch os.Getenv(childModeEnv) {
	case "loop":
		n := storedN(f)
		pad := strings.Repeat("p", 64<<10)
		for {
			n++
			if err := f.StoreSession(ctx, fmt.Appendf(nil, `{"Version":1,"n":%d,"pad":%q}`, n, pad)); err != nil {
				say("error %s", oneLine(err))
				os.Exit(3)
			}
		}
	default:
		sc := bufio.NewScanner(os.Stdin)
		for sc.Scan() {
			cmd, arg, _ := strings.Cut(sc.Text(), " ")
			switch cmd {
			case "store":
				err := f.StoreSession(ctx, []byte(`{"Version":1,"n":`+arg+`}`))
				switch {
				case err == nil:
					say("ok")
				case errors.Is(err, ErrLeaseLost):
					say("err lost %s", oneLine(err))
				default:
					say("err other %s", oneLine(err))
				}
			case "close":
				if err := f.Close(); err != nil {
					say("err other %s", oneLine(err))
				} else {
					say("closed")
				}
				os.Exit(0)
			}
		}
		_ = f.Close()
		os.Exit(0)
	}
}

func oneLine(err error) string { return strings.ReplaceAll(err.Error(), "\n", " ") }

// storedN is n of the session data stored by a child in loop mode, 0 if
// none.
func storedN(f *File) int {
	data, err := f.LoadSession(ctx)
	if err != nil {
		return 0
	}
	return sessionN(data)
}

func sessionN(data []byte) int {
	var n int
	if _, err := fmt.Sscanf(string(data), `{"Version":1,"n":%d`, &n); err != nil {
		return 0
	}
	return n
}

// child is a running TestChildProcess.
type child struct {
	t     *testing.T
	cmd   *exec.Cmd
	stdin io.WriteCloser
	lines chan string // stdout, closed at EOF
}

// startChild starts a child process on target in mode ("serve" or
// "loop") with the lease TTL, and waits for its "ready".
func startChild(t *testing.T, target, mode string, ttl time.Duration) *child {
	t.Helper()
	c := tryStartChild(t, target, mode, ttl)
	if line := c.next(10 * time.Second); line != "ready" {
		t.Fatalf("child process: %q, want ready", line)
	}
	return c
}

// tryStartChild starts a child without waiting for it.
func tryStartChild(t *testing.T, target, mode string, ttl time.Duration) *child {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestChildProcess$", "-test.count=1")
	cmd.Env = append(os.Environ(), childTargetEnv+"="+target, childModeEnv+"="+mode, childTTLEnv+"="+ttl.String())
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	c := &child{t: t, cmd: cmd, stdin: stdin, lines: make(chan string, 100)}
	go func() {
		defer close(c.lines)
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			c.lines <- sc.Text()
		}
	}()
	t.Cleanup(c.kill)
	return c
}

func (c *child) pid() int { return c.cmd.Process.Pid }

// next returns the next line the child printed, or fails the test.
func (c *child) next(timeout time.Duration) string {
	c.t.Helper()
	select {
	case line, ok := <-c.lines:
		if !ok {
			c.t.Fatal("child process: output ended")
		}
		return line
	case <-time.After(timeout):
		c.t.Fatalf("child process: no output after %v", timeout)
		return ""
	}
}

// do sends a command and returns the answer.
func (c *child) do(cmd string) string {
	c.t.Helper()
	if _, err := io.WriteString(c.stdin, cmd+"\n"); err != nil {
		c.t.Fatalf("child process: %v", err)
	}
	return c.next(10 * time.Second)
}

// kill SIGKILLs the child and reaps it. Stdin is closed only after the
// kill: a child that read EOF first would close its session cleanly.
func (c *child) kill() {
	_ = c.cmd.Process.Kill()
	_ = c.cmd.Wait()
	_ = c.stdin.Close()
}

// wait waits for the child to exit by itself.
func (c *child) wait() {
	c.t.Helper()
	done := make(chan error, 1)
	go func() { done <- c.cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			c.t.Fatalf("child process: %v", err)
		}
	case <-time.After(10 * time.Second):
		c.t.Fatal("child process did not exit")
	}
}

func hostname(t testing.TB) string {
	t.Helper()
	h, err := os.Hostname()
	if err != nil || h == "" {
		return "unknown"
	}
	return h
}

// wantRedisLocked checks that Open of target fails naming the holder.
func wantRedisLocked(t *testing.T, target, shown string, pid int, host string) {
	t.Helper()
	f, err := Open(target, Options{})
	if err == nil {
		_ = f.Close()
		t.Fatal("second Open succeeded")
	}
	want := "session " + shown + " is in use by another tglua process (pid " + strconv.Itoa(pid) + " on host " + host + ")"
	if err.Error() != want {
		t.Errorf("error = %q\nwant    %q", err, want)
	}
	var locked *LockedError
	if !errors.As(err, &locked) || locked.PID != pid || locked.Host != host || locked.Path != shown {
		t.Errorf("error %#v is not a *LockedError for pid %d on %s", err, pid, host)
	}
}
