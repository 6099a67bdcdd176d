package luabind

import (
	"math"
	"strconv"

	lua "github.com/yuin/gopher-lua"
)

// maxExact is 2^53: every integer with a magnitude up to it is exact in a
// float64, and so in a Lua number.
const maxExact = 1 << 53

// LongValue converts a TL long to Lua without losing bits: a number when
// |v| <= 2^53, a decimal string otherwise.
//
// Values produced by LongValue are accepted back by ToLong unchanged.
func LongValue(v int64) lua.LValue {
	if v >= -maxExact && v <= maxExact {
		return lua.LNumber(float64(v))
	}
	return lua.LString(strconv.FormatInt(v, 10))
}

// ToLong converts a Lua value to a TL long: an integral number with
// |v| <= 2^53, or a decimal string. It never passes an int64 through float64
// when the value does not fit exactly.
func ToLong(v lua.LValue) (int64, bool) {
	switch v := v.(type) {
	case lua.LNumber:
		// In range, a conversion that round-trips is an integer (and NaN
		// fails the range test): cheaper than math.Trunc.
		f := float64(v)
		if f < -maxExact || f > maxExact {
			return 0, false
		}
		n := int64(f)
		return n, float64(n) == f
	case lua.LString:
		n, err := strconv.ParseInt(string(v), 10, 64)
		if err != nil {
			return 0, false
		}
		return n, true
	default:
		return 0, false
	}
}

// toInt converts a Lua number to a TL int (int32).
func toInt(v lua.LValue) (int32, string) {
	n, ok := v.(lua.LNumber)
	if !ok {
		return 0, "int expected, got " + typeName(v)
	}
	f := float64(n)
	if f >= math.MinInt32 && f <= math.MaxInt32 {
		if i := int32(f); float64(i) == f {
			return i, ""
		}
	}
	if f != math.Trunc(f) {
		return 0, "int expected, got non-integral number " + n.String()
	}
	return 0, "int expected, got " + n.String() + " (out of int32 range)"
}

// longError explains why a value is not a valid long.
func longError(v lua.LValue) string {
	switch v := v.(type) {
	case lua.LNumber:
		f := float64(v)
		if f != math.Trunc(f) {
			return "long expected, got non-integral number " + v.String()
		}
		return "long expected, got " + v.String() + " (beyond 2^53, pass it as a decimal string)"
	case lua.LString:
		return "long expected, got string '" + clip(string(v)) + "' (not a decimal integer)"
	default:
		return "long expected, got " + typeName(v)
	}
}

// typeName is the Lua type name of v, as type() returns it.
func typeName(v lua.LValue) string {
	if v == nil {
		return "nil"
	}
	return v.Type().String()
}

// clip shortens a string for an error message.
func clip(s string) string {
	const max = 40
	if len(s) > max {
		return s[:max] + "..."
	}
	return s
}
