package split

import (
	"unicode/utf8"

	"github.com/clipperhouse/uax29/v2/graphemes"
)

const (
	// DefaultLimit is Telegram's maximum message length in UTF-16 units.
	DefaultLimit = 4096
	// MaxEntities is the most entities Telegram accepts on one message.
	MaxEntities = 100
)

// Tuning of the hard cut (see the package documentation).
const (
	// minGraphemeWindow is the least size, in UTF-16 units, of the window
	// end region searched for a grapheme boundary (10% of small limits
	// would be too small to hold even one flag).
	minGraphemeWindow = 32
	// maxSafeBack bounds the backward search, in runes, for a position that
	// is certainly a grapheme boundary; past it segmentation restarts at the
	// chunk start.
	maxSafeBack = 64
)

// Chunk is one piece of a split text.
type Chunk struct {
	Text   string // the chunk text (a substring of the input)
	Offset int    // UTF-16 offset of Text within the input
	Start  int    // byte offset of Text within the input
}

// Split splits s into chunks of at most limit UTF-16 units (limit <= 0 means
// [DefaultLimit]) following the rules in the package documentation.
func Split(s string, limit int) []Chunk {
	chunks, _ := split(s, limit, nil, 0, false)
	return chunks
}

// Text is [Split] returning just the strings.
func Text(s string, limit int) []string {
	chunks := Split(s, limit)
	out := make([]string, len(chunks))
	for i, c := range chunks {
		out[i] = c.Text
	}
	return out
}

// cutPos describes where a chunk ends. Units are relative to the chunk start.
type cutPos struct {
	end, endU   int // end of the chunk text
	next, nextU int // start of the following chunk (after dropped whitespace)
	last        bool
}

// Cut classes, worst first.
const (
	clsSentence = iota
	clsSpace
	clsLine
	clsPara
	numCls
)

type cand struct {
	p, pu int // chunk end (byte index, units from the chunk start)
	q, qu int // next chunk start as scanned so far
	ok    bool
	ws    bool // q may move further over whitespace beyond the window
}

// splitter holds the input and the lazily created grapheme iterators.
type splitter struct {
	s   string
	git *graphemes.Iterator[string] // hard-cut window segmentation
	pit *graphemes.Iterator[string] // safe-pair checks
	bit *graphemes.Iterator[[]byte] // probes on synthetic text
	buf []byte
}

// wsRun scans the breakable whitespace run starting at i, with u units
// already in the chunk, until a non-whitespace rune or until room units are
// used (full). nl counts the line breaks consumed ("\r\n" once, U+2029
// twice).
func wsRun(s string, i, u, room int) (j, v, nl int, full bool) {
	for i < len(s) {
		k, size := classAt(s, i)
		d := 0
		switch k {
		case kSpace:
		case kNL:
			d = 1
		case kCR:
			if i+1 >= len(s) || s[i+1] != '\n' {
				d = 1
			}
		case kPara:
			d = 2
		default:
			return i, u, nl, false
		}
		if u >= room { // whitespace is never astral: 1 unit
			return i, u, nl, true
		}
		i += size
		u++
		nl += d
	}
	return i, u, nl, false
}

// runClass returns the cut class of a whitespace run, given that nl line
// breaks were counted up to i (inside the run). The count continues to the
// end of the run, also past the window, but stops at two.
func runClass(s string, i, nl int) int {
	for nl < 2 && i < len(s) {
		k, size := classAt(s, i)
		switch k {
		case kSpace:
		case kNL:
			nl++
		case kCR:
			if i+1 >= len(s) || s[i+1] != '\n' {
				nl++
			}
		case kPara:
			nl += 2
		default:
			i = len(s)
			continue
		}
		i += size
	}
	switch {
	case nl >= 2:
		return clsPara
	case nl == 1:
		return clsLine
	}
	return clsSpace
}

// sentenceAt reports whether a sentence cut may be placed at i, right after a
// terminator (and closers). asciiTerm tells whether that terminator was ASCII.
func sentenceAt(s string, i int, asciiTerm bool) bool {
	if i >= len(s) {
		return false
	}
	c := s[i]
	if c < 0x80 {
		return !asciiTerm && btab[c] == kOrd
	}
	r, _ := decode(s, i)
	switch r {
	case 0x00A0, 0x2007, 0x202F, 0x2060, 0xFEFF: // no-break spaces, word joiners
		return false
	}
	if rclass(r) != kOrd {
		return false
	}
	return !isExtendLike(r)
}

