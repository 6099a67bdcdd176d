package runtime

import (
	"context"
	"math"
	"strconv"
	"strings"
	"sync"

	"github.com/go-faster/errors"
	"github.com/gotd/td/constant"
	"github.com/gotd/td/telegram/deeplink"
	"github.com/gotd/td/telegram/peers"
	"github.com/gotd/td/tg"
	lua "github.com/yuin/gopher-lua"

	"github.com/tglua/tglua/luabind"
	"github.com/tglua/tglua/luabind/schema"
)

// PeerStorage is the peer cache: gotd's peers.Storage (access hashes by
// peer, users by phone number) plus usernames. The session file
// (internal/session) implements it; NewPeerStorage makes an in-memory one
// that several runtimes may share.
type PeerStorage interface {
	peers.Storage
	// SaveUsername remembers that a username (case-insensitive, with or
	// without "@") belongs to key.
	SaveUsername(ctx context.Context, username string, key peers.Key) error
	// FindUsername looks a username up; found is true only if the access
	// hash of its peer is stored too.
	FindUsername(ctx context.Context, username string) (key peers.Key, value peers.Value, found bool, err error)
}

// NewPeerStorage returns an empty in-memory PeerStorage, safe for
// concurrent use.
func NewPeerStorage() PeerStorage { return &memPeers{} }

// memPeers is gotd's in-memory storage plus a username index.
type memPeers struct {
	peers.InmemoryStorage
	mu    sync.Mutex
	names map[string]peers.Key
}

