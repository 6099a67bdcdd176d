package runtime

import (
	lua "github.com/yuin/gopher-lua"
)

// Lazily opened libraries.
//
// Opening a standard library costs every VM its table and a function
// object per entry: io, os, math, debug, channel and package together are
// about 35 KB, which a fleet of a thousand accounts, or a script that never
// touches them, carries for nothing. openLazy puts an empty table in the
// library's place, with a metatable shared by all of them, and opens the
// library into that same table on its first use: any index or assignment,
// and the base functions that would see past the metatable (next, pairs,
// rawget, rawset, getmetatable, setmetatable). The table a script holds is
// the library from then on, as are package.loaded[name] and require(name).

// lazyLibs are a VM's libraries not yet opened.
type lazyLibs struct {
	meta    *lua.LTable
	pending map[*lua.LTable]lazyLib
}

type lazyLib struct {
	name string
	open lua.LGFunction
	then func(L *lua.LState, lib *lua.LTable) // after opening; may be nil
}

func newLazyLibs(L *lua.LState) *lazyLibs {
	z := &lazyLibs{pending: make(map[*lua.LTable]lazyLib, 6)}
	z.meta = L.CreateTable(0, 2)
	z.meta.RawSetString("__index", L.NewFunction(func(L *lua.LState) int {
		t := L.CheckTable(1)
		z.load(L, t)
		L.Push(t.RawGet(L.Get(2)))
		return 1
	}))
	z.meta.RawSetString("__newindex", L.NewFunction(func(L *lua.LState) int {
		t := L.CheckTable(1)
		z.load(L, t)
		t.RawSet(L.CheckAny(2), L.CheckAny(3))
		return 0
	}))
	for _, name := range []string{"next", "pairs", "rawget", "rawset", "getmetatable", "setmetatable"} {
		z.wrapBase(L, name)
	}
	if loaded(L) == nil {
		L.SetField(L.Get(lua.RegistryIndex), "_LOADED", L.CreateTable(0, 12))
	}
	return z
}

// loaded is the registry's table of loaded modules.
func loaded(L *lua.LState) *lua.LTable {
	t, _ := L.Get(lua.RegistryIndex).(*lua.LTable).RawGetString("_LOADED").(*lua.LTable)
	return t
}

// wrapBase makes the base function name open a lazy first argument.
func (z *lazyLibs) wrapBase(L *lua.LState, name string) {
	wrapGlobal(L, name, func(L *lua.LState) {
		if t, ok := L.Get(1).(*lua.LTable); ok && t.Metatable == z.meta {
			z.load(L, t)
		}
	})
}

// wrapGlobal makes the Go function in global name run before first. The
// wrapper keeps the original's upvalues, where the original finds them
// (pairs keeps next there).
func wrapGlobal(L *lua.LState, name string, first func(*lua.LState)) {
	orig, ok := L.GetGlobal(name).(*lua.LFunction)
	if !ok || !orig.IsG {
		return
	}
	fn := orig.GFunction
	up := make([]lua.LValue, len(orig.Upvalues))
	for i, u := range orig.Upvalues {
		up[i] = u.Value()
	}
	L.SetGlobal(name, L.NewClosure(func(L *lua.LState) int {
		first(L)
		return fn(L)
	}, up...))
}

// add puts the library name in place, to be opened by open on first use.
func (z *lazyLibs) add(L *lua.LState, name string, open lua.LGFunction, then func(*lua.LState, *lua.LTable)) *lua.LTable {
	proxy := L.CreateTable(0, 0)
	proxy.Metatable = z.meta
	z.pending[proxy] = lazyLib{name: name, open: open, then: then}
	L.SetGlobal(name, proxy)
	loaded(L).RawSetString(name, proxy)
	return proxy
}

// load opens the library t stands for into t, once.
func (z *lazyLibs) load(L *lua.LState, t *lua.LTable) {
	lib, ok := z.pending[t]
	if !ok {
		return
	}
	delete(z.pending, t)
	t.Metatable = lua.LNil
	mods := loaded(L)
	// The opener registers a fresh module: it finds neither the global nor
	// the loaded entry, and its table is copied into t.
	L.SetGlobal(lib.name, lua.LNil)
	mods.RawSetString(lib.name, lua.LNil)
	L.Push(L.NewFunction(lib.open))
	L.Push(lua.LString(lib.name))
	L.Call(1, 1)
	if opened, ok := L.Get(-1).(*lua.LTable); ok && opened != t {
		opened.ForEach(func(k, v lua.LValue) {
			if t.RawGet(k) == lua.LNil {
				t.RawSet(k, v)
			}
		})
	}
	L.Pop(1)
	// OpenPackage replaces the registry's loaded table with its own empty
	// one: the modules opened so far live in mods.
	if now := loaded(L); now != mods {
		L.Get(lua.RegistryIndex).(*lua.LTable).RawSetString("_LOADED", mods)
	}
	L.SetGlobal(lib.name, t)
	mods.RawSetString(lib.name, t)
	if lib.then != nil {
		lib.then(L, t)
	}
}

// OpenLazy opens t if it is a standard library not opened yet, so that Go
// code can walk it (ForEach, RawGet); other tables are left as they are.
// Lua code never needs it.
func (r *Runtime) OpenLazy(t *lua.LTable) {
	if r.lazy != nil && t != nil {
		r.lazy.load(r.L, t)
	}
}
