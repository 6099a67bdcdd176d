package docsite

import (
	"strings"

	"github.com/tglua/tglua/internal/docpage"
)

// jsonNow marks where curl's shell substitutes the current time; a
// constructor page shows sampleTime instead.
const jsonNow = "\x00now\x00"

// jsonValue renders docpage's example value v as JSON, as the gateway
// takes it.
func jsonValue(v docpage.Value) string {
	switch v.Kind {
	case docpage.ValueLiteral:
		return v.Text
	case docpage.ValueString, docpage.ValueBytes:
		return jsonQuote(v.Text)
	case docpage.ValueZeros:
		return `"` + strings.Repeat(`\u0000`, v.Size) + `"`
	case docpage.ValueNow:
		return jsonNow
	case docpage.ValueList:
		parts := make([]string, len(v.Elems))
		for i, e := range v.Elems {
			parts[i] = jsonValue(e)
		}
		return "[" + strings.Join(parts, ",") + "]"
	case docpage.ValueObject:
		var b strings.Builder
		b.WriteString(`{"_":` + jsonQuote(v.Constructor))
		for _, f := range v.Fields {
			b.WriteString("," + jsonQuote(f.Name) + ":" + jsonValue(f.Value))
		}
		b.WriteString("}")
		return b.String()
	}
	return "null"
}
