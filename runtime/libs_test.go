package runtime_test

import (
	"testing"

	"github.com/tglua/tglua/runtime"
)

// TestLazyIo: io opens on its first use, stays one table with
// package.loaded.io and require('io'), and an assignment opens it too.
func TestLazyIo(t *testing.T) {
	rt := sbRuntime(t, runtime.Options{})
	out := luaDo(t, rt, `
		local before = rawget(io, 'write')
		local w = io.write
		return before == nil, type(w), io == package.loaded.io, rawget(io, 'write') == w,
			require('io') == io, getmetatable(io) == nil, type(io.stdout)`)
	wantValues(t, out, []any{true, "function", true, true, true, true, "userdata"})

	rt2 := sbRuntime(t, runtime.Options{})
	out = luaDo(t, rt2, `io.answer = 42 return rawget(io, 'answer'), type(io.open)`)
	wantValues(t, out, []any{int64(42), "function"})
}
