package docsite

import "strings"

// The parts several pages share: breadcrumbs and headings, types,
// parameter tables, lists of links, examples and "Did you mean"
// suggestions. Each writes HTML, escaping values with esc.

// writeType writes a type as a parameter table or a Return type section
// shows it: Vector<T> with "Array of T" under it for vectors.
func writeType(b *strings.Builder, t typeLink) {
	if t.Vector == "" {
		b.WriteString("<code>" + typeName(t) + "</code>")
		return
	}
	b.WriteString("<code>" + esc(t.Vector) + "&lt;" + typeName(t) + "&gt;</code> <span class=\"array\">Array of " + typeName(t) + "</span>")
}

// typeName is the HTML of t's (element) type name, linked to its page when
// it has one.
func typeName(t typeLink) string {
	if t.Href == "" {
		return esc(t.Name)
	}
	return `<a href="` + esc(t.Href) + `">` + esc(t.Name) + "</a>"
}

// writeParams writes the table of a method's parameters or a constructor's
// fields.
func writeParams(b *strings.Builder, rows []paramRow) {
	b.WriteString(`<table class="params">
<thead><tr><th>Name</th><th>Type</th><th>Required</th><th>Description</th></tr></thead>
<tbody>
`)
	for _, r := range rows {
		b.WriteString("<tr")
		if r.Optional {
			b.WriteString(` class="optional"`)
		}
		b.WriteString("><td><code>" + esc(r.Name) + "</code></td><td>")
		writeType(b, r.Type)
		b.WriteString("</td><td>" + esc(r.Required) + "</td><td>" + esc(r.Description) + "</td></tr>\n")
	}
	b.WriteString("</tbody>\n</table>")
}

// writeSuggestions writes "Did you mean a, b?" with links, or nothing when
// there are no suggestions.
func writeSuggestions(b *strings.Builder, names []string) {
	if len(names) == 0 {
		return
	}
	b.WriteString(`<p class="didyoumean">Did you mean `)
	for i, s := range names {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(link(s, esc(s)))
	}
	b.WriteString("?</p>")
}

// link is a link to name's page around the HTML inner.
func link(name, inner string) string {
	return `<a href="` + esc(href(name)) + `">` + inner + "</a>"
}

// writeParagraphs writes each paragraph as a p element, one a line.
func writeParagraphs(b *strings.Builder, class string, paras []string) {
	open := "<p>"
	if class != "" {
		open = `<p class="` + class + `">`
	}
	for _, p := range paras {
		b.WriteString(open + esc(p) + "</p>\n")
	}
}

// writeCrumbs writes the breadcrumb line: Reference, then each part (HTML).
func writeCrumbs(b *strings.Builder, parts ...string) {
	b.WriteString(`<nav class="crumbs"><a href="/docs/">Reference</a>`)
	for _, p := range parts {
		b.WriteString(" › " + p)
	}
	b.WriteString("</nav>\n")
}

// writeHeading writes a page's h1: its kind label, then its name.
func writeHeading(b *strings.Builder, label, name string) {
	b.WriteString(`<h1><span class="kind">` + esc(label) + "</span> " + esc(name) + "</h1>\n")
}

// writeExample writes an example under its h3 heading; class names the
// language for the stylesheet.
func writeExample(b *strings.Builder, heading, class, code string) {
	b.WriteString("<h3>" + heading + "</h3>\n<pre class=\"example " + class + `"><code>` + esc(code) + "</code></pre>\n")
}

// writeGrid writes names as a multi-column list of links, in code font if
// code; id, if not "", is the list's id.
func writeGrid(b *strings.Builder, id string, names []string, code bool) {
	b.WriteString(`<ul class="grid"`)
	if id != "" {
		b.WriteString(` id="` + id + `"`)
	}
	b.WriteString(">\n")
	for _, n := range names {
		inner := esc(n)
		if code {
			inner = "<code>" + inner + "</code>"
		}
		b.WriteString("<li>" + link(n, inner) + "</li>\n")
	}
	b.WriteString("</ul>")
}
