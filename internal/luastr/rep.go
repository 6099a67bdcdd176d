package luastr

import (
	"math"
	"math/big"
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// rep is string.rep(s, n). The size of the result is checked before
// anything is allocated: a result over Limits.MaxString (or too large for
// an int) is an error.
func (lb *lib) rep(L *lua.LState) int {
	s := checkString(L, 1, "rep")
	n := math.Trunc(checkNumber(L, 2, "rep"))
	if !(n >= 1) || len(s) == 0 { // NaN too
		L.Push(lua.LString(""))
		return 1
	}
	max := lb.maxString()
	if n > float64(max) || n >= 1<<62 || int(n) > max/len(s) {
		size, _ := new(big.Float).SetFloat64(n).Int(nil)
		size.Mul(size, big.NewInt(int64(len(s))))
		lb.tooLarge(L, "string.rep", size.String(), false)
	}
	count := int(n) // len(s)*count <= max
	mt := lb.meter(L)
	mt.addBytes(len(s) * count)
	mt.done()
	L.Push(lua.LString(strings.Repeat(s, count)))
	return 1
}
