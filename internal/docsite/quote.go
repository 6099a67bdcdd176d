package docsite

import (
	"encoding/json"
	"strconv"
	"strings"
)

// jsonQuote is s as a JSON string.
func jsonQuote(s string) string {
	b, _ := json.Marshal(s) // a string always marshals
	return string(b)
}

// goQuote is s as a Go string literal.
func goQuote(s string) string { return strconv.Quote(s) }

// shellWord quotes s for a POSIX shell: in single quotes, or in double
// quotes when it holds jsonNow, which becomes $(date +%s).
func shellWord(s string) string {
	if !strings.Contains(s, jsonNow) {
		return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
	}
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "$", `\$`, "`", "\\`", jsonNow, "$(date +%s)")
	return `"` + r.Replace(s) + `"`
}
