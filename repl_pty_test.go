//go:build unix

package main

import (
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/creack/pty"

	"github.com/tglua/tglua/internal/syncbuf"
)

// ptyOutput collects what the terminal shows.
type ptyOutput struct{ syncbuf.Buffer }

// waitFor waits until the output satisfies ok; it fails the test after a
// minute (a deadline, not a timing assertion).
func (o *ptyOutput) waitFor(t *testing.T, what string, ok func(string) bool) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for !ok(o.String()) {
		if time.Now().After(deadline) {
			t.Fatalf("terminal never showed %s; it shows:\n%q", what, o.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// The REPL on a real pseudo-terminal: a timer prints while a line is half
// typed; the prompt and the typed text come back after each print, and the
// line, finished later, runs whole.
func TestREPLOnTerminal(t *testing.T) {
	cmd := exec.Command("tglua", "--sandbox")
	cmd.Env = append(os.Environ(), "XDG_STATE_HOME="+t.TempDir(), "TERM=xterm")
	tty, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 40, Cols: 120})
	if err != nil {
		t.Skipf("no pseudo-terminal: %v", err)
	}
	defer func() { _ = tty.Close() }()
	out := &ptyOutput{}
	copied := make(chan struct{})
	go func() {
		defer close(copied)
		buf := make([]byte, 4096)
		for {
			n, err := tty.Read(buf)
			_, _ = out.Write(buf[:n])
			if err != nil {
				return
			}
		}
	}()
	send := func(s string) {
		t.Helper()
		if _, err := tty.Write([]byte(s)); err != nil {
			t.Fatal(err)
		}
	}
	out.waitFor(t, "the prompt", func(s string) bool { return strings.Contains(s, "Ctrl-D to quit") && strings.HasSuffix(s, "> ") })

	send("h = every(0.05, function() print('tick') end)\r")
	out.waitFor(t, "a tick", func(s string) bool { return strings.Contains(s, "tick") })
	send("x = 4")
	typed := len(out.String())
	// Two more ticks after typing, and after the last one the prompt and
	// the half-typed line were drawn again.
	out.waitFor(t, "the typed line redrawn after ticks", func(s string) bool {
		after := s[typed:]
		last := strings.LastIndex(after, "tick")
		return strings.Count(after, "tick") >= 2 && strings.Contains(after[last:], "> x = 4")
	})
	send("2\r")
	send("off(h)\r")
	send("print('x is', x)\r")
	out.waitFor(t, "the finished line's result", func(s string) bool { return strings.Contains(s, "x is\t42") })

	// Ctrl-C at the prompt drops the pending input; Ctrl-D quits.
	send("half typed\x03")
	send("print('still here')\r")
	out.waitFor(t, "the REPL after Ctrl-C", func(s string) bool { return strings.Contains(s, "still here\r\n") })
	send("\x04")
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("tglua exited with %v", err)
		}
	case <-time.After(time.Minute):
		_ = cmd.Process.Kill()
		t.Fatal("tglua did not exit on Ctrl-D")
	}
	_ = tty.Close()
	<-copied
}
