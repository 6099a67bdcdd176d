package luastr

import (
	"strings"
	"testing"

	lua "github.com/yuin/gopher-lua"
)

// prelude defines show, which renders values the same way in gopher-lua and
// in C Lua 5.1 (strings quoted with decimal escapes for unusual bytes), and
// gm, which renders every match of string.gmatch. It uses no pattern
// function, so that it does not depend on what it tests.
const prelude = `
local function show1(v)
  if type(v) ~= "string" then return tostring(v) end
  local out = '"'
  for i = 1, #v do
    local b = string.byte(v, i)
    if b < 32 or b >= 127 or b == 34 or b == 92 then
      out = out .. "\\" .. b
    else
      out = out .. string.char(b)
    end
  end
  return out .. '"'
end
function show(...)
  local out = ""
  for i = 1, select("#", ...) do
    if i > 1 then out = out .. ", " end
    out = out .. show1((select(i, ...)))
  end
  return out
end
local function pack(...) return select("#", ...), {...} end
function gm(s, p)
  local out, it = "", string.gmatch(s, p)
  while true do
    local n, r = pack(it())
    if n == 0 then return out end
    out = out .. "[" .. show(unpack(r, 1, n)) .. "]"
  end
end
`

// newVM returns a VM with the standard libraries, the bounded ones opened
// over them, and the prelude.
func newVM(t testing.TB, lim Limits) *lua.LState {
	t.Helper()
	L := lua.NewState()
	t.Cleanup(L.Close)
	Open(L, lim)
	if err := L.DoString(prelude); err != nil {
		t.Fatal(err)
	}
	return L
}

// eval runs "return show(<code>)" and returns its result, or "error: " and
// the error's message.
func eval(L *lua.LState, code string) string {
	top := L.GetTop()
	defer L.SetTop(top)
	if err := L.DoString("return show(" + code + ")"); err != nil {
		msg := err.Error()
		if ae, ok := err.(*lua.ApiError); ok {
			msg = lua.LVAsString(ae.Object)
		}
		return "error: " + msg
	}
	return lua.LVAsString(L.Get(-1))
}

// matches reports whether got is what want asks for: equal, or for a want
// "error: msg", an error whose message contains msg.
func matches(got, want string) bool {
	if msg, ok := strings.CutPrefix(want, "error: "); ok {
		return strings.HasPrefix(got, "error: ") && strings.Contains(got, msg)
	}
	return got == want
}
