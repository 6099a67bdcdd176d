package split

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/clipperhouse/uax29/v2/graphemes"
)

func mustSplit(t *testing.T, s string, limit int) []Chunk {
	t.Helper()
	chunks := Split(s, limit)
	if err := checkChunks(s, limit, chunks); err != nil {
		t.Fatal(err)
	}
	return chunks
}

func texts(chunks []Chunk) []string {
	out := make([]string, len(chunks))
	for i, c := range chunks {
		out[i] = c.Text
	}
	return out
}

func eqStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func wantTexts(t *testing.T, s string, limit int, want ...string) {
	t.Helper()
	got := texts(mustSplit(t, s, limit))
	if !eqStrings(got, want) {
		t.Fatalf("Split(%q, %d) =\n%q\nwant\n%q", s, limit, got, want)
	}
}

// graphemeBounds returns the grapheme cluster boundaries of s.
func graphemeBounds(s string) map[int]bool {
	m := map[int]bool{0: true}
	it := graphemes.FromString(s)
	for it.Next() {
		m[it.End()] = true
	}
	return m
}

// assertGraphemeCuts checks that every chunk starts and ends on a grapheme
// boundary of the whole text.
func assertGraphemeCuts(t *testing.T, s string, chunks []Chunk) {
	t.Helper()
	b := graphemeBounds(s)
	for i, c := range chunks {
		if !b[c.Start] || !b[c.Start+len(c.Text)] {
			t.Fatalf("chunk %d [%d,%d) splits a grapheme cluster: %q", i, c.Start, c.Start+len(c.Text), c.Text)
		}
	}
}

func TestUTF16Len(t *testing.T) {
	for _, tc := range []struct {
		s    string
		want int
	}{
		{"", 0},
		{"hello", 5},
		{"héllo", 5},
		{"日本語", 3},
		{"😀", 2},
		{"a😀b", 4},
		{"🇺🇦", 4},
		{"👍🏽", 4},
		{"👨‍👩‍👧‍👦", 11},
		{"e\u0301", 2},
		{"\xff", 1},
		{"\xe2\x82", 2},         // truncated sequence: two invalid bytes
		{"\xed\xa0\x80", 3},     // UTF-8 encoded surrogate: invalid
		{"\xf0\x9f\x98", 3},     // truncated 4-byte sequence
		{"\xf4\x90\x80\x80", 4}, // above U+10FFFF
		{strings.Repeat("abcdefgh", 100) + "😀", 802},
	} {
		if got := UTF16Len(tc.s); got != tc.want {
			t.Errorf("UTF16Len(%q) = %d, want %d", tc.s, got, tc.want)
		}
		if ref := refUTF16Len(tc.s); ref != tc.want {
			t.Errorf("refUTF16Len(%q) = %d, want %d", tc.s, ref, tc.want)
		}
	}
}

func TestDecodeMatchesStdlib(t *testing.T) {
	// Every 1..4 byte prefix pattern of interesting bytes.
	bs := []byte{0x00, 0x41, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xc1, 0xc2, 0xdf, 0xe0, 0xe1, 0xec, 0xed, 0xee, 0xef, 0xf0, 0xf1, 0xf3, 0xf4, 0xf5, 0xf8, 0xff}
	var buf [4]byte
	var rec func(n int)
	rec = func(n int) {
		s := string(buf[:n])
		if n > 0 {
			r1, s1 := utf8.DecodeRuneInString(s)
			r2, s2 := decode(s, 0)
			if r1 != r2 || s1 != s2 {
				t.Fatalf("decode(%q) = %U,%d; stdlib %U,%d", s, r2, s2, r1, s1)
			}
		}
		if n == 4 {
			return
		}
		for _, b := range bs {
			buf[n] = b
			rec(n + 1)
		}
	}
	rec(0)
}

func TestEmptyAndShort(t *testing.T) {
	c := Split("", 10)
	if len(c) != 1 || c[0] != (Chunk{}) {
		t.Fatalf("Split(\"\") = %#v", c)
	}
	if got := Text("", 0); len(got) != 1 || got[0] != "" {
		t.Fatalf("Text(\"\") = %q", got)
	}
	// Short texts come back unchanged, even with whitespace at the ends.
	for _, s := range []string{"x", "  hi  ", "\n\n\n", "a\n\nb ", "😀", "🇺🇦"} {
		wantTexts(t, s, 6, s)
	}
}

func TestDefaultLimit(t *testing.T) {
	s := strings.Repeat("a", 5000)
	for _, limit := range []int{0, -1} {
		c := mustSplit(t, s, limit)
		if len(c) != 2 || len(c[0].Text) != DefaultLimit {
			t.Fatalf("limit %d: %d chunks, first %d", limit, len(c), len(c[0].Text))
		}
	}
}

