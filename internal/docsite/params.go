package docsite

import (
	"strings"

	"github.com/tglua/tglua/internal/docpage"
	"github.com/tglua/tglua/luabind/schema"
)

// paramRow is a row of a Parameters or Fields table.
type paramRow struct {
	Name        string
	Type        typeLink
	Required    string // "Yes", "Optional" or "Optional, default X"
	Optional    bool
	Description string
}

// paramRows lists c's parameters as docpage's table does: no flags words,
// flags.N?true fields as optional Bools, a method's random_id optional
// (tglua fills it in), and schema defaults shown.
func paramRows(c *schema.Constructor, descs map[string]string) []paramRow {
	var rows []paramRow
	for i := range c.Params {
		p := &c.Params[i]
		if p.Type.Kind == schema.KindFlags {
			continue
		}
		r := paramRow{Name: p.Name, Type: linkType(p.Type), Required: "Yes", Description: descs[p.Name]}
		switch {
		case p.Type.Kind == schema.KindTrue, p.Conditional():
			r.Required = "Optional"
		case p.Name == "random_id" && c.Method:
			r.Required = "Optional"
			r.Description = strings.TrimSpace(r.Description + " (tglua sends a random one when absent)")
		case schema.Default(c, p) != "":
			r.Required = "Optional, default " + schema.Default(c, p)
		}
		r.Optional = r.Required != "Yes"
		if c.Method && p.Type.Kind == schema.KindObject && docpage.PeerType(schema.TypeName(p.Type)) {
			r.Description = sentence(r.Description) + "Also takes a peer shorthand: '@username', 'me', a phone number or a numeric id."
		}
		rows = append(rows, r)
	}
	return rows
}

// sentence ends a description with a full stop and a space, so that
// another sentence can follow; "" stays "".
func sentence(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return ""
	}
	if !strings.HasSuffix(s, ".") && !strings.HasSuffix(s, "!") && !strings.HasSuffix(s, "?") {
		s += "."
	}
	return s + " "
}
