package luabind

import (
	"reflect"
	"sync"
	"sync/atomic"
	"unsafe"

	lua "github.com/yuin/gopher-lua"

	"github.com/tglua/tglua/luabind/schema"
)

// Decoded objects are built in one step: gopher-lua's RawSetString grows a
// key list and an index map one field at a time, and boxes each key twice,
// which made decoding allocation-bound. When the layout of lua.LTable is the
// one this file mirrors (checked once, by reflection), tables are filled
// directly with exact capacities and shared, pre-boxed keys; otherwise
// RawSetString is used, and only speed differs.

// ltable mirrors lua.LTable of gopher-lua v1.1.2.
type ltable struct {
	Metatable lua.LValue
	array     []lua.LValue
	dict      map[lua.LValue]lua.LValue
	strdict   map[string]lua.LValue
	keys      []lua.LValue
	k2i       map[lua.LValue]int
}

var fastTables = func() bool {
	want := reflect.TypeOf(ltable{})
	got := reflect.TypeOf(lua.LTable{})
	if want.Size() != got.Size() || want.NumField() != got.NumField() {
		return false
	}
	for i := 0; i < want.NumField(); i++ {
		w, g := want.Field(i), got.Field(i)
		if w.Name != g.Name || w.Type != g.Type || w.Offset != g.Offset {
			return false
		}
	}
	return true
}()

// tableFields returns the string-keyed part of t and its first key of any
// other type (nil if none), without boxing every key as ForEach does. ok is
// false when the layout is unknown; use ForEach then.
func tableFields(t *lua.LTable) (strs map[string]lua.LValue, odd lua.LValue, ok bool) {
	if !fastTables {
		return nil, nil, false
	}
	lt := (*ltable)(unsafe.Pointer(t))
	for i, v := range lt.array {
		if v != lua.LNil {
			return lt.strdict, lua.LNumber(i + 1), true
		}
	}
	if len(lt.dict) > 0 { // ranging over even an empty map costs an iterator
		for k, v := range lt.dict {
			if v != lua.LNil {
				return lt.strdict, k, true
			}
		}
	}
	return lt.strdict, nil, true
}

// tableKeys returns t's key list: every key it was given beyond its array
// part, in order, each once, including keys since set to nil. It is nil
// when the layout is unknown.
func tableKeys(t *lua.LTable) []lua.LValue {
	if !fastTables {
		return nil
	}
	return (*ltable)(unsafe.Pointer(t)).keys
}

// arrayLen returns the length of an array table and whether t is one: keys
// 1..n and nothing else.
func arrayLen(t *lua.LTable) (int, bool) {
	n := t.Len()
	if fastTables {
		lt := (*ltable)(unsafe.Pointer(t))
		for i := n; i < len(lt.array); i++ {
			if lt.array[i] != lua.LNil {
				return n, false
			}
		}
		for i := 0; i < n; i++ {
			if lt.array[i] == lua.LNil {
				return n, false
			}
		}
		for _, v := range lt.strdict {
			if v != lua.LNil {
				return n, false
			}
		}
		for _, v := range lt.dict {
			if v != lua.LNil {
				return n, false
			}
		}
		return n, true
	}
	count := 0
	t.ForEach(func(lua.LValue, lua.LValue) { count++ })
	return n, count == n
}

// ctorInfo is what the codec precomputes per constructor, on first use:
// parameter names to indexes, and the pre-boxed Lua keys ("_" first, then
// the parameter names) and name; for encoding, where each flags word goes
// and a small hash of the parameter names.
type ctorInfo struct {
	index map[string]int
	keys  []lua.LValue
	name  lua.LValue
	// slot is, per parameter, the flags word it is: for a flags parameter,
	// its own; for a conditional one, the word its bit is in; -1 otherwise.
	slot   []int8
	nflags int
	// byHash is 1 + the index of the parameter whose name hashes there
	// (nameHash with seed), 0 for none, -1 when two names do (then index
	// decides).
	byHash [64]int8
	seed   uint8
	// For constructors of at most 64 parameters whose flag bits each
	// belong to one parameter (masks set): the parameters always written
	// (flags words included), the conditional ones, and those of type true.
	masks               bool
	always, cond, trues uint64
}

// nameHash spreads parameter names over ctorInfo.byHash without hashing
// the whole string: a word of the length and five bytes (first, second,
// middle, second to last, last), multiplied by a constant that infoOf picks
// per constructor (hashSeed) so that its names do not collide.
func nameHash(k string, seed uint8) int {
	n := len(k)
	if n == 0 {
		return 0
	}
	w := uint32(n) + uint32(k[0])*31 + uint32(k[min(1, n-1)])*131 + uint32(k[n/2])*1031 + uint32(k[max(n-2, 0)])*8191 + uint32(k[n-1])*65521
	return int((w * (0x9E3779B1 + uint32(seed)*0x632BE5AA)) >> 26)
}

