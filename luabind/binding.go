// Package luabind binds the Telegram API into a gopher-lua VM.
//
// Every TL namespace becomes a table of methods (`messages.sendMessage{...}`),
// reachable as a global and under `tg`. A call encodes its argument table
// straight to TL bytes from the schema (package schema), sends them through
// an Invoker, and decodes the answer straight back into Lua values. There is
// no reflection over gotd's generated types and no JSON in between.
//
// Conversions:
//
//	TL              Lua
//	int, double     number
//	long            number when |v| <= 2^53, else decimal string (both accepted back)
//	string, bytes   string
//	int128, int256  string of 16 / 32 bytes
//	Bool            boolean
//	flags.N?true    boolean (absent or false: bit unset)
//	flags.N?T       nil when absent
//	Vector<T>       array table
//	object          table with '_' naming the constructor
//
// Bad arguments raise a Lua error naming the method, the field path and the
// expected type; nothing is sent. RPC and transport errors raise structured
// error values (see Error).
//
// Tables decoded from a call's answer are ordinary Lua tables, but objects
// of one constructor share their key order until they are given a new key
// (shape.go). From Go, add keys to them with Binding.SetField or
// L.SetField, not RawSetString.
package luabind

import (
	"context"
	"errors"
	"sort"
	"strings"

	"github.com/gotd/td/bin"
	lua "github.com/yuin/gopher-lua"

	"github.com/tglua/tglua/internal/suggest"
	"github.com/tglua/tglua/luabind/schema"
)

// Invoker sends one raw request and decodes its answer. gotd's
// telegram.Client and tg.Invoker satisfy it.
type Invoker interface {
	Invoke(ctx context.Context, input bin.Encoder, output bin.Decoder) error
}

// Options configure Register.
type Options struct {
	// Invoker sends requests. Without one, calls raise "not connected".
	Invoker Invoker
	// Resolver, if set, resolves peer shorthands for InputPeer, InputUser
	// and InputChannel parameters.
	Resolver Resolver
	// Plan, if set, decides once per method, when the method's function is
	// created, what the host does around that method's calls: see Plan.
	Plan func(m *schema.Constructor) Plan
	// Hook, if set, sees the decoded objects whose constructor IDs are in
	// HookIDs.
	Hook    ObjectHook
	HookIDs []uint32
	// NoGlobals registers the namespaces only under the `tg` table.
	NoGlobals bool
	// Split turns calls with long messages into several calls; see
	// Splitter. When nil, the default splits the `message` of SplitMethods
	// at the limit (split.limit, the server's message_length_max, or 4096
	// UTF-16 units) and installs the `split` global.
	Split Splitter
	// MaxChunks is how many messages the default splitter may make of one
	// call (a script changes it with split.max_chunks); zero means
	// DefaultMaxChunks.
	MaxChunks int
}

// Plan is what a host does around the calls of one method. Options.Plan
// makes it once per method, so that a call runs only the steps its method
// needs instead of asking on every call whether they apply. That matters
// more than it seems: between two calls of one VM, the RPC's round trip
// (and the other VMs of the process) push the VM's data out of the CPU
// caches, so every lookup a call makes is likely a cache miss.
type Plan struct {
	// Guard, if set, runs before a request is sent, after its arguments
	// are encoded; an error stops the call. The runtime uses it for the
	// allowlist and to refuse user-only methods on bot sessions.
	Guard func(ctx context.Context, m *schema.Constructor) error
	// Refuse, if set, runs first, before the arguments are even looked
	// at (so before any peer is resolved); an error stops the call. The
	// runtime sets it for methods outside its allowlist, so that their
	// refusal is what a script sees.
	Refuse func(ctx context.Context, m *schema.Constructor) error
	// Prepare, if set, may return a new argument table for a call before
	// it is split and encoded, e.g. to turn a formatted message into text
	// and entities. Its error is raised like a bad argument (*ArgError) or
	// an RPC error.
	Prepare func(L *lua.LState, m *schema.Constructor, args *lua.LTable) (*lua.LTable, error)
}