func TestExactLimit(t *testing.T) {
	s := strings.Repeat("word ", 819) + "w" // 4096 units
	if UTF16Len(s) != 4096 {
		t.Fatal(UTF16Len(s))
	}
	if c := mustSplit(t, s, 4096); len(c) != 1 || c[0].Text != s {
		t.Fatalf("4096 units: %d chunks", len(c))
	}
	s2 := s + "x" // 4097 units: cut at the last space
	c := mustSplit(t, s2, 4096)
	if len(c) != 2 || c[1].Text != "wx" || c[0].Text != strings.Repeat("word ", 818)+"word" {
		t.Fatalf("4097 units: %q", texts(c))
	}
	// Emoji: 2048 x U+1F600 is exactly 4096 units.
	e := strings.Repeat("😀", 2048)
	if c := mustSplit(t, e, 4096); len(c) != 1 {
		t.Fatalf("2048 emoji: %d chunks", len(c))
	}
	c = mustSplit(t, e+"a", 4096)
	if len(c) != 2 || c[1].Text != "a" {
		t.Fatalf("2048 emoji + a: %d chunks, last %q", len(c), c[len(c)-1].Text)
	}
	// Trailing whitespace at a cut is dropped.
	c = mustSplit(t, strings.Repeat("a", 4096)+"   ", 4096)
	if len(c) != 1 || c[0].Text != strings.Repeat("a", 4096) {
		t.Fatalf("4096 + spaces: %d chunks", len(c))
	}
}

func TestLongWord(t *testing.T) {
	s := strings.Repeat("x", 10000)
	c := mustSplit(t, s, 4096)
	if len(c) != 3 || len(c[0].Text) != 4096 || len(c[1].Text) != 4096 || len(c[2].Text) != 1808 {
		t.Fatalf("lengths %d", len(c))
	}
	// A long word between short ones: the short word is cut off rather
	// than the long word cut, which is then cut hard.
	s = "hi " + strings.Repeat("y", 30) + " ok"
	wantTexts(t, s, 20, "hi", strings.Repeat("y", 20), strings.Repeat("y", 10)+" ok")
}

func TestOnlyWhitespace(t *testing.T) {
	s := strings.Repeat("\n", 10000)
	c := mustSplit(t, s, 4096)
	if len(c) != 3 || c[0].Text != s[:4096] || c[2].Text != s[:1808] {
		t.Fatalf("10000 newlines: %d chunks", len(c))
	}
	c = mustSplit(t, strings.Repeat("\r\n", 50), 9) // never split CR LF
	for _, ch := range c {
		if strings.HasPrefix(ch.Text, "\n") || len(ch.Text)%2 != 0 {
			t.Fatalf("CR LF split: %q", texts(c))
		}
	}
	mustSplit(t, strings.Repeat(" \t\u3000\u2028", 40), 7)
	// Whitespace at a cut is dropped, even a huge run.
	wantTexts(t, "word"+strings.Repeat("\n", 10000)+"word", 4096, "word", "word")
	// Leading whitespace is not at a cut: kept.
	wantTexts(t, "   abc def", 7, "   abc", "def")
}

func TestPreference(t *testing.T) {
	// paragraph > newline > space > sentence end, each accepted when it
	// leaves the chunk at least half the window.
	wantTexts(t, "aaaaaaaaaaaa\n\nbbbb\ncc ddd", 20, "aaaaaaaaaaaa", "bbbb\ncc ddd")
	wantTexts(t, "aaaaaaaaaaaa\nbbbb cc ddd", 20, "aaaaaaaaaaaa", "bbbb cc ddd")
	wantTexts(t, "aaaaaaaaaaaa bbb。ccc ddd", 20, "aaaaaaaaaaaa bbb。ccc", "ddd")
	wantTexts(t, "aaaaaaaaaaaa bbbb。cccdddd", 20, "aaaaaaaaaaaa", "bbbb。cccdddd")
	// A better class too early loses to a worse class late in the window.
	wantTexts(t, "aaaa\n\nbbbbbbbb\ncccc dddddd", 20, "aaaa\n\nbbbbbbbb", "cccc dddddd")
	wantTexts(t, "aaa\nbbbbbbbbbb ccccc dd", 20, "aaa\nbbbbbbbbbb ccccc", "dd")
	// The best class uses its last occurrence.
	wantTexts(t, "aaaaaa\n\nbb\n\ncc dddddd", 16, "aaaaaa\n\nbb", "cc dddddd")
	// Mixed whitespace runs: class by line breaks in the run.
	wantTexts(t, "aaaaaaaaaa \t\n \n bbbb cc dd", 20, "aaaaaaaaaa", "bbbb cc dd")
	wantTexts(t, "aaaaaaaaaa\r\n\r\nbbbb\ncc dd", 20, "aaaaaaaaaa", "bbbb\ncc dd")
	wantTexts(t, "aaaaaaaaaa\u2029bbbb\ncc dd", 20, "aaaaaaaaaa", "bbbb\ncc dd")
	wantTexts(t, "aaaaaaaaaa \u2028bbbb cc dd", 20, "aaaaaaaaaa", "bbbb cc dd")
	wantTexts(t, "aaaaaaaaaa \u3000bbbbbbbbbbbbbbbbbb", 20, "aaaaaaaaaa", "bbbbbbbbbbbbbbbbbb")
	wantTexts(t, "aaaaaaaaaa \u0085\u2029 bbbb cc dd", 20, "aaaaaaaaaa", "bbbb cc dd")
}

