package runtime

import (
	"context"

	"github.com/go-faster/errors"
	"github.com/gotd/td/bin"
	"github.com/gotd/td/telegram"
	"github.com/gotd/td/telegram/updates"
	"github.com/gotd/td/telegram/updates/hook"
	"github.com/gotd/td/tg"
	lua "github.com/yuin/gopher-lua"

	"github.com/tglua/tglua/internal/suggest"
	"github.com/tglua/tglua/luabind"
	"github.com/tglua/tglua/luabind/schema"
)

// Update handlers: on(event, fn) and off(handle).
//
// Updates come from gotd's updates manager (telegram/updates), which orders
// them by pts/qts/seq, converts short updates and calls getDifference after
// gaps. Its state is kept in the session file when there is one, so a
// restarted script catches up. The manager's goroutine only queues updates
// on the event loop; they are converted to Lua and handed to the handlers on
// the VM goroutine.

// handler is one on() registration.
type handler struct {
	event   string
	fn      *lua.LFunction
	removed bool
	// ordered: calls for one chat run one after another, each after the
	// previous one has finished (on(event, fn, {ordered=true})).
	ordered bool
}

// handle is what on(), after() and every() return; off() takes it.
type handle struct {
	handler *handler
	timer   *timer
}

const handleTypeName = "tglua.handle"

func (r *Runtime) newHandle(L *lua.LState, h *handle) *lua.LUserData {
	ud := L.NewUserData()
	ud.Value = h
	ud.Metatable = L.GetTypeMetatable(handleTypeName)
	return ud
}

// events holds the handlers by event name.
type events struct {
	byName map[string][]*handler
}

// registerLoopAPI installs the event loop, handler, timer and reply
// functions as globals and in the `tg` table.
func (r *Runtime) registerLoopAPI(L *lua.LState) {
	mt := luabind.NewTypeMetatable(L, handleTypeName, 4)
	mt.RawSetString("__tostring", L.NewFunction(func(L *lua.LState) int {
		h, _ := L.CheckUserData(1).Value.(*handle)
		switch {
		case h == nil:
			L.Push(lua.LString("handle"))
		case h.timer != nil:
			L.Push(lua.LString(h.timer.String()))
		default:
			L.Push(lua.LString("handler: " + h.handler.event))
		}
		return 1
	}))
	mt.RawSetString("__metatable", lua.LString(handleTypeName))
	fns := map[string]lua.LGFunction{
		"on":       r.luaOn,
		"off":      r.luaOff,
		"after":    r.luaAfter,
		"every":    r.luaEvery,
		"sleep":    r.luaSleep,
		"iter":     r.luaIter,
		"wait_for": r.luaWaitFor,
		"ask":      r.luaAsk,
		"stop":     r.luaStop,
		"reply":    r.luaReply,
	}
	tgt := r.binding.Table()
	for name, fn := range fns {
		f := L.NewFunction(fn)
		L.SetGlobal(name, f)
		tgt.RawSetString(name, f)
	}
}

// luaOn is on(event, fn). event is 'message' (new messages, as message
// tables with convenience fields), 'update' (every update) or the name of an
// update constructor ('updateUserTyping'). It returns a handle for off().
// The first registration starts receiving updates.
func (r *Runtime) luaOn(L *lua.LState) int {
	event := L.CheckString(1)
	fn := L.CheckFunction(2)
	if !validEvent(event) {
		msg := "unknown event '" + event + "'"
		if s := suggestEvent(event); s != "" {
			msg += " (did you mean '" + s + "'?)"
		}
		L.ArgError(1, msg)
	}
	h := &handler{event: event, fn: fn}
	switch o := L.Get(3).(type) {
	case *lua.LNilType:
	case *lua.LTable:
		h.ordered = lua.LVAsBool(o.RawGetString("ordered"))
	default:
		L.ArgError(3, "options table expected, got "+o.Type().String())
	}
	if r.events.byName == nil {
		r.events.byName = map[string][]*handler{}
	}
	r.events.byName[event] = append(r.events.byName[event], h)
	r.loop.handlers++
	r.startUpdates()
	r.waitUpdatesReady(L)
	L.Push(r.newHandle(L, &handle{handler: h}))
	return 1
}

// waitUpdatesReady blocks until the updates manager has fetched its state,
// so that every update after on() returns reaches the handlers. A failure
// to start is reported by the loop.
func (r *Runtime) waitUpdatesReady(L *lua.LState) {
	if r.updatesReady == nil {
		return
	}
	ctx := L.Context()
	if ctx == nil {
		ctx = context.Background()
	}
	select {
	case <-r.updatesReady:
	case <-ctx.Done():
	}
}

