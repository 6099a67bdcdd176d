package docsite

import (
	"strings"

	"github.com/tglua/tglua/internal/docpage"
	"github.com/tglua/tglua/luabind/schema"
)

// textPage is one of docpage's plain-text pages (built-in functions, names
// only the documentation knows) as HTML: its heading, then paragraphs,
// subheadings ("Example:") and indented code blocks.
type textPage struct {
	Label  string // "Function", "Method"...
	Name   string
	Blocks []block
}

type block struct {
	Heading, Code bool
	Text          string
}

// newBuiltinPage is the page of a built-in function.
func newBuiltinPage(name string) textPage {
	s, _ := docpage.Render(name)
	if len(schema.Methods(name)) > 0 {
		s = strings.TrimSuffix(s, "\n"+docpage.NamespacePage(name))
	}
	return parseText(s)
}

// newDocOnlyPage is the page of a name only the documentation knows.
func newDocOnlyPage(name string) textPage {
	s, _ := docpage.Render(name)
	return parseText(s)
}

// parseText reads a docpage page: a title underlined with "=", then blocks
// separated by blank lines.
func parseText(s string) textPage {
	var p textPage
	title, rest, _ := strings.Cut(s, "\n")
	p.Label, p.Name, _ = strings.Cut(title, ": ")
	_, rest, _ = strings.Cut(rest, "\n") // the ===== line
	for _, chunk := range strings.Split(rest, "\n\n") {
		lines := strings.Split(strings.Trim(chunk, "\n"), "\n")
		if len(lines) == 1 && lines[0] == "" {
			continue
		}
		code := true
		for _, l := range lines {
			code = code && strings.HasPrefix(l, "    ")
		}
		switch {
		case code:
			for i, l := range lines {
				lines[i] = l[4:]
			}
			p.Blocks = append(p.Blocks, block{Code: true, Text: strings.Join(lines, "\n")})
		case len(lines) == 1 && strings.HasSuffix(lines[0], ":"):
			p.Blocks = append(p.Blocks, block{Heading: true, Text: strings.TrimSuffix(lines[0], ":")})
		default:
			p.Blocks = append(p.Blocks, block{Text: strings.Join(lines, " ")})
		}
	}
	return p
}

func (p textPage) writeContent(b *strings.Builder) {
	writeCrumbs(b, esc(p.Name))
	p.writeText(b)
}

// writeText writes the page's heading and blocks; a namespace page that is
// also a function starts with them.
func (p textPage) writeText(b *strings.Builder) {
	writeHeading(b, p.Label, p.Name)
	for _, k := range p.Blocks {
		switch {
		case k.Code:
			b.WriteString(`<pre class="example"><code>` + esc(k.Text) + "</code></pre>\n")
		case k.Heading:
			b.WriteString("<h2>" + esc(k.Text) + "</h2>\n")
		default:
			b.WriteString("<p>" + esc(k.Text) + "</p>\n")
		}
	}
}
