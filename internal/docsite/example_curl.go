package docsite

import (
	"strings"

	"github.com/tglua/tglua/internal/docpage"
	"github.com/tglua/tglua/luabind/schema"
)

// gatewayURL is where the examples expect the gateway, and gatewayToken
// stands for an account's token.
const (
	gatewayURL   = "http://127.0.0.1:8080"
	gatewayToken = "TOKEN"
)

// curlExample is the call of m through the gateway: one url-encoded form
// field per parameter, JSON unless the parameter is a TL string, which is
// sent as it is. --data-urlencode keeps a '+' a plus.
func curlExample(m *schema.Constructor, args []docpage.Field) string {
	var b strings.Builder
	b.WriteString("curl -X POST " + gatewayURL + "/user" + gatewayToken + "/" + m.Name)
	for _, f := range args {
		v := jsonValue(f.Value)
		if f.Type.Kind == schema.KindString && f.Value.Kind == docpage.ValueString {
			v = f.Value.Text
		}
		b.WriteString(" \\\n  --data-urlencode " + shellWord(f.Name+"="+v))
	}
	b.WriteString("\n# " + `{"ok":true,"result":` + jsonResult(m.Result) + "}\n")
	return b.String()
}

// jsonResult sketches a result of type t as the gateway answers it.
func jsonResult(t schema.TypeRef) string {
	switch t.Kind {
	case schema.KindBool, schema.KindTrue:
		return "true"
	case schema.KindInt, schema.KindLong, schema.KindDouble:
		return "0"
	case schema.KindString, schema.KindBytes:
		return `"..."`
	case schema.KindVector, schema.KindBareVector:
		return "[" + jsonResult(schema.TypeRef{Kind: t.Elem, Type: t.Type}) + ",...]"
	case schema.KindObject:
		ty := schema.TypeAt(t.Type)
		if len(ty.Constructors) == 1 {
			return `{"_":` + jsonQuote(schema.All()[ty.Constructors[0]].Name) + `,...}`
		}
		return `{"_":"...",...}`
	}
	return "null"
}
