package luastr

import lua "github.com/yuin/gopher-lua"

// Open replaces string.find, match, gmatch (and gfind, gopher-lua's alias of
// it), gsub, rep, format, upper and lower and table.concat in the VM's
// string and table tables, where present, with bounded versions. Open the
// standard libraries first.
//
// Strings' methods ("x"):rep(3) use the new functions too: they are looked
// up in the string table through the string metatable's __index (in
// gopher-lua the metatable is the string table itself), and if that
// __index is another table, Open replaces the functions there as well.
func Open(L *lua.LState, lim Limits) {
	lb := &lib{lim: lim}
	strFuncs := map[string]lua.LGFunction{
		"find":   lb.find,
		"match":  lb.match,
		"gmatch": lb.gmatch,
		"gsub":   lb.gsub,
		"rep":    lb.rep,
		"format": lb.format,
		"upper":  lb.upper,
		"lower":  lb.lower,
	}
	fns := make(map[string]*lua.LFunction, len(strFuncs))
	for name, fn := range strFuncs {
		fns[name] = L.NewFunction(fn)
	}
	for _, t := range stringTables(L) {
		for name, fn := range fns {
			t.RawSetString(name, fn)
		}
		if t.RawGetString("gfind") != lua.LNil {
			t.RawSetString("gfind", fns["gmatch"])
		}
	}
	if t, ok := L.GetGlobal("table").(*lua.LTable); ok {
		t.RawSetString("concat", L.NewFunction(lb.concat))
	}
}

// stringTables returns the global string table and, if it is a different
// table, the __index of the string metatable: the tables whose functions
// scripts reach as string.f and as ("").f.
func stringTables(L *lua.LState) []*lua.LTable {
	var ts []*lua.LTable
	if t, ok := L.GetGlobal("string").(*lua.LTable); ok {
		ts = append(ts, t)
	}
	if mt, ok := L.GetMetatable(lua.LString("")).(*lua.LTable); ok {
		if idx, ok := mt.RawGetString("__index").(*lua.LTable); ok && (len(ts) == 0 || idx != ts[0]) {
			ts = append(ts, idx)
		}
	}
	return ts
}
