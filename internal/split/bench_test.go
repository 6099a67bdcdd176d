package split

import (
	"math/rand/v2"
	"strings"
	"testing"
	"unicode/utf8"
)

var benchSizes = []struct {
	name string
	n    int
}{{"64KB", 64 << 10}, {"1MB", 1 << 20}, {"16MB", 16 << 20}}

var benchKinds = []struct {
	name string
	gen  func(n int) string
}{{"ascii", genProse}, {"emoji", genEmoji}}

var benchCache = map[string]string{}

func benchText(kind string, gen func(int) string, n int) string {
	key := kind + string(rune(n))
	if s, ok := benchCache[key]; ok {
		return s
	}
	s := gen(n)
	benchCache[key] = s
	return s
}

// genProse returns n bytes of deterministic ASCII prose: words, sentences,
// line breaks and paragraphs.
func genProse(n int) string {
	words := strings.Fields(`lorem ipsum dolor sit amet consectetur adipiscing elit sed do
		eiusmod tempor incididunt ut labore et dolore magna aliqua enim ad minim veniam quis
		nostrud exercitation ullamco laboris nisi aliquip ex ea commodo consequat telegram
		message entity chunk split boundary paragraph`)
	r := rand.New(rand.NewPCG(1, 2))
	var b strings.Builder
	b.Grow(n + 64)
	for b.Len() < n {
		b.WriteString(words[r.IntN(len(words))])
		switch x := r.IntN(100); {
		case x < 80:
			b.WriteByte(' ')
		case x < 90:
			b.WriteString(", ")
		case x < 97:
			b.WriteString(". ")
		case x < 99:
			b.WriteString(".\n")
		default:
			b.WriteString(".\n\n")
		}
	}
	return b.String()[:n]
}

// genEmoji returns about n bytes (cut at a rune start) of emoji-heavy chat
// text: about two thirds of the bytes are emoji (surrogate pairs, flags, ZWJ
// sequences, skin tones), the rest short words in Latin, Cyrillic and CJK.
func genEmoji(n int) string {
	emoji := []string{"😀", "😂", "👍🏽", "🇺🇦", "👨‍👩‍👧‍👦", "❤️", "🔥", "🎉", "👩🏽‍💻"}
	words := []string{"ok", "lol", "да", "привет", "你好", "no", "wow", "the"}
	r := rand.New(rand.NewPCG(3, 4))
	var b strings.Builder
	b.Grow(n + 64)
	for b.Len() < n {
		for range 1 + r.IntN(4) {
			b.WriteString(emoji[r.IntN(len(emoji))])
		}
		if r.IntN(2) == 0 {
			b.WriteString(words[r.IntN(len(words))])
		}
		switch x := r.IntN(20); {
		case x < 16:
			b.WriteByte(' ')
		case x < 19:
			b.WriteByte('\n')
		default:
			b.WriteString("\n\n")
		}
	}
	s := b.String()[:n]
	for !utf8.ValidString(s) {
		s = s[:len(s)-1]
	}
	return s
}

var sink int

func BenchmarkRuneCount(b *testing.B) {
	for _, k := range benchKinds {
		for _, sz := range benchSizes {
			b.Run(k.name+"/"+sz.name, func(b *testing.B) {
				data := []byte(benchText(k.name, k.gen, sz.n))
				b.SetBytes(int64(len(data)))
				for b.Loop() {
					sink = utf8.RuneCount(data)
				}
			})
		}
	}
}

func BenchmarkSplit(b *testing.B) {
	for _, k := range benchKinds {
		for _, sz := range benchSizes {
			b.Run(k.name+"/"+sz.name, func(b *testing.B) {
				s := benchText(k.name, k.gen, sz.n)
				b.SetBytes(int64(len(s)))
				b.ReportAllocs()
				for b.Loop() {
					sink = len(Split(s, DefaultLimit))
				}
			})
		}
	}
}

func BenchmarkUTF16Len(b *testing.B) {
	for _, k := range benchKinds {
		b.Run(k.name+"/1MB", func(b *testing.B) {
			s := benchText(k.name, k.gen, 1<<20)
			b.SetBytes(int64(len(s)))
			for b.Loop() {
				sink = UTF16Len(s)
			}
		})
	}
}

// BenchmarkSplitHardCuts measures the grapheme work: no whitespace at all.
func BenchmarkSplitHardCuts(b *testing.B) {
	for _, t := range []struct{ name, unit string }{
		{"word", "x"}, {"flags", "🇺🇦"}, {"family", "👨‍👩‍👧‍👦"}, {"skintone", "👍🏽"},
	} {
		b.Run(t.name, func(b *testing.B) {
			s := strings.Repeat(t.unit, (1<<20)/len(t.unit))
			b.SetBytes(int64(len(s)))
			for b.Loop() {
				sink = len(Split(s, DefaultLimit))
			}
		})
	}
}

func BenchmarkSplitEntities(b *testing.B) {
	s := benchText("ascii", genProse, 1<<20)
	var ents []Entity
	n := UTF16Len(s)
	for i := 0; i < n-20; i += 37 {
		ents = append(ents, Entity{Offset: i, Length: 20})
	}
	b.SetBytes(int64(len(s)))
	b.ReportAllocs()
	for b.Loop() {
		c, _ := SplitEntities(s, ents, DefaultLimit, MaxEntities)
		sink = len(c)
	}
}
