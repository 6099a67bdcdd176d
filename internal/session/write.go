package session

import (
	"os"
	"path/filepath"
	"strings"

	"github.com/go-faster/errors"
)

// tempPrefix is the name prefix of the temporary files of the session file
// at path.
func tempPrefix(path string) string {
	return "." + filepath.Base(path) + ".tmp-"
}

// writeFileAtomic replaces path with data: it writes a temporary file (mode
// 0600) in the same directory, fsyncs it, renames it over path and fsyncs
// the directory. On error path is unchanged and the temporary file removed.
func writeFileAtomic(path string, data []byte) (err error) {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, tempPrefix(path)+"*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			_ = tmp.Close()
			_ = os.Remove(tmp.Name())
		}
	}()
	// CreateTemp uses 0600 already; be explicit in case of an odd umask or
	// a future change.
	if err := tmp.Chmod(0o600); err != nil {
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		return err
	}
	if err := tmp.Sync(); err != nil {
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	if err := syncDir(dir); err != nil {
		// The rename happened; only its durability is in doubt.
		return errors.Wrap(err, "sync directory")
	}
	return nil
}

// removeStaleTemps removes temporary files left by writes of the session
// file at path that crashed before their rename. Must be called with the
// lock held. Errors are ignored: leftovers are harmless.
func removeStaleTemps(path string) {
	dir := filepath.Dir(path)
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	prefix := tempPrefix(path)
	for _, e := range entries {
		if e.Type().IsRegular() && strings.HasPrefix(e.Name(), prefix) {
			_ = os.Remove(filepath.Join(dir, e.Name()))
		}
	}
}
