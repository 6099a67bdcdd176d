package docpage

import (
	"strings"

	"github.com/tglua/tglua/internal/luaname"
	"github.com/tglua/tglua/luabind/schema"
)

// peerTypes take peer shorthands such as '@username' (see luabind.Resolver).
var peerTypes = map[string]bool{"InputPeer": true, "InputUser": true, "InputChannel": true}

// maxExampleDepth bounds how deep example tables nest.
const maxExampleDepth = 2

// Example returns a Lua call of method m with plausible literals for its
// required parameters, such as
//
//	local r = auth.sendInvites{phone_numbers={'+15550001'}, message='Hello'}
func Example(m *schema.Constructor) string {
	g := newExampleGen()
	fn := m.Name
	if m.Namespace() == "" {
		fn = "tg." + m.Name
	}
	args := g.fields(m, 0)
	v := "local " + ResultVar(m) + " = "
	if args == "" {
		return v + fn + "()\n"
	}
	return v + fn + "{" + args + "}\n"
}

type exampleGen struct {
	// busy holds the types being expanded, against recursive types.
	busy map[string]bool
}

func newExampleGen() *exampleGen { return &exampleGen{busy: map[string]bool{}} }

// fields renders the required parameters of c as "k=v, k=v".
func (g *exampleGen) fields(c *schema.Constructor, depth int) string {
	var parts []string
	for i := range c.Params {
		p := &c.Params[i]
		if p.Type.Kind == schema.KindFlags || p.Conditional() {
			continue
		}
		if c.Method && p.Name == "random_id" {
			continue // filled in by tglua
		}
		if c.Method && p.Name != "limit" && schema.Default(c, p) != "" {
			continue // optional: 0, inputPeerEmpty...
		}
		parts = append(parts, key(p.Name)+"="+g.value(p.Name, p.Type, depth))
	}
	return strings.Join(parts, ", ")
}

// object renders a constructor as a table literal.
func (g *exampleGen) object(c *schema.Constructor, depth int) string {
	s := "{_='" + c.Name + "'"
	if depth <= maxExampleDepth {
		if f := g.fields(c, depth+1); f != "" {
			s += ", " + f
		}
	}
	return s + "}"
}

func (g *exampleGen) value(name string, t schema.TypeRef, depth int) string {
	switch t.Kind {
	case schema.KindInt:
		return intLiteral(name)
	case schema.KindLong:
		return longLiteral(name)
	case schema.KindDouble:
		return "0.5"
	case schema.KindString:
		return stringLiteral(name)
	case schema.KindBytes:
		return "'bytes'"
	case schema.KindInt128:
		return "string.rep('\\0', 16)"
	case schema.KindInt256:
		return "string.rep('\\0', 32)"
	case schema.KindBool, schema.KindTrue:
		return "true"
	case schema.KindVector, schema.KindBareVector:
		elem := schema.TypeRef{Kind: t.Elem, Type: t.Type}
		return "{" + g.value(singular(name), elem, depth) + "}"
	case schema.KindObject:
		return g.typeValue(schema.TypeAt(t.Type), depth)
	}
	return "nil"
}

// typeValue picks a constructor of t: the first without fields, else the
// first that is not an "Empty" placeholder.
func (g *exampleGen) typeValue(t *schema.Type, depth int) string {
	if peerTypes[t.Name] {
		return "'@username'"
	}
	all := schema.All()
	var pick *schema.Constructor
	for _, i := range t.Constructors {
		c := &all[i]
		if !hasFields(c) {
			pick = c
			break
		}
	}
	if pick == nil {
		for _, i := range t.Constructors {
			c := &all[i]
			if pick == nil || (strings.HasSuffix(pick.Name, "Empty") && !strings.HasSuffix(c.Name, "Empty")) {
				pick = c
			}
		}
	}
	if pick == nil {
		return "nil"
	}
	if !hasFields(pick) {
		return "{_='" + pick.Name + "'}"
	}
	if g.busy[t.Name] || depth > maxExampleDepth {
		return "{_='" + pick.Name + "'}"
	}
	g.busy[t.Name] = true
	defer delete(g.busy, t.Name)
	return g.object(pick, depth)
}

func hasFields(c *schema.Constructor) bool {
	for i := range c.Params {
		if c.Params[i].Type.Kind != schema.KindFlags {
			return true
		}
	}
	return false
}

func intLiteral(name string) string {
	switch {
	case name == "limit":
		return "10"
	case strings.HasSuffix(name, "date"):
		return "os.time()"
	case name == "api_id":
		return "12345"
	case name == "id" || strings.HasSuffix(name, "_id"):
		return "42"
	default:
		return "0"
	}
}

func longLiteral(name string) string {
	switch {
	case name == "hash" || strings.HasSuffix(name, "_hash"):
		return "0"
	case name == "id" || strings.HasSuffix(name, "_id"):
		return "1234567890"
	default:
		return "0"
	}
}

func stringLiteral(name string) string {
	switch {
	case strings.Contains(name, "phone"):
		return "'+15550001'"
	case name == "message" || name == "text" || name == "caption":
		return "'Hello'"
	case strings.Contains(name, "username"):
		return "'username'"
	case name == "title" || name == "first_name" || name == "last_name":
		return "'Title'"
	case strings.Contains(name, "url"):
		return "'https://example.com'"
	case name == "q" || name == "query":
		return "'query'"
	case name == "api_hash":
		return "'0123456789abcdef0123456789abcdef'"
	case name == "lang_code":
		return "'en'"
	default:
		return "'text'"
	}
}

// singular strips a plural "s" so that vector elements get a fitting
// literal (phone_numbers -> phone_number).
func singular(name string) string {
	if strings.HasSuffix(name, "s") && !strings.HasSuffix(name, "ss") {
		return name[:len(name)-1]
	}
	return name
}

// key renders a table key: bare when it is a Lua name.
func key(name string) string {
	if luaname.Keywords[name] {
		return "['" + name + "']"
	}
	return name
}
