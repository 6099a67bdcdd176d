// Package luaname knows which strings are Lua names: what may follow a dot
// or stand bare as a table key.
package luaname

import "slices"

// Keywords are Lua's reserved words (5.1, plus goto), in order. A slice of
// constants is static data: nothing runs at start-up.
var Keywords = []string{
	"and", "break", "do", "else", "elseif", "end", "false", "for", "function", "goto", "if", "in",
	"local", "nil", "not", "or", "repeat", "return", "then", "true", "until", "while",
}

// IsKeyword reports whether s is one of Keywords.
func IsKeyword(s string) bool { return slices.Contains(Keywords, s) }

// Is reports whether s is a Lua name: letters, digits and underscores, not
// starting with a digit, and not a keyword.
func Is(s string) bool {
	if s == "" || IsKeyword(s) {
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
