package luastr

import (
	"strconv"
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// Argument checks that raise C Lua's messages with the builtin's name:
// "bad argument #2 to 'rep' (number expected, got no value)".

func argError(L *lua.LState, n int, fname, msg string) {
	L.RaiseError("bad argument #%d to '%s' (%s)", n, fname, msg)
}

func typeError(L *lua.LState, n int, fname, want string) {
	got := "no value"
	if n <= L.GetTop() {
		got = L.Get(n).Type().String()
	}
	argError(L, n, fname, want+" expected, got "+got)
}

// checkString returns argument n as a string; numbers convert, as in Lua.
func checkString(L *lua.LState, n int, fname string) string {
	switch v := L.Get(n).(type) {
	case lua.LString:
		return string(v)
	case lua.LNumber:
		return v.String()
	}
	typeError(L, n, fname, "string")
	return ""
}

// optString is checkString with a default for a nil or absent argument.
func optString(L *lua.LState, n int, fname, def string) string {
	if L.Get(n) == lua.LNil {
		return def
	}
	return checkString(L, n, fname)
}

// checkNumber returns argument n as a number; numeric strings convert, as
// in Lua.
func checkNumber(L *lua.LState, n int, fname string) float64 {
	switch v := L.Get(n).(type) {
	case lua.LNumber:
		return float64(v)
	case lua.LString:
		if num, ok := parseNumber(string(v)); ok {
			return num
		}
	}
	typeError(L, n, fname, "number")
	return 0
}

// optInt returns argument n truncated to an integer, or def if it is nil or
// absent.
func optInt(L *lua.LState, n int, fname string, def int) int {
	if L.Get(n) == lua.LNil {
		return def
	}
	return toInt(checkNumber(L, n, fname))
}

// toInt truncates f toward zero, saturating far beyond any string length
// (Go leaves the conversion of an out-of-range float undefined).
func toInt(f float64) int {
	const big = 1 << 53
	switch {
	case f != f:
		return 0
	case f > big:
		return big
	case f < -big:
		return -big
	}
	return int(f)
}

// parseNumber converts a string as gopher-lua's tonumber does (the
// conversions of the rest of the VM), ignoring surrounding spaces.
func parseNumber(s string) (float64, bool) {
	s = strings.Trim(s, " \t\n")
	if v, err := strconv.ParseInt(s, 0, 64); err == nil {
		return float64(v), true
	}
	if v, err := strconv.ParseFloat(s, 64); err == nil {
		return v, true
	}
	return 0, false
}
