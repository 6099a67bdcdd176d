package split

import (
	"fmt"
	"math/rand"
	"reflect"
	"strings"
	"testing"
	"testing/quick"
	"unicode/utf8"
)

// atoms are the building blocks of adversarial inputs.
var atoms = []string{
	"a", "b", "xyz", "word", "longerword",
	" ", "  ", "\t", "\n", "\n\n", "\r\n", "\r", "\v", "\u0085", "\u2028", "\u2029", "\u3000", "\u2003",
	"\u00a0", "\u202f",
	".", "!", "?", "…", "。", "！", "」", "\"", ")", "»",
	"😀", "🇺", "🇦", "🇺🇦", "\u200d", "👨‍👩‍👧‍👦", "👍🏽", "🏽", "\ufe0f", "🏳️‍🌈",
	"e\u0301", "\u0301", "\u0915\u094d", "क", "ष", "漢", "각", "\u1100", "\u1161",
	"\u0600", "\x00", "\x7f",
	"\xff", "\xe2\x82", "\xed\xa0\x80", "\xf0\x9f", "\xc3", "\x80",
}

// genText builds an adversarial text of about n atoms in one of several
// styles.
func genText(r *rand.Rand, n int) string {
	var b strings.Builder
	switch r.Intn(8) {
	case 0: // all emoji
		em := []string{"😀", "🇺🇦", "👍🏽", "👨‍👩‍👧‍👦", "🏳️‍🌈", "🇺"}
		for range n {
			b.WriteString(em[r.Intn(len(em))])
		}
	case 1: // combining marks on one base
		b.WriteString("a")
		for range n * 2 {
			b.WriteString([]string{"\u0301", "\u0302", "\u20dd", "\u094d"}[r.Intn(4)])
		}
	case 2: // long ZWJ chain
		for range n {
			b.WriteString([]string{"👩", "👨", "👧", "\u200d", "\u200d🏽"}[r.Intn(5)])
		}
	case 3: // mixed whitespace, a few words
		for range n {
			if r.Intn(6) == 0 {
				b.WriteString("w")
			} else {
				b.WriteString([]string{" ", "\t", "\n", "\r\n", "\r", "\u2028", "\u2029", "\u3000", "\u00a0"}[r.Intn(9)])
			}
		}
	case 4: // invalid UTF-8 mixed in
		for range n {
			if r.Intn(3) == 0 {
				b.WriteByte(byte(r.Intn(256)))
			} else {
				b.WriteString(atoms[r.Intn(len(atoms))])
			}
		}
	case 5: // prose-like
		words := []string{"the", "quick", "brown", "fox", "jumps", "över", "日本語", "😀"}
		for range n {
			b.WriteString(words[r.Intn(len(words))])
			b.WriteString([]string{" ", " ", " ", ". ", "\n", "\n\n", "。", ", "}[r.Intn(8)])
		}
	default: // any atoms
		for range n {
			b.WriteString(atoms[r.Intn(len(atoms))])
		}
	}
	return b.String()
}

// input is a quick.Generator for split inputs with small limits.
type input struct {
	S     string
	Limit int
	Max   int
	Ents  []Entity
}

func (input) Generate(r *rand.Rand, size int) reflect.Value {
	in := input{S: genText(r, r.Intn(4*size+1)), Limit: 1 + r.Intn(64), Max: r.Intn(6)}
	if r.Intn(10) == 0 {
		in.Limit = 0 // default
	}
	u := UTF16Len(in.S)
	for range r.Intn(12) {
		in.Ents = append(in.Ents, Entity{Offset: r.Intn(u+6) - 3, Length: r.Intn(u/2+4) - 1})
	}
	return reflect.ValueOf(in)
}

// checkAll runs Split, Text and SplitEntities on one input and checks every
// property. It is shared by the quick tests and the fuzz target.
func checkAll(s string, limit int, ents []Entity, maxEnt int) error {
	if got, want := UTF16Len(s), refUTF16Len(s); got != want {
		return fmt.Errorf("UTF16Len %d, want %d", got, want)
	}
	chunks := Split(s, limit)
	if err := checkChunks(s, limit, chunks); err != nil {
		return fmt.Errorf("Split: %w", err)
	}
	if err := checkCutQuality(s, limit, chunks); err != nil {
		return fmt.Errorf("Split: %w", err)
	}
	if txt := Text(s, limit); !eqStrings(txt, texts(chunks)) {
		return fmt.Errorf("Text differs from Split")
	}
	c0, _ := SplitEntities(s, nil, limit, maxEnt)
	if !sameChunks(c0, chunks) {
		return fmt.Errorf("SplitEntities without entities differs from Split")
	}
	max := maxEnt
	if max <= 0 {
		max = MaxEntities
	}
	c, per := SplitEntities(s, ents, limit, maxEnt)
	if err := checkChunksOpt(s, limit, c, len(ents) <= max); err != nil {
		return fmt.Errorf("SplitEntities: %w", err)
	}
	if err := checkEntities(s, ents, maxEnt, c, per); err != nil {
		return fmt.Errorf("SplitEntities: %w", err)
	}
	return nil
}

