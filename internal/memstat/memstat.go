// Package memstat reads the process's resident set size, for benchmarks
// that report memory per account.
package memstat

import (
	"os"
	"strconv"
	"strings"

	"github.com/go-faster/errors"
)

// RSS is the process's resident set in bytes, from /proc/self/status.
func RSS() (int64, error) {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			if err != nil {
				return 0, errors.Wrap(err, "parse VmRSS")
			}
			return kb * 1024, nil
		}
	}
	return 0, errors.New("no VmRSS in /proc/self/status")
}