func (r *Runtime) markUpdatesReady() {
	r.updatesReadyOnce.Do(func() { close(r.updatesReady) })
}

// luaOff is off(handle): it removes a handler or cancels a timer, and
// reports whether it was still active.
func (r *Runtime) luaOff(L *lua.LState) int {
	var h *handle
	if ud, ok := L.Get(1).(*lua.LUserData); ok {
		h, _ = ud.Value.(*handle)
	}
	if h == nil {
		L.ArgError(1, "handle expected, got "+L.Get(1).Type().String())
	}
	L.Push(lua.LBool(r.remove(h)))
	return 1
}

func (r *Runtime) remove(h *handle) bool {
	if h.timer != nil {
		return r.loop.cancel(h.timer)
	}
	hd := h.handler
	if hd.removed {
		return false
	}
	hd.removed = true
	list := r.events.byName[hd.event]
	// Copy on write: a dispatch in progress keeps iterating its snapshot.
	out := make([]*handler, 0, len(list))
	for _, x := range list {
		if x != hd {
			out = append(out, x)
		}
	}
	r.events.byName[hd.event] = out
	r.loop.handlers--
	return true
}

// Event names.
const (
	eventMessage = "message"
	eventUpdate  = "update"
)

// validEvent reports whether name is an event on() accepts.
func validEvent(name string) bool {
	if name == eventMessage || name == eventUpdate {
		return true
	}
	c := schema.ByName(name)
	return c != nil && !c.Method && schema.TypeAt(c.Type).Name == "Update"
}

// suggestEvent returns the closest valid event name, or "".
func suggestEvent(name string) string {
	names := []string{eventMessage, eventUpdate}
	if t, ok := schema.TypeByName("Update"); ok {
		for _, i := range t.Constructors {
			names = append(names, schema.All()[i].Name)
		}
	}
	return suggest.Closest(name, names)
}

// UpdateHandler returns the handler that feeds Telegram updates to the
// script's on() handlers. The runtime wires it itself when it dials the
// connection; a host that passes its own Options.Invoker owns the updates
// too and passes them here (as a gotd telegram.Options.UpdateHandler, or as
// the Handler of its updates manager). It may be called from any goroutine
// and never blocks: updates are queued on the event loop.
func (r *Runtime) UpdateHandler() telegram.UpdateHandler {
	return telegram.UpdateHandlerFunc(r.handleUpdates)
}

// handleUpdates queues each update of a batch on the event loop.
func (r *Runtime) handleUpdates(ctx context.Context, u tg.UpdatesClass) error {
	var (
		list []tg.UpdateClass
		ents entities
	)
	switch u := u.(type) {
	case *tg.Updates:
		list, ents.users, ents.chats = u.Updates, u.Users, u.Chats
	case *tg.UpdatesCombined:
		list, ents.users, ents.chats = u.Updates, u.Users, u.Chats
	case *tg.UpdateShort:
		list = []tg.UpdateClass{u.Update}
	default:
		// Short message forms are converted by gotd before they get here;
		// updatesTooLong makes the manager call getDifference.
		return nil
	}
	if len(ents.users)+len(ents.chats) > 0 {
		// Feed the peer cache, so reply(msg) can address the sender.
		r.rememberPeers(ctx, ents.users, ents.chats)
	}
	e := &ents
	for _, upd := range list {
		r.loop.post(func(L *lua.LState) error {
			r.dispatch(L, upd, e)
			return nil
		})
	}
	return nil
}

// entities are the users and chats that came with a batch of updates.
// Decoded tables are cached; only the VM goroutine uses them.
type entities struct {
	users   []tg.UserClass
	chats   []tg.ChatClass
	decoded map[entityKey]*lua.LTable
}

type entityKey struct {
	kind byte // 'u', 'c' (basic group), 'C' (channel)
	id   int64
}

