package luastr

import lua "github.com/yuin/gopher-lua"

// Limits bound the builtins of one VM.
type Limits struct {
	// Spend is called with units of work done: one unit per step of the
	// pattern matcher (each attempt to match a pattern item, each
	// backtrack) and one per BytesPerUnit bytes of string built or searched
	// in bulk (string.rep, string.gsub's output, string.format, table.concat,
	// string.find with plain=true). It is called at least every 1024 units
	// and once more when a builtin finishes, possibly with more than 1024
	// units at once when a builtin produces a large string in one go (it is
	// then called before the string is built). It may raise a Lua error
	// (L.RaiseError, L.Error) to stop the builtin, for instance when a step
	// budget is spent or L.Context() is done; the error propagates to the
	// script as any error of the builtin would. Nil: no accounting.
	Spend func(L *lua.LState, units int)
	// MaxString is the largest string, in bytes, a builtin may build; 0
	// means no limit (only a size that overflows an int is refused). Over
	// it the builtin raises "memory limit exceeded: string.rep would build a
	// string of N bytes (limit M)".
	MaxString int
}

// BytesPerUnit is how many bytes built or searched count as one unit of
// work for Limits.Spend: copying or scanning a kilobyte costs about as much
// as one step of the VM or of the pattern matcher.
const BytesPerUnit = 1024

// flushUnits is how many units the meter gathers before calling Spend.
const flushUnits = 1024

// lib is the bounded library of one VM; its methods are the builtins.
type lib struct {
	lim Limits
}

// maxString is the effective size limit.
func (lb *lib) maxString() int {
	if lb.lim.MaxString <= 0 {
		return maxInt
	}
	return lb.lim.MaxString
}

const maxInt = int(^uint(0) >> 1)
