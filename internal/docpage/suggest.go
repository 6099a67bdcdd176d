package docpage

import (
	"slices"
	"strings"
	"sync"

	"github.com/tglua/tglua/internal/apidoc"
	"github.com/tglua/tglua/internal/suggest"
	"github.com/tglua/tglua/luabind/schema"
)

var (
	namesOnce sync.Once
	names     []string
)

// candidates are every name a page exists for: schema methods,
// constructors, types and namespaces, and apidoc's names, sorted and
// without duplicates.
func candidates() []string {
	namesOnce.Do(func() {
		all := schema.All()
		names = make([]string, 0, len(all)+len(schema.Types())+64)
		for i := range all {
			names = append(names, all[i].Name)
		}
		for _, t := range schema.Types() {
			names = append(names, t.Name)
		}
		names = append(names, schema.Namespaces()...)
		// apidoc (layer 223) may name things the schema no longer has;
		// Render gives those a short page too.
		names = append(names, apidoc.Names()...)
		names = append(names, BuiltinNames()...)
		slices.Sort(names)
		names = slices.Compact(names)
	})
	return names
}

// Suggest returns up to n names close to name, best first: by Levenshtein
// distance (ignoring case) to the full name or to the name without its
// namespace, with names that contain name as a tie-breaker.
func Suggest(name string, n int) []string {
	q := strings.ToLower(strings.TrimPrefix(name, "tg."))
	if q == "" || n <= 0 {
		return nil
	}
	type scored struct {
		name string
		d    int
	}
	limit := max(2, len(q)/3)
	var best []scored
	for _, cand := range candidates() {
		lc := strings.ToLower(cand)
		d := suggest.Distance(q, lc, limit+1)
		if i := strings.LastIndexByte(lc, '.'); i >= 0 {
			d = min(d, suggest.Distance(q, lc[i+1:], limit+1))
		}
		if d > limit && strings.Contains(lc, q) && len(q) >= 4 {
			d = limit // a substring match is worth suggesting
		}
		if d <= limit {
			best = append(best, scored{cand, d})
		}
	}
	slices.SortStableFunc(best, func(a, b scored) int {
		if a.d != b.d {
			return a.d - b.d
		}
		return len(a.name) - len(b.name)
	})
	out := make([]string, 0, min(n, len(best)))
	for _, s := range best[:min(n, len(best))] {
		out = append(out, s.name)
	}
	return out
}
