package docsite

import (
	"bytes"
	"embed"
	"html/template"
	"sync"

	"github.com/tglua/tglua/luabind/schema"
)

//go:embed templates
var files embed.FS

// pageKinds are the page templates: templates/<kind>.html, each defining
// "content" inside the shared layout.
var pageKinds = []string{"index", "search", "notfound", "method", "constructor", "type", "namespace", "text", "basic"}

// templates parses every page template on first use.
var templates = sync.OnceValue(func() map[string]*template.Template {
	css, err := files.ReadFile("templates/style.css")
	if err != nil {
		panic(err)
	}
	base := template.New("layout").Funcs(template.FuncMap{"href": href})
	template.Must(base.ParseFS(files, "templates/layout.html", "templates/parts.html", "templates/text.html"))
	template.Must(base.New("css").Parse(string(css)))
	out := make(map[string]*template.Template, len(pageKinds))
	for _, k := range pageKinds {
		t := template.Must(base.Clone())
		out[k] = template.Must(t.ParseFS(files, "templates/"+k+".html"))
	}
	return out
})

// layout is what the page frame shows around a page's content.
type layout struct {
	Title string
	Query string // the header search box's text
	Layer int
	Body  any
}

// render executes the page template kind with the page data body.
func render(kind, title, query string, body any) ([]byte, error) {
	var b bytes.Buffer
	err := templates()[kind].ExecuteTemplate(&b, "layout", layout{Title: title, Query: query, Layer: schema.Layer, Body: body})
	return b.Bytes(), err
}
