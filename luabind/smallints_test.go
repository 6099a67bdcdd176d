package luabind

import (
	"testing"

	lua "github.com/yuin/gopher-lua"
)

// The generated table holds what its comment says (regenerate with go
// generate ./luabind after changing the range).
func TestSmallInts(t *testing.T) {
	for i, v := range smallInts {
		if v != lua.LNumber(smallMin+i) {
			t.Fatalf("smallInts[%d] = %v, want %d", i, v, smallMin+i)
		}
	}
}
