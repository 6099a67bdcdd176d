package docsite

import (
	"fmt"

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
	args := newExampleGen().args(m, 0)
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
