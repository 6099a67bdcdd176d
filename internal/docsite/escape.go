package docsite

import (
	"strings"
	"sync"
)

// htmlEscaper escapes text for HTML text, a double-quoted attribute value
// or the title element: the characters html/template escapes there, with
// its spellings ("+" as "&#43;", NUL as U+FFFD), so that pages stay the
// bytes they were when they were templates.
// It is made on first use: a run that serves no page does not build it.
var htmlEscaper = sync.OnceValue(func() *strings.Replacer {
	return strings.NewReplacer(
		"\x00", "\uFFFD",
		`"`, "&#34;",
		"&", "&amp;",
		"'", "&#39;",
		"+", "&#43;",
		"<", "&lt;",
		">", "&gt;",
	)
})

// esc is s escaped for HTML text or a quoted attribute value. It also
// serves for href values: href's result is a path that a URL normalizer
// would leave alone (url.PathEscape leaves only unreserved characters,
// "$&+:=@" and %XX escapes), so escaping it as an attribute is all there
// is to do.
func esc(s string) string { return htmlEscaper().Replace(s) }
