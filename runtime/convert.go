package runtime

import (
	"math"
	"sort"
	"strconv"

	lua "github.com/yuin/gopher-lua"

	"github.com/tglua/tglua/luabind"
)

// ToGo converts a Lua value to Go: nil, bool, int64 for integral numbers
// within 2^53, float64 for other numbers, string, []any for array tables,
// map[string]any for other tables (non-string keys are formatted). A TL long
// beyond 2^53 is already a decimal string in Lua and stays one.
func ToGo(v lua.LValue) any {
	return toGo(v, 0)
}

func toGo(v lua.LValue, depth int) any {
	switch v := v.(type) {
	case *lua.LNilType:
		return nil
	case lua.LBool:
		return bool(v)
	case lua.LNumber:
		f := float64(v)
		if f == math.Trunc(f) && math.Abs(f) <= 1<<53 {
			return int64(f)
		}
		return f
	case lua.LString:
		return string(v)
	case *lua.LTable:
		if depth > 100 {
			return nil // a cycle, or absurd nesting
		}
		if n := v.Len(); n > 0 && isArray(v, n) {
			out := make([]any, n)
			for i := range n {
				out[i] = toGo(v.RawGetInt(i+1), depth+1)
			}
			return out
		}
		out := map[string]any{}
		v.ForEach(func(k, val lua.LValue) {
			out[keyString(k)] = toGo(val, depth+1)
		})
		return out
	default:
		return v.String()
	}
}

func isArray(t *lua.LTable, n int) bool {
	count := 0
	t.ForEach(func(lua.LValue, lua.LValue) { count++ })
	return count == n
}

func keyString(k lua.LValue) string {
	if n, ok := k.(lua.LNumber); ok {
		f := float64(n)
		if f == math.Trunc(f) {
			return strconv.FormatInt(int64(f), 10)
		}
	}
	return k.String()
}

// ToLua converts a Go value to Lua. Integers go through the exact long rule
// (numbers within 2^53, decimal strings beyond), never through float64.
// Maps and slices of these types convert recursively; other values become
// their fmt form. For arbitrary host values use gopher-luar, and see Int64.
func ToLua(L *lua.LState, v any) lua.LValue {
	switch v := v.(type) {
	case nil:
		return lua.LNil
	case lua.LValue:
		return v
	case bool:
		return lua.LBool(v)
	case int:
		return luabind.LongValue(int64(v))
	case int32:
		return lua.LNumber(v)
	case int64:
		return luabind.LongValue(v)
	case uint32:
		return lua.LNumber(v)
	case float64:
		return lua.LNumber(v)
	case string:
		return lua.LString(v)
	case []byte:
		return lua.LString(v)
	case []any:
		t := L.CreateTable(len(v), 0)
		for i, e := range v {
			t.RawSetInt(i+1, ToLua(L, e))
		}
		return t
	case []string:
		t := L.CreateTable(len(v), 0)
		for i, e := range v {
			t.RawSetInt(i+1, lua.LString(e))
		}
		return t
	case map[string]any:
		t := L.CreateTable(0, len(v))
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			t.RawSetString(k, ToLua(L, v[k]))
		}
		return t
	default:
		return lua.LString(stringOf(v))
	}
}
