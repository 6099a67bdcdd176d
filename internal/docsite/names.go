package docsite

import (
	"slices"
	"strings"
	"sync"

	"github.com/tglua/tglua/internal/apidoc"
	"github.com/tglua/tglua/internal/docpage"
	"github.com/tglua/tglua/luabind/schema"
)

// kind is what a name's page documents.
type kind uint8

const (
	kindMethod kind = iota
	kindConstructor
	kindType
	kindNamespace
	kindBuiltin
	kindBasic
	kindDocOnly // in the documentation (an older layer) but not the schema
)

var kindNames = [...]string{"method", "constructor", "type", "namespace", "function", "basic type", "not in schema"}

func (k kind) String() string { return kindNames[k] }

// builtins are the names of the runtime's built-in function pages.
var builtins = sync.OnceValue(func() map[string]bool {
	m := map[string]bool{}
	for _, n := range docpage.BuiltinNames() {
		m[n] = true
	}
	return m
})

// kindOf says which page name has: a basic type (the schema has int, long,
// string... as field-less constructors, which says nothing useful), then
// in docpage's order a schema definition, a type, a namespace (which may
// also be a function), a built-in function, a name only the documentation
// knows.
func kindOf(name string) (kind, bool) {
	if name == "" {
		return 0, false
	}
	if _, ok := basicTypes()[name]; ok {
		return kindBasic, true
	}
	if c := schema.ByName(name); c != nil {
		if c.Method {
			return kindMethod, true
		}
		return kindConstructor, true
	}
	if _, ok := schema.TypeByName(name); ok {
		return kindType, true
	}
	if len(schema.Methods(name)) > 0 {
		return kindNamespace, true
	}
	if builtins()[name] {
		return kindBuiltin, true
	}
	if _, ok := apidoc.LookupMethod(name); ok {
		return kindDocOnly, true
	}
	if _, ok := apidoc.LookupConstructor(name); ok {
		return kindDocOnly, true
	}
	if _, ok := apidoc.LookupType(name); ok {
		return kindDocOnly, true
	}
	return 0, false
}

// entry is a name in the index.
type entry struct {
	Name  string
	Kind  kind
	lower string
}

// nameIndex is every name with a page, sorted, for search and for
// case-insensitive lookups.
type nameIndex struct {
	entries []entry
	fold    map[string][]string // lower-case name -> names
}

// names builds the index on first use.
var names = sync.OnceValue(func() *nameIndex {
	all := schema.All()
	list := make([]string, 0, len(all)+len(schema.Types())+len(apidoc.Names())+64)
	for i := range all {
		list = append(list, all[i].Name)
	}
	for _, t := range schema.Types() {
		list = append(list, t.Name)
	}
	list = append(list, schema.Namespaces()...)
	list = append(list, apidoc.Names()...)
	list = append(list, docpage.BuiltinNames()...)
	for n := range basicTypes() {
		list = append(list, n)
	}
	slices.Sort(list)
	list = slices.Compact(list)
	ix := &nameIndex{entries: make([]entry, 0, len(list)), fold: make(map[string][]string, len(list))}
	for _, n := range list {
		k, ok := kindOf(n)
		if !ok {
			continue
		}
		lower := strings.ToLower(n)
		ix.entries = append(ix.entries, entry{Name: n, Kind: k, lower: lower})
		ix.fold[lower] = append(ix.fold[lower], n)
	}
	return ix
})

// canonical finds the one name equal to name ignoring case.
func canonical(name string) (string, bool) {
	m := names().fold[strings.ToLower(name)]
	if len(m) != 1 {
		return "", false
	}
	return m[0], true
}
