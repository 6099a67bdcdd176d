package docsite

import (
	"fmt"
	"strings"

	"github.com/tglua/tglua/internal/apidoc"
	"github.com/tglua/tglua/internal/docpage"
	"github.com/tglua/tglua/internal/split"
	"github.com/tglua/tglua/luabind"
	"github.com/tglua/tglua/luabind/schema"
)

// methodPage is the page of a method, with the sections of MadelineProto's
// method pages.
type methodPage struct {
	Name        string
	Namespace   string
	Description []string
	Notes       []string
	Params      []paramRow
	Result      typeLink
	Bots        string // "YES", "NO" or "unknown"
	Errors      []apidoc.Error
	Lua         string
	Curl        string
	Go          string
}

func newMethodPage(m *schema.Constructor) methodPage {
	doc, _ := apidoc.LookupMethod(m.Name)
	args := docpage.ExampleArgs(m)
	p := methodPage{
		Name:        m.Name,
		Namespace:   m.Namespace(),
		Description: paragraphs(doc.Description),
		Params:      paramRows(m, doc.Params),
		Result:      linkType(m.Result),
		Bots:        apidoc.MethodUsability(m.Name).BotsCanUse(),
		Errors:      doc.Errors,
		Lua:         docpage.Example(m),
		Curl:        curlExample(m, args),
		Go:          goExample(m, args),
	}
	if m.Legacy {
		p.Notes = append(p.Notes, "This method is not in the current API layer; tglua keeps it for older scripts and servers.")
	}
	if luabind.SplitMethods[m.Name] {
		p.Notes = append(p.Notes, fmt.Sprintf("A message longer than %d UTF-16 code units (split.limit, or the server's message_length_max) is split "+
			"at paragraph, line or word boundaries: the method is called once per chunk and an array of the results is returned, "+
			"in Lua and over HTTP. A message that would need more than split.max_chunks (%d) chunks fails before anything is sent.",
			split.DefaultLimit, luabind.DefaultMaxChunks))
	}
	return p
}

func (p methodPage) writeContent(b *strings.Builder) {
	if p.Namespace != "" {
		writeCrumbs(b, link(p.Namespace, esc(p.Namespace)), esc(p.Name))
	} else {
		writeCrumbs(b, esc(p.Name))
	}
	writeHeading(b, "Method", p.Name)
	writeParagraphs(b, "", p.Description)
	writeParagraphs(b, "note", p.Notes)
	b.WriteString("\n<h2 id=\"parameters\">Parameters</h2>\n")
	if len(p.Params) > 0 {
		writeParams(b, p.Params)
	} else {
		b.WriteString("<p>None.</p>")
	}
	b.WriteString("\n\n<h2 id=\"return\">Return type</h2>\n<p>")
	writeType(b, p.Result)
	b.WriteString("</p>\n\n<h2 id=\"bots\">Can bots use this method?</h2>\n")
	b.WriteString(`<p><strong class="usable usable-` + esc(p.Bots) + `">` + esc(p.Bots) + "</strong></p>\n\n<h2 id=\"errors\">Errors</h2>\n")
	p.writeErrors(b)
	b.WriteString("\n\n<h2 id=\"examples\">Examples</h2>\n")
	writeExample(b, "Lua", "lua", p.Lua)
	writeExample(b, "HTTP gateway (curl)", "curl", p.Curl)
	writeExample(b, "Go (package runtime)", "go", p.Go)
}

// writeErrors writes the table of the errors the method may return.
func (p methodPage) writeErrors(b *strings.Builder) {
	if len(p.Errors) == 0 {
		b.WriteString("<p>No errors are documented for this method.</p>")
		return
	}
	b.WriteString(`<table class="errors">
<thead><tr><th>Type</th><th>Description</th></tr></thead>
<tbody>
`)
	for _, e := range p.Errors {
		b.WriteString("<tr><td><code>" + esc(e.Type) + "</code></td><td>" + esc(e.Description) + "</td></tr>\n")
	}
	b.WriteString("</tbody>\n</table>")
}
