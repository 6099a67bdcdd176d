package docsite

import (
	"strings"

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
func curlExample(m *schema.Constructor, args []field) string {
	var b strings.Builder
	b.WriteString("curl -X POST " + gatewayURL + "/user" + gatewayToken + "/" + m.Name)
	for _, f := range args {
		v := f.val.jsonString()
		if f.tlString && f.val.str {
			v = f.val.raw
		}
		b.WriteString(" \\\n  --data-urlencode " + shellWord(f.name+"="+v))
	}
	b.WriteString("\n# " + `{"ok":true,"result":` + jsonResult(m.Result) + "}\n")
	return b.String()
}

// jsonString renders the value as JSON.
func (n *node) jsonString() string {
	switch n.kind {
	case nodeList:
		parts := make([]string, len(n.elems))
		for i, e := range n.elems {
			parts[i] = e.jsonString()
		}
		return "[" + strings.Join(parts, ",") + "]"
	case nodeObject:
		var b strings.Builder
		b.WriteString(`{"_":` + jsonQuote(n.ctor))
		for _, f := range n.fields {
			b.WriteString("," + jsonQuote(f.name) + ":" + f.val.jsonString())
		}
		b.WriteString("}")
		return b.String()
	}
	return n.json
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
