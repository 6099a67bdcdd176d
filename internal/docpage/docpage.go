// Package docpage renders tglua's offline documentation pages, modelled on
// MadelineProto's method pages: for a method, its parameter table
// (Name | Type | Required), return type, whether bots may call it, its RPC
// errors, its description and a Lua example call; for a constructor, its
// fields and a Lua table literal; for a type, its constructors and the
// methods that return it; for a namespace, its methods.
//
// Parameters, types and results come from luabind/schema (layer 229 plus
// legacy methods); descriptions, errors and bot usability from
// internal/apidoc. Pages are plain text with Markdown tables, for a terminal
// and for `help()` in the REPL.
package docpage

import (
	"fmt"
	"slices"
	"strings"

	"github.com/tglua/tglua/internal/apidoc"
	"github.com/tglua/tglua/internal/luaname"
	"github.com/tglua/tglua/luabind"
	"github.com/tglua/tglua/luabind/schema"
)

// NotFoundError is returned by Render for a name that is neither a method,
// a constructor, a type nor a namespace. Suggestions are the closest names.
type NotFoundError struct {
	Name        string
	Suggestions []string
}

func (e *NotFoundError) Error() string {
	msg := fmt.Sprintf("no method, constructor or type named %q", e.Name)
	if len(e.Suggestions) > 0 {
		msg += "; did you mean " + strings.Join(e.Suggestions, ", ") + "?"
	}
	return msg
}

// Render returns the page for name: a method ("auth.sendInvites"), a
// constructor ("inputPeerUser"), a type ("InputPeer") or a namespace
// ("auth"). A leading "tg." is ignored. An exact name wins; otherwise a
// unique case-insensitive match is used. Anything else gives a
// *NotFoundError with suggestions.
func Render(name string) (string, error) {
	name = strings.TrimSpace(name)
	name = strings.TrimPrefix(name, "tg.")
	if p, ok := exact(name); ok {
		return p, nil
	}
	if alt, ok := foldMatch(name); ok {
		if p, ok := exact(alt); ok {
			return p, nil
		}
	}
	return "", &NotFoundError{Name: name, Suggestions: Suggest(name, 5)}
}

func exact(name string) (string, bool) {
	if c := schema.ByName(name); c != nil {
		if c.Method {
			return MethodPage(c), true
		}
		return ConstructorPage(c), true
	}
	if t, ok := schema.TypeByName(name); ok {
		return TypePage(t), true
	}
	if len(schema.Methods(name)) > 0 && name != "" {
		// help and upload are also functions: their tables are callable.
		if p, ok := builtinPage(name); ok {
			return p + "\n" + NamespacePage(name), true
		}
		return NamespacePage(name), true
	}
	if p, ok := builtinPage(name); ok {
		return p, true
	}
	return docOnlyPage(name)
}

// docOnlyPage renders a name that the documentation knows but the schema
// does not: something that left the API between the documentation's layer
// and the schema's.
func docOnlyPage(name string) (string, bool) {
	var kind, desc string
	if m, ok := apidoc.LookupMethod(name); ok {
		kind, desc = "Method", m.Description
	} else if c, ok := apidoc.LookupConstructor(name); ok {
		kind, desc = "Constructor", c.Description
	} else if t, ok := apidoc.LookupType(name); ok {
		kind, desc = "Type", t.Description
	} else {
		return "", false
	}
	var b strings.Builder
	heading(&b, kind+": "+name)
	if desc != "" {
		b.WriteString(desc)
		b.WriteString("\n\n")
	}
	fmt.Fprintf(&b, "Not in tglua's schema (layer %d): it cannot be called or built.\n\n", schema.Layer)
	return b.String(), true
}

// foldMatch finds the one name equal to name ignoring case.
func foldMatch(name string) (string, bool) {
	found := ""
	n := 0
	for _, cand := range candidates() {
		if strings.EqualFold(cand, name) && cand != found {
			found = cand
			n++
		}
	}
	return found, n == 1
}

