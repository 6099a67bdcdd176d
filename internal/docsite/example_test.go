package docsite

import (
	"encoding/json"
	"fmt"
	"go/format"
	"go/parser"
	"go/token"
	"math/rand/v2"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/tglua/tglua/internal/docpage"
	"github.com/tglua/tglua/luabind/schema"
)

// The JSON examples, a constructor page's and each argument of a curl
// call, decode to docpage's example values: the values the Lua examples
// show.
func TestJSONExamplesMatchValues(t *testing.T) {
	n := 0
	check := func(name, js string, v docpage.Value) {
		t.Helper()
		var got any
		if err := json.Unmarshal([]byte(js), &got); err != nil {
			t.Fatalf("%s: invalid JSON %s: %v", name, js, err)
		}
		if want := decoded(t, v); !reflect.DeepEqual(got, want) {
			t.Fatalf("%s: JSON %s is %#v, want %#v (Lua %s)", name, js, got, want, v.Lua())
		}
		n++
	}
	for i := range schema.All() {
		c := &schema.All()[i]
		if !c.Method {
			check(c.Name, newConstructorPage(c).JSON, docpage.ExampleObject(c))
			continue
		}
		for _, f := range docpage.ExampleArgs(c) {
			check(c.Name+"."+f.Name, strings.ReplaceAll(jsonValue(f.Value), jsonNow, sampleTime), f.Value)
		}
	}
	if n < 2000 {
		t.Fatalf("checked %d values", n)
	}
}

// decoded is what encoding/json should make of v's JSON, with the current
// time at sampleTime.
func decoded(t *testing.T, v docpage.Value) any {
	t.Helper()
	switch v.Kind {
	case docpage.ValueLiteral:
		if v.Text == "true" {
			return true
		}
		f, err := strconv.ParseFloat(v.Text, 64)
		if err != nil {
			t.Fatalf("literal %q: %v", v.Text, err)
		}
		return f
	case docpage.ValueString, docpage.ValueBytes:
		return v.Text
	case docpage.ValueZeros:
		return strings.Repeat("\x00", v.Size)
	case docpage.ValueNow:
		f, _ := strconv.ParseFloat(sampleTime, 64)
		return f
	case docpage.ValueList:
		l := []any{}
		for _, e := range v.Elems {
			l = append(l, decoded(t, e))
		}
		return l
	case docpage.ValueObject:
		m := map[string]any{"_": v.Constructor}
		for _, f := range v.Fields {
			m[f.Name] = decoded(t, f.Value)
		}
		return m
	}
	return nil
}

// Every Go example is valid Go inside a function returning an error.
func TestGoExamplesParse(t *testing.T) {
	for i := range schema.All() {
		c := &schema.All()[i]
		if !c.Method {
			continue
		}
		src := goExample(c, docpage.ExampleArgs(c))
		file := "package p\n\nfunc f() error {\n" + src + "return nil\n}\n"
		if _, err := parser.ParseFile(token.NewFileSet(), c.Name+".go", file, 0); err != nil {
			t.Fatalf("%s: Go example does not parse: %v\n%s", c.Name, err, src)
		}
	}
}

// goExample writes its examples as gofmt would: go/format leaves every
// one alone.
func TestGoExamplesGofmt(t *testing.T) {
	n := 0
	for i := range schema.All() {
		if c := &schema.All()[i]; c.Method {
			wantGofmt(t, c.Name, goExample(c, docpage.ExampleArgs(c)))
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
		var args []docpage.Field
		for i, l := range lens {
			name := strings.Repeat(string(rune('a'+i)), l)
			args = append(args, docpage.Field{Name: name, Value: docpage.Value{Kind: docpage.ValueLiteral, Text: "1"}})
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