// find returns the entity a peer names, as a Lua table, or nil.
func (e *entities) find(L *lua.LState, peer tg.PeerClass) *lua.LTable {
	var key entityKey
	switch p := peer.(type) {
	case *tg.PeerUser:
		key = entityKey{'u', p.UserID}
	case *tg.PeerChat:
		key = entityKey{'c', p.ChatID}
	case *tg.PeerChannel:
		key = entityKey{'C', p.ChannelID}
	default:
		return nil
	}
	if t, ok := e.decoded[key]; ok {
		return t
	}
	var obj bin.Encoder
	switch key.kind {
	case 'u':
		for _, u := range e.users {
			if u.GetID() == key.id {
				obj = u
				break
			}
		}
	default:
		for _, c := range e.chats {
			if c.GetID() != key.id {
				continue
			}
			switch c.(type) {
			case *tg.Channel, *tg.ChannelForbidden:
				if key.kind == 'C' {
					obj = c
				}
			default:
				if key.kind == 'c' {
					obj = c
				}
			}
			if obj != nil {
				break
			}
		}
	}
	var t *lua.LTable
	if obj != nil {
		t, _ = toLuaObject(L, obj)
	}
	if e.decoded == nil {
		e.decoded = map[entityKey]*lua.LTable{}
	}
	e.decoded[key] = t
	return t
}

// toLuaObject converts a gotd TL object to the table luabind would decode
// from the same bytes, so handlers see the shapes method results have.
func toLuaObject(L *lua.LState, obj bin.Encoder) (*lua.LTable, error) {
	var b bin.Buffer
	if err := obj.Encode(&b); err != nil {
		return nil, errors.Wrap(err, "encode update")
	}
	t, err := luabind.DecodeObject(L, b.Buf)
	if err != nil {
		return nil, errors.Wrap(err, "decode update")
	}
	return t, nil
}

// dispatch hands one update to its handlers: 'message' handlers first (for
// new messages), then handlers of its constructor name, then 'update'
// handlers. A failing handler is reported and the others still run.
func (r *Runtime) dispatch(L *lua.LState, upd tg.UpdateClass, ents *entities) {
	var msg *tg.Message
	switch u := upd.(type) {
	case *tg.UpdateNewMessage:
		if r.seen.repeated(u.Message) {
			return
		}
		msg, _ = u.Message.(*tg.Message)
	case *tg.UpdateNewChannelMessage:
		if r.seen.repeated(u.Message) {
			return
		}
		msg, _ = u.Message.(*tg.Message)
	}
	var msgHandlers []*handler
	if msg != nil {
		msgHandlers = r.events.byName[eventMessage]
	}
	name := ""
	if c := schema.ByID(upd.TypeID()); c != nil {
		name = c.Name
	}
	specific := r.events.byName[name]
	all := r.events.byName[eventUpdate]
	if len(msgHandlers)+len(specific)+len(all) == 0 {
		return
	}
	ctx := luaContext(L)
	if len(msgHandlers) > 0 {
		t, err := r.messageTable(L, msg, ents)
		if err != nil {
			r.loop.report(ctx, "on('message')", err)
			return
		}
		if !r.callHandlers(ctx, L, msgHandlers, t) {
			return
		}
	}
	if len(specific)+len(all) > 0 {
		t, err := toLuaObject(L, upd)
		if err != nil {
			r.loop.report(ctx, "on('"+name+"')", err)
			return
		}
		if r.callHandlers(ctx, L, specific, t) {
			r.callHandlers(ctx, L, all, t)
		}
	}
}

// callHandlers calls each handler still registered with arg; it returns
// false if the loop stopped meanwhile.
func (r *Runtime) callHandlers(ctx context.Context, L *lua.LState, list []*handler, arg lua.LValue) bool {
	for _, h := range list {
		if r.loop.stopped || ctx.Err() != nil {
			return false
		}
		if h.removed {
			continue
		}
		fn := h.fn
		if h.ordered {
			fn = r.inOrder(L, h, arg)
		}
		r.loop.spawn(ctx, "on('"+h.event+"') handler", fn, arg)
	}
	return !r.loop.stopped && ctx.Err() == nil
}

// messageTable is the table 'message' handlers get: the message as luabind
// decodes it, plus peer (the chat: peer_id), text (message), out and, when
// the update carried it, from (the sender's user, chat or channel table).
func (r *Runtime) messageTable(L *lua.LState, m *tg.Message, ents *entities) (*lua.LTable, error) {
	t, err := toLuaObject(L, m)
	if err != nil {
		return nil, err
	}
	t.RawSetString("peer", t.RawGetString("peer_id"))
	t.RawSetString("text", lua.LString(m.Message))
	t.RawSetString("out", lua.LBool(m.Out))
	if from := senderPeer(m, r.selfID.Load()); from != nil {
		if ft := ents.find(L, from); ft != nil {
			t.RawSetString("from", ft)
		}
	}
	return t, nil
}

