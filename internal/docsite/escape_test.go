package docsite

import (
	"html/template"
	"strings"
	"testing"
)

// esc escapes as html/template does in each context the pages put values
// in: text, a quoted attribute, the title element and, for href's paths, a
// link.
func TestEscMatchesHTMLTemplate(t *testing.T) {
	tmpl := template.Must(template.New("").Funcs(template.FuncMap{"href": href}).Parse(
		`<title>{{.}}</title><p>{{.}}</p><input value="{{.}}"><a class="c-{{.}}" href="{{href .}}">`))
	for _, s := range []string{
		"", "plain", `<b>&'"+ x`, "a\x00b", "привет", "\xff\xfe", "a`b${c}</script>", "javascript:alert(1)",
		"50% &amp; a+b=c @me $x: ;,/?#[]!*()~", "tg.messages.sendMessage", "\uFFFD\uFDD0\uFFFE",
	} {
		var b strings.Builder
		if err := tmpl.Execute(&b, s); err != nil {
			t.Fatal(err)
		}
		e := esc(s)
		got := "<title>" + e + "</title><p>" + e + `</p><input value="` + e + `"><a class="c-` + e + `" href="` + esc(href(s)) + `">`
		if want := b.String(); got != want {
			t.Errorf("%q:\n got %s\nwant %s (html/template's)", s, got, want)
		}
	}
}
