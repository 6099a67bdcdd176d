// Package luaname knows which strings are Lua names: what may follow a dot
// or stand bare as a table key.
package luaname

// Keywords are Lua's reserved words (5.1, plus goto).
var Keywords = map[string]bool{
	"and": true, "break": true, "do": true, "else": true, "elseif": true, "end": true,
	"false": true, "for": true, "function": true, "goto": true, "if": true, "in": true,
	"local": true, "nil": true, "not": true, "or": true, "repeat": true, "return": true,
	"then": true, "true": true, "until": true, "while": true,
}

// Is reports whether s is a Lua name: letters, digits and underscores, not
// starting with a digit, and not a keyword.
func Is(s string) bool {
	if s == "" || Keywords[s] {
		return false
	}
	for i, c := range s {
		if c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (i > 0 && c >= '0' && c <= '9') {
			continue
		}
		return false
	}
	return true
}
