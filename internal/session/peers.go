package session

import (
	"context"

	"github.com/go-faster/errors"
	"github.com/gotd/td/telegram/peers"
)

// The peer cache implements gotd peers.Storage. Its changes are batched (see
// Options.FlushDelay); saving a value that is already stored writes nothing.

// Save implements peers.Storage.
func (f *File) Save(_ context.Context, key peers.Key, value peers.Value) error {
	err := f.update(batchedWrite, func(d *document) (bool, error) {
		return d.Peers.save(key, value), nil
	})
	return wrap(err, "save peer")
}

func (p *peerState) save(key peers.Key, value peers.Value) bool {
	m := p.AccessHashes[key.Prefix]
	if old, ok := m[key.ID]; ok && old == value.AccessHash {
		return false
	}
	if m == nil {
		if p.AccessHashes == nil {
			p.AccessHashes = map[string]map[int64]int64{}
		}
		m = map[int64]int64{}
		p.AccessHashes[key.Prefix] = m
	}
	m[key.ID] = value.AccessHash
	return true
}

func (p *peerState) find(key peers.Key) (peers.Value, bool) {
	hash, ok := p.AccessHashes[key.Prefix][key.ID]
	return peers.Value{AccessHash: hash}, ok
}

// Find implements peers.Storage.
func (f *File) Find(_ context.Context, key peers.Key) (value peers.Value, found bool, _ error) {
	err := f.view(func(d *document) {
		value, found = d.Peers.find(key)
	})
	return value, found, wrap(err, "find peer")
}

// SavePhone implements peers.Storage.
func (f *File) SavePhone(_ context.Context, phone string, key peers.Key) error {
	err := f.update(batchedWrite, func(d *document) (bool, error) {
		return setKey(&d.Peers.Phones, phone, key), nil
	})
	return wrap(err, "save phone")
}

// FindPhone implements peers.Storage. Like gotd's in-memory storage, it
// reports found only if the peer's access hash is stored too.
func (f *File) FindPhone(_ context.Context, phone string) (key peers.Key, value peers.Value, found bool, err error) {
	err = f.view(func(d *document) {
		key, value, found = d.Peers.lookup(d.Peers.Phones, phone)
	})
	return key, value, found, wrap(err, "find phone")
}

// SaveUsername remembers that username (case-insensitive, an optional
// leading "@" is ignored) belongs to the peer key. Batched like Save.
func (f *File) SaveUsername(_ context.Context, username string, key peers.Key) error {
	name := normalizeUsername(username)
	if name == "" {
		return errors.New("save username: empty username")
	}
	err := f.update(batchedWrite, func(d *document) (bool, error) {
		return setKey(&d.Peers.Usernames, name, key), nil
	})
	return wrap(err, "save username")
}

// FindUsername looks up a username saved by SaveUsername (case-insensitive,
// an optional leading "@" is ignored). Like FindPhone, it reports found only
// if the peer's access hash is stored too.
func (f *File) FindUsername(_ context.Context, username string) (key peers.Key, value peers.Value, found bool, err error) {
	name := normalizeUsername(username)
	err = f.view(func(d *document) {
		key, value, found = d.Peers.lookup(d.Peers.Usernames, name)
	})
	return key, value, found, wrap(err, "find username")
}

func (p *peerState) lookup(m map[string]peerKey, name string) (peers.Key, peers.Value, bool) {
	k, ok := m[name]
	if !ok {
		return peers.Key{}, peers.Value{}, false
	}
	key := peers.Key{Prefix: k.Prefix, ID: k.ID}
	value, ok := p.find(key)
	return key, value, ok
}

func setKey(m *map[string]peerKey, name string, key peers.Key) bool {
	k := peerKey{Prefix: key.Prefix, ID: key.ID}
	if old, ok := (*m)[name]; ok && old == k {
		return false
	}
	if *m == nil {
		*m = map[string]peerKey{}
	}
	(*m)[name] = k
	return true
}

// GetContactsHash implements peers.Storage.
func (f *File) GetContactsHash(context.Context) (hash int64, _ error) {
	err := f.view(func(d *document) {
		hash = d.Peers.ContactsHash
	})
	return hash, wrap(err, "get contacts hash")
}

// SaveContactsHash implements peers.Storage.
func (f *File) SaveContactsHash(_ context.Context, hash int64) error {
	err := f.update(batchedWrite, func(d *document) (bool, error) {
		if d.Peers.ContactsHash == hash {
			return false, nil
		}
		d.Peers.ContactsHash = hash
		return true, nil
	})
	return wrap(err, "save contacts hash")
}
