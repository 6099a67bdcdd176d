package tghtml

import (
	"strings"
	"unicode/utf8"
)

// Text is unescaped the Bot API's way, as gotd does it (its unescape.go):
// only &lt; &gt; &amp; &quot; and numeric references, with or without the
// semicolon; anything else stays as written. Attribute values are
// unescaped as golang.org/x/net/html's tokenizer does it, with the whole
// HTML5 table of named references (entities.go).

// unescapeEntity reads an entity like "&lt;" from b[src:] and writes the
// corresponding "<" to b[dst:], returning the incremented dst and src
// cursors. Precondition: b[src] == '&' && dst <= src.
//
// It is gotd's, itself an adaptation of Go's html.UnescapeString, quirks
// included: "&#9;" needs something after it, x == 0 and x >= 0x10ffff are
// left as written, a surrogate becomes U+FFFD and many digits wrap around.
func unescapeEntity(b []byte, dst, src int) (dst1, src1 int) {
	// i starts at 1 because we already know that s[0] == '&'.
	i, s := 1, b[src:]

	if len(s) <= 1 {
		b[dst] = b[src]
		return dst + 1, src + 1
	}

	if s[i] == '#' {
		if len(s) <= 3 { // We need to have at least "&#.".
			b[dst] = b[src]
			return dst + 1, src + 1
		}
		i++
		c := s[i]
		hex := false
		if c == 'x' || c == 'X' {
			hex = true
			i++
		}

		x := '\x00'
		for i < len(s) {
			c = s[i]
			i++
			if hex {
				switch {
				case '0' <= c && c <= '9':
					x = 16*x + rune(c) - '0'
					continue
				case 'a' <= c && c <= 'f':
					x = 16*x + rune(c) - 'a' + 10
					continue
				case 'A' <= c && c <= 'F':
					x = 16*x + rune(c) - 'A' + 10
					continue
				}
			} else if '0' <= c && c <= '9' {
				x = 10*x + rune(c) - '0'
				continue
			}
			if c != ';' {
				i--
			}
			break
		}

		if i <= 3 { // No characters matched.
			b[dst] = b[src]
			return dst + 1, src + 1
		}

		if x == 0 || x >= 0x10ffff {
			b[dst] = b[src]
			return dst + 1, src + 1
		}

		return dst + utf8.EncodeRune(b[dst:], x), src + i
	}

	// Consume the maximum number of characters possible, with the
	// consumed characters matching one of the named references.
	for i < len(s) {
		c := s[i]
		i++
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' {
			continue
		}
		if c != ';' {
			i--
		}
		break
	}

	var x rune
	tagEnd := i
	if i > 0 && s[tagEnd-1] == ';' {
		tagEnd--
	}
	switch string(s[1:tagEnd]) {
	case "lt":
		x = '<'
	case "gt":
		x = '>'
	case "amp":
		x = '&'
	case "quot":
		x = '"'
	}
	if x != 0 {
		return dst + utf8.EncodeRune(b[dst:], x), src + i
	}

	dst1, src1 = dst+i, src+i
	copy(b[dst:dst1], b[src:src1])
	return dst1, src1
}

// telegramUnescape implements the Bot API's HTML unescaping in place.
func telegramUnescape(b []byte) []byte {
	for i, c := range b {
		if c == '&' {
			dst, src := unescapeEntity(b, i, i)
			for src < len(b) {
				c := b[src]
				if c == '&' {
					dst, src = unescapeEntity(b, dst, src)
				} else {
					b[dst] = c
					dst, src = dst+1, src+1
				}
			}
			return b[0:dst]
		}
	}
	return b
}

// windows1252 replaces numeric references to 0x80-0x9F: old pages meant
// Windows-1252 by them.
var windows1252 = [...]rune{
	'\u20AC', '\u0081', '\u201A', '\u0192', '\u201E', '\u2026', '\u2020', '\u2021',
	'\u02C6', '\u2030', '\u0160', '\u2039', '\u0152', '\u008D', '\u017D', '\u008F',
	'\u0090', '\u2018', '\u2019', '\u201C', '\u201D', '\u2022', '\u2013', '\u2014',
	'\u02DC', '\u2122', '\u0161', '\u203A', '\u0153', '\u009D', '\u017E', '\u0178',
}

// unescapeAttrEntity consumes a character reference from s, which starts
// with '&', in an attribute value: x/net/html's unescapeEntity with
// attribute set. It returns the replacement and how many bytes it
// replaces, or n == 0 if s does not start with one.
func unescapeAttrEntity(s string) (repl string, r rune, n int) {
	// i starts at 1 because we already know that s[0] == '&'.
	i := 1

	if len(s) <= 1 {
		return "", 0, 0
	}

	if s[i] == '#' {
		if len(s) <= 2 { // We need to have at least "&#".
			return "", 0, 0
		}
		i++
		c := s[i]
		hex := false
		if c == 'x' || c == 'X' {
			hex = true
			i++
		}

		i0 := i
		x := '\x00'
		for i < len(s) {
			c = s[i]
			var d, mult rune
			if hex {
				mult = 16
				if '0' <= c && c <= '9' {
					d = rune(c) - '0'
				} else if 'a' <= c && c <= 'f' {
					d = rune(c) - 'a' + 10
				} else if 'A' <= c && c <= 'F' {
					d = rune(c) - 'A' + 10
				} else {
					break
				}
			} else {
				mult = 10
				if '0' <= c && c <= '9' {
					d = rune(c) - '0'
				} else {
					break
				}
			}
			if x <= 0x10FFFF {
				x = mult*x + d
			}
			i++
		}

		if i == i0 { // No characters matched.
			return "", 0, 0
		}

		if i < len(s) && s[i] == ';' {
			i++
		}

		if 0x80 <= x && x <= 0x9F {
			x = windows1252[x-0x80]
		} else if x == 0 || (0xD800 <= x && x <= 0xDFFF) || x > 0x10FFFF {
			x = '\uFFFD'
		}
		return "", x, i
	}

	// Consume the maximum number of characters possible, with the
	// consumed characters matching one of the named references.
	for i < len(s) {
		c := s[i]
		i++
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' {
			continue
		}
		if c != ';' {
			i--
		}
		break
	}

	name := s[1:i]
	if name == "" {
		return "", 0, 0
	}
	if name[len(name)-1] != ';' && len(s) > i && s[i] == '=' {
		return "", 0, 0
	}
	if v, ok := lookupEntity(name); ok {
		return v, 0, i
	}
	return "", 0, 0
}

// unescapeAttr unescapes an attribute value, so that "a&lt;b" becomes "a<b".
func unescapeAttr(s string) string {
	amp := strings.IndexByte(s, '&')
	if amp < 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	b.WriteString(s[:amp])
	for src := amp; src < len(s); {
		if s[src] != '&' {
			next := strings.IndexByte(s[src:], '&')
			if next < 0 {
				b.WriteString(s[src:])
				break
			}
			b.WriteString(s[src : src+next])
			src += next
			continue
		}
		repl, r, n := unescapeAttrEntity(s[src:])
		switch {
		case n == 0:
			b.WriteByte('&')
			src++
			continue
		case repl != "":
			b.WriteString(repl)
		default:
			b.WriteRune(r)
		}
		src += n
	}
	return b.String()
}
