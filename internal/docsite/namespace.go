package docsite

import (
	"slices"
	"strings"

	"github.com/tglua/tglua/internal/apidoc"
	"github.com/tglua/tglua/luabind/schema"
)

// namespacePage lists a namespace's methods. help and upload are also
// functions: their page starts with the function's.
type namespacePage struct {
	Name     string
	Function *textPage
	Methods  []methodSummary
}

// methodSummary is a method in a list: who may call it and what it does.
type methodSummary struct {
	Name, Bots, Description string
}

func newNamespacePage(ns string) namespacePage {
	p := namespacePage{Name: ns}
	if builtins()[ns] {
		f := newBuiltinPage(ns)
		p.Function = &f
	}
	p.Methods = methodSummaries(ns)
	return p
}

func methodSummaries(ns string) []methodSummary {
	var out []methodSummary
	for _, m := range schema.Methods(ns) {
		d, _ := apidoc.LookupMethod(m.Name)
		out = append(out, methodSummary{m.Name, apidoc.MethodUsability(m.Name).BotsCanUse(), firstSentence(d.Description)})
	}
	slices.SortFunc(out, func(a, b methodSummary) int { return strings.Compare(a.Name, b.Name) })
	return out
}
