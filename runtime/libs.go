package runtime

import (
	"fmt"
	"math"
	"strings"

	lua "github.com/yuin/gopher-lua"

	"github.com/tglua/tglua/internal/luastr"
)

func stringOf(v any) string { return fmt.Sprint(v) }

// maxString is the largest string a builtin may build under a memory
// limit (0: no limit).
func maxString(limit int64) int {
	if limit <= 0 {
		return 0
	}
	return int(min(limit, math.MaxInt))
}

// openLibs opens the standard libraries the sandbox level allows.
//
// SandboxStrict keeps base, string, table, math and coroutine, and os.time,
// os.clock and os.date. It leaves out io, the rest of os, debug, channel,
// package, dofile, loadfile, module, collectgarbage (a full GC of the host
// process), _printregs (writes to the real stdout) and string.dump; require
// stays as a function that fails with a clear message. load and loadstring
// compile source text only (gopher-lua has no bytecode loader) and reach no
// file.
//
// At every level load also takes a string, as in Lua 5.2 (load(s [,
// chunkname])), and coroutine.resume and coroutine.wrap run the coroutine under
// the resumer's context (see bindCoroutines), so that cancellation and the
// step budget reach code running in coroutines.
//
// At every level table.unpack and table.pack exist, as in Lua 5.2 (see
// bindTable52), so scripts written for a newer Lua run unchanged.
//
// At every level the string builtins that can run long or build large
// strings (find, match, gmatch, gsub, rep, format, upper, lower and
// table.concat) are internal/luastr's bounded versions: their work counts
// against the step budget and stops when the call's context ends, and the
// strings they build are bounded by Options.MemoryLimit. In the strict
// sandbox the string metatable is read-only too.
//
// At SandboxNone, io, os, math, debug, channel and package open on first
// use (lazylib.go); exit replaces os.exit when os opens.
func openLibs(L *lua.LState, opts Options, exit lua.LGFunction) *lazyLibs {
	sb := opts.Sandbox
	defer func() {
		luastr.Open(L, luastr.Limits{Spend: spendSteps, MaxString: maxString(opts.MemoryLimit)})
		if sb != SandboxNone {
			luastr.Protect(L)
		}
	}()
	open := func(name string, fn lua.LGFunction) {
		L.Push(L.NewFunction(fn))
		L.Push(lua.LString(name))
		L.Call(1, 0)
	}
	if sb == SandboxNone {
		open(lua.BaseLibName, lua.OpenBase)
		open(lua.TabLibName, lua.OpenTable)
		open(lua.StringLibName, lua.OpenString)
		open(lua.CoroutineLibName, lua.OpenCoroutine)
		bindCoroutines(L)
		bindLoad(L)
		bindTable52(L)
		z := newLazyLibs(L)
		pkg := z.add(L, lua.LoadLibName, lua.OpenPackage, func(L *lua.LState, pkg *lua.LTable) {
			pkg.RawSetString("loaded", loaded(L))
			setModulePaths(pkg, opts.ModulePaths)
		})
		// require finds its loaders through the package library.
		wrapGlobal(L, "require", func(L *lua.LState) { z.load(L, pkg) })
		z.add(L, lua.IoLibName, lua.OpenIo, nil)
		z.add(L, lua.OsLibName, lua.OpenOs, func(L *lua.LState, os *lua.LTable) {
			if exit != nil && os.RawGetString("exit") != lua.LNil {
				os.RawSetString("exit", L.NewFunction(exit))
			}
		})
		z.add(L, lua.MathLibName, lua.OpenMath, nil)
		z.add(L, lua.DebugLibName, lua.OpenDebug, nil)
		z.add(L, lua.ChannelLibName, lua.OpenChannel, nil)
		return z
	}
	open(lua.BaseLibName, lua.OpenBase)
	open(lua.TabLibName, lua.OpenTable)
	open(lua.StringLibName, lua.OpenString)
	open(lua.MathLibName, lua.OpenMath)
	open(lua.CoroutineLibName, lua.OpenCoroutine)
	bindCoroutines(L)
	bindLoad(L)
	bindTable52(L)
	for _, name := range []string{"dofile", "loadfile", "module", "collectgarbage", "_printregs"} {
		L.SetGlobal(name, lua.LNil)
	}
	L.SetGlobal("require", L.NewFunction(func(L *lua.LState) int {
		L.RaiseError("require: module loading is disabled in the strict sandbox")
		return 0
	}))
	if str, ok := L.GetGlobal("string").(*lua.LTable); ok {
		str.RawSetString("dump", lua.LNil)
	}

	// os: the clock and date functions only. The full table is also dropped
	// from the registry's _LOADED, where OpenOs put it.
	open(lua.OsLibName, lua.OpenOs)
	full, _ := L.GetGlobal("os").(*lua.LTable)
	safe := L.CreateTable(0, 3)
	if full != nil {
		for _, name := range []string{"time", "clock", "date"} {
			safe.RawSetString(name, full.RawGetString(name))
		}
	}
	L.SetGlobal("os", safe)
	if loaded, ok := L.GetField(L.Get(lua.RegistryIndex), "_LOADED").(*lua.LTable); ok {
		loaded.RawSetString("os", safe)
	}
	return nil
}

// bindTable52 adds Lua 5.2's table.unpack (base unpack) and table.pack
// (the arguments with n, their count, nils included).
func bindTable52(L *lua.LState) {
	tbl, ok := L.GetGlobal("table").(*lua.LTable)
	if !ok {
		return
	}
	if unpack := L.GetGlobal("unpack"); unpack != lua.LNil {
		tbl.RawSetString("unpack", unpack)
	}
	tbl.RawSetString("pack", L.NewFunction(func(L *lua.LState) int {
		n := L.GetTop()
		t := L.CreateTable(n, 1)
		for i := 1; i <= n; i++ {
			t.RawSetInt(i, L.Get(i))
		}
		t.RawSetString("n", lua.LNumber(n))
		L.Push(t)
		return 1
	}))
}

// bindLoad lets load take a source string as well as a reader function.
// Binary chunks are refused with a clear message (gopher-lua has no
// bytecode loader at all).
func bindLoad(L *lua.LState) {
	fn, ok := L.GetGlobal("load").(*lua.LFunction)
	if !ok || !fn.IsG {
		return
	}
	load := fn.GFunction
	L.SetGlobal("load", L.NewFunction(func(L *lua.LState) int {
		src, ok := L.Get(1).(lua.LString)
		if !ok {
			return load(L)
		}
		if strings.HasPrefix(string(src), "\x1b") {
			L.Push(lua.LNil)
			L.Push(lua.LString("load: binary chunks are not supported"))
			return 2
		}
		chunk, err := L.Load(strings.NewReader(string(src)), L.OptString(2, "<string>"))
		if err != nil {
			L.Push(lua.LNil)
			L.Push(lua.LString(err.Error()))
			return 2
		}
		L.Push(chunk)
		return 1
	}))
}
