package sandbox

import (
	"encoding/json"
	"os"
	"path/filepath"

	"github.com/go-faster/errors"
)

// loadState reads the state file at path; it returns nil, nil when path is
// empty or the file does not exist.
func loadState(path string) (*state, error) {
	if path == "" {
		return nil, nil
	}
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, errors.Wrap(err, "read state")
	}
	st := &state{}
	if err := json.Unmarshal(data, st); err != nil {
		return nil, errors.Wrapf(err, "decode state %s", path)
	}
	if st.Version != stateVersion {
		return nil, errors.Errorf("decode state %s: version %d, want %d", path, st.Version, stateVersion)
	}
	if len(st.Secret) == 0 {
		return nil, errors.Errorf("decode state %s: no secret", path)
	}
	if st.Users == nil {
		st.Users = map[int64]*user{}
	}
	if st.Chats == nil {
		st.Chats = map[int64]*chat{}
	}
	if st.Boxes == nil {
		st.Boxes = map[int64]*box{}
	}
	st.reindex()
	return st, nil
}

// Save writes the state (users, groups, messages, pts logs, contacts,
// invites, the generated RSA key) to path as JSON, atomically. Auth keys and
// logins are not saved.
func (s *Server) Save(path string) error {
	s.mu.Lock()
	data, err := json.MarshalIndent(s.st, "", " ")
	s.mu.Unlock()
	if err != nil {
		return errors.Wrap(err, "encode state")
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".*.tmp")
	if err != nil {
		return errors.Wrap(err, "create state file")
	}
	defer func() { _ = os.Remove(tmp.Name()) }()
	if _, err := tmp.Write(data); err != nil {
		_ = tmp.Close()
		return errors.Wrap(err, "write state")
	}
	if err := tmp.Close(); err != nil {
		return errors.Wrap(err, "write state")
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return errors.Wrap(err, "replace state")
	}
	return nil
}
