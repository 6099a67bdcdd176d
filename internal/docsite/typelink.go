package docsite

import (
	"net/url"

	"github.com/tglua/tglua/luabind/schema"
)

// typeLink is a parameter's or result's type as a page shows it: the TL
// spelling ("Vector<InputPeer>") with the element type linked, and "Array
// of InputPeer" for vectors.
type typeLink struct {
	Vector string // "Vector" or "vector" for vectors, else ""
	Name   string // the (element) type: "InputPeer", "string"
	Href   string // its page, or "" when it has none
}

// href is the path of name's page.
func href(name string) string { return "/docs/" + url.PathEscape(name) }

func linkType(t schema.TypeRef) typeLink {
	var l typeLink
	switch t.Kind {
	case schema.KindVector:
		l.Vector = "Vector"
	case schema.KindBareVector:
		l.Vector = "vector"
	}
	if l.Vector != "" {
		t = schema.TypeRef{Kind: t.Elem, Type: t.Type}
	}
	l.Name = schema.TypeName(t)
	if t.Kind == schema.KindTrue {
		l.Name = "Bool" // a flag: set or not
	}
	if _, ok := kindOf(l.Name); ok {
		l.Href = href(l.Name)
	}
	return l
}
