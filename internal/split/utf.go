package split

import "unicode"

const runeError = '\uFFFD'

// decode decodes the rune starting at s[i] exactly as utf8.DecodeRuneInString
// does: an invalid or truncated sequence yields (U+FFFD, 1).
func decode(s string, i int) (rune, int) {
	c0 := s[i]
	n := len(s) - i
	switch {
	case c0 < 0x80:
		return rune(c0), 1
	case c0 < 0xC2:
		return runeError, 1
	case c0 < 0xE0:
		if n < 2 {
			return runeError, 1
		}
		c1 := s[i+1]
		if c1&0xC0 != 0x80 {
			return runeError, 1
		}
		return rune(c0&0x1F)<<6 | rune(c1&0x3F), 2
	case c0 < 0xF0:
		if n < 3 {
			return runeError, 1
		}
		c1, c2 := s[i+1], s[i+2]
		lo, hi := byte(0x80), byte(0xBF)
		switch c0 {
		case 0xE0:
			lo = 0xA0
		case 0xED:
			hi = 0x9F
		}
		if c1 < lo || c1 > hi || c2&0xC0 != 0x80 {
			return runeError, 1
		}
		return rune(c0&0x0F)<<12 | rune(c1&0x3F)<<6 | rune(c2&0x3F), 3
	case c0 < 0xF5:
		if n < 4 {
			return runeError, 1
		}
		c1, c2, c3 := s[i+1], s[i+2], s[i+3]
		lo, hi := byte(0x80), byte(0xBF)
		switch c0 {
		case 0xF0:
			lo = 0x90
		case 0xF4:
			hi = 0x8F
		}
		if c1 < lo || c1 > hi || c2&0xC0 != 0x80 || c3&0xC0 != 0x80 {
			return runeError, 1
		}
		return rune(c0&0x07)<<18 | rune(c1&0x3F)<<12 | rune(c2&0x3F)<<6 | rune(c3&0x3F), 4
	}
	return runeError, 1
}

// units is the UTF-16 length of a rune decoded by decode with the given size:
// only a valid 4-byte sequence is a surrogate pair.
func units(size int) int {
	if size == 4 {
		return 2
	}
	return 1
}

// UTF16Len returns the length of s in UTF-16 code units, as Telegram counts
// it. Each byte of invalid UTF-8 counts as one unit.
func UTF16Len(s string) int {
	n := 0
	i := 0
	for i < len(s) {
		if s[i] < 0x80 {
			j := i + 1
			for j+8 <= len(s) && word(s, j)&0x8080808080808080 == 0 {
				j += 8
			}
			for j < len(s) && s[j] < 0x80 {
				j++
			}
			n += j - i
			i = j
			continue
		}
		_, size := decode(s, i)
		n += units(size)
		i += size
	}
	return n
}

func word(s string, i int) uint64 {
	_ = s[i+7]
	return uint64(s[i]) | uint64(s[i+1])<<8 | uint64(s[i+2])<<16 | uint64(s[i+3])<<24 |
		uint64(s[i+4])<<32 | uint64(s[i+5])<<40 | uint64(s[i+6])<<48 | uint64(s[i+7])<<56
}

// Character classes used by the scanner. ASCII bytes are classified by btab;
// other runes by rclass, into the same set.
const (
	kOrd   = iota // anything else
	kSpace        // breakable whitespace that is not a line break
	kNL           // line break
	kCR           // '\r' (a line break, but "\r\n" counts once)
	kPara         // U+2029 PARAGRAPH SEPARATOR (counts as two line breaks)
	kTerm         // sentence terminator
	kClose        // closing quote or bracket (may follow a terminator)
	kMulti        // btab only: first byte of a non-ASCII or invalid sequence
)

var btab = func() (t [256]uint8) {
	for c := 0x80; c < 0x100; c++ {
		t[c] = kMulti
	}
	t[' '], t['\t'] = kSpace, kSpace
	t['\n'], t['\v'], t['\f'] = kNL, kNL, kNL
	t['\r'] = kCR
	t['.'], t['!'], t['?'] = kTerm, kTerm, kTerm
	t['"'], t['\''], t[')'], t[']'], t['}'] = kClose, kClose, kClose, kClose, kClose
	return t
}()

// rclass classifies a non-ASCII rune.
func rclass(r rune) uint8 {
	if r >= 0x10000 || (r > 0x3015 && r < 0xFF01) {
		return kOrd
	}
	switch r {
	case 0x1680, 0x2000, 0x2001, 0x2002, 0x2003, 0x2004, 0x2005, 0x2006,
		0x2008, 0x2009, 0x200A, 0x205F, 0x3000:
		return kSpace
	case 0x0085, 0x2028:
		return kNL
	case 0x2029:
		return kPara
	case 0x2026, 0x203C, 0x2047, 0x2048, 0x2049, 0x3002, 0xFF01, 0xFF1F, 0xFF61,
		0x061F, 0x06D4, 0x0964, 0x0965:
		return kTerm
	case 0x00BB, 0x2019, 0x201D, 0x3009, 0x300B, 0x300D, 0x300F, 0x3011, 0x3015,
		0xFF09, 0xFF3D, 0xFF63:
		return kClose
	}
	return kOrd
}

// classAt classifies the rune at s[i] and returns its size in bytes.
func classAt(s string, i int) (k uint8, size int) {
	c := s[i]
	if k = btab[c]; k != kMulti {
		return k, 1
	}
	r, size := decode(s, i)
	return rclass(r), size
}

// isExtendLike approximates "attaches to the preceding character" (grapheme
// Extend, SpacingMark, ZWJ): a sentence cut is never placed before one.
func isExtendLike(r rune) bool {
	switch {
	case r == 0x200C, r == 0x200D, r == 0xFF9E, r == 0xFF9F:
		return true
	case r >= 0x1F3FB && r <= 0x1F3FF: // emoji skin-tone modifiers
		return true
	case r >= 0xE0020 && r <= 0xE007F: // emoji tag sequences
		return true
	}
	return unicode.In(r, unicode.Mn, unicode.Me, unicode.Mc)
}
