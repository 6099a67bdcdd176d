package docsite

import (
	"strings"

	"github.com/tglua/tglua/internal/docpage"
	"github.com/tglua/tglua/internal/luaname"
	"github.com/tglua/tglua/luabind/schema"
)

// luaExample is docpage's example call of m, such as
//
//	local Bool = auth.sendInvites{phone_numbers={'+15550001'}, message='Hello'}
func luaExample(m *schema.Constructor, args []field) string {
	fn := m.Name
	if m.Namespace() == "" {
		fn = "tg." + m.Name
	}
	v := "local " + docpage.ResultVar(m) + " = "
	if len(args) == 0 {
		return v + fn + "()\n"
	}
	return v + fn + "{" + luaFields(args) + "}\n"
}

func luaFields(fs []field) string {
	parts := make([]string, len(fs))
	for i, f := range fs {
		parts[i] = luaKey(f.name) + "=" + f.val.luaString()
	}
	return strings.Join(parts, ", ")
}

// luaString renders the value as a Lua expression.
func (n *node) luaString() string {
	switch n.kind {
	case nodeList:
		parts := make([]string, len(n.elems))
		for i, e := range n.elems {
			parts[i] = e.luaString()
		}
		return "{" + strings.Join(parts, ", ") + "}"
	case nodeObject:
		s := "{_='" + n.ctor + "'"
		if len(n.fields) > 0 {
			s += ", " + luaFields(n.fields)
		}
		return s + "}"
	}
	return n.lua
}

// luaKey renders a table key: bare when it is a Lua name.
func luaKey(name string) string {
	if luaname.Keywords[name] {
		return "['" + name + "']"
	}
	return name
}
