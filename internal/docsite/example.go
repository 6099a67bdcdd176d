package docsite

import (
	"strconv"
	"strings"

	"github.com/tglua/tglua/luabind/schema"
)

// An example value of a parameter, built once and rendered as Lua, JSON
// (curl) and Go, so that the three examples of a page agree. The literals
// are docpage's: TestExamplesMatchDocpage checks that the Lua rendering is
// exactly docpage.Example.

// nodeKind is what an example value is.
type nodeKind uint8

const (
	nodeScalar nodeKind = iota
	nodeList
	nodeObject
)

// node is an example value.
type node struct {
	kind nodeKind
	// Scalars: the literal in each language; raw is the text of a string
	// (a form field takes it as is), and str marks strings.
	lua, json, goLit, raw string
	str                   bool
	// Lists: the elements. Objects: the constructor and its fields.
	elems  []*node
	ctor   string
	fields []field
}

// field is a parameter or field and its value; tlString marks parameters
// whose TL type is string (a form field takes them raw).
type field struct {
	name     string
	val      *node
	tlString bool
}

// maxExampleDepth bounds how deep example objects nest (docpage's bound).
const maxExampleDepth = 2

// peerTypes take a peer shorthand such as '@username'.
var peerTypes = map[string]bool{"InputPeer": true, "InputUser": true, "InputChannel": true}

func number(s string) *node { return &node{lua: s, json: s, goLit: s} }

func text(s string) *node {
	return &node{lua: luaQuote(s), json: jsonQuote(s), goLit: goQuote(s), raw: s, str: true}
}

// now is the current Unix time; jsonNow stands for it in JSON, for the
// shell to fill in.
func now() *node { return &node{lua: "os.time()", json: jsonNow, goLit: "time.Now().Unix()"} }

// jsonNow marks where curl's shell substitutes the current time.
const jsonNow = "\x00now\x00"

// zeroBytes is n zero bytes (an int128 or int256).
func zeroBytes(n int) *node {
	s := strconv.Itoa(n)
	return &node{lua: "string.rep('\\0', " + s + ")", json: `"` + strings.Repeat(`\u0000`, n) + `"`, goLit: "make([]byte, " + s + ")"}
}

// exampleGen builds example values; busy holds the types being expanded,
// against recursive types.
type exampleGen struct{ busy map[string]bool }

func newExampleGen() *exampleGen { return &exampleGen{busy: map[string]bool{}} }

// args are the required parameters of c, as docpage's example sets them:
// no flags, no conditional fields, no random_id for methods, no parameter
// with a default but limit.
func (g *exampleGen) args(c *schema.Constructor, depth int) []field {
	var out []field
	for i := range c.Params {
		p := &c.Params[i]
		if p.Type.Kind == schema.KindFlags || p.Conditional() {
			continue
		}
		if c.Method && p.Name == "random_id" {
			continue
		}
		if c.Method && p.Name != "limit" && schema.Default(c, p) != "" {
			continue // optional: 0, inputPeerEmpty...
		}
		out = append(out, field{p.Name, g.value(p.Name, p.Type, depth), p.Type.Kind == schema.KindString})
	}
	return out
}

// object is constructor c as a table with "_" and its required fields.
func (g *exampleGen) object(c *schema.Constructor, depth int) *node {
	n := &node{kind: nodeObject, ctor: c.Name}
	if depth <= maxExampleDepth {
		n.fields = g.args(c, depth+1)
	}
	return n
}

func (g *exampleGen) value(name string, t schema.TypeRef, depth int) *node {
	switch t.Kind {
	case schema.KindInt:
		return intValue(name)
	case schema.KindLong:
		return number(longLiteral(name))
	case schema.KindDouble:
		return number("0.5")
	case schema.KindString:
		return text(stringLiteral(name))
	case schema.KindBytes:
		return &node{lua: "'bytes'", json: `"bytes"`, goLit: `[]byte("bytes")`}
	case schema.KindInt128:
		return zeroBytes(16)
	case schema.KindInt256:
		return zeroBytes(32)
	case schema.KindBool, schema.KindTrue:
		return number("true")
	case schema.KindVector, schema.KindBareVector:
		elem := schema.TypeRef{Kind: t.Elem, Type: t.Type}
		return &node{kind: nodeList, elems: []*node{g.value(singular(name), elem, depth)}}
	case schema.KindObject:
		return g.typeValue(schema.TypeAt(t.Type), depth)
	}
	return number("nil")
}

// typeValue picks a constructor of t: the first without fields, else the
// first that is not an "Empty" placeholder.
func (g *exampleGen) typeValue(t *schema.Type, depth int) *node {
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
		return number("nil")
	case !hasFields(pick) || g.busy[t.Name] || depth > maxExampleDepth:
		return &node{kind: nodeObject, ctor: pick.Name}
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

func intValue(name string) *node {
	switch {
	case name == "limit":
		return number("10")
	case strings.HasSuffix(name, "date"):
		return now()
	case name == "api_id":
		return number("12345")
	case name == "id" || strings.HasSuffix(name, "_id"):
		return number("42")
	}
	return number("0")
}

func longLiteral(name string) string {
	switch {
	case name == "hash" || strings.HasSuffix(name, "_hash"):
		return "0"
	case name == "id" || strings.HasSuffix(name, "_id"):
		return "1234567890"
	}
	return "0"
}

func stringLiteral(name string) string {
	switch {
	case strings.Contains(name, "phone"):
		return "+15550001"
	case name == "message" || name == "text" || name == "caption":
		return "Hello"
	case strings.Contains(name, "username"):
		return "username"
	case name == "title" || name == "first_name" || name == "last_name":
		return "Title"
	case strings.Contains(name, "url"):
		return "https://example.com"
	case name == "q" || name == "query":
		return "query"
	case name == "api_hash":
		return "0123456789abcdef0123456789abcdef"
	case name == "lang_code":
		return "en"
	}
	return "text"
}

// singular strips a plural "s" so that vector elements get a fitting
// literal (phone_numbers -> phone_number).
func singular(name string) string {
	if strings.HasSuffix(name, "s") && !strings.HasSuffix(name, "ss") {
		return name[:len(name)-1]
	}
	return name
}
