package luastr

import (
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// upper and lower keep gopher-lua's Unicode case mapping (strings.ToUpper,
// strings.ToLower; Lua 5.1 maps ASCII letters only). That mapping may grow
// a string up to three times (each invalid UTF-8 byte becomes U+FFFD), so
// the result is checked against Limits.MaxString.

func (lb *lib) upper(L *lua.LState) int { return lb.caseMap(L, "upper", strings.ToUpper) }

func (lb *lib) lower(L *lua.LState) int { return lb.caseMap(L, "lower", strings.ToLower) }

func (lb *lib) caseMap(L *lua.LState, fname string, f func(string) string) int {
	s := checkString(L, 1, fname)
	mt := lb.meter(L)
	mt.addBytes(len(s))
	mt.done()
	r := f(s)
	lb.checkGrow(L, "string."+fname, 0, len(r), false)
	L.Push(lua.LString(r))
	return 1
}
