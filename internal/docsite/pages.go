package docsite

import (
	"github.com/tglua/tglua/internal/docpage"
	"github.com/tglua/tglua/luabind/schema"
)

// indexPage lists the namespaces, the built-in functions and every method.
type indexPage struct {
	Layer      int
	Namespaces []namespaceCount
	Builtins   []string
	Methods    []string
}

type namespaceCount struct {
	Name  string
	Count int
}

func newIndexPage() indexPage {
	p := indexPage{Layer: schema.Layer, Builtins: docpage.BuiltinNames()}
	for _, ns := range schema.Namespaces() {
		p.Namespaces = append(p.Namespaces, namespaceCount{ns, len(schema.Methods(ns))})
	}
	for _, e := range names().entries {
		if e.Kind == kindMethod {
			p.Methods = append(p.Methods, e.Name)
		}
	}
	return p
}

// searchPage lists the names matching a query, or suggestions.
type searchPage struct {
	Query       string
	Results     []entry
	Total       int
	More        bool
	Suggestions []string
}

func newSearchPage(q string) searchPage {
	p := searchPage{Query: q}
	p.Results, p.Total = search(q)
	p.More = p.Total > len(p.Results)
	if p.Total == 0 && q != "" {
		p.Suggestions = docpage.Suggest(q, 5)
	}
	return p
}

// notFoundPage answers an unknown name with the closest names.
type notFoundPage struct {
	Name        string
	Suggestions []string
}

func newNotFoundPage(name string) notFoundPage {
	return notFoundPage{Name: name, Suggestions: docpage.Suggest(name, 5)}
}
