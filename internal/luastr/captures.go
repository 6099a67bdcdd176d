package luastr

import (
	"strconv"

	lua "github.com/yuin/gopher-lua"
)

// captureValue is capture i of the match from s to e (push_onecapture):
// the whole match if the pattern has no captures and i is 0, a number for
// a position capture, else the captured string.
func (m *matcher) captureValue(i, s, e int) lua.LValue {
	if i >= m.level {
		if i != 0 {
			m.error("invalid capture index")
		}
		return lua.LString(m.src[s:e])
	}
	c := m.capture[i]
	switch c.len {
	case capUnfinished:
		m.error("unfinished capture")
	case capPosition:
		return lua.LNumber(c.init + 1)
	}
	return lua.LString(m.src[c.init : c.init+c.len])
}

// captureString is captureValue converted to a string, without making a
// Lua value.
func (m *matcher) captureString(i, s, e int) string {
	if i >= m.level {
		if i != 0 {
			m.error("invalid capture index")
		}
		return m.src[s:e]
	}
	c := m.capture[i]
	switch c.len {
	case capUnfinished:
		m.error("unfinished capture")
	case capPosition:
		return strconv.Itoa(c.init + 1)
	}
	return m.src[c.init : c.init+c.len]
}

// pushCaptures pushes the captures of the match from s to e, or the whole
// match if there are none and wholeIfNone (push_captures); it returns how
// many values it pushed.
func (m *matcher) pushCaptures(s, e int, wholeIfNone bool) int {
	n := m.level
	if n == 0 && wholeIfNone {
		n = 1
	}
	for i := range n {
		m.L.Push(m.captureValue(i, s, e))
	}
	return n
}