// Splitter turns one call into several when a message is too long. Split
// returns nil when the call goes out as it is; otherwise it returns one
// argument table per call, in order.
type Splitter interface {
	Split(L *lua.LState, m *schema.Constructor, args *lua.LTable) ([]*lua.LTable, error)
}

// Binding is the Telegram API bound into one Lua state.
type Binding struct {
	// What every call touches comes first, to share as few cache lines as
	// possible (see Plan).

	// An idle encoder and exchange kept for the next call, so that a call
	// neither goes through the shared pool nor allocates them. A call that
	// finds them taken (a call made while another is encoding) uses the
	// pool and a fresh exchange.
	enc    *encoder
	x      *exchange
	hot    []uint32 // IDs the hook sees: the host's and config (few: a slice beats a map)
	split  *messageSplitter
	shapes *shapes    // shared key order of decoded tables; nil without fastTables
	hookFn ObjectHook // b.hook, bound once rather than on every call
	xs     exchange   // x's first value: next to the rest, and not allocated
	opts   Options

	ns      map[*lua.LTable]string
	methods map[*lua.LFunction]*schema.Constructor
	userHot map[uint32]bool // IDs the host's hook asked for
	tg      *lua.LTable
}

// Register binds every namespace of the schema into L, as globals (unless
// NoGlobals) and under the global `tg`. Method functions are created on
// first access.
func Register(L *lua.LState, opts Options) *Binding {
	b := &Binding{
		opts:    opts,
		ns:      make(map[*lua.LTable]string, len(schema.Namespaces())+1),
		methods: map[*lua.LFunction]*schema.Constructor{},
	}
	b.hookFn = b.hook
	b.x = &b.xs
	if opts.Hook != nil {
		b.userHot = make(map[uint32]bool, len(opts.HookIDs))
		for _, id := range opts.HookIDs {
			b.hot = append(b.hot, id)
			b.userHot[id] = true
		}
	}
	if opts.Split == nil {
		b.split = registerSplit(L, opts.MaxChunks)
		b.opts.Split = b.split
	}
	if fastTables {
		b.shapes = newShapes(L)
	}
	mt := L.CreateTable(0, 1)
	mt.RawSetString("__index", L.NewFunction(b.index))

	b.tg = L.CreateTable(0, len(schema.Namespaces()))
	b.tg.Metatable = mt
	b.ns[b.tg] = ""
	for _, name := range schema.Namespaces() {
		t := L.CreateTable(0, 0)
		t.Metatable = mt
		b.ns[t] = name
		b.tg.RawSetString(name, t)
		if !opts.NoGlobals {
			L.SetGlobal(name, t)
		}
	}
	L.SetGlobal("tg", b.tg)
	return b
}

// hook dispatches decoded objects to the splitter and the host's hook.
func (b *Binding) hook(c *schema.Constructor, t *lua.LTable) {
	if b.split != nil && c.ID == configID() {
		b.split.observe(t)
	}
	if b.userHot[c.ID] {
		b.opts.Hook(c, t)
	}
}

// SetInvoker replaces the invoker, e.g. once the runtime has connected.
func (b *Binding) SetInvoker(inv Invoker) { b.opts.Invoker = inv }

// Table returns the `tg` table.
func (b *Binding) Table() *lua.LTable { return b.tg }

// Method reports which method a Lua function calls, if it is one of ours.
func (b *Binding) Method(fn *lua.LFunction) (*schema.Constructor, bool) {
	m, ok := b.methods[fn]
	return m, ok
}

// Namespace reports which namespace table t is ("messages"; "" for the
// tg table itself).
func (b *Binding) Namespace(t *lua.LTable) (string, bool) {
	ns, ok := b.ns[t]
	return ns, ok
}

