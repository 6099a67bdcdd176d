package luastr

import (
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// placeholder is what getmetatable("") returns once Protect has run.
const placeholder = lua.LString("the string metatable is protected")

// Protect makes the string metatable read-only for scripts, as C Lua
// sandboxes do: getmetatable("") returns a placeholder string (the
// metatable's __metatable field), so scripts cannot change how every string
// behaves.
//
// gopher-lua's OpenString makes the string table its own metatable (with
// string.__index = string), so that hiding it from getmetatable would not
// be enough: any script could still set string.__index. Protect therefore
// gives strings a separate metatable, {__index = string, __metatable =
// placeholder} plus any other metamethod the old one had, and removes the
// string table's __index field when it pointed to the table itself. Methods
// keep following the string table, so string.f = ... still defines ("").f,
// as in C Lua. Call it after opening the string library (and after Open, or
// before: either order works); opening the string library again undoes it.
// Protect does nothing if strings have no metatable table (or it is already
// protected).
func Protect(L *lua.LState) {
	mt, ok := L.GetMetatable(lua.LString("")).(*lua.LTable)
	if !ok {
		return
	}
	nmt := L.CreateTable(0, 2)
	mt.ForEach(func(k, v lua.LValue) {
		if s, ok := k.(lua.LString); ok && strings.HasPrefix(string(s), "__") {
			nmt.RawSetString(string(s), v)
		}
	})
	nmt.RawSetString("__metatable", placeholder)
	if idx, ok := mt.RawGetString("__index").(*lua.LTable); ok && idx == mt {
		mt.RawSetString("__index", lua.LNil)
	}
	L.SetMetatable(lua.LString(""), nmt)
}
