//go:build unix

package runtime_test

import (
	"syscall"
	"time"
)

// cpuTime is the CPU time the process has used: the client's, the server's
// and the garbage collector's.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
