package runtime

import (
	"fmt"

	lua "github.com/yuin/gopher-lua"
)

func stringOf(v any) string { return fmt.Sprint(v) }

// openLibs opens the standard libraries the sandbox level allows.
func openLibs(L *lua.LState, sb Sandbox) {
	open := func(name string, fn lua.LGFunction) {
		L.Push(L.NewFunction(fn))
		L.Push(lua.LString(name))
		L.Call(1, 0)
	}
	if sb == SandboxNone {
		open(lua.LoadLibName, lua.OpenPackage)
		open(lua.BaseLibName, lua.OpenBase)
		open(lua.TabLibName, lua.OpenTable)
		open(lua.IoLibName, lua.OpenIo)
		open(lua.OsLibName, lua.OpenOs)
		open(lua.StringLibName, lua.OpenString)
		open(lua.MathLibName, lua.OpenMath)
		open(lua.DebugLibName, lua.OpenDebug)
		open(lua.ChannelLibName, lua.OpenChannel)
		open(lua.CoroutineLibName, lua.OpenCoroutine)
		return
	}
	open(lua.BaseLibName, lua.OpenBase)
	open(lua.TabLibName, lua.OpenTable)
	open(lua.StringLibName, lua.OpenString)
	open(lua.MathLibName, lua.OpenMath)
	open(lua.CoroutineLibName, lua.OpenCoroutine)
	for _, name := range []string{"dofile", "loadfile", "require", "module", "collectgarbage"} {
		L.SetGlobal(name, lua.LNil)
	}
	// load and loadstring take source text only: bytecode cannot be made
	// in gopher-lua, and no loader reaches the disk.
	open(lua.OsLibName, lua.OpenOs)
	osT := L.GetGlobal("os").(*lua.LTable)
	safe := L.CreateTable(0, 3)
	for _, name := range []string{"time", "clock", "date"} {
		safe.RawSetString(name, osT.RawGetString(name))
	}
	L.SetGlobal("os", safe)
	L.SetField(L.Get(lua.RegistryIndex), "_LOADED", L.CreateTable(0, 0))
}