// senderPeer is who sent m: from_id, or for private chats the other user
// (incoming) or self (outgoing), or for channel posts the channel.
func senderPeer(m *tg.Message, self int64) tg.PeerClass {
	if m.FromID != nil {
		return m.FromID
	}
	switch p := m.PeerID.(type) {
	case *tg.PeerUser:
		if m.Out {
			if self == 0 {
				return nil
			}
			return &tg.PeerUser{UserID: self}
		}
		return p
	case *tg.PeerChannel:
		return p
	}
	return nil
}

// startUpdates starts receiving updates, once, when the first handler is
// registered: the dialled connection restarts with updates on and gotd's
// updates manager runs inside it. With a host's Invoker, the host feeds
// UpdateHandler instead.
func (r *Runtime) startUpdates() {
	if r.updatesStarted || r.conn == nil {
		return
	}
	r.updatesStarted = true
	r.updatesReady = make(chan struct{})
	cfg := updates.Config{
		Handler: r.UpdateHandler(),
		Logger:  r.opts.Logger,
	}
	if r.session != nil {
		cfg.Storage = r.session
		cfg.AccessHasher = r.session
		cfg.UserAccessHasher = r.session
	}
	m := updates.New(cfg)
	r.conn.enableUpdates(m, func(ctx context.Context, client *telegram.Client) {
		err := r.runUpdates(ctx, client, m)
		if err != nil && ctx.Err() == nil {
			r.loop.fail(errors.Wrap(err, "receive updates"))
		}
		r.markUpdatesReady()
	}, func(err error) {
		r.loop.fail(errors.Wrap(err, "receive updates"))
		r.markUpdatesReady()
	})
}

// runUpdates runs the updates manager for the logged-in account until ctx
// ends. The manager needs to know who we are: the session caches it, else
// users.getUsers(inputUserSelf) asks.
func (r *Runtime) runUpdates(ctx context.Context, client *telegram.Client, m *updates.Manager) error {
	var (
		id  int64
		bot bool
		ok  bool
	)
	if r.session != nil {
		id, bot, ok = r.session.Self()
	}
	if !ok {
		self, err := client.Self(ctx)
		if err != nil {
			return errors.Wrap(err, "get self")
		}
		id, bot = self.ID, self.Bot
		if r.session != nil {
			if err := r.session.SetSelf(id, bot); err != nil {
				return err
			}
		}
	}
	r.selfID.Store(id)
	if bot {
		r.setBot(true) // the guard refuses user-only methods from now on
	}
	return m.Run(ctx, client.API(), id, updates.AuthOptions{
		IsBot:   bot,
		OnStart: func(context.Context) { r.markUpdatesReady() },
	})
}

// updatesIDs are the constructors of tg.UpdatesClass: RPC results with these
// IDs carry updates the manager must see to keep pts in step.
var updatesIDs = map[uint32]bool{
	tg.UpdatesTooLongTypeID:         true,
	tg.UpdateShortMessageTypeID:     true,
	tg.UpdateShortChatMessageTypeID: true,
	tg.UpdateShortTypeID:            true,
	tg.UpdatesCombinedTypeID:        true,
	tg.UpdatesTypeID:                true,
	tg.UpdateShortSentMessageTypeID: true,
}

// affectedIDs are the messages.affected* results: a pts increment in the
// common sequence, or a channel's, that the manager must apply so that the
// next update does not look like a gap (messages.readHistory,
// messages.deleteMessages, channels.deleteMessages and others).
var affectedIDs = map[uint32]bool{
	tg.MessagesAffectedMessagesTypeID:      true,
	tg.MessagesAffectedHistoryTypeID:       true,
	tg.MessagesAffectedFoundMessagesTypeID: true,
}

// feedDecoder keeps a copy of a result that is an Updates object or a
// messages.affected* one.
type feedDecoder struct {
	bin.Decoder
	data []byte
	id   uint32
}

func (d *feedDecoder) Decode(b *bin.Buffer) error {
	if id, err := b.PeekID(); err == nil && (updatesIDs[id] || affectedIDs[id]) {
		d.data, d.id = append([]byte(nil), b.Buf...), id
	}
	return d.Decoder.Decode(b)
}

// invokeFeeding invokes a method and passes updates in its result (the
// Updates that messages.sendMessage and many others return) to h, the way
// gotd's update hook middleware does for typed calls. A messages.affected*
// result goes to h's HandleAffected (gotd's updates.Manager) through gotd's
// AffectedHook, which routes it to the channel named in the request.
func invokeFeeding(ctx context.Context, inv luabind.Invoker, h telegram.UpdateHandler, input bin.Encoder, output bin.Decoder) error {
	fd := &feedDecoder{Decoder: output}
	if err := inv.Invoke(ctx, input, fd); err != nil {
		return err
	}
	if fd.data == nil {
		return nil
	}
	if affectedIDs[fd.id] {
		return feedAffected(ctx, h, input, fd.data)
	}
	u, err := tg.DecodeUpdates(&bin.Buffer{Buf: fd.data})
	if err != nil {
		return nil // the caller decoded the result already; nothing to feed
	}
	if short, ok := u.(*tg.UpdateShortSentMessage); ok {
		if full := sentMessage(input, short); full != nil {
			u = full
		}
	}
	if err := h.Handle(ctx, u); err != nil {
		return errors.Wrap(err, "handle updates from result")
	}
	return nil
}

// sentMessage rebuilds the message an updateShortSentMessage stands for
// from the messages.sendMessage request, as Telethon does: gotd's manager
// turns the short form into a messageEmpty ("should be converted by the
// one who called the method"), so on('message') never saw the account's
// own sent messages. It returns nil for other requests.
func sentMessage(input bin.Encoder, u *tg.UpdateShortSentMessage) tg.UpdatesClass {
	var b bin.Buffer
	if err := input.Encode(&b); err != nil {
		return nil
	}
	if id, err := b.PeekID(); err != nil || id != tg.MessagesSendMessageRequestTypeID {
		return nil
	}
	var req tg.MessagesSendMessageRequest
	if err := req.Decode(&b); err != nil {
		return nil
	}
	var peer tg.PeerClass
	switch p := req.Peer.(type) {
	case *tg.InputPeerUser:
		peer = &tg.PeerUser{UserID: p.UserID}
	case *tg.InputPeerChat:
		peer = &tg.PeerChat{ChatID: p.ChatID}
	case *tg.InputPeerChannel:
		peer = &tg.PeerChannel{ChannelID: p.ChannelID}
	default:
		return nil // inputPeerSelf and friends: the manager's messageEmpty stands
	}
	msg := &tg.Message{
		Out:     true,
		ID:      u.ID,
		PeerID:  peer,
		Date:    u.Date,
		Message: req.Message,
	}
	if ents, ok := u.GetEntities(); ok {
		msg.SetEntities(ents)
	} else if len(req.Entities) > 0 {
		msg.SetEntities(req.Entities)
	}
	if media, ok := u.GetMedia(); ok {
		msg.SetMedia(media)
	}
	if ttl, ok := u.GetTTLPeriod(); ok {
		msg.SetTTLPeriod(ttl)
	}
	return &tg.UpdateShort{
		Update: &tg.UpdateNewMessage{Message: msg, Pts: u.Pts, PtsCount: u.PtsCount},
		Date:   u.Date,
	}
}

// feedAffected applies a messages.affected* result. gotd's AffectedHook
// needs the typed request (to find its channel) and result, so both are
// decoded here: results of this kind are rare and small.
func feedAffected(ctx context.Context, h telegram.UpdateHandler, input bin.Encoder, data []byte) error {
	ah, ok := h.(hook.AffectedHandler)
	if !ok {
		return nil
	}
	var out tg.MessagesAffectedMessages
	b := &bin.Buffer{Buf: data}
	switch id, _ := b.PeekID(); id {
	case tg.MessagesAffectedFoundMessagesTypeID:
		var r tg.MessagesAffectedFoundMessages
		if r.Decode(b) != nil {
			return nil
		}
		out.Pts, out.PtsCount = r.Pts, r.PtsCount
	case tg.MessagesAffectedHistoryTypeID:
		var r tg.MessagesAffectedHistory
		if r.Decode(b) != nil {
			return nil
		}
		out.Pts, out.PtsCount = r.Pts, r.PtsCount
	default:
		if out.Decode(b) != nil {
			return nil
		}
	}
	req, ok := typedRequest(input)
	if !ok {
		return nil
	}
	done := telegram.InvokeFunc(func(context.Context, bin.Encoder, bin.Decoder) error { return nil })
	return hook.AffectedHook(ah).Handle(done).Invoke(ctx, req, &out)
}