// MethodPage renders the page of a method.
func MethodPage(m *schema.Constructor) string {
	doc, _ := apidoc.LookupMethod(m.Name)
	var b strings.Builder
	heading(&b, "Method: "+m.Name)
	if doc.Description != "" {
		b.WriteString(doc.Description)
		b.WriteString("\n\n")
	}
	if m.Legacy {
		b.WriteString("This method is not in the current API layer; tglua keeps it for older scripts and servers.\n\n")
	}
	if luabind.SplitMethods[m.Name] {
		fmt.Fprintf(&b, "Long messages: a message over 4096 UTF-16 code units is split at paragraph,\nline or word boundaries; the method is called once per chunk and a table of\nthe results (each a %s) is returned instead of one result.\n\n", schema.TypeName(m.Result))
	}
	params(&b, "Parameters", m, doc.Params)
	fmt.Fprintf(&b, "Return type: %s\n\n", TypeWithArray(m.Result))
	fmt.Fprintf(&b, "Can bots use this method: %s\n\n", apidoc.MethodUsability(m.Name).BotsCanUse())
	if len(doc.Errors) > 0 {
		b.WriteString("Errors this method can return:\n\n")
		rows := make([][]string, 0, len(doc.Errors))
		for _, e := range doc.Errors {
			rows = append(rows, []string{e.Type, e.Description})
		}
		table(&b, []string{"Error", "Description"}, rows)
		b.WriteByte('\n')
	}
	b.WriteString("Example:\n\n")
	for line := range strings.Lines(Example(m)) {
		b.WriteString("    ")
		b.WriteString(line)
	}
	b.WriteString("\n")
	return b.String()
}

// TypeWithArray is the TL type name, and for vectors what Lua and JSON see:
// "Vector<string> (Array of string)".
func TypeWithArray(t schema.TypeRef) string {
	name := schema.TypeName(t)
	if t.Kind == schema.KindVector || t.Kind == schema.KindBareVector {
		if elem, ok := strings.CutSuffix(name[strings.IndexByte(name, '<')+1:], ">"); ok {
			return name + " (Array of " + elem + ")"
		}
	}
	return name
}

// ResultVar is the variable an example assigns m's result to, named after
// its type as on MadelineProto's pages: Bool, messages_Messages,
// Vector_of_User.
func ResultVar(m *schema.Constructor) string {
	n := strings.NewReplacer("Vector<", "Vector_of_", "vector<", "vector_of_", ">", "", ".", "_", "%", "").Replace(schema.TypeName(m.Result))
	for i, r := range n {
		if !(r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || i > 0 && r >= '0' && r <= '9') {
			return "r"
		}
	}
	if n == "" || luaname.IsKeyword(n) {
		return "r"
	}
	return n
}

// ConstructorPage renders the page of a constructor.
func ConstructorPage(c *schema.Constructor) string {
	doc, _ := apidoc.LookupConstructor(c.Name)
	var b strings.Builder
	heading(&b, "Constructor: "+c.Name)
	if doc.Description != "" {
		b.WriteString(doc.Description)
		b.WriteString("\n\n")
	}
	fmt.Fprintf(&b, "Type: %s\n\n", schema.TypeAt(c.Type).Name)
	params(&b, "Fields", c, doc.Fields)
	b.WriteString("Lua:\n\n    ")
	b.WriteString(ExampleObject(c).Lua())
	b.WriteString("\n")
	return b.String()
}

// TypePage renders the page of a type: its constructors and the methods
// that return it.
func TypePage(t *schema.Type) string {
	doc, _ := apidoc.LookupType(t.Name)
	var b strings.Builder
	heading(&b, "Type: "+t.Name)
	if doc.Description != "" {
		b.WriteString(doc.Description)
		b.WriteString("\n\n")
	}
	if peerTypes[t.Name] {
		b.WriteString("Parameters of this type also take a peer shorthand: '@username', a numeric id, or a peer table.\n\n")
	}
	b.WriteString("Constructors:\n\n")
	var rows [][]string
	all := schema.All()
	for _, i := range t.Constructors {
		c := &all[i]
		d, _ := apidoc.LookupConstructor(c.Name)
		rows = append(rows, []string{c.Name, firstSentence(d.Description)})
	}
	table(&b, []string{"Constructor", "Description"}, rows)
	var returning []string
	for i := range all {
		m := &all[i]
		if !m.Method {
			continue
		}
		r := m.Result
		if (r.Kind == schema.KindObject || r.Elem == schema.KindObject) && schema.TypeAt(r.Type) == t {
			returning = append(returning, m.Name)
		}
	}
	if len(returning) > 0 {
		slices.Sort(returning)
		b.WriteString("\nMethods that return it:\n\n")
		for _, name := range returning {
			b.WriteString("  ")
			b.WriteString(name)
			b.WriteByte('\n')
		}
	}
	b.WriteString("\n")
	return b.String()
}

