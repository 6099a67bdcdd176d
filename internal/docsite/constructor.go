package docsite

import (
	"strings"

	"github.com/tglua/tglua/internal/apidoc"
	"github.com/tglua/tglua/internal/docpage"
	"github.com/tglua/tglua/luabind/schema"
)

// constructorPage is the page of a constructor: its fields, its type and
// how to write it.
type constructorPage struct {
	Name        string
	Description []string
	Type        typeLink
	Fields      []paramRow
	Lua         string
	JSON        string
}

// sampleTime stands for the current time in JSON literals shown as they
// are (Lua has os.time(), curl $(date +%s)).
const sampleTime = "1700000000"

func newConstructorPage(c *schema.Constructor) constructorPage {
	doc, _ := apidoc.LookupConstructor(c.Name)
	v := docpage.ExampleObject(c)
	return constructorPage{
		Name:        c.Name,
		Description: paragraphs(doc.Description),
		Type:        linkType(schema.TypeRef{Kind: schema.KindObject, Type: c.Type}),
		Fields:      paramRows(c, doc.Fields),
		Lua:         v.Lua(),
		JSON:        strings.ReplaceAll(jsonValue(v), jsonNow, sampleTime),
	}
}

func (p constructorPage) writeContent(b *strings.Builder) {
	writeCrumbs(b, `<a href="`+esc(p.Type.Href)+`">`+esc(p.Type.Name)+"</a>", esc(p.Name))
	writeHeading(b, "Constructor", p.Name)
	writeParagraphs(b, "", p.Description)
	b.WriteString("\n<p>Belongs to type ")
	writeType(b, p.Type)
	b.WriteString(".</p>\n\n<h2 id=\"fields\">Fields</h2>\n")
	if len(p.Fields) > 0 {
		writeParams(b, p.Fields)
	} else {
		b.WriteString("<p>None.</p>")
	}
	b.WriteString("\n\n<h2 id=\"examples\">Examples</h2>\n")
	writeExample(b, "Lua", "lua", p.Lua)
	writeExample(b, "JSON (HTTP gateway)", "json", p.JSON)
}
