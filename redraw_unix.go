//go:build unix

package main

import (
	"os"
	"syscall"
)

// redrawPrompt makes liner redraw its prompt and the text typed so far:
// liner refreshes the whole line on SIGWINCH, as after a terminal resize.
func redrawPrompt() {
	_ = syscall.Kill(os.Getpid(), syscall.SIGWINCH)
}
