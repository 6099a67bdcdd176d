package docsite

import (
	"slices"
	"strings"

	"github.com/tglua/tglua/internal/apidoc"
	"github.com/tglua/tglua/internal/docpage"
	"github.com/tglua/tglua/luabind/schema"
)

// typePage is the page of a type: its constructors and the methods that
// return it (or a vector of it).
type typePage struct {
	Name         string
	Description  []string
	Peer         bool
	Constructors []summary
	Returning    []string
}

// summary is a linked name and the first sentence of its description.
type summary struct {
	Name, Description string
}

func newTypePage(t *schema.Type) typePage {
	doc, _ := apidoc.LookupType(t.Name)
	p := typePage{Name: t.Name, Description: paragraphs(doc.Description), Peer: docpage.PeerType(t.Name)}
	all := schema.All()
	for _, i := range t.Constructors {
		d, _ := apidoc.LookupConstructor(all[i].Name)
		p.Constructors = append(p.Constructors, summary{all[i].Name, firstSentence(d.Description)})
	}
	for i := range all {
		m := &all[i]
		if !m.Method {
			continue
		}
		r := m.Result
		if r.Kind == schema.KindVector || r.Kind == schema.KindBareVector {
			r = schema.TypeRef{Kind: r.Elem, Type: r.Type}
		}
		if schema.TypeName(r) == t.Name {
			p.Returning = append(p.Returning, m.Name)
		}
	}
	slices.Sort(p.Returning)
	return p
}

func (p typePage) writeContent(b *strings.Builder) {
	writeCrumbs(b, esc(p.Name))
	writeHeading(b, "Type", p.Name)
	writeParagraphs(b, "", p.Description)
	if p.Peer {
		b.WriteString(`<p class="note">Parameters of this type also take a peer shorthand: '@username', 'me', a phone number, a numeric id, or a peer table from a result.</p>` + "\n")
	}
	b.WriteString(`
<h2 id="constructors">Constructors</h2>
<table class="constructors">
<thead><tr><th>Constructor</th><th>Description</th></tr></thead>
<tbody>
`)
	for _, c := range p.Constructors {
		b.WriteString("<tr><td>" + link(c.Name, "<code>"+esc(c.Name)+"</code>") + "</td><td>" + esc(c.Description) + "</td></tr>\n")
	}
	b.WriteString("</tbody>\n</table>\n\n<h2 id=\"returning\">Methods that return it</h2>\n")
	if len(p.Returning) > 0 {
		writeGrid(b, "", p.Returning, false)
	} else {
		b.WriteString("<p>None.</p>")
	}
	b.WriteString("\n")
}
