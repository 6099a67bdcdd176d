package docsite

import (
	"slices"
	"strconv"
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

func (p namespacePage) writeContent(b *strings.Builder) {
	writeCrumbs(b, esc(p.Name))
	if p.Function != nil {
		p.Function.writeText(b)
	}
	b.WriteString("\n")
	writeHeading(b, "Namespace", p.Name)
	b.WriteString("<p>" + strconv.Itoa(len(p.Methods)) + " methods. In Lua the namespace is the global table <code>" + esc(p.Name) +
		"</code>, also <code>tg." + esc(p.Name) + `</code>.</p>
<table class="methods">
<thead><tr><th>Method</th><th>Bots</th><th>Description</th></tr></thead>
<tbody>
`)
	for _, m := range p.Methods {
		b.WriteString("<tr><td>" + link(m.Name, "<code>"+esc(m.Name)+"</code>") + `</td><td class="usable-` + esc(m.Bots) + `">` + esc(m.Bots) +
			"</td><td>" + esc(m.Description) + "</td></tr>\n")
	}
	b.WriteString("</tbody>\n</table>\n")
}
