package docsite

import (
	"strconv"
	"strings"

	"github.com/tglua/tglua/internal/docpage"
)

// searchPage lists the names matching a query, or suggestions.
type searchPage struct {
	Query       string
	Results     []entry
	Total       int
	More        bool
	Suggestions []string
}

func newSearchPage(q string) searchPage {
	p := searchPage{Query: q}
	p.Results, p.Total = search(q)
	p.More = p.Total > len(p.Results)
	if p.Total == 0 && q != "" {
		p.Suggestions = docpage.Suggest(q, 5)
	}
	return p
}

func (p searchPage) writeContent(b *strings.Builder) {
	writeCrumbs(b, "Search")
	b.WriteString(`<h1>Search</h1>
<form class="big-search" action="/docs/search" method="get" role="search">
<input name="q" type="search" value="` + esc(p.Query) + `" aria-label="Search the reference">
<button type="submit">Search</button>
</form>
`)
	switch {
	case p.Query == "":
		b.WriteString("<p>Type part of a method, constructor or type name.</p>")
	case len(p.Results) == 0:
		b.WriteString("<p>Nothing contains “" + esc(p.Query) + "”.</p>\n")
		writeSuggestions(b, p.Suggestions)
	default:
		p.writeResults(b)
	}
	b.WriteString("\n")
}

// writeResults writes how many names match and the table of the first.
func (p searchPage) writeResults(b *strings.Builder) {
	verb := "names contain"
	if p.Total == 1 {
		verb = "name contains"
	}
	b.WriteString("<p>" + strconv.Itoa(p.Total) + " " + verb + " “" + esc(p.Query) + "”")
	if p.More {
		b.WriteString("; the first " + strconv.Itoa(len(p.Results)) + " are listed")
	}
	b.WriteString(`.</p>
<table class="results">
<thead><tr><th>Name</th><th>Kind</th></tr></thead>
<tbody>
`)
	for _, e := range p.Results {
		b.WriteString("<tr><td>" + link(e.Name, "<code>"+esc(e.Name)+"</code>") + "</td><td>" + esc(e.Kind.String()) + "</td></tr>\n")
	}
	b.WriteString("</tbody>\n</table>")
}

// notFoundPage answers an unknown name with the closest names.
type notFoundPage struct {
	Name        string
	Suggestions []string
}

func newNotFoundPage(name string) notFoundPage {
	return notFoundPage{Name: name, Suggestions: docpage.Suggest(name, 5)}
}

func (p notFoundPage) writeContent(b *strings.Builder) {
	b.WriteString("<h1>Not found</h1>\n<p>There is no method, constructor, type or function named <code>" + esc(p.Name) + "</code>.</p>\n")
	writeSuggestions(b, p.Suggestions)
	b.WriteString("\n<p><a href=\"/docs/\">Back to the reference</a></p>\n")
}
