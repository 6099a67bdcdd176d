package runtime

import (
	"github.com/go-faster/errors"
	lua "github.com/yuin/gopher-lua"

	"github.com/tglua/tglua/luabind"
)

// Exact int64s for host values.
//
// gopher-luar (layeh.com/gopher-luar), the usual way to hand Go values to
// Lua, converts every integer through float64: an int64 beyond 2^53, such as
// a Telegram access hash, silently loses its low bits. Int64 and ToInt64
// follow the binding's rule for TL longs instead: a number when
// |v| <= 2^53, a decimal string beyond, and both accepted back. Values
// made by Int64 can be passed to any long parameter of a method call.

// Int64 converts v to Lua without losing bits: a number when |v| <= 2^53,
// else its decimal string.
func Int64(v int64) lua.LValue { return luabind.LongValue(v) }

// ToInt64 converts a Lua value back to an int64: an integral number with
// |v| <= 2^53, or a decimal string (as Int64 and method results produce
// them).
func ToInt64(v lua.LValue) (int64, error) {
	n, ok := luabind.ToLong(v)
	if !ok {
		switch v.(type) {
		case lua.LNumber:
			return 0, errors.Errorf("int64 expected, got %s (not integral, or beyond 2^53: pass it as a decimal string)", v.String())
		case lua.LString:
			return 0, errors.Errorf("int64 expected, got string %q", v.String())
		}
		return 0, errors.Errorf("int64 expected, got %s", v.Type().String())
	}
	return n, nil
}