// cut finds the end of the chunk starting at byte a. room is the window size
// in units; budget reports that room was shortened by the entity budget, in
// which case a chunk without candidates ends exactly at the window end.
func (sp *splitter) cut(a, room int, budget bool) cutPos {
	s := sp.s
	n := len(s)
	if n-a <= room { // a UTF-16 length never exceeds the byte length
		return cutPos{end: n, last: true}
	}
	if !forceGeneral && isASCII(s, a, a+room+1) {
		return sp.cutASCII(a, room, budget)
	}
	// Always make progress, even if the first rune alone exceeds room
	// (room 1 and an astral rune): a surrogate pair is never split.
	if _, size := decode(s, a); units(size) > room {
		w := units(size)
		return cutPos{end: a + size, endU: w, next: a + size, nextU: w, last: a+size == n}
	}

	var cands [numCls]cand
	i, u := a, 0
	pending, asciiTerm := false, false
scan:
	for i < n {
		c := s[i]
		k := btab[c]
		size := 1
		if k == kOrd {
			// Hot path: a run of ordinary ASCII, one unit per byte.
			lim := i + room - u
			if lim > n {
				lim = n
			}
			j := i
			for j < lim && btab[s[j]] == kOrd {
				j++
			}
			if j == i {
				break scan
			}
			u += j - i
			i = j
			pending = false
			continue
		}
		if c == ' ' && i > a && u < room && i+1 < n && !mayBeSpace(s[i+1]) {
			// Hot path: a single space between words.
			cands[clsSpace] = cand{p: i, pu: u, q: i + 1, qu: u + 1, ok: true, ws: true}
			i++
			u++
			pending = false
			continue
		}
		if k == kMulti {
			var r rune
			r, size = decode(s, i)
			k = rclass(r)
		}
		switch k {
		case kOrd:
			w := units(size)
			if u+w > room {
				break scan
			}
			i += size
			u += w
			pending = false
		case kTerm:
			if u >= room { // terminators are never astral
				break scan
			}
			i += size
			u++
			pending, asciiTerm = true, size == 1
			if sentenceAt(s, i, asciiTerm) {
				cands[clsSentence] = cand{p: i, pu: u, q: i, qu: u, ok: true}
			}
		case kClose:
			if u >= room {
				break scan
			}
			i += size
			u++
			if pending && sentenceAt(s, i, asciiTerm) {
				cands[clsSentence] = cand{p: i, pu: u, q: i, qu: u, ok: true}
			}
		default: // whitespace run
			p, pu := i, u
			j, v, nl, full := wsRun(s, i, u, room)
			i, u = j, v
			pending = false
			if p > a {
				cls := runClass(s, i, nl)
				cands[cls] = cand{p: p, pu: pu, q: i, qu: u, ok: true, ws: true}
			}
			if full {
				break scan
			}
		}
	}
	if i >= n {
		return cutPos{end: n, last: true}
	}

	// Choose: the best class whose last candidate is at least half the
	// window, else the latest candidate of any class.
	best := -1
	for cls := numCls - 1; cls >= 0; cls-- {
		if c := cands[cls]; c.ok && 2*c.pu >= room {
			best = cls
			break
		}
	}
	if best < 0 {
		for cls := range cands {
			if c := cands[cls]; c.ok && (best < 0 || c.p > cands[best].p) {
				best = cls
			}
		}
	}
	if best >= 0 {
		c := cands[best]
		if c.ws {
			// Drop the whole run, also past the window.
			c.q, c.qu, _, _ = wsRun(s, c.q, c.qu, int(^uint(0)>>1))
		}
		return cutPos{end: c.p, endU: c.pu, next: c.q, nextU: c.qu, last: c.q >= n}
	}

	// Hard cut.
	end, endU := i, u
	if !budget {
		end, endU = sp.hardCut(a, i, u, room)
	}
	return cutPos{end: end, endU: endU, next: end, nextU: endU}
}

// mayBeSpace reports whether a rune starting with byte c may be breakable
// whitespace: ASCII whitespace, or the lead byte of U+0085, U+1680,
// U+2000..U+205F or U+3000.
func mayBeSpace(c byte) bool {
	switch c {
	case ' ', '\t', '\n', '\v', '\f', '\r', 0xC2, 0xE1, 0xE2, 0xE3:
		return true
	}
	return false
}