// windowEnd returns the end of the window of a chunk starting at byte a: the
// last rune start e with units(s[a:e]) <= limit.
func windowEnd(s string, a, limit int) int {
	u := 0
	for i, r := range s[a:] {
		w := 1
		if r >= 0x10000 {
			w = 2
		}
		if u+w > limit {
			return a + i
		}
		u += w
	}
	return len(s)
}

// checkCutQuality checks the cut rules of Split chunk by chunk: a hard cut
// (nothing dropped, no sentence terminator before it) happens only when the
// window holds no whitespace cut point, and then lands on the last grapheme
// boundary of the last 10% of the window, or at the window end if there is
// none. Grapheme boundaries are those of the whole text, by the reference
// iterator; this also checks the restart logic of the segmentation window.
func checkCutQuality(s string, limit int, chunks []Chunk) error {
	if limit <= 0 {
		limit = DefaultLimit
	}
	var bounds map[int]bool
	valid := utf8.ValidString(s)
	for i := 0; i+1 < len(chunks); i++ {
		c, next := chunks[i], chunks[i+1]
		end := c.Start + len(c.Text)
		if next.Start != end {
			continue // whitespace cut
		}
		r, _ := utf8.DecodeLastRuneInString(c.Text)
		if r < 0x80 && btab[r] == kTerm || r < 0x80 && btab[r] == kClose ||
			r >= 0x80 && (rclass(r) == kTerm || rclass(r) == kClose) {
			continue // maybe a sentence cut
		}
		wend := windowEnd(s, c.Start, limit)
		if wend == c.Start {
			continue // limit 1 and an astral rune
		}
		// Whitespace after the leading run, up to and including wend.
		lead := true
		for j, r := range s[c.Start:] {
			p := c.Start + j
			if p > wend {
				break
			}
			sp := isCutSpace(r) && r != utf8.RuneError
			if !sp {
				lead = false
			} else if !lead {
				return fmt.Errorf("chunk %d hard cut at %d but whitespace at %d in window", i, end, p)
			}
		}
		if !valid {
			continue
		}
		if bounds == nil {
			bounds = graphemeBounds(s)
		}
		if !bounds[c.Start] {
			continue // segmentation restarted inside a giant cluster
		}
		region := max(limit/10, minGraphemeWindow)
		rs, back := wend, 0
		for rs > c.Start && back < region {
			r, size := utf8.DecodeLastRuneInString(s[c.Start:rs])
			back++
			if r >= 0x10000 {
				back++
			}
			rs -= size
		}
		want := wend
		for p := wend; p >= rs && p > c.Start; p-- {
			if bounds[p] {
				want = p
				break
			}
		}
		if end != want {
			return fmt.Errorf("chunk %d hard cut at %d, want %d (window %d..%d, region from %d)", i, end, want, c.Start, wend, rs)
		}
	}
	return nil
}

func TestQuick(t *testing.T) {
	cfg := &quick.Config{MaxCount: 3000, Rand: rand.New(rand.NewSource(1))}
	if testing.Short() {
		cfg.MaxCount = 300
	}
	f := func(in input) bool {
		if err := checkAll(in.S, in.Limit, in.Ents, in.Max); err != nil {
			t.Logf("input %q limit %d max %d ents %v: %v", in.S, in.Limit, in.Max, in.Ents, err)
			return false
		}
		return true
	}
	if err := quick.Check(f, cfg); err != nil {
		t.Fatal(err)
	}
}

// TestQuickStrings feeds quick's own random (mostly non-ASCII) strings.
func TestQuickStrings(t *testing.T) {
	f := func(s string, limit uint8, maxEnt uint8, raw []uint16) bool {
		var ents []Entity
		for i := 0; i+1 < len(raw); i += 2 {
			ents = append(ents, Entity{Offset: int(raw[i] % 64), Length: int(raw[i+1] % 64)})
		}
		l := int(limit%64) + 1
		if err := checkAll(s, l, ents, int(maxEnt%5)); err != nil {
			t.Logf("input %q limit %d: %v", s, l, err)
			return false
		}
		return true
	}
	if err := quick.Check(f, &quick.Config{MaxCount: 2000, Rand: rand.New(rand.NewSource(2))}); err != nil {
		t.Fatal(err)
	}
}

