package linewriter

import (
	"strings"
	"sync"
	"testing"
)

func TestWriter(t *testing.T) {
	var out strings.Builder
	var mu sync.Mutex
	a, b := New(&out, "[a] ", &mu), New(&out, "[b] ", &mu)
	_, _ = a.Write([]byte("one\ntw"))
	_, _ = b.Write([]byte("x\n"))
	_, _ = a.Write([]byte("o\nthree"))
	a.Flush()
	b.Flush() // nothing pending
	if got, want := out.String(), "[a] one\n[b] x\n[a] two\n[a] three\n"; got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
}
