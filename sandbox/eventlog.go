package sandbox

import (
	"encoding/json"
	"sort"

	"github.com/go-faster/errors"
)

// evKind is the kind of a pts log event.
type evKind uint8

// Event kinds of the pts log.
const (
	evNew evKind = iota + 1
	evEdit
	evDelete
	evReadIn
	evReadOut
)

var evKindNames = map[evKind]string{
	evNew: "new", evEdit: "edit", evDelete: "delete", evReadIn: "read_in", evReadOut: "read_out",
}

// MarshalText implements encoding.TextMarshaler.
func (k evKind) MarshalText() ([]byte, error) {
	if name, ok := evKindNames[k]; ok {
		return []byte(name), nil
	}
	return nil, errors.Errorf("encode event kind %d", k)
}

// UnmarshalText implements encoding.TextUnmarshaler.
func (k *evKind) UnmarshalText(b []byte) error {
	for kind, name := range evKindNames {
		if name == string(b) {
			*k = kind
			return nil
		}
	}
	return errors.Errorf("decode event kind %q", b)
}

// event is one entry of a box's pts log. It holds no pointers, so a long
// log costs the garbage collector nothing; the ids of a delete event live
// in box.Deleted.
type event struct {
	Pts    int     `json:"pts"`
	Count  int     `json:"count"`
	Kind   evKind  `json:"kind"`
	ID     int     `json:"id,omitempty"` // message of new and edit events
	Peer   peerRef `json:"peer"`
	MaxID  int     `json:"max_id,omitempty"`
	Unread int     `json:"unread,omitempty"`
}

// logChunk is the length of a full chunk of an eventLog.
const logChunk = 4096

// eventLog is an append-only pts log kept in chunks, so that appending never
// copies more than one chunk (the state lock stays short).
type eventLog struct {
	chunks [][]event
}

func (l *eventLog) append(e event) {
	n := len(l.chunks)
	if n == 0 || len(l.chunks[n-1]) == logChunk {
		size := logChunk // busy box: allocate whole chunks
		if n == 0 {
			size = 8 // most boxes stay small
		}
		l.chunks = append(l.chunks, make([]event, 0, size))
		n++
	}
	l.chunks[n-1] = append(l.chunks[n-1], e)
}

// since returns up to limit events with pts above pts, in order, and
// whether more follow.
func (l *eventLog) since(pts, limit int) (evs []event, more bool) {
	i := sort.Search(len(l.chunks), func(i int) bool {
		c := l.chunks[i]
		return c[len(c)-1].Pts > pts
	})
	for ; i < len(l.chunks); i++ {
		c := l.chunks[i]
		j := sort.Search(len(c), func(j int) bool { return c[j].Pts > pts })
		for _, e := range c[j:] {
			if len(evs) == limit {
				return evs, true
			}
			evs = append(evs, e)
		}
	}
	return evs, false
}

// MarshalJSON implements json.Marshaler as a flat array.
func (l eventLog) MarshalJSON() ([]byte, error) {
	var flat []event
	for _, c := range l.chunks {
		flat = append(flat, c...)
	}
	if flat == nil {
		flat = []event{}
	}
	return json.Marshal(flat)
}

// UnmarshalJSON implements json.Unmarshaler.
func (l *eventLog) UnmarshalJSON(b []byte) error {
	var flat []event
	if err := json.Unmarshal(b, &flat); err != nil {
		return err
	}
	l.chunks = nil
	for _, e := range flat {
		l.append(e)
	}
	return nil
}
