package docsite

import (
	"encoding/json"
	"fmt"
	"go/format"
	"go/parser"
	"go/token"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/tglua/tglua/internal/docpage"
	"github.com/tglua/tglua/luabind/schema"
)

// The Lua rendering of the example values is docpage's example, so that
// the curl and Go examples pass the same values as the Lua one.
func TestExamplesMatchDocpage(t *testing.T) {
	n := 0
	for i := range schema.All() {
		c := &schema.All()[i]
		if c.Method {
			if got, want := luaExample(c, newExampleGen().args(c, 0)), docpage.Example(c); got != want {
				t.Fatalf("%s: Lua example\n%s\ndocpage's\n%s", c.Name, got, want)
			}
		} else if lua := newExampleGen().object(c, 0).luaString(); !strings.Contains(docpage.ConstructorPage(c), "Lua:\n\n    "+lua+"\n") {
			t.Fatalf("%s: Lua literal %s is not docpage's:\n%s", c.Name, lua, docpage.ConstructorPage(c))
		}
		n++
	}
	if n < 2000 {
		t.Fatalf("checked %d definitions", n)
	}
}

// Every Go example is valid Go inside a function returning an error, and
// every JSON value of a curl example or a constructor page is valid JSON.
func TestGoAndJSONExamplesParse(t *testing.T) {
	for i := range schema.All() {
		c := &schema.All()[i]
		if !c.Method {
			if js := newConstructorPage(c).JSON; !json.Valid([]byte(js)) {
				t.Fatalf("%s: invalid JSON %s", c.Name, js)
			}
			continue
		}
		args := newExampleGen().args(c, 0)
		src := goExample(c, args)
		file := "package p\n\nfunc f() error {\n" + src + "return nil\n}\n"
		if _, err := parser.ParseFile(token.NewFileSet(), c.Name+".go", file, 0); err != nil {
			t.Fatalf("%s: Go example does not parse: %v\n%s", c.Name, err, src)
		}
		for _, f := range args {
			js := strings.ReplaceAll(f.val.jsonString(), jsonNow, sampleTime)
			if !json.Valid([]byte(js)) {
				t.Fatalf("%s.%s: invalid JSON %s", c.Name, f.name, js)
			}
		}
	}
}

// goExample writes its examples as gofmt would: go/format leaves every
// one alone.
func TestGoExamplesGofmt(t *testing.T) {
	n := 0
	for i := range schema.All() {
		if c := &schema.All()[i]; c.Method {
			wantGofmt(t, c.Name, goExample(c, newExampleGen().args(c, 0)))
			n++
		}
	}
	if n < 500 {
		t.Fatalf("checked %d methods", n)
	}
}

// Keys long enough to break gofmt's alignment of the values (no parameter
// name is, yet) are aligned as gofmt aligns them.
func TestGoExampleLongKeys(t *testing.T) {
	m := schema.ByName("help.getConfig")
	rnd := rand.New(rand.NewPCG(1, 2))
	cases := [][]int{{1}, {60}, {5, 50, 5}, {45, 3, 3}, {41, 42, 120, 2}, {39, 39, 100, 20, 20}, {10, 60, 10, 60}}
	for range 300 {
		c := make([]int, 1+rnd.IntN(8))
		for i := range c {
			c[i] = 1 + rnd.IntN(130)
		}
		cases = append(cases, c)
	}
	for _, lens := range cases {
		var args []field
		for i, l := range lens {
			args = append(args, field{name: strings.Repeat(string(rune('a'+i)), l), val: number("1")})
		}
		wantGofmt(t, fmt.Sprint(lens), goExample(m, args))
	}
}

// wantGofmt checks that go/format does not change the example src.
func wantGofmt(t *testing.T, name, src string) {
	t.Helper()
	out, err := format.Source([]byte(src))
	if err != nil {
		t.Fatalf("%s: %v\n%s", name, err, src)
	}
	if string(out) != src {
		t.Fatalf("%s: the Go example is not gofmt'ed:\n%s\ngofmt:\n%s", name, src, out)
	}
}

func TestShellWord(t *testing.T) {
	for in, want := range map[string]string{
		`message=it's`:                     `'message=it'\''s'`,
		`p=["+1"]`:                         `'p=["+1"]'`,
		`d={"date":` + jsonNow + `,"$":1}`: `"d={\"date\":$(date +%s),\"\$\":1}"`,
	} {
		if got := shellWord(in); got != want {
			t.Errorf("shellWord(%q) = %s, want %s", in, got, want)
		}
	}
}