// forceGeneral disables the ASCII fast path (tests compare both paths).
var forceGeneral = false

// isASCII reports whether s[i:j] is all ASCII.
func isASCII(s string, i, j int) bool {
	for ; i+32 <= j; i += 32 {
		if (word(s, i)|word(s, i+8)|word(s, i+16)|word(s, i+24))&0x8080808080808080 != 0 {
			return false
		}
	}
	for ; i+8 <= j; i += 8 {
		if word(s, i)&0x8080808080808080 != 0 {
			return false
		}
	}
	for ; i < j; i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// asciiWS and asciiLB classify ASCII bytes: breakable whitespace, and the
// line breaks among it.
func asciiWS(c byte) bool { k := btab[c]; return k == kSpace || k == kNL || k == kCR }
func asciiLB(c byte) bool { k := btab[c]; return k == kNL || k == kCR }

// cutASCII is cut for a window whose bytes, and the byte just after it, are
// all ASCII: one unit per byte, so the window is s[a:a+room] and no sentence
// cut is possible (an ASCII terminator only counts before non-ASCII text).
// Instead of classifying every byte it finds the last whitespace run and then
// searches backwards only for line breaks, and only down to the half-window
// point; it decides exactly as the general scanner does.
func (sp *splitter) cutASCII(a, room int, budget bool) cutPos {
	s := sp.s
	w := a + room // < len(s)
	e := w
	for e > a && !asciiWS(s[e]) {
		e--
	}
	r := e
	for r > a && asciiWS(s[r-1]) {
		r--
	}
	if r == a { // no whitespace, or only the chunk's leading run
		end := w
		if !budget {
			end, _ = sp.hardCut(a, w, room, room)
		}
		return cutPos{end: end, endU: end - a, next: end, nextU: end - a}
	}
	half := a + (room+1)/2 // 2*(p-a) >= room
	best, cls := r, runClass(s, r, 0)
	if cls != clsPara && r >= half {
		line := -1
		if cls == clsLine {
			line = r
		}
		for k := r - 1; ; {
			for k >= half && !asciiLB(s[k]) {
				k--
			}
			if k < half {
				break
			}
			p := k
			for p > a && asciiWS(s[p-1]) {
				p--
			}
			if p < half {
				break
			}
			c := runClass(s, p, 0)
			if c == clsPara {
				best, cls = p, clsPara
				break
			}
			if c == clsLine && line < 0 {
				line = p
			}
			k = p - 1
		}
		if cls != clsPara && line >= 0 {
			best = line
		}
	}
	q, qu, _, _ := wsRun(s, best, best-a, int(^uint(0)>>1))
	return cutPos{end: best, endU: best - a, next: q, nextU: qu, last: q >= len(s)}
}

// hardCut returns the last grapheme boundary in the last 10% (at least
// minGraphemeWindow units) of the window [a, wend), else wend.
func (sp *splitter) hardCut(a, wend, wendU, room int) (int, int) {
	s := sp.s
	region := room / 10
	if region < minGraphemeWindow {
		region = minGraphemeWindow
	}
	rs, back := wend, 0
	for rs > a && back < region {
		_, size := utf8.DecodeLastRuneInString(s[a:rs])
		back += units(size)
		rs -= size
	}
	q := sp.safeStart(a, rs)
	// Boundaries up to wend only depend on the text before them and on the
	// rune at wend; a little more context is harmless.
	lim := wend + 2*utf8.UTFMax
	if lim > len(s) {
		lim = len(s)
	}
	if sp.git == nil {
		sp.git = graphemes.FromString("")
	}
	it := sp.git
	it.SetText(s[q:lim])
	best := -1
	g := q // rune cursor: only boundaries at rune starts are used
	for it.Next() {
		e := q + it.End()
		if e > wend {
			break
		}
		for g < e {
			_, size := decode(s, g)
			g += size
		}
		if g == e && e >= rs && e > a {
			best = e
		}
	}
	if best < 0 {
		return wend, wendU
	}
	return best, wendU - UTF16Len(s[best:wend])
}

// safeStart returns a position at or before x (and not before a) that is a
// grapheme cluster boundary of the text whatever precedes it, searching back
// at most maxSafeBack runes; otherwise a.
func (sp *splitter) safeStart(a, x int) int {
	s := sp.s
	for k := 0; k < maxSafeBack && x > a; k++ {
		_, size := utf8.DecodeLastRuneInString(s[a:x])
		if size == 4 && isRI(s, x-4) && isRI(s, x) {
			// Inside a run of regional indicators, which pair up from
			// the start of the run (GB12/13): count them.
			y := x - 4
			for y-4 >= a && isRI(s, y-4) {
				y -= 4
			}
			if (x-y)/4%2 == 0 {
				return x
			}
			return x - 4
		}
		if sp.safePair(x-size, x) {
			return x
		}
		x -= size
	}
	return a
}

// isRI reports whether a regional indicator (U+1F1E6..U+1F1FF) starts at i.
func isRI(s string, i int) bool {
	return i+4 <= len(s) && s[i] == 0xF0 && s[i+1] == 0x9F && s[i+2] == 0x87 && s[i+3] >= 0xA6 && s[i+3] <= 0xBF
}

// safePair reports whether there is a grapheme boundary between the rune at
// pa and the rune at pb (which follows it) regardless of earlier text. The
// UAX #29 rules that look further back than one rune are GB9c (Indic
// conjuncts: the left rune is InCB Extend/Linker, both grapheme-extending),
// GB11 (the left rune is ZWJ) and GB12/13 (both are regional indicators, which
// never break in isolation); every other rule only looks at the pair.
func (sp *splitter) safePair(pa, pb int) bool {
	s := sp.s
	ca, cb := s[pa], s[pb]
	if ca == '\r' && cb == '\n' {
		return false
	}
	if ca < 0x80 && cb < 0x80 {
		return true // GB999, or GB4/GB5 around controls
	}
	if ca < 0x20 || ca == 0x7F || cb < 0x20 || cb == 0x7F {
		return true // GB4, GB5
	}
	_, sb := decode(s, pb)
	if sp.pit == nil {
		sp.pit = graphemes.FromString("")
	}
	sp.pit.SetText(s[pa : pb+sb])
	if !sp.pit.Next() || sp.pit.End() != pb-pa {
		return false // no boundary even in isolation
	}
	left := s[pa:pb]
	if left == "\u200D" {
		return false // GB11
	}
	if sp.probe("0", left) == 1 {
		return true // the left rune does not attach: GB9c cannot apply
	}
	// The left rune extends; GB9c applies only if the right one is an InCB
	// consonant, i.e. joins KA + VIRAMA.
	return sp.probe("\u0915\u094D", s[pb:pb+sb]) != len("\u0915\u094D")+sb
}

// probe returns the byte length of the first grapheme cluster of pre+x.
func (sp *splitter) probe(pre, x string) int {
	sp.buf = append(append(sp.buf[:0], pre...), x...)
	if sp.bit == nil {
		sp.bit = graphemes.FromBytes(nil)
	}
	sp.bit.SetText(sp.buf)
	if !sp.bit.Next() {
		return 0
	}
	return sp.bit.End()
}

// split is the shared driver of Split and SplitEntities.
func split(s string, limit int, ents []Entity, maxEntities int, withEnts bool) ([]Chunk, [][]ChunkEntity) {
	if limit <= 0 {
		limit = DefaultLimit
	}
	if s == "" {
		var per [][]ChunkEntity
		if withEnts {
			per = [][]ChunkEntity{nil}
		}
		return []Chunk{{Text: ""}}, per
	}
	sp := splitter{s: s}
	var eb *entBudget
	if withEnts {
		eb = newEntBudget(s, ents, maxEntities)
	}
	chunks := make([]Chunk, 0, len(s)/(limit-limit/8)+1)
	var per [][]ChunkEntity
	a, aU := 0, 0
	for a < len(s) {
		room, budget := limit, false
		if eb != nil {
			if e, ok := eb.enter(s, a, aU); ok && e-aU < limit {
				room, budget = e-aU, true
			}
		}
		c := sp.cut(a, room, budget)
		chunks = append(chunks, Chunk{Text: s[a:c.end], Offset: aU, Start: a})
		if eb != nil {
			endU := aU + c.endU
			if c.last && c.end == len(s) {
				endU = eb.total
			}
			per = append(per, eb.parts(aU, endU))
		}
		if c.last {
			break
		}
		a, aU = c.next, aU+c.nextU
	}
	return chunks, per
}
