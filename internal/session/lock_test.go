//go:build unix && !aix

package session

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"testing"
)

const helperEnv = "TGLUA_SESSION_HELPER_PATH"

// TestHelperProcess is not a test: it is the second process of
// TestLockOtherProcess. It opens the session, prints "ready" and holds the
// session until its stdin is closed.
func TestHelperProcess(t *testing.T) {
	path := os.Getenv(helperEnv)
	if path == "" {
		t.Skip("helper process for TestLockOtherProcess")
	}
	f, err := Open(path, Options{})
	if err != nil {
		fmt.Println("error:", err)
		os.Exit(2)
	}
	fmt.Println("ready")
	_, _ = io.Copy(io.Discard, os.Stdin)
	if err := f.Close(); err != nil {
		fmt.Println("close error:", err)
		os.Exit(3)
	}
	os.Exit(0)
}

// startHolder starts a second process holding the session at path.
func startHolder(t *testing.T, path string) (*exec.Cmd, io.WriteCloser) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$", "-test.count=1")
	cmd.Env = append(os.Environ(), helperEnv+"="+path)
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
	t.Cleanup(func() {
		_ = stdin.Close()
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil || strings.TrimSpace(line) != "ready" {
		t.Fatalf("helper process: %q, %v", line, err)
	}
	return cmd, stdin
}

func wantLocked(t *testing.T, path string, pid int) {
	t.Helper()
	f, err := Open(path, Options{})
	if err == nil {
		_ = f.Close()
		t.Fatal("second Open succeeded")
	}
	want := fmt.Sprintf("session %s is in use by another tglua process (pid %d)", path, pid)
	if err.Error() != want {
		t.Errorf("error = %q\nwant    %q", err, want)
	}
	var locked *LockedError
	if !errors.As(err, &locked) || locked.PID != pid || locked.Path != path {
		t.Errorf("error %#v is not a *LockedError for pid %d", err, pid)
	}
}

func TestLockOtherProcess(t *testing.T) {
	t.Run("closed", func(t *testing.T) {
		path := sessionPath(t)
		cmd, stdin := startHolder(t, path)
		wantLocked(t, path, cmd.Process.Pid)

		// The holder closes the session and exits: now it opens.
		_ = stdin.Close()
		if err := cmd.Wait(); err != nil {
			t.Fatalf("helper process: %v", err)
		}
		f := openT(t, path, Options{})
		mustClose(t, f)
	})
	t.Run("killed", func(t *testing.T) {
		// A crashed holder leaves its pid in the lock file, but no lock.
		path := sessionPath(t)
		cmd, _ := startHolder(t, path)
		wantLocked(t, path, cmd.Process.Pid)
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		f := openT(t, path, Options{})
		mustClose(t, f)
	})
}

func TestLockSameProcess(t *testing.T) {
	path := sessionPath(t)
	f := openT(t, path, Options{})
	wantLocked(t, path, os.Getpid())
	wantLocked(t, path, os.Getpid()) // the failed Open did not drop the lock

	// The failed Open must not have disturbed the holder.
	if err := f.SetSelf(1, false); err != nil {
		t.Fatal(err)
	}
	mustClose(t, f)
	f = openT(t, path, Options{})
	if id, _, ok := f.Self(); !ok || id != 1 {
		t.Fatal("session lost")
	}
}

func TestLockDir(t *testing.T) {
	dir := t.TempDir()
	unlock, err := LockDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := LockDir(dir); err == nil {
		t.Fatal("second LockDir succeeded")
	} else if le := (*LockedError)(nil); !errors.As(err, &le) || le.Path != dir || le.PID != os.Getpid() {
		t.Fatalf("second LockDir: %v", err)
	}
	if err := unlock(); err != nil {
		t.Fatal(err)
	}
	unlock, err = LockDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	_ = unlock()
}
