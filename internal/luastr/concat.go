package luastr

import (
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// concat is table.concat(t [, sep [, i [, j]]]) with Lua 5.1's semantics:
// every t[k] for k from i (default 1) to j (default #t) must be a string or
// a number (raw access). gopher-lua's version instead clamps i and j to
// 1..#t. The size of the result is known before it is built, and is checked
// against Limits.MaxString then.
func (lb *lib) concat(L *lua.LState) int {
	t, ok := L.Get(1).(*lua.LTable)
	if !ok {
		typeError(L, 1, "concat", "table")
	}
	sep := optString(L, 2, "concat", "")
	i := optInt(L, 3, "concat", 1)
	j := optInt(L, 4, "concat", t.Len())
	if i > j {
		L.Push(lua.LString(""))
		return 1
	}
	mt := lb.meter(L)
	max := lb.maxString()
	parts := make([]string, 0, min(j-i+1, t.Len()+1))
	size := 0
	for k := i; ; k++ {
		mt.step()
		var s string
		switch v := t.RawGetInt(k).(type) {
		case lua.LString:
			s = string(v)
		case lua.LNumber:
			s = v.String()
		default:
			L.RaiseError("invalid value (%s) at index %d in table for 'concat'", v.Type().String(), k)
		}
		add := len(s)
		if k < j {
			add += len(sep)
		}
		if add > max-size {
			lb.tooLarge(L, "table.concat", sizeAtLeast(size, add), true)
		}
		size += add
		parts = append(parts, s)
		if k == j {
			break
		}
	}
	mt.addBytes(size)
	mt.done()
	L.Push(lua.LString(strings.Join(parts, sep)))
	return 1
}
