package session

import "path/filepath"

// DirLockName is the lock file LockDir creates in a directory.
const DirLockName = ".tglua.lock"

// LockDir locks the directory dir (the sessions directory of a gateway or a
// fleet) against a second process with the same flock as a session file,
// and returns the function that unlocks it. A held lock is a *LockedError
// naming dir and the holder's pid.
func LockDir(dir string) (unlock func() error, err error) {
	l, err := acquireLock(filepath.Join(dir, DirLockName), dir)
	if err != nil {
		return nil, err
	}
	return l.release, nil
}

// WriteFile writes data to path atomically (a temporary file in the same
// directory, synced, then renamed over path), mode 0600: a crash leaves the
// old contents or the new, never a mix.
func WriteFile(path string, data []byte) error { return writeFileAtomic(path, data) }
