package session

import (
	"context"
	"maps"

	"github.com/go-faster/errors"
	"github.com/gotd/td/telegram/updates"
)

// The update state implements gotd updates.StateStorage,
// updates.ChannelAccessHasher and updates.UserAccessHasher, with the
// semantics of gotd's in-memory storage. Its changes are batched (see
// Options.FlushDelay).

// errNoState is returned by the setters of updates.StateStorage when the
// user has no state, as gotd requires.
var errNoState = errors.New("update state not found")

// GetState implements updates.StateStorage.
func (f *File) GetState(_ context.Context, userID int64) (state updates.State, found bool, err error) {
	err = f.view(func(d *document) {
		if st := d.Updates.States[userID]; st != nil {
			state = updates.State{Pts: st.Pts, Qts: st.Qts, Date: st.Date, Seq: st.Seq}
			found = true
		}
	})
	return state, found, wrap(err, "get update state")
}

// SetState implements updates.StateStorage. It forgets the user's channel
// pts, like gotd's in-memory storage.
func (f *File) SetState(_ context.Context, userID int64, state updates.State) error {
	err := f.update(batchedWrite, func(d *document) (bool, error) {
		if d.Updates.States == nil {
			d.Updates.States = map[int64]*userState{}
		}
		d.Updates.States[userID] = &userState{Pts: state.Pts, Qts: state.Qts, Date: state.Date, Seq: state.Seq}
		return true, nil
	})
	return wrap(err, "set update state")
}

// setState changes an existing state.
func (f *File) setState(userID int64, what string, fn func(st *userState) bool) error {
	err := f.update(batchedWrite, func(d *document) (bool, error) {
		st := d.Updates.States[userID]
		if st == nil {
			return false, errNoState
		}
		return fn(st), nil
	})
	return wrap(err, what)
}

// SetPts implements updates.StateStorage.
func (f *File) SetPts(_ context.Context, userID int64, pts int) error {
	return f.setState(userID, "set pts", func(st *userState) bool {
		return set(&st.Pts, pts)
	})
}

// SetQts implements updates.StateStorage.
func (f *File) SetQts(_ context.Context, userID int64, qts int) error {
	return f.setState(userID, "set qts", func(st *userState) bool {
		return set(&st.Qts, qts)
	})
}

// SetDate implements updates.StateStorage.
func (f *File) SetDate(_ context.Context, userID int64, date int) error {
	return f.setState(userID, "set date", func(st *userState) bool {
		return set(&st.Date, date)
	})
}

// SetSeq implements updates.StateStorage.
func (f *File) SetSeq(_ context.Context, userID int64, seq int) error {
	return f.setState(userID, "set seq", func(st *userState) bool {
		return set(&st.Seq, seq)
	})
}

// SetDateSeq implements updates.StateStorage.
func (f *File) SetDateSeq(_ context.Context, userID int64, date, seq int) error {
	return f.setState(userID, "set date and seq", func(st *userState) bool {
		a := set(&st.Date, date)
		b := set(&st.Seq, seq)
		return a || b
	})
}

func set(p *int, v int) bool {
	if *p == v {
		return false
	}
	*p = v
	return true
}

// GetChannelPts implements updates.StateStorage.
func (f *File) GetChannelPts(_ context.Context, userID, channelID int64) (pts int, found bool, err error) {
	err = f.view(func(d *document) {
		if st := d.Updates.States[userID]; st != nil {
			pts, found = st.Channels[channelID]
		}
	})
	return pts, found, wrap(err, "get channel pts")
}

// SetChannelPts implements updates.StateStorage. It fails if the user has
// no state.
func (f *File) SetChannelPts(_ context.Context, userID, channelID int64, pts int) error {
	return f.setState(userID, "set channel pts", func(st *userState) bool {
		if old, ok := st.Channels[channelID]; ok && old == pts {
			return false
		}
		if st.Channels == nil {
			st.Channels = map[int64]int{}
		}
		st.Channels[channelID] = pts
		return true
	})
}

// ForEachChannels implements updates.StateStorage. It fails if the user has
// no state. fn runs on a snapshot, without locks held, so it may call other
// methods of f.
func (f *File) ForEachChannels(ctx context.Context, userID int64, fn func(ctx context.Context, channelID int64, pts int) error) error {
	var channels map[int64]int
	err := f.view(func(d *document) {
		if st := d.Updates.States[userID]; st != nil {
			channels = maps.Clone(st.Channels)
			if channels == nil {
				channels = map[int64]int{}
			}
		}
	})
	if err != nil {
		return wrap(err, "iterate channels")
	}
	if channels == nil {
		return wrap(errNoState, "iterate channels")
	}
	for id, pts := range channels {
		if err := fn(ctx, id, pts); err != nil {
			return err
		}
	}
	return nil
}

// SetChannelAccessHash implements updates.ChannelAccessHasher.
func (f *File) SetChannelAccessHash(_ context.Context, userID, channelID, accessHash int64) error {
	err := f.update(batchedWrite, func(d *document) (bool, error) {
		return setHash(&d.Updates.ChannelAccessHashes, userID, channelID, accessHash), nil
	})
	return wrap(err, "set channel access hash")
}

// GetChannelAccessHash implements updates.ChannelAccessHasher.
func (f *File) GetChannelAccessHash(_ context.Context, userID, channelID int64) (accessHash int64, found bool, err error) {
	err = f.view(func(d *document) {
		accessHash, found = d.Updates.ChannelAccessHashes[userID][channelID]
	})
	return accessHash, found, wrap(err, "get channel access hash")
}

// SetUserAccessHash implements updates.UserAccessHasher.
func (f *File) SetUserAccessHash(_ context.Context, userID, targetUserID, accessHash int64) error {
	err := f.update(batchedWrite, func(d *document) (bool, error) {
		return setHash(&d.Updates.UserAccessHashes, userID, targetUserID, accessHash), nil
	})
	return wrap(err, "set user access hash")
}

// GetUserAccessHash implements updates.UserAccessHasher.
func (f *File) GetUserAccessHash(_ context.Context, userID, targetUserID int64) (accessHash int64, found bool, err error) {
	err = f.view(func(d *document) {
		accessHash, found = d.Updates.UserAccessHashes[userID][targetUserID]
	})
	return accessHash, found, wrap(err, "get user access hash")
}

func setHash(m *map[int64]map[int64]int64, userID, id, hash int64) bool {
	inner := (*m)[userID]
	if old, ok := inner[id]; ok && old == hash {
		return false
	}
	if inner == nil {
		if *m == nil {
			*m = map[int64]map[int64]int64{}
		}
		inner = map[int64]int64{}
		(*m)[userID] = inner
	}
	inner[id] = hash
	return true
}
