package docsite

import (
	"encoding/json"
	"go/parser"
	"go/token"
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
