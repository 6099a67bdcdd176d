package session

import (
	"io/fs"
	"os"
	"path/filepath"

	"github.com/go-faster/errors"
)

// backend stores the encoded document of one session and holds the
// exclusive right to write it (a file lock, a Redis lease). File keeps the
// decoded document, batches changes and calls store; a backend only moves
// bytes and guards ownership.
//
// File serializes calls: load and accepted run once from Open; store never
// runs concurrently with itself; release runs once, last.
type backend interface {
	// load returns the stored document, or nil (and no error) if there is
	// none yet: a missing or empty file or key. Its errors name the session
	// (they are put into a *FileError as they are).
	load() ([]byte, error)

	// accepted is called once after Open read the document of load as a
	// session, or created a new one. The file backend tightens the mode and
	// removes temporary files of crashed writes here; nothing is changed
	// for a document that was refused.
	accepted() error

	// store replaces the document atomically: a crash leaves the old or
	// the new one. It fails, writing nothing, once ownership was lost.
	store(data []byte) error

	// release gives up ownership (the lock or lease) and frees resources.
	release() error

	// describe names the session in messages: the path as given to Open,
	// or the URL with any password redacted.
	describe() string
}

// fileBackend is a session file on disk, locked by an flock on FILE.lock.
type fileBackend struct {
	path string // as given to Open; used in messages
	real string // absolute, symlinks resolved; written to
	lock *fileLock
}

var _ backend = (*fileBackend)(nil)

// openFileBackend resolves path and locks it. It fails with a *LockedError
// if the session is open elsewhere, or a *FileError.
func openFileBackend(path string) (*fileBackend, error) {
	real, err := resolvePath(path)
	if err != nil {
		return nil, &FileError{Path: path, Err: wrap(err, "resolve path")}
	}
	lock, err := acquireLock(real+".lock", path)
	if err != nil {
		var locked *LockedError
		if errors.As(err, &locked) {
			return nil, err
		}
		return nil, &FileError{Path: path, Err: wrap(err, "lock")}
	}
	return &fileBackend{path: path, real: real, lock: lock}, nil
}

func (b *fileBackend) load() ([]byte, error) {
	data, err := os.ReadFile(b.real)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, nil
	case err != nil:
		return nil, &FileError{Path: b.path, Err: wrap(err, "read")}
	}
	return data, nil
}

func (b *fileBackend) accepted() error {
	if err := tightenMode(b.real); err != nil {
		return &FileError{Path: b.path, Err: wrap(err, "set mode")}
	}
	// Any temporary file of this session is a leftover of a crashed write:
	// we hold the lock, so nobody else is writing.
	removeStaleTemps(b.real)
	return nil
}

func (b *fileBackend) store(data []byte) error { return writeFileAtomic(b.real, data) }

func (b *fileBackend) release() error { return b.lock.release() }

func (b *fileBackend) describe() string { return b.path }

// resolvePath returns the absolute path of the session file with symbolic
// links resolved, so that writes (rename-replace) update the link target and
// two links to one file share one lock.
func resolvePath(path string) (string, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", err
	}
	real, err := filepath.EvalSymlinks(abs)
	if err == nil {
		return real, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return "", err
	}
	if fi, err := os.Lstat(abs); err == nil && fi.Mode()&fs.ModeSymlink != 0 {
		return "", errors.New("dangling symbolic link")
	}
	dir, err := filepath.EvalSymlinks(filepath.Dir(abs))
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, filepath.Base(abs)), nil
}

func tightenMode(path string) error {
	fi, err := os.Stat(path)
	if err != nil {
		return err
	}
	if fi.Mode().Perm()&^0o600 == 0 {
		return nil
	}
	return os.Chmod(path, 0o600)
}