// param returns the index of the parameter named k, or -1.
func (in *ctorInfo) param(c *schema.Constructor, k string) int {
	switch s := in.byHash[nameHash(k, in.seed)]; {
	case s > 0:
		if c.Params[s-1].Name == k {
			return int(s) - 1
		}
		return -1
	case s < 0:
		if i, ok := in.index[k]; ok {
			return i
		}
	}
	return -1
}

// hashNames fills byHash with the first seed under which no two names
// collide, or, if none of 256 does, the last with collisions marked.
func (in *ctorInfo) hashNames(c *schema.Constructor) {
	for seed := 0; seed < 256; seed++ {
		in.seed = uint8(seed)
		clear(in.byHash[:])
		collided := false
		for i := range c.Params {
			switch h := &in.byHash[nameHash(c.Params[i].Name, in.seed)]; {
			case *h == 0:
				*h = int8(i + 1)
			default:
				*h = -1
				collided = true
			}
		}
		if !collided {
			return
		}
	}
}

// setMasks fills the parameter masks, when they apply.
func (in *ctorInfo) setMasks(c *schema.Constructor) {
	if len(c.Params) > 64 || in.nflags > 4 {
		return
	}
	var bitsUsed [4]uint32
	for i := range c.Params {
		p := &c.Params[i]
		switch {
		case p.Conditional():
			b := uint32(1) << p.Bit
			if bitsUsed[in.slot[i]]&b != 0 {
				return // a shared flag bit: values checks it param by param
			}
			bitsUsed[in.slot[i]] |= b
			in.cond |= 1 << i
			if p.Type.Kind == schema.KindTrue {
				in.trues |= 1 << i
			}
		default:
			in.always |= 1 << i
		}
	}
	in.masks = true
}

var (
	infosOnce sync.Once
	infos     []atomic.Pointer[ctorInfo]
)

func infoOf(c *schema.Constructor) *ctorInfo {
	infosOnce.Do(func() { infos = make([]atomic.Pointer[ctorInfo], len(schema.All())) })
	p := &infos[c.Index()]
	if in := p.Load(); in != nil {
		return in
	}
	in := &ctorInfo{
		index: make(map[string]int, len(c.Params)),
		keys:  make([]lua.LValue, len(c.Params)+1),
		name:  lua.LString(c.Name),
		slot:  make([]int8, len(c.Params)),
	}
	in.keys[0] = lua.LString("_")
	for i := range c.Params {
		prm := &c.Params[i]
		in.index[prm.Name] = i
		in.keys[i+1] = lua.LString(prm.Name)
		in.slot[i] = -1
		switch {
		case prm.Type.Kind == schema.KindFlags:
			in.slot[i] = int8(in.nflags)
			in.nflags++
		case prm.Conditional():
			in.slot[i] = in.slot[prm.Flag]
		}
	}
	in.hashNames(c)
	in.setMasks(c)
	p.Store(in)
	return in
}

// objectTable builds the table of a decoded object with its own key order,
// for decoding outside a Binding (Decode, DecodeObject); calls use the
// shared key order of shape.go. idx[i] is the parameter index of vals[i];
// '_' is added first.
func objectTable(c *schema.Constructor, idx []int, vals []lua.LValue) *lua.LTable {
	bx := infoOf(c)
	n := len(vals) + 1
	if !fastTables {
		t := &lua.LTable{Metatable: lua.LNil}
		t.RawSetString("_", bx.name)
		for i, v := range vals {
			t.RawSetString(c.Params[idx[i]].Name, v)
		}
		return t
	}
	t := &ltable{Metatable: lua.LNil, keys: make([]lua.LValue, n)}
	t.strdict = make(map[string]lua.LValue, n)
	t.k2i = make(map[lua.LValue]int, n)
	t.keys[0] = bx.keys[0]
	t.k2i[bx.keys[0]] = 0
	t.strdict["_"] = bx.name
	for i, v := range vals {
		k := bx.keys[idx[i]+1]
		t.keys[i+1] = k
		t.k2i[k] = i + 1
		t.strdict[c.Params[idx[i]].Name] = v
	}
	return (*lua.LTable)(unsafe.Pointer(t))
}

// arrayTable makes a table for an n-element array. With the known layout it
// returns the array part to fill (every element must be set, none nil),
// allocated with the table for small n; otherwise arr is nil and the caller
// uses RawSetInt.
func arrayTable(L *lua.LState, n int) (t *lua.LTable, arr []lua.LValue) {
	if !fastTables {
		return L.CreateTable(n, 0), nil
	}
	var lt *ltable
	switch {
	case n == 0:
		lt = &ltable{}
	case n <= 2:
		x := &struct {
			t ltable
			a [2]lua.LValue
		}{}
		lt, arr = &x.t, x.a[:n]
	case n <= 8:
		x := &struct {
			t ltable
			a [8]lua.LValue
		}{}
		lt, arr = &x.t, x.a[:n]
	default:
		lt, arr = &ltable{}, make([]lua.LValue, n)
	}
	lt.Metatable = lua.LNil
	lt.array = arr
	return (*lua.LTable)(unsafe.Pointer(lt)), arr
}

