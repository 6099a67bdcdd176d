package runtime_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/tglua/tglua/runtime"
)

// TestLazyIo: io opens on its first use, stays one table with
// package.loaded.io and require('io'), and an assignment opens it too.
func TestLazyIo(t *testing.T) {
	rt := sbRuntime(t, runtime.Options{})
	out := luaDo(t, rt, `
		local held = io
		local before = rawget(io, 'write')
		local w = io.write
		return type(before), type(w), io == package.loaded.io, rawget(io, 'write') == w,
			require('io') == io, getmetatable(io) == nil, type(io.stdout), held == io`)
	wantValues(t, out, []any{"function", "function", true, true, true, true, "userdata", true})

	rt2 := sbRuntime(t, runtime.Options{})
	out = luaDo(t, rt2, `io.answer = 42 return rawget(io, 'answer'), type(io.open)`)
	wantValues(t, out, []any{int64(42), "function"})
}

// TestLazyLibraries: each lazily opened library behaves as if it had been
// opened at start, whichever way a script first reaches it.
func TestLazyLibraries(t *testing.T) {
	cases := []struct {
		name, src string
		want      []any
	}{
		{"index", `return math.floor(2.5), math.pi > 3`, []any{int64(2), true}},
		{"held", `local m = math return m.max(1, 3), m == math, m == package.loaded.math`, []any{int64(3), true, true}},
		{"pairs", `local n = 0 for k, v in pairs(math) do n = n + 1 end return n > 20`, []any{true}},
		{"next", `return next(debug) ~= nil`, []any{true}},
		{"rawget", `return type(rawget(os, 'time'))`, []any{"function"}},
		{"rawset", `rawset(math, 'answer', 42) return math.answer, type(math.sqrt)`, []any{int64(42), "function"}},
		{"getmetatable", `return getmetatable(channel) == nil, type(channel.make)`, []any{true, "function"}},
		{"setmetatable", `setmetatable(os, {}) return type(os.clock)`, []any{"function"}},
		{"assign", `math.floor = nil return math.floor, type(math.ceil)`, []any{nil, "function"}},
		{"require", `return require('math') == math, require('os') == os, package.loaded.string == string`, []any{true, true, true}},
		{"package", `return type(package.path), package.loaded.math == math, type(package.loaders)`, []any{"string", true, "table"}},
		{"exit", `return os.exit ~= nil`, []any{true}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rt := sbRuntime(t, runtime.Options{})
			wantValues(t, luaDo(t, rt, c.src), c.want)
		})
	}
}

// TestLazyPackagePaths: ModulePaths reach package.path when the package
// library opens on require's first call.
func TestLazyPackagePaths(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "mymod.lua"), []byte(`return {answer = 42}`), 0o644); err != nil {
		t.Fatal(err)
	}
	rt := sbRuntime(t, runtime.Options{ModulePaths: []string{dir}})
	wantValues(t, luaDo(t, rt, `return require('mymod').answer`), []any{int64(42)})
	rt2 := sbRuntime(t, runtime.Options{ModulePaths: []string{dir}})
	wantValues(t, luaDo(t, rt2, `return package.path:find([[`+dir+`]], 1, true) ~= nil`), []any{true})
}

// TestTable52: table.unpack and table.pack exist at both sandbox levels.
func TestTable52(t *testing.T) {
	for _, sb := range []runtime.Sandbox{runtime.SandboxNone, runtime.SandboxStrict} {
		rt := sbRuntime(t, runtime.Options{Sandbox: sb})
		out := luaDo(t, rt, `
			local p = table.pack(1, nil, 3)
			local a, b, c = table.unpack({'x', 'y', 'z'}, 2)
			return p.n, p[1], p[2], p[3], table.pack().n, a, b, c, table.unpack == unpack`)
		wantValues(t, out, []any{int64(3), int64(1), nil, int64(3), int64(0), "y", "z", nil, true})
	}
}
