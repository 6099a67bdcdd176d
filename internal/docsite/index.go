package docsite

import (
	"strconv"
	"strings"

	"github.com/tglua/tglua/internal/docpage"
	"github.com/tglua/tglua/luabind/schema"
)

// indexPage lists the namespaces, the built-in functions and every method.
type indexPage struct {
	Layer      int
	Namespaces []namespaceCount
	Builtins   []string
	Methods    []string
}

type namespaceCount struct {
	Name  string
	Count int
}

func newIndexPage() indexPage {
	p := indexPage{Layer: schema.Layer, Builtins: docpage.BuiltinNames()}
	for _, ns := range schema.Namespaces() {
		p.Namespaces = append(p.Namespaces, namespaceCount{ns, len(schema.Methods(ns))})
	}
	for _, e := range names().entries {
		if e.Kind == kindMethod {
			p.Methods = append(p.Methods, e.Name)
		}
	}
	return p
}

func (p indexPage) writeContent(b *strings.Builder) {
	methods := strconv.Itoa(len(p.Methods))
	b.WriteString(`<h1>Telegram API reference</h1>
<p class="lead">` + methods + ` methods of layer ` + strconv.Itoa(p.Layer) + `, callable from tglua's Lua scripts, through the HTTP gateway and from Go, with their parameters, results, errors and examples.</p>
<form class="big-search" action="/docs/search" method="get" role="search">
<input id="filter" name="q" type="search" placeholder="Search, or type to filter the methods below" aria-label="Search the reference" autocomplete="off">
<button type="submit">Search</button>
</form>

<h2 id="namespaces">Namespaces</h2>
<ul class="grid">
`)
	for _, ns := range p.Namespaces {
		b.WriteString("<li>" + link(ns.Name, esc(ns.Name)) + ` <span class="count">` + strconv.Itoa(ns.Count) + "</span></li>\n")
	}
	b.WriteString("</ul>\n\n<h2 id=\"functions\">Built-in functions</h2>\n")
	writeGrid(b, "", p.Builtins, true)
	b.WriteString("\n\n" + `<h2 id="methods">Methods <span class="count" id="shown">` + methods + "</span></h2>\n")
	writeGrid(b, "method-list", p.Methods, false)
	b.WriteString("\n" + filterScript)
}

// filterScript filters the index's method list as the search box is typed
// in, and shows how many methods match.
const filterScript = `<script>
(function () {
  var input = document.getElementById('filter');
  var items = document.querySelectorAll('#method-list li');
  var shown = document.getElementById('shown');
  input.addEventListener('input', function () {
    var q = input.value.trim().toLowerCase(), n = 0;
    for (var i = 0; i < items.length; i++) {
      var hit = q === '' || items[i].textContent.toLowerCase().indexOf(q) >= 0;
      items[i].hidden = !hit;
      if (hit) n++;
    }
    shown.textContent = n;
  });
})();
</script>
`
