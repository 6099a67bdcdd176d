package docsite

import (
	"strings"
	"sync"

	"github.com/tglua/tglua/internal/apidoc"
)

// basicTypes are TL's basic types and how a script and the gateway pass
// them. The documentation describes most of them, but they are not schema
// types: docpage would call them "not in tglua's schema". Made on first use.
var basicTypes = sync.OnceValue(func() map[string]struct{ lua, json string } {
	return map[string]struct{ lua, json string }{
		"int":    {"A Lua number (32-bit signed).", "A number."},
		"long":   {"A Lua number up to 2^53; beyond, a decimal string (both ways, so no long is ever rounded).", "A number within ±2^53, else a decimal string; both are accepted back."},
		"double": {"A Lua number.", "A number."},
		"string": {"A Lua string (UTF-8 text).", "A string. In a form field, the text as it is, or a JSON string literal."},
		"bytes":  {"A Lua string of any bytes.", `A string when the bytes are UTF-8, else {"_":"bytes","base64":"..."}; both are accepted back.`},
		"int128": {"A Lua string of 16 bytes, such as string.rep('\\0', 16).", "A string of 16 bytes."},
		"int256": {"A Lua string of 32 bytes, such as string.rep('\\0', 32).", "A string of 32 bytes."},
	}
})

// basicPage is the page of a basic type.
type basicPage struct {
	Name        string
	Description []string
	Lua, JSON   string
}

func newBasicPage(name string) basicPage {
	b := basicTypes()[name]
	doc, _ := apidoc.LookupType(name)
	return basicPage{Name: name, Description: paragraphs(doc.Description), Lua: b.lua, JSON: b.json}
}

func (p basicPage) writeContent(b *strings.Builder) {
	writeCrumbs(b, esc(p.Name))
	writeHeading(b, "Basic type", p.Name)
	writeParagraphs(b, "", p.Description)
	b.WriteString("\n<h2>In Lua</h2>\n<p>" + esc(p.Lua) + "</p>\n<h2>In JSON (HTTP gateway)</h2>\n<p>" + esc(p.JSON) + "</p>\n")
}
