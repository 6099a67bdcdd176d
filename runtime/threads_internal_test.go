package runtime

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestElide(t *testing.T) {
	short := strings.Repeat("x", maxWaitMessage)
	if elide(short) != short {
		t.Fatal("a message of maxWaitMessage bytes was cut")
	}
	// Multi-byte runes on both cuts: the result stays valid UTF-8, keeps
	// both ends and marks the cut.
	long := "head:" + strings.Repeat("é", 5000) + ":root cause"
	got := elide(long)
	if !utf8.ValidString(got) || len(got) > maxWaitMessage+8 || !strings.HasPrefix(got, "head:é") ||
		!strings.HasSuffix(got, "é:root cause") || !strings.Contains(got, "é ... é") {
		t.Fatalf("elide gave %d bytes: %.40q ... %.40q", len(got), got, got[len(got)-40:])
	}
}
