package docpage

import (
	"strconv"
	"strings"

	"github.com/tglua/tglua/internal/luaname"
)

// Lua renders v as a Lua expression: {_='inputPeerUser', user_id=42,
// access_hash=0}.
func (v Value) Lua() string {
	switch v.Kind {
	case ValueLiteral:
		return v.Text
	case ValueString, ValueBytes:
		return luaQuote(v.Text)
	case ValueZeros:
		return "string.rep('\\0', " + strconv.Itoa(v.Size) + ")"
	case ValueNow:
		return "os.time()"
	case ValueList:
		parts := make([]string, len(v.Elems))
		for i, e := range v.Elems {
			parts[i] = e.Lua()
		}
		return "{" + strings.Join(parts, ", ") + "}"
	case ValueObject:
		s := "{_=" + luaQuote(v.Constructor)
		if len(v.Fields) > 0 {
			s += ", " + luaFields(v.Fields)
		}
		return s + "}"
	}
	return "nil"
}

// luaFields renders fields as the entries of a table: "k=v, k=v".
func luaFields(fields []Field) string {
	parts := make([]string, len(fields))
	for i, f := range fields {
		parts[i] = luaKey(f.Name) + "=" + f.Value.Lua()
	}
	return strings.Join(parts, ", ")
}

// luaKey renders a table key: bare when it is a Lua name.
func luaKey(name string) string {
	if luaname.IsKeyword(name) {
		return "['" + name + "']"
	}
	return name
}

// luaQuote is s as a single-quoted Lua string.
func luaQuote(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `'`, `\'`, "\n", `\n`, "\x00", `\0`)
	return "'" + r.Replace(s) + "'"
}
