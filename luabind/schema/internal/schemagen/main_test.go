package main

import (
	"bytes"
	"os"
	"testing"
)

// TestUpToDate regenerates the table from the committed schema files and
// compares it with the committed schema_gen.go.
func TestUpToDate(t *testing.T) {
	read := func(name string) []byte {
		data, err := os.ReadFile("../../" + name)
		if err != nil {
			t.Fatal(err)
		}
		return data
	}
	got, err := Generate(read("telegram.tl"), read("legacy.tl"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, read("schema_gen.go")) {
		t.Fatal("schema_gen.go is stale: run go generate ./luabind/schema")
	}
}

func TestLegacyLineIsEnough(t *testing.T) {
	extra := []byte("---functions---\ncustom.ping#12345678 payload:bytes = Bool;\n")
	src, err := Generate([]byte("boolFalse#bc799737 = Bool;\nboolTrue#997275b5 = Bool;\n"), extra)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(src, []byte(`{ID: 0x12345678, Name: "custom.ping", Method: true, Result: TypeRef{Kind: KindBool}, Legacy: true, Params: []Param{{Name: "payload", Type: TypeRef{Kind: KindBytes}, Flag: -1}}}`)) {
		t.Fatalf("custom method missing from:\n%s", src)
	}
	if _, err := Generate(nil, []byte("---functions---\nx.y#1 a:Nope = Bool;\n")); err == nil {
		t.Fatal("an unknown type must be an error")
	}
}
