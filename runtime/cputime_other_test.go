//go:build !unix

package runtime_test

import "time"

// cpuTime is not measured here: the benchmarks report 0 µs of CPU.
func cpuTime() time.Duration { return 0 }
