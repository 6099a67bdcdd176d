package luastr

// Character classes of Lua patterns (%a, %d, ...), as C's <ctype.h>
// functions classify bytes in the "C" locale, which is what Lua 5.1 uses
// unless the host calls setlocale.

const (
	clAlpha = 1 << iota
	clCntrl
	clDigit
	clLower
	clPunct
	clSpace
	clUpper
	clXDigit
	clZero
	clAlnum = clAlpha | clDigit
)

// ctype holds the classes of every byte.
var ctype = func() (t [256]uint16) {
	for c := range 256 {
		var k uint16
		switch {
		case 'a' <= c && c <= 'z':
			k |= clAlpha | clLower
		case 'A' <= c && c <= 'Z':
			k |= clAlpha | clUpper
		case '0' <= c && c <= '9':
			k |= clDigit
		}
		if c < 0x20 || c == 0x7f {
			k |= clCntrl
		}
		if 0x21 <= c && c <= 0x7e && k&clAlnum == 0 {
			k |= clPunct
		}
		switch c {
		case ' ', '\t', '\n', '\v', '\f', '\r':
			k |= clSpace
		}
		if '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F' {
			k |= clXDigit
		}
		if c == 0 {
			k |= clZero
		}
		t[c] = k
	}
	return t
}()

// classBits maps a class letter, lower or upper case, to its bits; 0 means
// the letter is no class (so %x after % stands for the byte x itself).
var classBits = func() (t [256]uint16) {
	for l, k := range map[byte]uint16{
		'a': clAlpha, 'c': clCntrl, 'd': clDigit, 'l': clLower, 'p': clPunct,
		's': clSpace, 'u': clUpper, 'w': clAlnum, 'x': clXDigit, 'z': clZero,
	} {
		t[l] = k
		t[l-'a'+'A'] = k
	}
	return t
}()

// matchClass reports whether byte c is in the class of %cl (lstrlib.c's
// match_class): an upper-case class letter is the complement.
func matchClass(c, cl byte) bool {
	k := classBits[cl]
	if k == 0 {
		return cl == c
	}
	in := ctype[c]&k != 0
	if 'A' <= cl && cl <= 'Z' {
		return !in
	}
	return in
}
