package luastr

import (
	"fmt"
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// formatFlags are the flags a directive may have (Lua 5.1's FLAGS).
const formatFlags = "-+ #0"

// format is string.format(fmt, ...). Directives are checked as Lua 5.1's
// scanformat does: at most two digits of width and of precision ("invalid
// format (width or precision too long)"), no repeated flags, a conversion
// among c d i o u x X e E f g G q s, and an argument for each ("bad argument
// #2 to 'format' (no value)"). Each directive is then formatted as
// gopher-lua's string.format formats it (Go's fmt through the Lua values'
// Format methods), except that the numeric conversions take numbers only
// (numeric strings convert), as in Lua, and %u is %d. Every directive's
// output is bounded by its argument's length plus a few hundred bytes, and
// the result is checked against Limits.MaxString as it grows.
func (lb *lib) format(L *lua.LState) int {
	fs := checkString(L, 1, "format")
	top := L.GetTop()
	arg := 1
	mt := lb.meter(L)
	var b strings.Builder
	add := func(s string) {
		lb.checkGrow(L, "string.format", b.Len(), len(s), true)
		mt.addBytes(len(s))
		b.WriteString(s)
	}
	for i := 0; i < len(fs); {
		j := strings.IndexByte(fs[i:], '%')
		if j < 0 {
			add(fs[i:])
			break
		}
		add(fs[i : i+j])
		i += j + 1
		if i < len(fs) && fs[i] == '%' {
			add("%")
			i++
			continue
		}
		arg++
		if arg > top {
			argError(L, arg, "format", "no value")
		}
		k := scanFormat(L, fs, i)
		if k == len(fs) {
			L.RaiseError("invalid option '%%' to 'format'")
		}
		spec := "%" + fs[i:k+1]
		var v lua.LValue
		switch conv := fs[k]; conv {
		case 'd', 'i', 'c', 'o', 'x', 'X', 'e', 'E', 'f', 'g', 'G':
			v = lua.LNumber(checkNumber(L, arg, "format"))
		case 'u':
			v = lua.LNumber(checkNumber(L, arg, "format"))
			spec = spec[:len(spec)-1] + "d"
		case 'q', 's':
			v = L.Get(arg)
		default:
			L.RaiseError("invalid option '%%%c' to 'format'", conv)
		}
		add(fmt.Sprintf(spec, v))
		i = k + 1
	}
	mt.done()
	L.Push(lua.LString(b.String()))
	return 1
}

// scanFormat checks the flags, width and precision of the directive that
// starts at fs[i] (after its '%') and returns the index of its conversion
// character (len(fs) if there is none).
func scanFormat(L *lua.LState, fs string, i int) int {
	p := i
	for p < len(fs) && strings.IndexByte(formatFlags, fs[p]) >= 0 {
		p++
	}
	if p-i > len(formatFlags) {
		L.RaiseError("invalid format (repeated flags)")
	}
	digits := func() {
		for range 2 {
			if p < len(fs) && isDigit(fs[p]) {
				p++
			}
		}
	}
	digits() // width
	if p < len(fs) && fs[p] == '.' {
		p++
		digits() // precision
	}
	if p < len(fs) && isDigit(fs[p]) {
		L.RaiseError("invalid format (width or precision too long)")
	}
	return p
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }
