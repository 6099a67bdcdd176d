package luastr

import (
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// gsub is string.gsub(s, pattern, repl [, n]) with Lua 5.1's semantics: repl
// is a string (or number) with %0-%9 and %%, a table indexed by the first
// capture, or a function called with the captures; false or nil from the
// table or function keeps the match. An empty match copies one byte and
// moves on; '^' anchors to the start of s. The result is checked against
// Limits.MaxString as it grows.
func (lb *lib) gsub(L *lua.LState) int {
	src := checkString(L, 1, "gsub")
	p := checkString(L, 2, "gsub")
	repl := L.Get(3)
	maxN := optInt(L, 4, "gsub", len(src)+1)
	switch repl.Type() {
	case lua.LTNumber, lua.LTString, lua.LTTable, lua.LTFunction:
	default:
		argError(L, 3, "gsub", "string/function/table expected")
	}
	anchor := len(p) > 0 && p[0] == '^'
	if anchor {
		p = p[1:]
	}
	g := gsubState{lb: lb, repl: repl}
	if rs, ok := repl.(lua.LString); ok {
		g.replStr = string(rs)
	} else if rn, ok := repl.(lua.LNumber); ok {
		g.replStr = rn.String()
	}
	g.m.init(lb.meter(L), src, p)
	g.b.Grow(min(len(src), lb.maxString()))
	n, s := 0, 0
loop:
	for n < maxN {
		e := g.m.find(s)
		if e != noMatch {
			n++
			g.addValue(s, e)
		}
		switch {
		case e != noMatch && e > s: // a non-empty match: skip it
			s = e
		case s < len(src):
			g.add(src[s : s+1])
			s++
		default:
			break loop
		}
		if anchor {
			break
		}
	}
	g.add(src[s:])
	g.m.done()
	L.Push(lua.LString(g.b.String()))
	L.Push(lua.LNumber(n))
	return 2
}

type gsubState struct {
	lb      *lib
	m       matcher
	b       strings.Builder
	repl    lua.LValue
	replStr string // repl as a string, if it is a string or number
}

// add appends s to the result within the size limit.
func (g *gsubState) add(s string) {
	g.lb.checkGrow(g.m.L, "string.gsub", g.b.Len(), len(s), true)
	g.m.addBytes(len(s))
	g.b.WriteString(s)
}

// addValue appends the replacement of the match from s to e (add_value).
func (g *gsubState) addValue(s, e int) {
	L := g.m.L
	var v lua.LValue
	switch r := g.repl.(type) {
	case *lua.LTable:
		v = L.GetTable(r, g.m.captureValue(0, s, e))
	case *lua.LFunction:
		L.Push(r)
		L.Call(g.m.pushCaptures(s, e, true), 1)
		v = L.Get(-1)
		L.Pop(1)
	default:
		g.addString(s, e)
		return
	}
	switch v := v.(type) {
	case lua.LString:
		g.add(string(v))
	case lua.LNumber:
		g.add(v.String())
	default:
		if lua.LVIsFalse(v) {
			g.add(g.m.src[s:e]) // keep the original text
			return
		}
		L.RaiseError("invalid replacement value (a %s)", v.Type().String())
	}
}

// addString appends the replacement string for the match from s to e,
// expanding %0-%9 (add_s); % before any other character stands for that
// character, and a % at the very end for "\x00", as in Lua 5.1 (the C code
// reads the string's terminator).
func (g *gsubState) addString(s, e int) {
	r := g.replStr
	for len(r) > 0 {
		i := strings.IndexByte(r, '%')
		if i < 0 {
			g.add(r)
			return
		}
		g.add(r[:i])
		if i+1 == len(r) {
			g.add("\x00")
			return
		}
		switch c := r[i+1]; {
		case c == '0':
			g.add(g.m.src[s:e])
		case '1' <= c && c <= '9':
			g.add(g.m.captureString(int(c-'1'), s, e))
		default:
			g.add(r[i+1 : i+2])
		}
		r = r[i+2:]
	}
}