func (m *memPeers) SaveUsername(_ context.Context, username string, key peers.Key) error {
	name := normalizeUsername(username)
	if name == "" {
		return errors.New("save username: empty username")
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.names == nil {
		m.names = map[string]peers.Key{}
	}
	m.names[name] = key
	return nil
}

func (m *memPeers) FindUsername(ctx context.Context, username string) (peers.Key, peers.Value, bool, error) {
	m.mu.Lock()
	key, ok := m.names[normalizeUsername(username)]
	m.mu.Unlock()
	if !ok {
		return peers.Key{}, peers.Value{}, false, nil
	}
	v, found, err := m.Find(ctx, key)
	return key, v, found, err
}

func normalizeUsername(s string) string {
	return strings.ToLower(strings.TrimPrefix(strings.TrimSpace(s), "@"))
}

// Key prefixes of gotd's telegram/peers, so that its Manager and this file
// share cache entries.
const (
	prefixUser    = "users_"
	prefixChat    = "chats_"
	prefixChannel = "channel_"
)

// peerKind is what a resolved peer is.
type peerKind uint8

const (
	kindSelf peerKind = iota + 1
	kindUser
	kindChat
	kindChannel
)

func (k peerKind) String() string {
	switch k {
	case kindSelf:
		return "the current account"
	case kindUser:
		return "a user"
	case kindChat:
		return "a basic group"
	case kindChannel:
		return "a channel"
	default:
		return "an unknown peer"
	}
}

// peerRef is a resolved peer: enough to build any input constructor.
type peerRef struct {
	kind peerKind
	id   int64
	hash int64
}

// resolver implements luabind.Resolver on gotd's telegram/peers, and feeds
// the cache from decoded results (hook).
//
// A parameter of type InputPeer, InputUser or InputChannel accepts, besides
// its own constructors:
//
//	'@ann', 'ann', 't.me/ann', 'https://t.me/ann'   a username
//	'me', 'self'                                    the current account
//	'+15550001'                                     a phone number (cache, contacts list, contacts.resolvePhone)
//	12345, '12345'                                  a user id (Bot API style)
//	-123, '-123'                                    a basic group
//	-1001234567890                                  a channel (-100 followed by its id)
//	{_='peerUser', user_id=...}, peerChat, peerChannel
//	{_='user', ...}, chat, channel (and their Forbidden forms), as results give them
//
// For InputChannel a positive number is a plain channel id. Users and
// channels need an access hash: ids resolve only from the cache (fed by
// every user, chat and channel in any result, by updates through
// rememberPeers, and by username lookups), and an unknown one is an error
// that sends nothing. Usernames are looked up in the cache first, then with
// contacts.resolveUsername; with a session file the cache persists across
// runs. The answer is the matching constructor (inputPeerUser, inputUser,
// inputChannel, inputPeerChat, inputPeerSelf, inputUserSelf ...). A string
// that looks like a misspelt constructor ('inputPeerFoo') is an "unknown
// constructor" error rather than a username lookup.
type resolver struct {
	store PeerStorage
	mgr   *peers.Manager
	api   *tg.Client
	L     *lua.LState // main state: tables are built with it
	// before runs on the VM goroutine before a resolution (it reads the
	// flood_wait_max global).
	before func() error
	// self reports the current account's id, if known.
	self func() (int64, bool)
	// isBot reports whether the session is a bot's.
	isBot func() bool
}

// hookIDs are the constructors whose decoded tables feed the cache. (gotd's
// constants: looking them up by name at init would build the schema index
// in every process.)
var hookIDs = []uint32{
	tg.UserTypeID, tg.ChatTypeID, tg.ChatForbiddenTypeID, tg.ChannelTypeID, tg.ChannelForbiddenTypeID,
}

// Resolve implements luabind.Resolver.
func (r *resolver) Resolve(ctx context.Context, want string, v lua.LValue) (lua.LValue, error) {
	if r.before != nil {
		if err := r.before(); err != nil {
			return nil, err
		}
	}
	ref, label, err := r.lookup(ctx, want, v)
	if err != nil {
		return nil, err
	}
	return r.input(want, ref, label)
}

// input builds the constructor of type want for ref.
func (r *resolver) input(want string, ref peerRef, label string) (lua.LValue, error) {
	t := r.L.CreateTable(0, 3)
	set := func(name string, fields ...any) {
		t.RawSetString("_", lua.LString(name))
		for i := 0; i+1 < len(fields); i += 2 {
			t.RawSetString(fields[i].(string), luabind.LongValue(fields[i+1].(int64)))
		}
	}
	mismatch := func() error {
		return errors.Errorf("peer %s is %s, not %s", label, ref.kind, wantNoun(want))
	}
	switch want {
	case "InputPeer":
		switch ref.kind {
		case kindSelf:
			set("inputPeerSelf")
		case kindUser:
			set("inputPeerUser", "user_id", ref.id, "access_hash", ref.hash)
		case kindChat:
			set("inputPeerChat", "chat_id", ref.id)
		case kindChannel:
			set("inputPeerChannel", "channel_id", ref.id, "access_hash", ref.hash)
		}
	case "InputUser":
		switch ref.kind {
		case kindSelf:
			set("inputUserSelf")
		case kindUser:
			set("inputUser", "user_id", ref.id, "access_hash", ref.hash)
		default:
			return nil, mismatch()
		}
	case "InputChannel":
		if ref.kind != kindChannel {
			return nil, mismatch()
		}
		set("inputChannel", "channel_id", ref.id, "access_hash", ref.hash)
	default:
		return nil, errors.Errorf("cannot resolve peers for %s", want)
	}
	return t, nil
}

func wantNoun(want string) string {
	switch want {
	case "InputUser":
		return "a user (InputUser)"
	case "InputChannel":
		return "a channel (InputChannel)"
	default:
		return "a peer (" + want + ")"
	}
}

// lookup finds the peer v names. label describes v in error messages.
func (r *resolver) lookup(ctx context.Context, want string, v lua.LValue) (peerRef, string, error) {
	switch v := v.(type) {
	case lua.LString:
		return r.lookupString(ctx, want, string(v))
	case lua.LNumber:
		f := float64(v)
		if f != math.Trunc(f) || math.Abs(f) > 1<<53 {
			return peerRef{}, v.String(), errors.Errorf("peer %s: not an integral id", v.String())
		}
		label := strconv.FormatInt(int64(f), 10)
		ref, err := r.byID(ctx, want, int64(f), label)
		return ref, label, err
	case *lua.LTable:
		return r.lookupTable(ctx, want, v)
	default:
		return peerRef{}, "", errors.Errorf("%s expected, got %s", want, v.Type().String())
	}
}

func (r *resolver) lookupString(ctx context.Context, want, s string) (peerRef, string, error) {
	s = strings.TrimSpace(s)
	label := s
	switch lower := strings.ToLower(s); {
	case s == "":
		return peerRef{}, "''", errors.New("peer '': empty string")
	case lower == "me" || lower == "self":
		return peerRef{kind: kindSelf}, label, nil
	case isDecimal(s):
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return peerRef{}, label, errors.Errorf("peer %s: id out of range", s)
		}
		ref, err := r.byID(ctx, want, id, label)
		return ref, label, err
	case strings.HasPrefix(s, "+"):
		ref, err := r.byPhone(ctx, s)
		return ref, label, err
	case strings.HasPrefix(s, "@"):
		ref, err := r.byUsername(ctx, s[1:], label)
		return ref, label, err
	case strings.HasPrefix(lower, "http://"):
		return r.lookupString(ctx, want, "https://"+s[len("http://"):])
	case deeplink.IsDeeplinkLike(s):
		link, err := deeplink.Expect(s, deeplink.Resolve)
		if err != nil {
			return peerRef{}, label, errors.Errorf("peer %s: not a t.me/username link", s)
		}
		ref, err := r.byUsername(ctx, link.Args.Get("domain"), label)
		return ref, label, err
	default:
		if c := schema.ByName(s); c != nil {
			// A constructor of another type: the self constructors convert,
			// anything else is a mistake.
			if s == "inputPeerSelf" || s == "inputUserSelf" {
				return peerRef{kind: kindSelf}, label, nil
			}
			return peerRef{}, label, errors.Errorf("unknown constructor '%s' (want %s)", s, want)
		}
		if looksLikeConstructor(s) {
			return peerRef{}, label, errors.Errorf("unknown constructor '%s' (want %s)", s, want)
		}
		ref, err := r.byUsername(ctx, s, label)
		return ref, label, err
	}
}

// looksLikeConstructor reports names such as "inputPeerFoo": a typo of a
// constructor rather than a username (write "@inputPeerFoo" to mean one).
func looksLikeConstructor(s string) bool {
	for _, p := range []string{"input", "peer"} {
		if len(s) > len(p) && strings.HasPrefix(s, p) && s[len(p)] >= 'A' && s[len(p)] <= 'Z' {
			return true
		}
	}
	return false
}

func isDecimal(s string) bool {
	s = strings.TrimPrefix(s, "-")
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// lookupTable handles peer and object tables taken from results.
func (r *resolver) lookupTable(ctx context.Context, want string, t *lua.LTable) (peerRef, string, error) {
	name, _ := t.RawGetString("_").(lua.LString)
	long := func(field string) (int64, bool) { return luabind.ToLong(t.RawGetString(field)) }
	id := func(field string) (int64, string, error) {
		n, ok := long(field)
		if !ok {
			return 0, string(name), errors.Errorf("%s: %s: long expected, got %s", name, field, t.RawGetString(field).Type().String())
		}
		return n, string(name) + " " + strconv.FormatInt(n, 10), nil
	}
	known := func(kind peerKind, prefix, field string) (peerRef, string, error) {
		n, label, err := id(field)
		if err != nil {
			return peerRef{}, label, err
		}
		if t.RawGetString("min") != lua.LTrue {
			if hash, ok := long("access_hash"); ok {
				return peerRef{kind: kind, id: n, hash: hash}, label, nil
			}
		}
		ref, err := r.cached(ctx, kind, prefix, n, strconv.FormatInt(n, 10))
		return ref, label, err
	}
	switch name {
	case "peerUser":
		n, label, err := id("user_id")
		if err != nil {
			return peerRef{}, label, err
		}
		ref, err := r.user(ctx, n, strconv.FormatInt(n, 10))
		return ref, label, err
	case "peerChat":
		n, label, err := id("chat_id")
		return peerRef{kind: kindChat, id: n}, label, err
	case "peerChannel":
		n, label, err := id("channel_id")
		if err != nil {
			return peerRef{}, label, err
		}
		ref, err := r.cached(ctx, kindChannel, prefixChannel, n, strconv.FormatInt(n, 10))
		return ref, label, err
	case "user":
		if t.RawGetString("self") == lua.LTrue {
			return peerRef{kind: kindSelf}, "self", nil
		}
		return known(kindUser, prefixUser, "id")
	case "chat", "chatForbidden":
		n, label, err := id("id")
		return peerRef{kind: kindChat, id: n}, label, err
	case "channel", "channelForbidden":
		return known(kindChannel, prefixChannel, "id")
	}
	return peerRef{}, string(name), errors.Errorf("unknown constructor '%s' (want %s)", name, want)
}

// byID resolves a Bot API-style id: positive for users, -N for basic
// groups, -100N for channels. For InputChannel a positive id is taken as a
// plain channel id.
func (r *resolver) byID(ctx context.Context, want string, id int64, label string) (peerRef, error) {
	if want == "InputChannel" && id > 0 {
		return r.cached(ctx, kindChannel, prefixChannel, id, label)
	}
	tid := constant.TDLibPeerID(id)
	switch {
	case tid.IsUser():
		return r.user(ctx, id, label)
	case tid.IsChat():
		return peerRef{kind: kindChat, id: tid.ToPlain()}, nil
	case tid.IsChannel():
		return r.cached(ctx, kindChannel, prefixChannel, tid.ToPlain(), label)
	}
	return peerRef{}, errors.Errorf("peer %s: not a user, group or channel id", label)
}

// user resolves a user id from the cache; the current account's own id
// resolves to self.
func (r *resolver) user(ctx context.Context, id int64, label string) (peerRef, error) {
	ref, err := r.cached(ctx, kindUser, prefixUser, id, label)
	if err != nil && r.self != nil {
		if self, ok := r.self(); ok && self == id {
			return peerRef{kind: kindSelf}, nil
		}
	}
	return ref, err
}

// cached looks up the access hash of a user or channel.
func (r *resolver) cached(ctx context.Context, kind peerKind, prefix string, id int64, label string) (peerRef, error) {
	v, found, err := r.store.Find(ctx, peers.Key{Prefix: prefix, ID: id})
	if err != nil {
		return peerRef{}, errors.Wrapf(err, "peer %s", label)
	}
	if !found {
		what := "user"
		if kind == kindChannel {
			what = "channel"
		}
		return peerRef{}, errors.Errorf("peer %s: unknown %s; resolve it by username first or receive a message from it", label, what)
	}
	return peerRef{kind: kind, id: id, hash: v.AccessHash}, nil
}

// byUsername resolves a username: from the cache, else with
// contacts.resolveUsername (whose answer is cached, in the session file when
// there is one).
func (r *resolver) byUsername(ctx context.Context, name, label string) (peerRef, error) {
	name = normalizeUsername(name)
	if err := deeplink.ValidateDomain(name); err != nil {
		return peerRef{}, errors.Errorf("peer %s: not a username, phone number (+...), id or peer table", label)
	}
	key, v, found, err := r.store.FindUsername(ctx, name)
	if err != nil {
		return peerRef{}, errors.Wrapf(err, "peer %s", label)
	}
	if found {
		return refFromKey(key, v), nil
	}
	p, err := r.mgr.ResolveDomain(ctx, name)
	if err != nil {
		return peerRef{}, rpcFailure(label, "contacts.resolveUsername", err)
	}
	ref, key := refFromPeer(p)
	if ref.kind == 0 {
		return peerRef{}, errors.Errorf("peer %s: unexpected peer %T", label, p)
	}
	_ = r.store.SaveUsername(ctx, name, key)
	return ref, nil
}

// byPhone resolves a phone number: from the cache, else from the contacts
// list (gotd's peers.Manager.ResolvePhone), else with contacts.resolvePhone.
func (r *resolver) byPhone(ctx context.Context, s string) (peerRef, error) {
	var b strings.Builder
	for _, c := range s {
		switch {
		case c >= '0' && c <= '9':
			b.WriteRune(c)
		case c == '+' || c == ' ' || c == '-' || c == '(' || c == ')':
		default:
			return peerRef{}, errors.Errorf("peer %s: not a phone number", s)
		}
	}
	phone := b.String()
	if phone == "" {
		return peerRef{}, errors.Errorf("peer %s: not a phone number", s)
	}
	key, v, found, err := r.store.FindPhone(ctx, phone)
	if err != nil {
		return peerRef{}, errors.Wrapf(err, "peer %s", s)
	}
	if found {
		return refFromKey(key, v), nil
	}
	if r.isBot != nil && r.isBot() {
		return peerRef{}, errors.Errorf("peer %s: bots cannot resolve phone numbers", s)
	}
	u, err := r.mgr.ResolvePhone(ctx, phone)
	if err == nil {
		return peerRef{kind: kindUser, id: u.ID(), hash: u.Raw().AccessHash}, nil
	}
	var nf *peers.PhoneNotFoundError
	if !errors.As(err, &nf) {
		return peerRef{}, rpcFailure(s, "contacts.getContacts", err)
	}
	res, err := r.api.ContactsResolvePhone(ctx, phone)
	if err != nil {
		return peerRef{}, errors.Errorf("peer %s: not in your contacts (%s)", s, luabind.AsError("contacts.resolvePhone", err).Error())
	}
	if err := r.mgr.Apply(ctx, res.Users, res.Chats); err != nil {
		return peerRef{}, errors.Wrapf(err, "peer %s", s)
	}
	if pu, ok := res.Peer.(*tg.PeerUser); ok {
		for _, uc := range res.Users {
			if u, ok := uc.(*tg.User); ok && u.ID == pu.UserID {
				return peerRef{kind: kindUser, id: u.ID, hash: u.AccessHash}, nil
			}
		}
	}
	return peerRef{}, errors.Errorf("peer %s: not found", s)
}

// rpcFailure describes a failed lookup RPC in the binding's error format.
func rpcFailure(label, method string, err error) error {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	// Keep the RPC error's structure: the script gets a value with code and
	// type (from the resolving method), not a flat string.
	return luabind.AsError(method, err)
}

func refFromKey(key peers.Key, v peers.Value) peerRef {
	switch key.Prefix {
	case prefixUser:
		return peerRef{kind: kindUser, id: key.ID, hash: v.AccessHash}
	case prefixChat:
		return peerRef{kind: kindChat, id: key.ID}
	case prefixChannel:
		return peerRef{kind: kindChannel, id: key.ID, hash: v.AccessHash}
	}
	return peerRef{}
}

func refFromPeer(p peers.Peer) (peerRef, peers.Key) {
	switch p := p.(type) {
	case peers.User:
		return peerRef{kind: kindUser, id: p.ID(), hash: p.Raw().AccessHash}, peers.Key{Prefix: prefixUser, ID: p.ID()}
	case peers.Chat:
		return peerRef{kind: kindChat, id: p.ID()}, peers.Key{Prefix: prefixChat, ID: p.ID()}
	case peers.Channel:
		return peerRef{kind: kindChannel, id: p.ID(), hash: p.Raw().AccessHash}, peers.Key{Prefix: prefixChannel, ID: p.ID()}
	}
	return peerRef{}, peers.Key{}
}

// hook feeds the cache from a decoded user, chat or channel table.
func (r *resolver) hook(c *schema.Constructor, t *lua.LTable) {
	r.remember(context.Background(), c.Name, t)
}

func (r *resolver) remember(ctx context.Context, name string, t *lua.LTable) {
	id, ok := luabind.ToLong(t.RawGetString("id"))
	if !ok {
		return
	}
	var key peers.Key
	switch name {
	case "user":
		key.Prefix = prefixUser
	case "chat", "chatForbidden":
		key.Prefix = prefixChat
	case "channel", "channelForbidden":
		key.Prefix = prefixChannel
	default:
		return
	}
	key.ID = id
	// A min user or channel carries an access hash that is only good for
	// photos: never cache it (as gotd's telegram/peers does not).
	if t.RawGetString("min") == lua.LTrue {
		return
	}
	var hash int64
	if key.Prefix != prefixChat {
		if hash, ok = luabind.ToLong(t.RawGetString("access_hash")); !ok {
			return
		}
	}
	if err := r.store.Save(ctx, key, peers.Value{AccessHash: hash}); err != nil {
		return
	}
	if name == "user" {
		if phone, ok := t.RawGetString("phone").(lua.LString); ok && phone != "" {
			_ = r.store.SavePhone(ctx, string(phone), key)
		}
	}
	if u, ok := t.RawGetString("username").(lua.LString); ok && u != "" {
		_ = r.store.SaveUsername(ctx, string(u), key)
	}
	if list, ok := t.RawGetString("usernames").(*lua.LTable); ok {
		for i := 1; i <= list.Len(); i++ {
			if ut, ok := list.RawGetInt(i).(*lua.LTable); ok {
				if u, ok := ut.RawGetString("username").(lua.LString); ok && u != "" {
					_ = r.store.SaveUsername(ctx, string(u), key)
				}
			}
		}
	}
}

// rememberPeers feeds the peer cache with users and chats that arrived
// outside a method result, such as in updates. It is safe to call from any
// goroutine.
func (r *Runtime) rememberPeers(ctx context.Context, users []tg.UserClass, chats []tg.ChatClass) {
	p := r.api.peers
	if p == nil {
		return
	}
	_ = p.mgr.Apply(ctx, users, chats)
	save := func(key peers.Key, names ...string) {
		for _, n := range names {
			if n != "" {
				_ = p.store.SaveUsername(ctx, n, key)
			}
		}
	}
	for _, uc := range users {
		if u, ok := uc.(*tg.User); ok && !u.Min {
			key := peers.Key{Prefix: prefixUser, ID: u.ID}
			save(key, u.Username)
			for _, un := range u.Usernames {
				save(key, un.Username)
			}
		}
	}
	for _, cc := range chats {
		if c, ok := cc.(*tg.Channel); ok && !c.Min {
			key := peers.Key{Prefix: prefixChannel, ID: c.ID}
			save(key, c.Username)
			for _, un := range c.Usernames {
				save(key, un.Username)
			}
		}
	}
}
