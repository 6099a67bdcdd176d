package session

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/go-faster/errors"
)

// Format marker and version of the session file.
const (
	formatName    = "tglua-session"
	formatVersion = 1
)

var (
	// ErrForeign means the file is not a tglua session file.
	ErrForeign = errors.New("not a tglua session file")
	// ErrCorrupted means the file is a damaged tglua session file.
	ErrCorrupted = errors.New("corrupted")
	// ErrUnsupportedVersion means the file was written by a newer tglua.
	ErrUnsupportedVersion = errors.New("unsupported version")
)

// FileError is an error about a session file or Redis key that could not be
// opened, read or written. Err is (or wraps) ErrForeign, ErrCorrupted,
// ErrUnsupportedVersion, ErrLeaseLost or an I/O error. Path is the path as
// given to Open, or the Redis URL with any password redacted.
type FileError struct {
	Path string
	Err  error
}

func (e *FileError) Error() string { return "session " + e.Path + ": " + e.Err.Error() }

// Unwrap returns e.Err.
func (e *FileError) Unwrap() error { return e.Err }

// LockedError is returned by Open when the session is open elsewhere.
type LockedError struct {
	Path string // as given to Open; a Redis URL with any password redacted
	PID  int    // pid of the holder, 0 if unknown
	Host string // host name of the holder of a Redis lease; "" for a file
}

func (e *LockedError) Error() string {
	pid := "unknown"
	if e.PID > 0 {
		pid = fmt.Sprint(e.PID)
	}
	if e.Host != "" {
		pid += " on host " + e.Host
	}
	return "session " + e.Path + " is in use by another tglua process (pid " + pid + ")"
}

// document is the session file. Field order is the JSON order; the format
// marker comes first.
type document struct {
	Format  string      `json:"format"`
	Version int         `json:"version"`
	DC      int         `json:"dc,omitempty"`
	Server  string      `json:"server,omitempty"`
	Session sessionData `json:"session,omitempty"`
	Login   loginState  `json:"login,omitzero"`
	Peers   peerState   `json:"peers,omitzero"`
	Updates updateState `json:"updates,omitzero"`
}

// sessionData is gotd's session data, kept as raw JSON. It holds the auth
// key, so it never formats itself.
type sessionData []byte

var (
	_ json.Marshaler   = sessionData(nil)
	_ json.Unmarshaler = (*sessionData)(nil)
	_ fmt.Formatter    = sessionData(nil)
)

// MarshalJSON writes the raw JSON.
func (s sessionData) MarshalJSON() ([]byte, error) {
	if len(s) == 0 {
		return []byte("null"), nil
	}
	return s, nil
}

// UnmarshalJSON keeps a compact copy of the raw JSON (the file is indented;
// gotd writes compact JSON, so its data round-trips byte for byte).
func (s *sessionData) UnmarshalJSON(data []byte) error {
	if bytes.Equal(data, []byte("null")) {
		*s = nil
		return nil
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, data); err != nil {
		return err
	}
	*s = buf.Bytes()
	return nil
}

// Format prints a placeholder.
func (s sessionData) Format(st fmt.State, _ rune) {
	_, _ = fmt.Fprintf(st, "[session data, %d bytes]", len(s))
}

type loginState struct {
	Pending *pendingLogin `json:"pending,omitempty"`
	Self    *selfUser     `json:"self,omitempty"`
}

type pendingLogin struct {
	Phone    string `json:"phone"`
	CodeHash string `json:"phone_code_hash"`
}

type selfUser struct {
	ID  int64 `json:"id"`
	Bot bool  `json:"bot"`
}

type peerKey struct {
	Prefix string `json:"prefix"`
	ID     int64  `json:"id"`
}

type peerState struct {
	// AccessHashes is peers.Key.Prefix → peers.Key.ID → access hash.
	AccessHashes map[string]map[int64]int64 `json:"access_hashes,omitempty"`
	// Usernames is lower-cased username → peer.
	Usernames map[string]peerKey `json:"usernames,omitempty"`
	// Phones is phone → peer.
	Phones       map[string]peerKey `json:"phones,omitempty"`
	ContactsHash int64              `json:"contacts_hash,omitempty"`
}

type updateState struct {
	// States is self user id → state.
	States map[int64]*userState `json:"states,omitempty"`
	// ChannelAccessHashes is self user id → channel id → access hash.
	ChannelAccessHashes map[int64]map[int64]int64 `json:"channel_access_hashes,omitempty"`
	// UserAccessHashes is self user id → user id → access hash.
	UserAccessHashes map[int64]map[int64]int64 `json:"user_access_hashes,omitempty"`
}

type userState struct {
	Pts  int `json:"pts"`
	Qts  int `json:"qts"`
	Date int `json:"date"`
	Seq  int `json:"seq"`
	// Channels is channel id → pts.
	Channels map[int64]int `json:"channels,omitempty"`
}

func newDocument() *document {
	return &document{Format: formatName, Version: formatVersion}
}

func (d *document) encode() ([]byte, error) {
	buf, err := json.MarshalIndent(d, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(buf, '\n'), nil
}

// decodeDocument parses a non-empty session file. Its errors never quote the
// contents.
func decodeDocument(data []byte) (*document, error) {
	trimmed := bytes.TrimSpace(data)
	if !json.Valid(trimmed) {
		if len(trimmed) == 0 || trimmed[0] != '{' {
			return nil, ErrForeign
		}
		// Looks like JSON but does not parse: get the decoder's message.
		var v any
		err := json.Unmarshal(trimmed, &v)
		if err == nil {
			err = errors.New("invalid JSON")
		}
		return nil, fmt.Errorf("%w: %s", ErrCorrupted, jsonErrorText(err))
	}

	var head map[string]json.RawMessage
	if err := json.Unmarshal(trimmed, &head); err != nil {
		return nil, ErrForeign // valid JSON, but not an object
	}
	var format string
	if raw, ok := head["format"]; !ok || json.Unmarshal(raw, &format) != nil || format != formatName {
		if _, ok := head["format"]; !ok {
			_, hasVersion := head["Version"]
			_, hasData := head["Data"]
			if hasVersion && hasData {
				return nil, fmt.Errorf("%w (it looks like a gotd session file)", ErrForeign)
			}
		}
		return nil, ErrForeign
	}
	var version int
	if raw, ok := head["version"]; !ok || json.Unmarshal(raw, &version) != nil || version < 1 {
		return nil, fmt.Errorf("%w: missing or invalid version", ErrCorrupted)
	}
	if version > formatVersion {
		return nil, fmt.Errorf("%w %d (this tglua reads version %d; upgrade tglua)", ErrUnsupportedVersion, version, formatVersion)
	}

	d := newDocument()
	if err := json.Unmarshal(trimmed, d); err != nil {
		return nil, fmt.Errorf("%w: %s", ErrCorrupted, jsonErrorText(err))
	}
	d.normalize()
	return d, nil
}

// jsonErrorText is the message of a decoding error. Syntax and type errors of
// encoding/json name offsets, types and fields, not values.
func jsonErrorText(err error) string {
	var syntax *json.SyntaxError
	if errors.As(err, &syntax) {
		return fmt.Sprintf("%s (offset %d)", syntax.Error(), syntax.Offset)
	}
	return err.Error()
}

// normalize drops null entries a hand-edited file may contain.
func (d *document) normalize() {
	for id, st := range d.Updates.States {
		if st == nil {
			delete(d.Updates.States, id)
		}
	}
	for prefix, m := range d.Peers.AccessHashes {
		if m == nil {
			delete(d.Peers.AccessHashes, prefix)
		}
	}
}
