package luabind

import (
	"unsafe"

	lua "github.com/yuin/gopher-lua"

	"github.com/tglua/tglua/luabind/schema"
)

// Shared key order.
//
// A gopher-lua table with string keys carries, besides its values, a key
// list and a key → position map for next(). Building that map for every
// decoded object was a third of decoding. Objects decoded by a method call
// therefore share, per VM and per constructor, one key list ("_" then every
// parameter, present or not: next() skips keys without a value) and one
// position map, until the table is first given a key outside that list.
//
// gopher-lua only writes those two when a key is new to the map, so
// updating a field, or setting an absent field of the constructor, never
// touches them. Giving a table a key outside its constructor's list would
// write to the shared map: before that happens the table is given its own
// copy ("privatized"). Lua code gets there through the tables' metatable
// (__newindex runs exactly for absent keys) and through rawset and
// setmetatable, which the binding wraps. Go code that adds a new key to a
// decoded table must use SetField (or L.SetField, which honours
// __newindex), not RawSetString.
//
// The sharing is per VM (per Binding), so VMs on different goroutines never
// share a map.

// shape is the shared key order of one constructor in one VM.
type shape struct {
	keys []lua.LValue // len == cap: an append always copies
	k2i  map[lua.LValue]int
}

// shapes are a VM's shared key orders and the metatable of shaped tables.
type shapes struct {
	meta   *lua.LTable
	byCtor []*[shapeChunk]*shape // by constructor index: chunks of shapeChunk, made as used
}

func newShapes(L *lua.LState) *shapes {
	s := &shapes{}
	s.meta = L.CreateTable(0, 2)
	s.meta.RawSetString("__newindex", L.NewFunction(func(L *lua.LState) int {
		t := L.CheckTable(1)
		s.privatize(t)
		t.RawSet(L.CheckAny(2), L.CheckAny(3))
		return 0
	}))
	s.meta.RawSetString("__name", lua.LString("tglua.object"))
	s.wrapBase(L, "rawset")
	s.wrapBase(L, "setmetatable")
	return s
}

// wrapBase makes the base function name privatize a shaped first argument.
func (s *shapes) wrapBase(L *lua.LState, name string) {
	orig, ok := L.GetGlobal(name).(*lua.LFunction)
	if !ok {
		return
	}
	L.SetGlobal(name, L.NewFunction(func(L *lua.LState) int {
		if t, ok := L.Get(1).(*lua.LTable); ok {
			s.privatize(t)
		}
		top := L.GetTop()
		L.Push(orig)
		for i := 1; i <= top; i++ {
			L.Push(L.Get(i))
		}
		L.Call(top, lua.MultRet)
		return L.GetTop() - top
	}))
}

// shapeChunk is how many constructors share one chunk of a VM's shapes: a
// VM decodes a few dozen constructors out of thousands, and a flat table
// of all would cost every VM 20 KB (the chunk pointers: 1.3 KB).
const shapeChunk = 16

func (s *shapes) of(c *schema.Constructor) *shape {
	if s.byCtor == nil {
		s.byCtor = make([]*[shapeChunk]*shape, (len(schema.All())+shapeChunk-1)/shapeChunk) // on first decode: idle VMs stay small
	}
	i := c.Index()
	chunk := s.byCtor[i/shapeChunk]
	if chunk == nil {
		chunk = new([shapeChunk]*shape)
		s.byCtor[i/shapeChunk] = chunk
	}
	if sh := chunk[i%shapeChunk]; sh != nil {
		return sh
	}
	keys := infoOf(c).keys
	sh := &shape{keys: keys[:len(keys):len(keys)], k2i: make(map[lua.LValue]int, len(keys))}
	for j, k := range keys {
		sh.k2i[k] = j
	}
	chunk[i%shapeChunk] = sh
	return sh
}

// table builds a shaped table: its values, the shared key order, and the
// metatable that privatizes it before a new key is added.
func (s *shapes) table(t *ltable, c *schema.Constructor, idx []int, vals []lua.LValue) *lua.LTable {
	in := infoOf(c)
	sh := s.of(c)
	*t = ltable{
		Metatable: s.meta,
		strdict:   make(map[string]lua.LValue, len(vals)+1),
		keys:      sh.keys,
		k2i:       sh.k2i,
	}
	t.strdict["_"] = in.name
	for i, v := range vals {
		t.strdict[c.Params[idx[i]].Name] = v
	}
	return (*lua.LTable)(unsafe.Pointer(t))
}

// privatize gives a shaped table its own key order, with only the keys it
// holds, and drops the metatable: it becomes an ordinary table.
func (s *shapes) privatize(t *lua.LTable) {
	if !fastTables || t.Metatable != s.meta {
		return
	}
	lt := (*ltable)(unsafe.Pointer(t))
	keys := make([]lua.LValue, 0, len(lt.strdict)+len(lt.dict))
	k2i := make(map[lua.LValue]int, cap(keys))
	for _, k := range lt.keys {
		if _, dup := k2i[k]; dup || t.RawGetH(k) == lua.LNil {
			continue
		}
		k2i[k] = len(keys)
		keys = append(keys, k)
	}
	lt.keys, lt.k2i = keys, k2i
	t.Metatable = lua.LNil
}

// SetField sets t[key] = v from Go. Use it, or L.SetField, rather than
// RawSetString to add a new key to a table decoded from a method call (see
// the package's notes on shared key order in shape.go).
func (b *Binding) SetField(t *lua.LTable, key string, v lua.LValue) {
	if b.shapes != nil {
		b.shapes.privatize(t)
	}
	t.RawSetString(key, v)
}
