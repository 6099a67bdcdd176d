package docsite

import (
	"go/format"
	"strings"

	"github.com/tglua/tglua/luabind/schema"
)

// goPrelude introduces the Go example.
const goPrelude = "// rt is a *runtime.Runtime (runtime.New); Call takes the method's name.\n"

// goExample is the call of m from Go through package runtime, gofmt'ed.
func goExample(m *schema.Constructor, args []field) string {
	var b strings.Builder
	b.WriteString(goPrelude)
	b.WriteString("out, err := rt.Call(ctx, " + goQuote(m.Name))
	if len(args) > 0 {
		b.WriteString(", map[string]any{\n")
		for _, f := range args {
			b.WriteString(goQuote(f.name) + ": " + f.val.goString() + ",\n")
		}
		b.WriteString("}")
	}
	b.WriteString(")\nif err != nil {\n\treturn err\n}\n")
	b.WriteString("fmt.Println(out[0]) // " + schema.TypeName(m.Result) + ": " + goResult(m.Result) + "\n")
	src, err := format.Source([]byte(b.String()))
	if err != nil {
		return b.String() // TestGoExamplesParse keeps this from happening
	}
	return string(src)
}

// goString renders the value as a Go expression for runtime.ToLua.
func (n *node) goString() string {
	switch n.kind {
	case nodeList:
		parts := make([]string, len(n.elems))
		strs := true
		for i, e := range n.elems {
			parts[i] = e.goString()
			strs = strs && e.kind == nodeScalar && e.str
		}
		typ := "[]any"
		if strs {
			typ = "[]string"
		}
		return typ + "{" + strings.Join(parts, ", ") + "}"
	case nodeObject:
		var b strings.Builder
		b.WriteString(`map[string]any{"_": ` + goQuote(n.ctor))
		for _, f := range n.fields {
			b.WriteString(", " + goQuote(f.name) + ": " + f.val.goString())
		}
		b.WriteString("}")
		return b.String()
	}
	return n.goLit
}

// goResult says what runtime.ToGo makes of a result of type t.
func goResult(t schema.TypeRef) string {
	switch t.Kind {
	case schema.KindBool, schema.KindTrue:
		return "a bool"
	case schema.KindInt:
		return "an int64"
	case schema.KindLong:
		return "an int64 (a decimal string beyond 2^53)"
	case schema.KindDouble:
		return "a float64"
	case schema.KindString, schema.KindBytes:
		return "a string"
	case schema.KindVector, schema.KindBareVector:
		return "a []any"
	}
	return `a map[string]any; "_" names its constructor`
}