// NamespacePage lists the methods of a namespace.
func NamespacePage(ns string) string {
	var b strings.Builder
	heading(&b, "Namespace: "+ns)
	var rows [][]string
	for _, m := range schema.Methods(ns) {
		d, _ := apidoc.LookupMethod(m.Name)
		rows = append(rows, []string{m.Name, apidoc.MethodUsability(m.Name).BotsCanUse(), firstSentence(d.Description)})
	}
	slices.SortFunc(rows, func(a, b []string) int { return strings.Compare(a[0], b[0]) })
	table(&b, []string{"Method", "Bots", "Description"}, rows)
	b.WriteString("\n")
	return b.String()
}

func heading(b *strings.Builder, title string) {
	b.WriteString(title)
	b.WriteByte('\n')
	b.WriteString(strings.Repeat("=", len(title)))
	b.WriteString("\n\n")
}

// params writes the parameter table of c (Name | Type | Required) and the
// parameters' descriptions. Flags words are left out, flags.N?true fields
// are optional booleans, and a method's random_id is filled in when missing.
func params(b *strings.Builder, title string, c *schema.Constructor, descs map[string]string) {
	var rows, details [][]string
	for i := range c.Params {
		p := &c.Params[i]
		if p.Type.Kind == schema.KindFlags {
			continue
		}
		typ := TypeWithArray(p.Type)
		req := "Yes"
		d := descs[p.Name]
		switch {
		case p.Type.Kind == schema.KindTrue:
			typ, req = "Bool", "Optional"
		case p.Conditional():
			req = "Optional"
		case p.Name == "random_id" && c.Method:
			req = "Optional"
			d = strings.TrimSpace(d + " (tglua sends a random one when absent)")
		case schema.Default(c, p) != "":
			req = "Optional, default " + schema.Default(c, p)
		}
		rows = append(rows, []string{p.Name, typ, req})
		if d != "" {
			details = append(details, []string{p.Name, d})
		}
	}
	if len(rows) == 0 {
		b.WriteString(title + ": none\n\n")
		return
	}
	b.WriteString(title + ":\n\n")
	table(b, []string{"Name", "Type", "Required"}, rows)
	b.WriteByte('\n')
	if len(details) == 0 {
		return
	}
	w := 0
	for _, d := range details {
		w = max(w, len(d[0]))
	}
	for _, d := range details {
		for i, line := range wrap(d[1], max(40, wrapWidth-w-4)) {
			name := ""
			if i == 0 {
				name = d[0]
			}
			fmt.Fprintf(b, "  %-*s  %s\n", w, name, line)
		}
	}
	b.WriteByte('\n')
}

// wrapWidth is the width descriptions are wrapped to.
const wrapWidth = 100

// wrap breaks s into lines of at most width runes, at spaces.
func wrap(s string, width int) []string {
	var lines []string
	for para := range strings.Lines(s) {
		line := ""
		for _, word := range strings.Fields(para) {
			if line != "" && textWidth(line)+1+textWidth(word) > width {
				lines = append(lines, line)
				line = ""
			}
			if line != "" {
				line += " "
			}
			line += word
		}
		lines = append(lines, line)
	}
	return lines
}

// table writes a Markdown table with aligned columns.
func table(b *strings.Builder, header []string, rows [][]string) {
	width := make([]int, len(header))
	for i, h := range header {
		width[i] = textWidth(h)
	}
	for _, r := range rows {
		for i, cell := range r {
			if i == len(r)-1 {
				for _, part := range wrap(cell, lastWidth) {
					width[i] = max(width[i], textWidth(part))
				}
				continue
			}
			width[i] = max(width[i], textWidth(cell))
		}
	}
	line := func(cells []string) {
		b.WriteString("|")
		for i, cell := range cells {
			b.WriteString(" ")
			b.WriteString(cell)
			b.WriteString(strings.Repeat(" ", max(0, width[i]-textWidth(cell))))
			b.WriteString(" |")
		}
		b.WriteString("\n")
	}
	line(header)
	b.WriteString("|")
	for _, w := range width {
		b.WriteString(strings.Repeat("-", w+2))
		b.WriteString("|")
	}
	b.WriteString("\n")
	for _, r := range rows {
		last := len(r) - 1
		parts := wrap(r[last], lastWidth)
		for i, part := range parts {
			cells := make([]string, len(r))
			if i == 0 {
				copy(cells, r)
			}
			cells[last] = part
			line(cells)
		}
	}
}

// lastWidth is the width the last column of a table is wrapped to.
const lastWidth = 64

func textWidth(s string) int { return len([]rune(s)) }

// firstSentence shortens a description for a table cell.
func firstSentence(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	if i := strings.Index(s, ". "); i >= 0 {
		s = s[:i+1]
	}
	return s
}