// index creates method functions on first access.
func (b *Binding) index(L *lua.LState) int {
	t := L.CheckTable(1)
	key, ok := L.Get(2).(lua.LString)
	if !ok {
		L.Push(lua.LNil)
		return 1
	}
	ns := b.ns[t]
	name := string(key)
	if ns != "" {
		name = ns + "." + name
	}
	m := schema.ByName(name)
	if m == nil || !m.Method {
		// Leave dunder lookups (__name, __tostring...) alone.
		if strings.HasPrefix(string(key), "__") {
			L.Push(lua.LNil)
			return 1
		}
		L.RaiseError("%s", unknownMethod(ns, string(key)))
		return 0
	}
	// The default splitter only ever splits SplitMethods: other methods
	// skip it. A host's Splitter sees every call.
	b.watchConfig()
	// The function's closure holds all a call needs from here, so that a
	// call reads one cache line for them (see Plan).
	plan, split := b.planOf(m), b.opts.Split != nil && (b.split == nil || SplitMethods[m.Name])
	fn := L.NewFunction(func(L *lua.LState) int { return b.call(L, m, plan, split) })
	b.methods[fn] = m
	t.RawSetString(string(key), fn)
	L.Push(fn)
	return 1
}

func unknownMethod(ns, key string) string {
	full := key
	if ns != "" {
		full = ns + "." + key
	}
	msg := full + ": no such method"
	if s := Suggest(full); s != "" {
		msg += " (did you mean " + s + "?)"
	}
	return msg
}

// Suggest returns the closest method name to name, or "".
func Suggest(name string) string { return suggest.Closest(name, MethodNames()) }

// call is the body of every method function: m's, with its plan; split
// says whether the call goes through the Splitter.
func (b *Binding) call(L *lua.LState, m *schema.Constructor, plan Plan, split bool) int {
	var args *lua.LTable
	switch v := L.Get(1).(type) {
	case *lua.LTable:
		args = v
	case *lua.LNilType:
		args = emptyTable
	default:
		L.RaiseError("%s", (&ArgError{Method: m.Name, Msg: "argument table expected, got " + typeName(v)}).Error())
		return 0
	}
	ctx := L.Context()
	if ctx == nil {
		ctx = context.Background()
	}
	if plan.Refuse != nil {
		if err := plan.Refuse(ctx, m); err != nil {
			raise(L, m.Name, err)
			return 0
		}
	}
	if plan.Prepare != nil {
		prepared, err := plan.Prepare(L, m, args)
		if err != nil {
			raise(L, m.Name, err)
			return 0
		}
		args = prepared
	}
	var calls []*lua.LTable
	if split {
		var err error
		calls, err = b.opts.Split.Split(L, m, args)
		if err != nil {
			raise(L, m.Name, err)
			return 0
		}
	}
	if calls == nil {
		ret, err := b.send(ctx, L, m, plan.Guard, args)
		if err != nil {
			raise(L, m.Name, err)
			return 0
		}
		L.Push(ret)
		return 1
	}
	results := make([]lua.LValue, 0, len(calls))
	for i, args := range calls {
		ret, err := b.send(ctx, L, m, plan.Guard, args)
		if err != nil {
			var ae *ArgError
			if errors.As(err, &ae) {
				raise(L, m.Name, err)
				return 0
			}
			e := AsError(m.Name, err)
			e.Chunk, e.Results = i+1, results
			raise(L, m.Name, e)
			return 0
		}
		results = append(results, ret)
	}
	out := L.CreateTable(len(results), 0)
	for i, v := range results {
		out.RawSetInt(i+1, v)
	}
	L.Push(out)
	return 1
}