// TestLargeRandom runs the checks on a few longer texts with realistic limits.
func TestLargeRandom(t *testing.T) {
	r := rand.New(rand.NewSource(3))
	for range 40 {
		s := genText(r, 500+r.Intn(3000))
		for _, limit := range []int{100, 1000, 4096} {
			u := UTF16Len(s)
			var ents []Entity
			for range r.Intn(400) {
				ents = append(ents, Entity{Offset: r.Intn(u + 1), Length: 1 + r.Intn(40)})
			}
			if err := checkAll(s, limit, ents, 0); err != nil {
				t.Fatalf("len %d limit %d: %v", len(s), limit, err)
			}
		}
	}
}

func FuzzSplit(f *testing.F) {
	f.Add("hello world", uint16(5), uint8(0), []byte{0, 0, 5, 0})
	f.Add(strings.Repeat("🇺🇦", 20), uint16(7), uint8(1), []byte{1, 0, 6, 0, 3, 0, 9, 0})
	f.Add("👨‍👩‍👧‍👦👍🏽e\u0301\n\n\n  \r\n。漢字。", uint16(3), uint8(2), []byte{})
	f.Add(strings.Repeat("\n", 100), uint16(9), uint8(0), []byte{2, 0, 50, 0})
	f.Add("a\xffb\xe2\x82c\xed\xa0\x80 d", uint16(2), uint8(1), []byte{0, 0, 200, 0})
	f.Add("a"+strings.Repeat("\u0301", 80), uint16(33), uint8(3), []byte{})
	f.Add("すごい!本当。」x. y", uint16(4), uint8(1), []byte{0, 0, 3, 0, 1, 0, 1, 0})
	f.Fuzz(func(t *testing.T, s string, limit uint16, maxEnt uint8, raw []byte) {
		l := int(limit % 130)
		if l > 96 {
			l = 0 // default limit
		}
		u := UTF16Len(s)
		var ents []Entity
		for i := 0; i+3 < len(raw) && len(ents) < 64; i += 4 {
			o := int(raw[i]) | int(raw[i+1])<<8
			n := int(raw[i+2]) | int(raw[i+3])<<8
			ents = append(ents, Entity{Offset: o%(u+8) - 4, Length: n%(u+8) - 2})
		}
		if err := checkAll(s, l, ents, int(maxEnt%8)); err != nil {
			t.Fatalf("limit %d max %d ents %v: %v", l, maxEnt%8, ents, err)
		}
	})
}

// TestASCIIFastPathEquivalent checks that the ASCII fast path decides
// exactly like the general scanner, on ASCII-heavy texts with a few
// non-ASCII characters (which switch paths window by window).
func TestASCIIFastPathEquivalent(t *testing.T) {
	r := rand.New(rand.NewSource(4))
	alpha := []string{"a", "b", "c", "d", "e", "f", " ", " ", " ", "\t", "\n", "\n\n", "\r\n", "\r", "\v", ".", "!", "?", "\"", ")", "x.y"}
	rare := []string{"\u3000", "\u2028", "\u2029", "é", "。", "😀", "\u0301", "\u00a0", "\u0085"}
	run := func(s string, limit int, ents []Entity, maxEnt int) {
		t.Helper()
		fast, fastPer := SplitEntities(s, ents, limit, maxEnt)
		forceGeneral = true
		gen, genPer := SplitEntities(s, ents, limit, maxEnt)
		forceGeneral = false
		if !sameChunks(fast, gen) {
			t.Fatalf("limit %d: fast path %q\ngeneral %q\ninput %q", limit, texts(fast), texts(gen), s)
		}
		for i := range fastPer {
			if len(fastPer[i]) != len(genPer[i]) {
				t.Fatalf("entity parts differ")
			}
		}
	}
	for range 4000 {
		var b strings.Builder
		n := r.Intn(200)
		for range n {
			if r.Intn(40) == 0 {
				b.WriteString(rare[r.Intn(len(rare))])
			} else if r.Intn(8) == 0 {
				b.WriteString(strings.Repeat(alpha[r.Intn(len(alpha))], 1+r.Intn(12)))
			} else {
				b.WriteString(alpha[r.Intn(len(alpha))])
			}
		}
		s := b.String()
		var ents []Entity
		for range r.Intn(8) {
			ents = append(ents, Entity{Offset: r.Intn(len(s) + 1), Length: 1 + r.Intn(10)})
		}
		limit := 1 + r.Intn(48)
		run(s, limit, nil, 0)
		run(s, limit, ents, 1+r.Intn(4))
	}
}