func TestSentenceEnd(t *testing.T) {
	// CJK: no spaces, cut after 。 ！ ？.
	s := strings.Repeat("我们今天去公园散步。", 20)
	c := mustSplit(t, s, 25)
	for _, ch := range c {
		if !strings.HasSuffix(ch.Text, "。") || UTF16Len(ch.Text) != 20 {
			t.Fatalf("CJK: %q", texts(c))
		}
	}
	wantTexts(t, "今天天气很好！」我们去公园吧？好的", 12, "今天天气很好！」", "我们去公园吧？好的")
	// ASCII terminators only before non-ASCII text.
	wantTexts(t, "すごい!本当にすごいね", 8, "すごい!", "本当にすごいね")
	wantTexts(t, "see example.com/a.b?x=1", 20, "see", "example.com/a.b?x=1")
	wantTexts(t, "pi=3.14159265358979", 10, "pi=3.14159", "265358979")
	// Never before a no-break space or word joiner.
	wantTexts(t, "ab\u3002\u00a0cdefghijk", 8, "ab\u3002\u00a0cdef", "ghijk")
	wantTexts(t, "ab\u3002\u2060cdefghijk", 8, "ab\u3002\u2060cdef", "ghijk")
	wantTexts(t, "ab\u3002cdefghij", 8, "ab\u3002", "cdefghij")
	// Never before a combining mark or variation selector.
	wantTexts(t, "あいうえお。\u0301かきくけこ", 8, "あいうえお。\u0301か", "きくけこ")
}

func TestCJKHardCut(t *testing.T) {
	s := strings.Repeat("漢字", 3000) // 3 bytes, 1 unit each
	c := mustSplit(t, s, 4096)
	if len(c) != 2 || UTF16Len(c[0].Text) != 4096 || len(c[0].Text) != 3*4096 {
		t.Fatalf("CJK hard cut: %d chunks", len(c))
	}
}

func TestSurrogatePairs(t *testing.T) {
	s := strings.Repeat("😀", 5000)
	for _, limit := range []int{1, 2, 3, 7, 4095, 4096, 4097} {
		c := mustSplit(t, s, limit)
		for _, ch := range c {
			if !utf8.ValidString(ch.Text) {
				t.Fatalf("limit %d: split a surrogate pair", limit)
			}
		}
	}
	c := mustSplit(t, s, 4097)
	if UTF16Len(c[0].Text) != 4096 {
		t.Fatalf("first chunk %d units", UTF16Len(c[0].Text))
	}
	// limit 1: the only case where a chunk may exceed the limit.
	c = mustSplit(t, "a😀b", 1)
	if !eqStrings(texts(c), []string{"a", "😀", "b"}) {
		t.Fatalf("limit 1: %q", texts(c))
	}
}

func TestFlags(t *testing.T) {
	s := strings.Repeat("🇺🇦", 3000) // 12000 units
	for _, limit := range []int{5, 6, 7, 10, 33, 4095, 4096, 4097, 4098, 4099} {
		c := mustSplit(t, s, limit)
		assertGraphemeCuts(t, s, c)
		for _, ch := range c {
			if strings.Trim(ch.Text, "🇺🇦") != "" || len(ch.Text)%8 != 0 {
				t.Fatalf("limit %d: flag split in %q", limit, ch.Text)
			}
		}
	}
	// Odd alignment: one leading RI. Pairs are counted from the start.
	s = "🇺" + strings.Repeat("🇺🇦", 2000)
	c := mustSplit(t, s, 4098)
	assertGraphemeCuts(t, s, c)
	// Mixed with text, which gives safe restart points.
	s = strings.Repeat("x🇺🇦🇺🇦🇺🇦", 1000)
	assertGraphemeCuts(t, s, mustSplit(t, s, 4095))
}

