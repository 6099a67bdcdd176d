package luabind

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"math/bits"
	"strconv"
	"strings"
	"sync"
	"unsafe"

	"github.com/gotd/td/bin"
	"github.com/gotd/td/tgerr"
	lua "github.com/yuin/gopher-lua"

	"github.com/tglua/tglua/luabind/schema"
)

// ArgError is a bad argument to a method: it names the method, the field path
// and what was expected, as in
// "auth.sendInvites: phone_numbers[2]: string expected, got table".
type ArgError struct {
	Method string
	Path   string // "peer", "phone_numbers[2]", "reply_to.reply_to_msg_id"; "" for the whole argument
	Msg    string
}

func (e *ArgError) Error() string {
	var b strings.Builder
	if e.Method != "" {
		b.WriteString(e.Method)
		b.WriteString(": ")
	}
	if e.Path != "" {
		b.WriteString(e.Path)
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// pathError is built bottom-up while the encoder unwinds; segments are
// collected in reverse.
type pathError struct {
	rev []string
	msg string
	// cause is set when the argument was fine but a call made to resolve
	// it failed (an RPC, transport or context error): that error is raised
	// instead of an argument error.
	cause error
	// For a cycle (limits.go): the depth of the first table that repeats
	// an enclosing one (0: none), and how many segments lie below it,
	// which path leaves out.
	cycleAt int
	cut     int
}

// maxPathSegments is how many segments of a path an error shows; a deeper
// one ends in "...".
const maxPathSegments = 12

func (e *pathError) Error() string { return e.path() + ": " + e.msg }

func (e *pathError) path() string {
	var b strings.Builder
	for i := len(e.rev) - 1; i >= e.cut; i-- {
		if len(e.rev)-i > maxPathSegments {
			b.WriteString("...")
			break
		}
		s := e.rev[i]
		if b.Len() > 0 && s[0] != '[' {
			b.WriteByte('.')
		}
		b.WriteString(s)
	}
	return b.String()
}

func errf(msg string) *pathError { return &pathError{msg: msg} }

func inField(err *pathError, name string) *pathError {
	err.rev = append(err.rev, name)
	return err
}

func inIndex(err *pathError, i int) *pathError {
	err.rev = append(err.rev, "["+strconv.Itoa(i)+"]")
	return err
}

// Resolver turns the shorthand forms of InputPeer, InputUser and
// InputChannel ('@name', 'me', '+1555...', numeric ids, peer tables taken
// from results) into a TL object table. want is the TL type name.
//
// It runs on the goroutine that owns the Lua state, before anything is sent.
type Resolver interface {
	Resolve(ctx context.Context, want string, v lua.LValue) (lua.LValue, error)
}

// resolvable are the types whose parameters accept peer shorthands.
var resolvable = map[string]bool{
	"InputPeer":    true,
	"InputUser":    true,
	"InputChannel": true,
}

// encoder writes Lua values as TL bytes, driven by the schema.
type encoder struct {
	buf      bin.Buffer
	scratch  []lua.LValue
	ctx      context.Context
	resolver Resolver
	depth    int // tables entered: objects and vectors (MaxDepth)
	// stack holds the values of the tables entered, for naming a cycle
	// when the depth limit is hit.
	stack [MaxDepth]lua.LValue
	ctors ctorCache
}

// ctorCache remembers constructors by the identity of the Lua string that
// named them: a script's constant strings are the same Go string every
// time its code runs, so a hit costs a pointer comparison where
// schema.ByName hashes the name and probes a map of thousands.
type ctorCache [32]struct {
	name string
	c    *schema.Constructor
}

func (cc *ctorCache) byName(name string) *schema.Constructor {
	p := unsafe.StringData(name)
	slot := &cc[(uintptr(unsafe.Pointer(p))>>3^uintptr(len(name)))%uintptr(len(cc))]
	if len(slot.name) == len(name) && unsafe.StringData(slot.name) == p {
		return slot.c
	}
	c := schema.ByName(name)
	if c != nil {
		// The cache holds the string, so its memory is never reused for
		// another while it is here.
		slot.name, slot.c = name, c
	}
	return c
}

var encoders = sync.Pool{New: func() any { return &encoder{} }}

func getEncoder(ctx context.Context, r Resolver) *encoder {
	e := encoders.Get().(*encoder)
	e.start(ctx, r)
	return e
}

func putEncoder(e *encoder) {
	e.finish()
	encoders.Put(e)
}

// start readies e for one encoding.
func (e *encoder) start(ctx context.Context, r Resolver) {
	e.buf.Reset()
	e.ctx, e.resolver = ctx, r
	e.depth = 0
}

// finish drops what e holds from its last encoding, and a buffer grown
// past 1 MB.
func (e *encoder) finish() {
	if cap(e.buf.Buf) > 1<<20 {
		e.buf.Buf = nil
	}
	e.ctx, e.resolver = nil, nil
	// fields clears what it used of scratch, also when it panics.
	e.scratch = e.scratch[:0]
}

// request encodes a method call: the method ID, then its parameters from the
// argument table.
func (e *encoder) request(m *schema.Constructor, args *lua.LTable) *pathError {
	e.buf.PutID(m.ID)
	return e.fields(m, args, false)
}

// stackParams is up to how many parameters fields collects on the stack;
// the few constructors with more use the encoder's scratch slice.
const stackParams = 24

// fields encodes the parameters of c from the table t; under tells that t
// has a '_' key.
func (e *encoder) fields(c *schema.Constructor, t *lua.LTable, under bool) *pathError {
	in := infoOf(c)
	var small [stackParams]lua.LValue // nil: absent
	var vals []lua.LValue
	if len(c.Params) <= stackParams {
		vals = small[:len(c.Params)]
	} else {
		base := len(e.scratch)
		e.scratch = append(e.scratch, make([]lua.LValue, len(c.Params))...)
		defer func() {
			clear(e.scratch[base:])
			e.scratch = e.scratch[:base]
		}()
		vals = e.scratch[base:]
	}
	if strs, odd, ok := tableFields(t); ok {
		if odd != nil {
			return oddKey(c, odd)
		}
		// A look-up costs about as much as one step of iterating a Go map,
		// which also costs a start: with no more parameters than keys, look
		// each parameter up, and iterate only to name a key that is none.
		if len(c.Params) <= len(strs)+1 && lookup(c, strs, vals, under) {
			return e.values(c, in, vals)
		}
		if keys := tableKeys(t); len(keys) <= 2*len(strs) {
			if done, err := fromKeys(c, in, strs, keys, vals); err != nil {
				return err
			} else if done {
				return e.values(c, in, vals)
			}
		}
		for k, v := range strs {
			if v == lua.LNil || k == "_" {
				continue
			}
			i := in.param(c, k)
			if i < 0 {
				return unknownField(c, k)
			}
			vals[i] = v
		}
	} else {
		var bad *pathError
		t.ForEach(func(k, v lua.LValue) {
			if bad != nil {
				return
			}
			name, ok := k.(lua.LString)
			switch {
			case !ok:
				bad = oddKey(c, k)
			case name == "_":
			default:
				if i := in.param(c, string(name)); i >= 0 {
					vals[i] = v
				} else {
					bad = unknownField(c, string(name))
				}
			}
		})
		if bad != nil {
			return bad
		}
	}
	return e.values(c, in, vals)
}

// lookup fills vals with the parameters of c looked up in strs. It reports
// false when strs has other keys (then vals may be partly filled).
func lookup(c *schema.Constructor, strs map[string]lua.LValue, vals []lua.LValue, under bool) bool {
	found := 0
	for i := range c.Params {
		p := &c.Params[i]
		if p.Type.Kind == schema.KindFlags {
			continue
		}
		if v, ok := strs[p.Name]; ok {
			if v != lua.LNil {
				vals[i] = v
			}
			found++
		}
	}
	if under {
		found++
	} else if found < len(strs) {
		if _, ok := strs["_"]; ok {
			found++
		}
	}
	return found == len(strs)
}

// fromKeys fills vals by walking keys, the table's key list, and looking
// each key up in strs: a walk has no start to pay, where iterating a Go map
// begins at a random slot. It reports whether the walk met every key of
// strs (when not, vals may be partly filled), or the first key that names
// no parameter.
func fromKeys(c *schema.Constructor, in *ctorInfo, strs map[string]lua.LValue, keys []lua.LValue, vals []lua.LValue) (bool, *pathError) {
	found := 0
	for _, k := range keys {
		name, ok := k.(lua.LString)
		if !ok {
			continue
		}
		v, ok := strs[string(name)]
		if !ok || v == lua.LNil {
			continue
		}
		found++
		if name == "_" {
			continue
		}
		i := in.param(c, string(name))
		if i < 0 {
			return false, unknownField(c, string(name))
		}
		vals[i] = v
	}
	return found == len(strs), nil
}

func oddKey(c *schema.Constructor, k lua.LValue) *pathError {
	return errf("unexpected key " + lua.LVAsString(k) + " (" + typeName(k) + ") in " + c.Name)
}

func unknownField(c *schema.Constructor, name string) *pathError {
	return inField(errf("unknown field (want one of: "+paramList(c)+")"), name)
}

// values encodes the parameters of c from vals, one per parameter (nil
// when absent), computing the flags words from the present ones.
func (e *encoder) values(c *schema.Constructor, in *ctorInfo, vals []lua.LValue) *pathError {
	if in.masks {
		return e.masked(c, in, vals)
	}
	params := c.Params
	var flags [4]uint32 // the flags words, by ctorInfo.slot
	if in.nflags > len(flags) {
		return errf("too many flags words in " + c.Name)
	}
	if in.nflags > 0 {
		for i := range params {
			p := &params[i]
			v := vals[i]
			if v == nil || p.Flag < 0 {
				continue
			}
			if set, err := flagSet(p, v); !set {
				if err != nil {
					return err
				}
				continue
			}
			flags[in.slot[i]] |= 1 << p.Bit
		}
	}

	for i := range params {
		p := &params[i]
		switch p.Type.Kind {
		case schema.KindFlags:
			e.buf.PutUint32(flags[in.slot[i]])
			continue
		case schema.KindTrue:
			continue
		}
		v := vals[i]
		if p.Flag >= 0 {
			if flags[in.slot[i]]&(1<<p.Bit) == 0 {
				continue
			}
			if v == nil {
				// Another field sharing this flag bit is present.
				return inField(errf(schema.TypeName(p.Type)+" expected, got nil (it shares flag bit "+strconv.Itoa(int(p.Bit))+" with a field that is set)"), p.Name)
			}
		}
		if err := e.param(c, p, vals, v); err != nil {
			return err
		}
	}
	return nil
}

// masked is values for constructors with parameter masks: it visits only
// the parameters present and those always written, in order.
func (e *encoder) masked(c *schema.Constructor, in *ctorInfo, vals []lua.LValue) *pathError {
	params := c.Params
	var present uint64
	for i, v := range vals {
		if v != nil {
			present |= 1 << i
		}
	}
	var flags [4]uint32 // the flags words, by ctorInfo.slot
	for m := present & in.cond; m != 0; m &= m - 1 {
		i := bits.TrailingZeros64(m)
		p := &params[i]
		if set, err := flagSet(p, vals[i]); !set {
			if err != nil {
				return err
			}
			continue
		}
		flags[in.slot[i]] |= 1 << p.Bit
	}
	for m := present&in.cond&^in.trues | in.always; m != 0; m &= m - 1 {
		i := bits.TrailingZeros64(m)
		p := &params[i]
		if p.Type.Kind == schema.KindFlags {
			e.buf.PutUint32(flags[in.slot[i]])
			continue
		}
		if err := e.param(c, p, vals, vals[i]); err != nil {
			return err
		}
	}
	return nil
}

// flagSet reports whether a present conditional parameter sets its flag
// bit: a true-typed one only when it is true.
func flagSet(p *schema.Param, v lua.LValue) (bool, *pathError) {
	if p.Type.Kind != schema.KindTrue {
		return true, nil
	}
	switch v {
	case lua.LTrue:
		return true, nil
	case lua.LFalse:
		return false, nil
	}
	return false, inField(errf("boolean expected, got "+typeName(v)), p.Name)
}

// param writes parameter p, which is to be written, from v (nil when
// absent): a missing random_id is made up, a missing number of a method
// defaults to 0 and offset_peer to inputPeerEmpty (schema.Default), and
// anything else missing is the value's error.
func (e *encoder) param(c *schema.Constructor, p *schema.Param, vals []lua.LValue, v lua.LValue) *pathError {
	if v == nil {
		if p.Name == "random_id" {
			e.randomID(c, p, vals)
			return nil
		}
		v = lua.LNil
		switch schema.Default(c, p) {
		case "0":
			switch p.Type.Kind {
			case schema.KindInt:
				e.buf.PutInt32(0)
			case schema.KindLong:
				e.buf.PutLong(0)
			default:
				e.buf.PutDouble(0)
			}
			return nil
		case "inputPeerEmpty":
			v = lua.LString("inputPeerEmpty")
		}
	}
	if err := e.value(p.Type, v); err != nil {
		return inField(err, p.Name)
	}
	return nil
}

// randomID fills a missing random_id: one long, or one per message id when
// the parameter is a vector (messages.forwardMessages).
func (e *encoder) randomID(c *schema.Constructor, p *schema.Param, vals []lua.LValue) {
	if p.Type.Kind == schema.KindLong {
		e.buf.PutLong(randomLong())
		return
	}
	n := 0
	for i := range c.Params {
		if c.Params[i].Name == "id" {
			if t, ok := vals[i].(*lua.LTable); ok {
				n = t.Len()
			}
		}
	}
	e.buf.PutVectorHeader(n)
	for range n {
		e.buf.PutLong(randomLong())
	}
}

func randomLong() int64 {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return int64(binary.LittleEndian.Uint64(b[:]))
}

// value encodes one value of type t.
func (e *encoder) value(t schema.TypeRef, v lua.LValue) *pathError {
	switch t.Kind {
	case schema.KindInt:
		n, msg := toInt(v)
		if msg != "" {
			return errf(msg)
		}
		e.buf.PutInt32(n)
	case schema.KindLong:
		n, ok := ToLong(v)
		if !ok {
			return errf(longError(v))
		}
		e.buf.PutLong(n)
	case schema.KindDouble:
		n, ok := v.(lua.LNumber)
		if !ok {
			return errf("double expected, got " + typeName(v))
		}
		e.buf.PutDouble(float64(n))
	case schema.KindString, schema.KindBytes:
		s, ok := v.(lua.LString)
		if !ok {
			return errf(t.Kind.String() + " expected, got " + typeName(v))
		}
		if len(s) > MaxRequestSize {
			return requestTooLarge(len(e.buf.Buf) + len(s))
		}
		e.buf.PutString(string(s))
	case schema.KindInt128, schema.KindInt256:
		size := 16
		if t.Kind == schema.KindInt256 {
			size = 32
		}
		s, ok := v.(lua.LString)
		if !ok || len(s) != size {
			got := typeName(v)
			if ok {
				got = "string of " + strconv.Itoa(len(s)) + " bytes"
			}
			return errf(t.Kind.String() + " expected (a string of " + strconv.Itoa(size) + " bytes), got " + got)
		}
		e.buf.Buf = append(e.buf.Buf, s...)
	case schema.KindBool:
		b, ok := v.(lua.LBool)
		if !ok {
			return errf("boolean expected, got " + typeName(v))
		}
		e.buf.PutBool(bool(b))
	case schema.KindVector, schema.KindBareVector, schema.KindObject:
		if e.depth == MaxDepth {
			return e.tooDeep(v)
		}
		e.stack[e.depth] = v
		e.depth++
		var err *pathError
		if t.Kind == schema.KindObject {
			err = e.object(t.Type, v)
		} else {
			err = e.vector(t, v)
		}
		e.depth--
		e.stack[e.depth] = nil
		if err != nil {
			if err.cycleAt != 0 && err.cycleAt == e.depth {
				err.cut = len(err.rev)
			}
			return err
		}
		if len(e.buf.Buf) > MaxRequestSize {
			return requestTooLarge(len(e.buf.Buf))
		}
		return nil
	default:
		return errf("unsupported type " + t.Kind.String())
	}
	return nil
}

func (e *encoder) vector(t schema.TypeRef, v lua.LValue) *pathError {
	tbl, ok := v.(*lua.LTable)
	if !ok {
		return errf(schema.TypeName(t) + " expected (an array table), got " + typeName(v))
	}
	n, ok := arrayLen(tbl)
	if !ok {
		return errf(schema.TypeName(t) + " expected (an array table without holes), got a table with holes or non-integer keys")
	}
	if t.Kind == schema.KindVector {
		e.buf.PutID(schema.VectorID)
	}
	e.buf.PutInt(n)
	elem := schema.TypeRef{Kind: t.Elem, Type: t.Type}
	for i := 1; i <= n; i++ {
		if err := e.value(elem, tbl.RawGetInt(i)); err != nil {
			return inIndex(err, i)
		}
		if len(e.buf.Buf) > MaxRequestSize {
			return requestTooLarge(len(e.buf.Buf))
		}
	}
	return nil
}

// object encodes a boxed value of type ti: a table whose '_' names the
// constructor, or a constructor name for constructors without fields.
func (e *encoder) object(ti uint16, v lua.LValue) *pathError {
	typ := schema.TypeAt(ti)
	switch val := v.(type) {
	case lua.LString:
		c := e.ctors.byName(string(val))
		if c == nil || c.Method || c.Type != ti {
			if e.resolver != nil && resolvable[typ.Name] {
				return e.resolved(ti, typ, v)
			}
			return errf("unknown constructor '" + clip(string(val)) + "' (want " + typ.Name + ")")
		}
		for i := range c.Params {
			if c.Params[i].Type.Kind != schema.KindFlags && !c.Params[i].Conditional() {
				return errf("constructor '" + c.Name + "' has fields; pass a table {_='" + c.Name + "', ...}")
			}
		}
		e.buf.PutID(c.ID)
		return e.fields(c, emptyTable, false)
	case *lua.LTable:
		var c *schema.Constructor
		switch name := val.RawGetString("_").(type) {
		case lua.LString:
			c = e.ctors.byName(string(name))
			if c == nil || c.Method || c.Type != ti {
				if c != nil && e.resolver != nil && resolvable[typ.Name] {
					return e.resolved(ti, typ, v)
				}
				return errf("unknown constructor '" + clip(string(name)) + "' (want " + typ.Name + ")")
			}
		case *lua.LNilType:
			if len(typ.Constructors) != 1 {
				return errf(typ.Name + " expected: name its constructor in '_' (" + constructorList(typ) + ")")
			}
			c = &schema.All()[typ.Constructors[0]]
		default:
			return inField(errf("constructor name expected, got "+typeName(name)), "_")
		}
		e.buf.PutID(c.ID)
		return e.fields(c, val, true)
	default:
		if e.resolver != nil && resolvable[typ.Name] && v != lua.LNil {
			return e.resolved(ti, typ, v)
		}
		return errf(typ.Name + " expected, got " + typeName(v))
	}
}

// resolved asks the resolver for a peer shorthand and encodes its answer.
func (e *encoder) resolved(ti uint16, typ *schema.Type, v lua.LValue) *pathError {
	r := e.resolver
	got, err := r.Resolve(e.ctx, typ.Name, v)
	if err != nil {
		perr := errf(err.Error())
		if callFailure(err) {
			perr.cause = err
		}
		return perr
	}
	if t, ok := got.(*lua.LTable); ok {
		if c, ok := t.RawGetString("_").(lua.LString); ok {
			if k := schema.ByName(string(c)); k == nil || k.Type != ti {
				return errf("resolver returned '" + string(c) + "', not a " + typ.Name)
			}
		}
	}
	// Resolve once: the answer is a TL object, not another shorthand.
	e.resolver = nil
	defer func() { e.resolver = r }()
	return e.object(ti, got)
}

// callFailure reports whether err is the failure of a call (RPC, transport,
// cancellation) rather than a bad value.
func callFailure(err error) bool {
	var le *Error
	if errors.As(err, &le) {
		return true
	}
	if _, ok := tgerr.As(err); ok {
		return true
	}
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}

var emptyTable = &lua.LTable{Metatable: lua.LNil}

func paramList(c *schema.Constructor) string {
	var names []string
	for i := range c.Params {
		if c.Params[i].Type.Kind != schema.KindFlags {
			names = append(names, c.Params[i].Name)
		}
	}
	if len(names) == 0 {
		return "no fields"
	}
	return strings.Join(names, ", ")
}

func constructorList(t *schema.Type) string {
	all := schema.All()
	var names []string
	for i, ci := range t.Constructors {
		if i == 6 {
			names = append(names, "...")
			break
		}
		names = append(names, all[ci].Name)
	}
	return strings.Join(names, ", ")
}
