package markdown

import (
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/tglua/tglua/internal/split"
)

func show(text string, ents []Entity) string {
	var b strings.Builder
	b.WriteString(fmt.Sprintf("%q", text))
	names := map[Kind]string{Bold: "bold", Italic: "italic", Strike: "strike", Spoiler: "spoiler", Code: "code", Pre: "pre", TextURL: "url", MentionName: "mention"}
	for _, e := range ents {
		fmt.Fprintf(&b, " %s %d+%d", names[e.Kind], e.Offset, e.Length)
		switch e.Kind {
		case TextURL:
			b.WriteString(" " + e.URL)
		case Pre:
			if e.Lang != "" {
				b.WriteString(" " + e.Lang)
			}
		case MentionName:
			fmt.Fprintf(&b, " %d", e.UserID)
		}
	}
	return b.String()
}

func TestParse(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"plain", `"plain"`},
		{"**bold** and __it__", `"bold and it" bold 0+4 italic 9+2`},
		{"~~gone~~ ||hidden||", `"gone hidden" strike 0+4 spoiler 5+6`},
		{"a `co**de` b", `"a co**de b" code 2+6`},
		{"```go\nfmt.Println(1)\n```", `"fmt.Println(1)\n" pre 0+15 go`},
		{"```no lang here```", `"no lang here" pre 0+12`},
		{"[site](https://example.org) and [Ann](tg://user?id=100)", `"site and Ann" url 0+4 https://example.org mention 9+3 100`},
		{"**bold [link](http://x) inside**", `"bold link inside" bold 0+16 url 5+4 http://x`},
		{"**a __b** c__", `"a b c" bold 0+3 italic 2+3`}, // overlapping is allowed
		{"😀**x**", `"😀x" bold 2+1`},                      // UTF-16 offsets
		{"unpaired ** and __x", `"unpaired ** and __x"`},
		{"**one** two **", `"one two **" bold 0+3`},
		{`\*\*not bold\*\* a\_b \\`, `"**not bold** a_b \\"`},
		{"[no link] and [x](", `"[no link] and [x]("`},
		{"`a and ```b", "\"a and ``b\" code 0+6"}, // the first backtick after closes
		{"`unclosed", "\"`unclosed\""},
		{"****", `""`}, // an empty range makes no entity
		{"[](http://x)", `""`},
	} {
		text, ents := Parse(tc.in)
		if got := show(text, ents); got != tc.want {
			t.Errorf("Parse(%q)\n got %s\nwant %s", tc.in, got, tc.want)
		}
	}
}

// Whatever the input, entities lie inside the text and the text is valid.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"**a** __b__", "```x\ny```", "[a](b) [c](tg://user?id=1)", "\\**", "😀||s||", "](x)[[]]"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !utf8.ValidString(s) {
			return
		}
		text, ents := Parse(s)
		if !utf8.ValidString(text) {
			t.Fatalf("invalid UTF-8 out of %q", s)
		}
		n := split.UTF16Len(text)
		for i, e := range ents {
			if e.Offset < 0 || e.Length <= 0 || e.Offset+e.Length > n {
				t.Fatalf("entity %+v outside %d units (input %q)", e, n, s)
			}
			if i > 0 && ents[i-1].Offset > e.Offset {
				t.Fatalf("entities out of order: %+v", ents)
			}
		}
	})
}
