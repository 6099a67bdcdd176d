package luastr

import lua "github.com/yuin/gopher-lua"

// meter gathers the work of one builtin call and reports it to
// Limits.Spend every flushUnits units and when the call ends (done). It
// lives only as long as the call: if Spend raises an error, the panic
// unwinds through the builtin and the meter is dropped with it.
type meter struct {
	L     *lua.LState
	spend func(*lua.LState, int)
	units int // not yet reported
	bytes int // bytes not yet turned into units
}

func (lb *lib) meter(L *lua.LState) meter {
	return meter{L: L, spend: lb.lim.Spend}
}

// step counts one unit.
func (m *meter) step() {
	m.units++
	if m.units >= flushUnits {
		m.flush()
	}
}

// addUnits counts n units.
func (m *meter) addUnits(n int) {
	m.units += n
	if m.units >= flushUnits {
		m.flush()
	}
}

// addBytes counts n bytes built or scanned.
func (m *meter) addBytes(n int) {
	m.bytes += n
	if m.bytes >= BytesPerUnit {
		m.addUnits(m.bytes / BytesPerUnit)
		m.bytes %= BytesPerUnit
	}
}

// flush reports the units gathered so far.
func (m *meter) flush() {
	u := m.units
	m.units = 0
	if u > 0 && m.spend != nil {
		m.spend(m.L, u)
	}
}

// done reports the rest at the end of the call (a last fraction of
// BytesPerUnit bytes is free).
func (m *meter) done() { m.flush() }