// smallInts (smallints_table.go) are pre-boxed Lua numbers for common
// small integers (offsets, lengths, counts, small ids), so decoding them
// allocates nothing. The table is a generated literal of constants, which
// the compiler lays out as static data: nothing runs at start-up.
//
//go:generate go run ./internal/smallintsgen -o smallints_table.go

// long converts a TL int or long with the exact rule of LongValue.
func (s *slabs) long(v int64) lua.LValue {
	if v >= smallMin && v <= smallMax {
		return smallInts[v-smallMin]
	}
	if v >= -maxExact && v <= maxExact {
		return s.number(float64(v))
	}
	return LongValue(v)
}

// Boxing: storing a float64 or a string in an lua.LValue interface costs an
// allocation per value. The decoder instead keeps values in slabs and points
// interface values at slab elements, one allocation per 64 values (the
// first slabs of a decode are smaller: 4, 8, 16, 32, so that a small answer
// kept alive, such as account.self, does not hold a slab it barely used). The
// interface words are built exactly as Go builds them (an itab pointer and a
// pointer to an immutable value); nothing ever writes through them.

type iface struct {
	tab  unsafe.Pointer
	data unsafe.Pointer
}

var (
	numTab = func() unsafe.Pointer {
		var v lua.LValue = lua.LNumber(1)
		return (*iface)(unsafe.Pointer(&v)).tab
	}()
	strTab = func() unsafe.Pointer {
		var v lua.LValue = lua.LString("x")
		return (*iface)(unsafe.Pointer(&v)).tab
	}()
)

const slabSize = 64

type slabs struct {
	nums []lua.LNumber
	strs []lua.LString
	tabs []ltable
}

// tableSlab is how many decoded tables share one allocation. A table kept
// alive keeps its slab-mates' memory too, so it stays small.
const tableSlab = 16

// table returns a zero table from the slab.
func (s *slabs) table() *ltable {
	if len(s.tabs) == cap(s.tabs) {
		s.tabs = make([]ltable, 0, nextSlab(cap(s.tabs), tableSlab))
	}
	s.tabs = s.tabs[:len(s.tabs)+1]
	return &s.tabs[len(s.tabs)-1]
}

// nextSlab is the size of the slab after one of size prev: doubling from
// 4 up to max.
func nextSlab(prev, max int) int {
	if prev == 0 {
		return 4
	}
	return min(2*prev, max)
}

// slabsOK checks once that values built from slabs are the values Go
// builds: equal, and of the right dynamic type. If not, boxing is plain.
var slabsOK = func() bool {
	var s slabs
	n, str := s.box(1.5), s.boxString("x")
	_, isNum := n.(lua.LNumber)
	_, isStr := str.(lua.LString)
	return isNum && isStr && n == lua.LValue(lua.LNumber(1.5)) && str == lua.LValue(lua.LString("x"))
}()

func (s *slabs) number(f float64) lua.LValue {
	if !slabsOK {
		return lua.LNumber(f)
	}
	return s.box(f)
}

func (s *slabs) string(str string) lua.LValue {
	if !slabsOK {
		return lua.LString(str)
	}
	return s.boxString(str)
}

func (s *slabs) box(f float64) lua.LValue {
	if len(s.nums) == cap(s.nums) {
		s.nums = make([]lua.LNumber, 0, nextSlab(cap(s.nums), slabSize))
	}
	s.nums = append(s.nums, lua.LNumber(f))
	var v lua.LValue
	w := (*iface)(unsafe.Pointer(&v))
	w.tab, w.data = numTab, unsafe.Pointer(&s.nums[len(s.nums)-1])
	return v
}

func (s *slabs) boxString(str string) lua.LValue {
	if len(s.strs) == cap(s.strs) {
		s.strs = make([]lua.LString, 0, nextSlab(cap(s.strs), slabSize))
	}
	s.strs = append(s.strs, lua.LString(str))
	var v lua.LValue
	w := (*iface)(unsafe.Pointer(&v))
	w.tab, w.data = strTab, unsafe.Pointer(&s.strs[len(s.strs)-1])
	return v
}

// FastPaths reports whether the layout-dependent fast paths (direct table
// construction, slab boxing) are in use; they fall back to gopher-lua's API
// if a dependency's layout ever differs.
func FastPaths() bool { return fastTables && slabsOK }
