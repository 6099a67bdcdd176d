//go:build unix && !aix

package session

import (
	"bytes"
	"os"
	"strconv"
	"time"

	"github.com/go-faster/errors"
	"golang.org/x/sys/unix"
)

// fileLock is an exclusive flock on the lock file FILE.lock. The lock file is
// never renamed or removed: removing it would let two processes lock two
// different inodes of the same name.
type fileLock struct {
	f *os.File
}

// acquireLock locks the file at lockPath, creating it with mode 0600, and
// writes our pid into it. If another open file description holds the lock
// (another process, or another Open in this one) it fails at once with a
// *LockedError for sessionPath.
func acquireLock(lockPath, sessionPath string) (*fileLock, error) {
	f, err := os.OpenFile(lockPath, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, err
	}
	if err := flock(f, unix.LOCK_EX|unix.LOCK_NB); err != nil {
		defer f.Close()
		if errors.Is(err, unix.EWOULDBLOCK) {
			return nil, &LockedError{Path: sessionPath, PID: readPID(f)}
		}
		return nil, err
	}
	l := &fileLock{f: f}
	if err := l.writePID(); err != nil {
		_ = l.release()
		return nil, err
	}
	return l, nil
}

func (l *fileLock) writePID() error {
	if err := l.f.Chmod(0o600); err != nil {
		return err
	}
	if err := l.f.Truncate(0); err != nil {
		return err
	}
	_, err := l.f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	return err
}

// release clears the pid, unlocks and closes the lock file.
func (l *fileLock) release() error {
	_ = l.f.Truncate(0)
	err := flock(l.f, unix.LOCK_UN)
	if cerr := l.f.Close(); err == nil {
		err = cerr
	}
	return err
}

func flock(f *os.File, how int) error {
	conn, err := f.SyscallConn()
	if err != nil {
		return err
	}
	var ferr error
	if err := conn.Control(func(fd uintptr) {
		for {
			ferr = unix.Flock(int(fd), how)
			if ferr != unix.EINTR {
				return
			}
		}
	}); err != nil {
		return err
	}
	return ferr
}

// readPID reads the holder's pid from the lock file. The holder writes it
// right after locking, so an empty file is retried for a moment.
func readPID(f *os.File) int {
	buf := make([]byte, 32)
	for range 20 {
		n, _ := f.ReadAt(buf, 0)
		if pid, err := strconv.Atoi(string(bytes.TrimSpace(buf[:n]))); err == nil && pid > 0 {
			return pid
		}
		time.Sleep(5 * time.Millisecond)
	}
	return 0
}

// syncDir fsyncs a directory, making a rename in it durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}
