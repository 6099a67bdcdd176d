package docsite

import (
	"strings"

	"github.com/tglua/tglua/internal/apidoc"
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
	v := newExampleGen().object(c, 0)
	return constructorPage{
		Name:        c.Name,
		Description: paragraphs(doc.Description),
		Type:        linkType(schema.TypeRef{Kind: schema.KindObject, Type: c.Type}),
		Fields:      paramRows(c, doc.Fields),
		Lua:         v.luaString(),
		JSON:        strings.ReplaceAll(v.jsonString(), jsonNow, sampleTime),
	}
}
