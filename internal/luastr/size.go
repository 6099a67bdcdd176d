package luastr

import (
	"strconv"

	lua "github.com/yuin/gopher-lua"
)

// tooLarge raises the error of a builtin fname (such as "string.rep") that would build a string of
// n bytes (n in decimal: it may not fit an int), more than the limit. With
// atLeast, n is what was built so far, not the final size.
func (lb *lib) tooLarge(L *lua.LState, fname, n string, atLeast bool) {
	of := "of "
	if atLeast {
		of = "of at least "
	}
	L.RaiseError("memory limit exceeded: %s would build a string %s%s bytes (limit %d)", fname, of, n, lb.maxString())
}

// checkGrow raises tooLarge unless a string of have+add bytes is within the
// limit (have and add are lengths, so their sum does not overflow).
func (lb *lib) checkGrow(L *lua.LState, fname string, have, add int, atLeast bool) {
	if add > lb.maxString()-have {
		lb.tooLarge(L, fname, sizeAtLeast(have, add), atLeast)
	}
}

// sizeAtLeast is have+add in decimal, for tooLarge.
func sizeAtLeast(have, add int) string {
	return strconv.FormatUint(uint64(have)+uint64(add), 10)
}
