package runtime

import (
	"math"
	"sort"
	"strconv"
	"strings"

	lua "github.com/yuin/gopher-lua"

	"github.com/tglua/tglua/internal/luaname"
)

// Pretty-printing for scripts: inspect(v [, depth]) returns the REPL's
// rendering of v as a string; pp(...) prints each argument so, one per
// line. Long ids are exact; nested TL objects readable.

// inspectDepth is how deep inspect() and pp() go by default.
const inspectDepth = 8

func (r *Runtime) registerInspect() {
	inspect := func(L *lua.LState) int {
		depth := L.OptInt(2, inspectDepth)
		if depth < 1 {
			L.ArgError(2, "depth must be at least 1")
		}
		L.Push(lua.LString(r.Inspect(L, L.Get(1), depth)))
		return 1
	}
	pp := func(L *lua.LState) int {
		var b strings.Builder
		for i := 1; i <= L.GetTop(); i++ {
			b.WriteString(r.Inspect(L, L.Get(i), inspectDepth))
			b.WriteByte('\n')
		}
		_, _ = r.opts.Stdout.Write([]byte(b.String()))
		return 0
	}
	r.L.SetGlobal("inspect", r.L.NewFunction(inspect))
	r.L.SetGlobal("pp", r.L.NewFunction(pp))
}

// Inspect pretty-prints a Lua value, as the REPL and inspect() show it:
// tables with the TL constructor name ('_') first, then the array part,
// then the other keys sorted; nested tables indented; tables deeper than
// depth shown as {...}; cycles as {<cycle>}; integers up to 2^53 exact; API
// functions by their method's name. L is the state that calls __tostring
// metamethods (the calling thread's).
func (r *Runtime) Inspect(L *lua.LState, v lua.LValue, depth int) string {
	p := &printer{rt: r, L: L, maxDepth: depth, seen: map[*lua.LTable]bool{}}
	p.value(v, 0)
	return p.b.String()
}

type printer struct {
	rt       *Runtime
	L        *lua.LState
	b        strings.Builder
	maxDepth int
	seen     map[*lua.LTable]bool
}

func (p *printer) value(v lua.LValue, depth int) {
	switch v := v.(type) {
	case *lua.LNilType:
		p.b.WriteString("nil")
	case lua.LBool:
		p.b.WriteString(v.String())
	case lua.LNumber:
		p.b.WriteString(formatNumber(v))
	case lua.LString:
		p.b.WriteString(quote(string(v)))
	case *lua.LTable:
		p.table(v, depth)
	case *lua.LFunction:
		if m, ok := p.rt.MethodOf(v); ok {
			p.b.WriteString("function: " + m.Name)
			return
		}
		p.b.WriteString(v.String())
	case *lua.LUserData:
		// Handles from on(), after() and every() name themselves.
		if p.L.GetMetaField(v, "__tostring") != lua.LNil {
			p.b.WriteString(p.L.ToStringMeta(v).String())
			return
		}
		p.b.WriteString(v.String())
	default:
		p.b.WriteString(v.String())
	}
}

// formatNumber prints integers exactly (ids, access hashes up to 2^53).
func formatNumber(n lua.LNumber) string {
	f := float64(n)
	if f == math.Trunc(f) && math.Abs(f) <= 1<<53 {
		return strconv.FormatInt(int64(f), 10)
	}
	return n.String()
}

// quote renders a string as a Lua literal.
func quote(s string) string {
	return strconv.Quote(s)
}

type entry struct {
	key   string // rendered key, "" for the array part
	value lua.LValue
}

func (p *printer) table(t *lua.LTable, depth int) {
	if mt, ok := t.Metatable.(*lua.LTable); ok {
		if fn, ok := mt.RawGetString("__tostring").(*lua.LFunction); ok {
			L := p.L
			if err := L.CallByParam(lua.P{Fn: fn, NRet: 1, Protect: true}, t); err == nil {
				s := L.Get(-1)
				L.Pop(1)
				p.b.WriteString(lua.LVAsString(s))
				return
			}
		}
	}
	if p.seen[t] {
		p.b.WriteString("{<cycle>}")
		return
	}
	entries := tableEntries(t)
	if len(entries) == 0 {
		p.b.WriteString("{}")
		return
	}
	if depth >= p.maxDepth {
		p.b.WriteString("{...}")
		return
	}
	p.seen[t] = true
	defer delete(p.seen, t)

	// Short tables of scalars fit on one line: {_ = "peerUser", user_id = 42}.
	if inline, ok := p.inline(entries); ok {
		p.b.WriteString(inline)
		return
	}
	indent := strings.Repeat("  ", depth+1)
	p.b.WriteString("{\n")
	for _, e := range entries {
		p.b.WriteString(indent)
		if e.key != "" {
			p.b.WriteString(e.key)
			p.b.WriteString(" = ")
		}
		p.value(e.value, depth+1)
		p.b.WriteString(",\n")
	}
	p.b.WriteString(strings.Repeat("  ", depth))
	p.b.WriteString("}")
}

func (p *printer) inline(entries []entry) (string, bool) {
	const maxInline = 72
	if len(entries) > 8 {
		return "", false
	}
	parts := make([]string, 0, len(entries))
	n := 0
	for _, e := range entries {
		if _, ok := e.value.(*lua.LTable); ok {
			return "", false
		}
		sub := &printer{rt: p.rt, L: p.L, maxDepth: p.maxDepth, seen: p.seen}
		sub.value(e.value, 0)
		s := sub.b.String()
		if e.key != "" {
			s = e.key + " = " + s
		}
		n += len(s) + 2
		if n > maxInline || strings.Contains(s, "\n") {
			return "", false
		}
		parts = append(parts, s)
	}
	return "{" + strings.Join(parts, ", ") + "}", true
}

// tableEntries lists t's entries in print order: '_' first, the array
// part 1..n, then string keys sorted, then other keys sorted by text.
func tableEntries(t *lua.LTable) []entry {
	var out []entry
	if v := t.RawGetString("_"); v != lua.LNil {
		out = append(out, entry{key: "_", value: v})
	}
	n := 0
	for i := 1; ; i++ {
		v := t.RawGetInt(i)
		if v == lua.LNil {
			break
		}
		out = append(out, entry{value: v})
		n = i
	}
	var named, other []entry
	t.ForEach(func(k, v lua.LValue) {
		switch k := k.(type) {
		case lua.LString:
			if k == "_" {
				return
			}
			if luaname.Is(string(k)) {
				named = append(named, entry{key: string(k), value: v})
			} else {
				named = append(named, entry{key: "[" + quote(string(k)) + "]", value: v})
			}
		case lua.LNumber:
			f := float64(k)
			if f == math.Trunc(f) && f >= 1 && f <= float64(n) {
				return // printed in the array part
			}
			other = append(other, entry{key: "[" + formatNumber(k) + "]", value: v})
		default:
			other = append(other, entry{key: "[" + k.String() + "]", value: v})
		}
	})
	sort.Slice(named, func(i, j int) bool { return named[i].key < named[j].key })
	sort.Slice(other, func(i, j int) bool { return other[i].key < other[j].key })
	out = append(out, named...)
	return append(out, other...)
}
