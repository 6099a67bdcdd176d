package luastr

import (
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// specials are the characters that make a pattern more than a plain string.
const specials = "^$*+?.([%-"

// startIndex converts a Lua init argument (1-based, negative from the end)
// to a byte index in [0, n], as Lua 5.1's str_find_aux does: positions past
// the end are clamped to the end.
func startIndex(init, n int) int {
	if init < 0 {
		init += n + 1
		if init < 0 {
			init = 0
		}
	}
	init-- // init was at least 0
	switch {
	case init < 0:
		return 0
	case init > n:
		return n
	}
	return init
}

// find is string.find(s, pattern [, init [, plain]]).
func (lb *lib) find(L *lua.LState) int { return lb.findAux(L, true) }

// match is string.match(s, pattern [, init]).
func (lb *lib) match(L *lua.LState) int { return lb.findAux(L, false) }

// findAux is str_find_aux.
func (lb *lib) findAux(L *lua.LState, find bool) int {
	fname := "match"
	if find {
		fname = "find"
	}
	s := checkString(L, 1, fname)
	p := checkString(L, 2, fname)
	init := startIndex(optInt(L, 3, fname, 1), len(s))
	mt := lb.meter(L)
	if find && (lua.LVAsBool(L.Get(4)) || !strings.ContainsAny(p, specials)) {
		// a plain search
		mt.addBytes(len(s) - init)
		mt.done()
		i := strings.Index(s[init:], p)
		if i < 0 {
			L.Push(lua.LNil)
			return 1
		}
		L.Push(lua.LNumber(init + i + 1))
		L.Push(lua.LNumber(init + i + len(p)))
		return 2
	}
	anchor := len(p) > 0 && p[0] == '^'
	if anchor {
		p = p[1:]
	}
	var m matcher
	m.init(mt, s, p)
	for s1 := init; ; s1++ {
		if e := m.find(s1); e != noMatch {
			m.done()
			if find {
				L.Push(lua.LNumber(s1 + 1))
				L.Push(lua.LNumber(e))
				return m.pushCaptures(s1, e, false) + 2
			}
			return m.pushCaptures(s1, e, true)
		}
		if s1 >= len(s) || anchor {
			break
		}
	}
	m.done()
	L.Push(lua.LNil)
	return 1
}

// gmatch is string.gmatch(s, pattern): an iterator over the matches. As in
// Lua 5.1, '^' does not anchor here (it matches itself), and an empty match
// moves the next search one byte further on.
func (lb *lib) gmatch(L *lua.LState) int {
	s := checkString(L, 1, "gmatch")
	p := checkString(L, 2, "gmatch")
	pos := 0
	L.Push(L.NewFunction(func(L *lua.LState) int {
		var m matcher
		m.init(lb.meter(L), s, p)
		for src := pos; src <= len(s); src++ {
			if e := m.find(src); e != noMatch {
				m.done()
				pos = e
				if e == src {
					pos++ // empty match: go at least one position on
				}
				return m.pushCaptures(src, e, true)
			}
		}
		m.done()
		pos = len(s) + 1
		return 0
	}))
	return 1
}