// affectedRequests are gotd's types for the methods that answer with a
// messages.affected* result: feedAffected decodes the request into one so
// that gotd's AffectedHook finds its channel. A test checks the list
// against the schema. (tg.TypesConstructorMap would do without a list, but
// it links every tg type and makes the binary half again as large.)
var affectedRequests = map[uint32]func() bin.Object{
	tg.MessagesReadHistoryRequestTypeID:              newObject[tg.MessagesReadHistoryRequest],
	tg.MessagesDeleteHistoryRequestTypeID:            newObject[tg.MessagesDeleteHistoryRequest],
	tg.MessagesDeleteMessagesRequestTypeID:           newObject[tg.MessagesDeleteMessagesRequest],
	tg.MessagesReadMessageContentsRequestTypeID:      newObject[tg.MessagesReadMessageContentsRequest],
	tg.MessagesReadMentionsRequestTypeID:             newObject[tg.MessagesReadMentionsRequest],
	tg.MessagesUnpinAllMessagesRequestTypeID:         newObject[tg.MessagesUnpinAllMessagesRequest],
	tg.MessagesDeletePhoneCallHistoryRequestTypeID:   newObject[tg.MessagesDeletePhoneCallHistoryRequest],
	tg.MessagesReadReactionsRequestTypeID:            newObject[tg.MessagesReadReactionsRequest],
	tg.MessagesDeleteSavedHistoryRequestTypeID:       newObject[tg.MessagesDeleteSavedHistoryRequest],
	tg.MessagesDeleteTopicHistoryRequestTypeID:       newObject[tg.MessagesDeleteTopicHistoryRequest],
	tg.MessagesReadPollVotesRequestTypeID:            newObject[tg.MessagesReadPollVotesRequest],
	tg.ChannelsDeleteMessagesRequestTypeID:           newObject[tg.ChannelsDeleteMessagesRequest],
	tg.ChannelsDeleteParticipantHistoryRequestTypeID: newObject[tg.ChannelsDeleteParticipantHistoryRequest],
}

// newObject makes a new *T.
func newObject[T any, P interface {
	*T
	bin.Object
}]() bin.Object {
	return P(new(T))
}

// typedRequest decodes a raw request (luabind's) into gotd's type for it.
func typedRequest(input bin.Encoder) (bin.Object, bool) {
	if obj, ok := input.(bin.Object); ok {
		return obj, true
	}
	var b bin.Buffer
	if err := input.Encode(&b); err != nil {
		return nil, false
	}
	id, err := b.PeekID()
	if err != nil {
		return nil, false
	}
	newObj, ok := affectedRequests[id]
	if !ok {
		return nil, false
	}
	obj := newObj()
	if err := obj.Decode(&b); err != nil {
		return nil, false
	}
	return obj, true
}

// seenMessages remembers the last new messages dispatched. gotd's manager
// can deliver one message twice when it arrives while the manager catches
// up after a start: once live and once from updates.getDifference (with
// pts -1). Handlers see each message once.
//
// Both are made on the first message: a runtime that never handles
// updates does not carry them.
type seenMessages struct {
	set  map[seenKey]struct{}
	ring []seenKey // the last seenRing keys, oldest at next
	next int
}

// seenRing is how many messages seenMessages remembers.
const seenRing = 512

type seenKey struct {
	kind byte // 'u', 'c' or 'C': user, chat or channel; 0 for none
	peer int64
	id   int
}

// repeated reports whether m was seen, and remembers it.
func (s *seenMessages) repeated(m tg.MessageClass) bool {
	if m == nil {
		return false
	}
	k := seenKey{id: m.GetID()}
	switch p := peerOf(m).(type) {
	case *tg.PeerUser:
		k.kind, k.peer = 'u', p.UserID
	case *tg.PeerChat:
		k.kind, k.peer = 'c', p.ChatID
	case *tg.PeerChannel:
		k.kind, k.peer = 'C', p.ChannelID
	}
	if s.set == nil {
		s.set = make(map[seenKey]struct{}, seenRing)
		s.ring = make([]seenKey, seenRing)
	}
	if _, ok := s.set[k]; ok {
		return true
	}
	if old := s.ring[s.next]; old != (seenKey{}) {
		delete(s.set, old)
	}
	s.ring[s.next] = k
	s.next = (s.next + 1) % len(s.ring)
	s.set[k] = struct{}{}
	return false
}

// peerOf is the chat a message is in.
func peerOf(m tg.MessageClass) tg.PeerClass {
	switch m := m.(type) {
	case *tg.Message:
		return m.PeerID
	case *tg.MessageService:
		return m.PeerID
	}
	return nil
}