// Call encodes args for m, sends the request and decodes the answer. Bad
// arguments give an *ArgError and nothing is sent. The Refuse and Guard of
// m's Plan run; its Prepare does not, and the call is not split. A panic anywhere
// inside becomes an error. Like everything that uses L, call it only from
// the goroutine that runs L.
func (b *Binding) Call(ctx context.Context, L *lua.LState, m *schema.Constructor, args *lua.LTable) (lua.LValue, error) {
	b.watchConfig()
	plan := b.planOf(m)
	if plan.Refuse != nil {
		if err := plan.Refuse(ctx, m); err != nil {
			return nil, err
		}
	}
	return b.send(ctx, L, m, plan.Guard, args)
}

// watchConfig makes the decoder show config answers to the splitter, for
// message_length_max. It runs when a method is first bound or called from
// Go, not in Register: the ID lookup builds the schema index, which
// Register does not need.
func (b *Binding) watchConfig() {
	if b.split != nil && !b.split.watching {
		b.hot = append(b.hot, configID())
		b.split.watching = true
	}
}

// planOf asks the host for m's Plan.
func (b *Binding) planOf(m *schema.Constructor) Plan {
	if b.opts.Plan == nil {
		return Plan{}
	}
	return b.opts.Plan(m)
}

// send is Call with m's guard.
func (b *Binding) send(ctx context.Context, L *lua.LState, m *schema.Constructor, guard func(context.Context, *schema.Constructor) error, args *lua.LTable) (ret lua.LValue, err error) {
	defer func() {
		if r := recover(); r != nil {
			if _, ok := r.(*lua.ApiError); ok {
				panic(r)
			}
			ret, err = nil, internalError(m.Name, r)
		}
	}()
	e := b.takeEncoder(ctx)
	defer b.putEncoder(e)
	if perr := e.request(m, args); perr != nil {
		if perr.cause != nil {
			return nil, perr.cause
		}
		return nil, &ArgError{Method: m.Name, Path: perr.path(), Msg: perr.msg}
	}
	if guard != nil {
		if err := guard(ctx, m); err != nil {
			return nil, err
		}
	}
	if b.opts.Invoker == nil {
		return nil, &Error{Method: m.Name, Type: TypeTransport, Message: "not connected"}
	}
	// Request and answer escape through the Invoker interface: one
	// allocation for both, or none when the binding's idle one is free.
	x := b.x
	b.x = nil
	if x == nil {
		x = new(exchange)
	}
	x.req = request{id: m.ID, body: e.buf.Buf}
	x.res.wantBool = m.Result.Kind == schema.KindBool
	if err := b.opts.Invoker.Invoke(ctx, &x.req, &x.res); err != nil {
		// x is not reused: a cancelled call's answer may still be
		// arriving into it.
		return nil, err
	}
	res := x.res
	// A call that returned without error is over for the invoker: x is
	// free again.
	*x = exchange{}
	b.x = x
	if res.bool != 0 {
		return lua.LBool(res.bool == boolTrue), nil
	}
	d, buf := newDecoder(L, res.body)
	d.shapes = b.shapes
	if len(b.hot) > 0 {
		d.hook, d.hot = b.hookFn, b.hot
	}
	v, err := d.value(buf, m.Result)
	if err != nil {
		var de *decodeError
		if !errors.As(err, &de) {
			err = &decodeError{msg: err.Error()}
		}
		return nil, err
	}
	return v, nil
}

// takeEncoder returns the binding's idle encoder, or one from the pool.
func (b *Binding) takeEncoder(ctx context.Context) *encoder {
	e := b.enc
	if e == nil {
		return getEncoder(ctx, b.opts.Resolver)
	}
	b.enc = nil
	e.start(ctx, b.opts.Resolver)
	return e
}

// putEncoder keeps e as the idle encoder, or returns it to the pool.
func (b *Binding) putEncoder(e *encoder) {
	if b.enc != nil {
		putEncoder(e)
		return
	}
	e.finish()
	b.enc = e
}

