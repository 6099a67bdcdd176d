package docpage

import (
	"strings"

	"github.com/tglua/tglua/luabind/schema"
)

// peerTypes take peer shorthands such as '@username' (see luabind.Resolver).
var peerTypes = map[string]bool{"InputPeer": true, "InputUser": true, "InputChannel": true}

// PeerType says whether parameters of the type called name also take a
// peer shorthand such as '@username', which the examples pass.
func PeerType(name string) bool { return peerTypes[name] }

// maxExampleDepth bounds how deep example objects nest.
const maxExampleDepth = 2

// Example returns a Lua call of method m with plausible literals for its
// required parameters (ExampleArgs), such as
//
//	local r = auth.sendInvites{phone_numbers={'+15550001'}, message='Hello'}
func Example(m *schema.Constructor) string {
	fn := m.Name
	if m.Namespace() == "" {
		fn = "tg." + m.Name
	}
	v := "local " + ResultVar(m) + " = "
	args := ExampleArgs(m)
	if len(args) == 0 {
		return v + fn + "()\n"
	}
	return v + fn + "{" + luaFields(args) + "}\n"
}

// ExampleArgs are the parameters Example passes to m: the required ones,
// without flags words, conditional fields, a method's random_id (tglua
// fills it in) or a method's parameters that have a default, but limit.
func ExampleArgs(m *schema.Constructor) []Field { return newExampleGen().fields(m, 0) }

// ExampleObject is constructor c with example values of its required
// fields, as its page shows it.
func ExampleObject(c *schema.Constructor) Value { return newExampleGen().object(c, 0) }

type exampleGen struct {
	// busy holds the types being expanded, against recursive types.
	busy map[string]bool
}

func newExampleGen() *exampleGen { return &exampleGen{busy: map[string]bool{}} }

// fields are the required parameters of c and their values.
func (g *exampleGen) fields(c *schema.Constructor, depth int) []Field {
	var out []Field
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
		out = append(out, Field{Name: p.Name, Type: p.Type, Value: g.value(p.Name, p.Type, depth)})
	}
	return out
}

// object is constructor c with its required fields, unless it is nested
// too deep.
func (g *exampleGen) object(c *schema.Constructor, depth int) Value {
	v := Value{Kind: ValueObject, Constructor: c.Name}
	if depth <= maxExampleDepth {
		v.Fields = g.fields(c, depth+1)
	}
	return v
}

// value is the example of a parameter called name of type t.
func (g *exampleGen) value(name string, t schema.TypeRef, depth int) Value {
	switch t.Kind {
	case schema.KindInt:
		return intValue(name)
	case schema.KindLong:
		return longValue(name)
	case schema.KindDouble:
		return literal("0.5")
	case schema.KindString:
		return stringValue(name)
	case schema.KindBytes:
		return Value{Kind: ValueBytes, Text: "bytes"}
	case schema.KindInt128:
		return Value{Kind: ValueZeros, Size: 16}
	case schema.KindInt256:
		return Value{Kind: ValueZeros, Size: 32}
	case schema.KindBool, schema.KindTrue:
		return literal("true")
	case schema.KindVector, schema.KindBareVector:
		elem := schema.TypeRef{Kind: t.Elem, Type: t.Type}
		return Value{Kind: ValueList, Elems: []Value{g.value(singular(name), elem, depth)}}
	case schema.KindObject:
		return g.typeValue(schema.TypeAt(t.Type), depth)
	}
	return Value{Kind: ValueNil}
}

// typeValue picks a constructor of t: the first without fields, else the
// first that is not an "Empty" placeholder. Peer types take '@username'.
func (g *exampleGen) typeValue(t *schema.Type, depth int) Value {
	if peerTypes[t.Name] {
		return text("@username")
	}
	all := schema.All()
	var pick *schema.Constructor
	for _, i := range t.Constructors {
		if c := &all[i]; !hasFields(c) {
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
	switch {
	case pick == nil:
		return Value{Kind: ValueNil}
	case !hasFields(pick) || g.busy[t.Name] || depth > maxExampleDepth:
		return Value{Kind: ValueObject, Constructor: pick.Name}
	}
	g.busy[t.Name] = true
	defer delete(g.busy, t.Name)
	return g.object(pick, depth)
}

// hasFields says whether c has a field besides flags words.
func hasFields(c *schema.Constructor) bool {
	for i := range c.Params {
		if c.Params[i].Type.Kind != schema.KindFlags {
			return true
		}
	}
	return false
}
