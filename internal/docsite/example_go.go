package docsite

import (
	"math"
	"strconv"
	"strings"

	"github.com/tglua/tglua/internal/docpage"
	"github.com/tglua/tglua/luabind/schema"
)

// goPrelude introduces the Go example.
const goPrelude = "// rt is a *runtime.Runtime (runtime.New); Call takes the method's name.\n"

// goExample is the call of m from Go through package runtime, written as
// gofmt writes it: TestGoExamplesGofmt checks that go/format leaves every
// example alone.
func goExample(m *schema.Constructor, args []docpage.Field) string {
	var b strings.Builder
	b.WriteString(goPrelude)
	b.WriteString("out, err := rt.Call(ctx, " + goQuote(m.Name))
	if len(args) > 0 {
		keys := make([]string, len(args))
		for i, f := range args {
			keys[i] = goQuote(f.Name)
		}
		pads := goKeyPads(keys)
		b.WriteString(", map[string]any{\n")
		for i, f := range args {
			b.WriteString("\t" + keys[i] + ":" + strings.Repeat(" ", pads[i]) + goValue(f.Value) + ",\n")
		}
		b.WriteString("}")
	}
	b.WriteString(")\nif err != nil {\n\treturn err\n}\n")
	b.WriteString("fmt.Println(out[0]) // " + schema.TypeName(m.Result) + ": " + goResult(m.Result) + "\n")
	return b.String()
}

// goKeyPads says how many spaces gofmt puts after each key's colon in a
// composite literal of one key: value a line: enough to align the values
// of an alignment section, at least one. Consecutive lines are one
// section, but a key starts a new one when it or the key before it is
// over 40 bytes and it is at least 2.5 times longer or shorter than the
// geometric mean of the keys of the section so far (go/printer's
// exprList).
func goKeyPads(keys []string) []int {
	pads := make([]int, len(keys))
	start, lnsum := 0, 0.0
	for i, k := range keys {
		if i > 0 && (len(keys[i-1]) > 40 || len(k) > 40) {
			ratio := float64(len(k)) / math.Exp(lnsum/float64(i-start))
			if 2.5*ratio <= 1 || 2.5 <= ratio {
				alignKeys(pads[start:i], keys[start:i])
				start, lnsum = i, 0
			}
		}
		lnsum += math.Log(float64(len(k)))
	}
	alignKeys(pads[start:], keys[start:])
	return pads
}

// alignKeys sets the pads of one alignment section, whose values start one
// space after the longest key's colon.
func alignKeys(pads []int, keys []string) {
	w := 0
	for _, k := range keys {
		w = max(w, len(k))
	}
	for i, k := range keys {
		pads[i] = w - len(k) + 1
	}
}

// goValue renders docpage's example value v as a Go expression for
// runtime.ToLua.
func goValue(v docpage.Value) string {
	switch v.Kind {
	case docpage.ValueLiteral:
		return v.Text
	case docpage.ValueString:
		return goQuote(v.Text)
	case docpage.ValueBytes:
		return "[]byte(" + goQuote(v.Text) + ")"
	case docpage.ValueZeros:
		return "make([]byte, " + strconv.Itoa(v.Size) + ")"
	case docpage.ValueNow:
		return "time.Now().Unix()"
	case docpage.ValueList:
		parts := make([]string, len(v.Elems))
		strs := true
		for i, e := range v.Elems {
			parts[i] = goValue(e)
			strs = strs && e.Kind == docpage.ValueString
		}
		typ := "[]any"
		if strs {
			typ = "[]string"
		}
		return typ + "{" + strings.Join(parts, ", ") + "}"
	case docpage.ValueObject:
		var b strings.Builder
		b.WriteString(`map[string]any{"_": ` + goQuote(v.Constructor))
		for _, f := range v.Fields {
			b.WriteString(", " + goQuote(f.Name) + ": " + goValue(f.Value))
		}
		b.WriteString("}")
		return b.String()
	}
	return "nil"
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