// Encode encodes a method call from a Lua table into TL bytes, exactly as a
// call would send it.
func Encode(m *schema.Constructor, args *lua.LTable) ([]byte, error) {
	e := getEncoder(context.Background(), nil)
	defer putEncoder(e)
	if perr := e.request(m, args); perr != nil {
		return nil, &ArgError{Method: m.Name, Path: perr.path(), Msg: perr.msg}
	}
	return append([]byte(nil), e.buf.Buf...), nil
}

// EncodeObject encodes a boxed TL object from a Lua table ('_' names its
// constructor).
func EncodeObject(t *lua.LTable) ([]byte, error) {
	name, _ := t.RawGetString("_").(lua.LString)
	c := schema.ByName(string(name))
	if c == nil {
		return nil, &ArgError{Path: "_", Msg: "unknown constructor '" + string(name) + "'"}
	}
	e := getEncoder(context.Background(), nil)
	defer putEncoder(e)
	e.buf.PutID(c.ID)
	if perr := e.fields(c, t, true); perr != nil {
		return nil, &ArgError{Method: c.Name, Path: perr.path(), Msg: perr.msg}
	}
	return append([]byte(nil), e.buf.Buf...), nil
}

// Decode decodes TL bytes of type t into a Lua value of the binding's VM,
// exactly as a method call decodes its answer (with the shared key order of
// shape.go).
func (b *Binding) Decode(L *lua.LState, data []byte, t schema.TypeRef) (lua.LValue, error) {
	d, buf := newDecoder(L, string(data))
	d.shapes = b.shapes
	return d.value(buf, t)
}

// Decode decodes TL bytes of type t into a Lua value.
func Decode(L *lua.LState, data []byte, t schema.TypeRef) (lua.LValue, error) {
	d, b := newDecoder(L, string(data))
	return d.value(b, t)
}

// DecodeObject decodes one boxed object or method call (by its constructor
// ID) into a table.
func DecodeObject(L *lua.LState, data []byte) (*lua.LTable, error) {
	d, b := newDecoder(L, string(data))
	id, err := b.ID()
	if err != nil {
		return nil, err
	}
	c := schema.ByID(id)
	if c == nil {
		return nil, &decodeError{msg: "unknown constructor"}
	}
	return d.fields(b, c)
}

// MethodNames lists every callable method ("auth.sendInvites", ...), sorted.
func MethodNames() []string {
	var names []string
	for i := range schema.All() {
		if c := &schema.All()[i]; c.Method {
			names = append(names, c.Name)
		}
	}
	sort.Strings(names)
	return names
}

// request is an encoded method call.
type request struct {
	id   uint32
	body []byte
}

// Encode implements bin.Encoder.
func (r *request) Encode(b *bin.Buffer) error {
	b.Buf = append(b.Buf, r.body...)
	return nil
}

// TypeID returns the method's TL ID, for middlewares that log or route by it.
func (r *request) TypeID() uint32 { return r.id }

// exchange is one call's request and answer.
type exchange struct {
	req request
	res result
}

// result holds the raw answer until it is decoded on the Lua goroutine.
// The answer of a Bool method is read where it arrives, with no copy: many
// methods return Bool.
type result struct {
	body     string
	wantBool bool  // the method returns Bool
	bool     uint8 // boolTrue or boolFalse when wantBool and so it was; else 0
}

const (
	boolTrue = 1 + iota
	boolFalse
)

// Decode implements bin.Decoder. It runs on the goroutine that reads the
// connection.
func (r *result) Decode(b *bin.Buffer) error {
	if r.wantBool && b.Len() == bin.Word {
		switch id, _ := b.PeekID(); id {
		case schema.BoolTrueID:
			r.bool = boolTrue
		case schema.BoolFalseID:
			r.bool = boolFalse
		}
		if r.bool != 0 {
			b.Skip(b.Len())
			return nil
		}
	}
	r.body = string(b.Buf)
	b.Skip(b.Len())
	return nil
}
