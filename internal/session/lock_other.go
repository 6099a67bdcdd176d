//go:build !unix || aix

package session

import "os"

// fileLock is a no-op where flock is unavailable: on these systems the
// session file is not protected against concurrent use. The lock file is
// still created so that the layout is the same everywhere.
type fileLock struct{}

func acquireLock(lockPath, _ string) (*fileLock, error) {
	f, err := os.OpenFile(lockPath, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, err
	}
	return &fileLock{}, f.Close()
}

func (*fileLock) release() error { return nil }

// syncDir is a no-op: directories cannot be fsynced on every system.
func syncDir(string) error { return nil }