func TestZWJAndSkinTone(t *testing.T) {
	for _, unit := range []string{"👨‍👩‍👧‍👦", "👍🏽", "👩🏽‍💻", "🏳️‍🌈", "e\u0301\u0302", "क्ष", "각"} {
		s := strings.Repeat(unit, 4000/len(unit)*3)
		for _, limit := range []int{16, 50, 4095, 4096, 4097} {
			c := mustSplit(t, s, limit)
			assertGraphemeCuts(t, s, c)
			for _, ch := range c {
				if strings.ReplaceAll(ch.Text, unit, "") != "" {
					t.Fatalf("%q limit %d: sequence split: %q", unit, limit, ch.Text)
				}
			}
		}
	}
}

func TestGiantGrapheme(t *testing.T) {
	// One base with 10000 combining marks: a single grapheme longer than
	// the limit is cut at rune boundaries.
	s := "a" + strings.Repeat("\u0301", 10000)
	c := mustSplit(t, s, 4096)
	if len(c) != 3 || UTF16Len(c[0].Text) != 4096 {
		t.Fatalf("giant grapheme: %d chunks", len(c))
	}
	// A long ZWJ chain.
	s = strings.Repeat("👩\u200d", 3000)
	mustSplit(t, s, 4096)
	mustSplit(t, s, 7)
	// The grapheme boundary before a giant cluster is outside the last
	// 10%: rune cut. Inside it: grapheme cut.
	s = strings.Repeat("x", 100) + "a" + strings.Repeat("\u0301", 200)
	c = mustSplit(t, s, 150)
	if UTF16Len(c[0].Text) != 150 {
		t.Fatalf("want rune cut at 150, got %d", UTF16Len(c[0].Text))
	}
	s = strings.Repeat("x", 140) + "a" + strings.Repeat("\u0301", 200)
	c = mustSplit(t, s, 150)
	if UTF16Len(c[0].Text) != 140 {
		t.Fatalf("want grapheme cut at 140, got %d", UTF16Len(c[0].Text))
	}
}

func TestCombiningAfterSpace(t *testing.T) {
	// "e" + acute repeated with spaces: cuts at spaces, marks stay.
	w := strings.Repeat("e\u0301", 5)
	s := strings.Repeat(w+" ", 100)
	for _, ch := range mustSplit(t, s, 64) {
		if strings.HasPrefix(ch.Text, "\u0301") {
			t.Fatal("chunk starts with a combining mark")
		}
	}
}

func TestInvalidUTF8(t *testing.T) {
	for _, s := range []string{
		strings.Repeat("\xff", 100),
		strings.Repeat("\xe2\x82", 100),
		strings.Repeat("ab\xf0\x9f\x98 ", 50),
		strings.Repeat("\xed\xa0\x80😀", 50),
		strings.Repeat("\xc3", 33) + strings.Repeat("é", 50),
		"\xf5\x80\x80\x80" + strings.Repeat("a\u0301\xffx", 40),
	} {
		for _, limit := range []int{1, 2, 3, 5, 16} {
			mustSplit(t, s, limit)
		}
	}
}

func TestNonBreakingSpace(t *testing.T) {
	// U+00A0 is not a cut point: the normal space wins even early.
	wantTexts(t, "aaa bbb\u00a0ccc\u00a0ddd", 12, "aaa", "bbb\u00a0ccc\u00a0ddd")
}

func TestOffsets(t *testing.T) {
	s := strings.Repeat("😀 ab\n", 500)
	c := mustSplit(t, s, 100)
	for _, ch := range c {
		if ch.Offset != UTF16Len(s[:ch.Start]) {
			t.Fatal("offset")
		}
	}
}

func TestSafePair(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want bool
	}{
		{"a", "b", true},
		{"\r", "\n", false},
		{"\n", "\u0301", true}, // GB4
		{"a", "\u0301", false}, // GB9
		{"😀", "😀", true},
		{"🏽", "👍", true}, // Extend before ExtPict: only ZWJ matters (GB11)
		{"👍", "🏽", false},
		{"\u200d", "👩", false}, // GB11 depends on what precedes the ZWJ
		{"🇺", "🇦", false},      // GB12/13 depend on the RI count
		{"🇦", "x", true},
		{"\u094d", "\u0937", false}, // GB9c depends on the conjunct before
		{"\u0301", "\u0937", false}, // an Extend before a consonant: maybe GB9c
		{"\u0301", "x", true},
		{"\u0600", "1", false}, // Prepend (GB9b)
		{"\u1100", "\u1161", false},
		{"\xff", "a", true},
	} {
		sp := splitter{s: tc.a + tc.b}
		if got := sp.safePair(0, len(tc.a)); got != tc.want {
			t.Errorf("safePair(%q, %q) = %v, want %v", tc.a, tc.b, got, tc.want)
		}
	}
}
