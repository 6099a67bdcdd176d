package tghtml

import "strings"

// The tokenizer below is the part of golang.org/x/net/html's Tokenizer
// (token.go, x/net v0.59.0; BSD-style licence, Copyright 2010 The Go
// Authors) that gotd's parser depends on, ported to work on a string held
// in memory. Its token boundaries, token types, tag names, attributes and
// raw-text states (after <script>, <style>, <textarea>, <title>, <xmp>,
// <iframe>, <noembed>, <noframes>, <noscript>, <plaintext>) are the
// original's: gotd writes each text token to the builder separately and
// unescapes it on its own, so even where a token ends matters. What gotd
// never looks at is left out: the data of comments and doctypes, Text(),
// CDATA sections (off by default), buffer limits and read errors.
//
// Keep the control flow as in the original, so that the two can be
// compared line by line.

type tokenType uint8

const (
	errorToken tokenType = iota
	textToken
	startTagToken
	endTagToken
	selfClosingTagToken
	commentToken
	doctypeToken
)

// span is a range of bytes in the input: start inclusive, end exclusive.
type span struct {
	start, end int
}

// tokenizer is x/net/html's Tokenizer over a string; eof stands for its
// err, which without a reader can only be io.EOF.
type tokenizer struct {
	s string
	// tt is the type of the current token.
	tt tokenType
	// eof is set once a read has hit the end of the input. It is never
	// reset, but for the two look-aheads the original also resets.
	eof bool
	// raw is the current token; s[raw.end:] is still to be tokenized.
	raw span
	// data is a tag's name.
	data span
	// pendingAttr is the attribute key and value being tokenized.
	pendingAttr [2]span
	// attr are the current start tag's attributes, attrNames their
	// lower-cased keys (duplicates after the first are dropped).
	attr      [][2]span
	attrNames map[string]bool
	// rawTag is the lower-cased "script" in "</script>" that closes the
	// next token, if it is raw text.
	rawTag string
}

// readByte returns the next byte of the input; at its end it sets eof
// and returns 0 without moving.
func (z *tokenizer) readByte() byte {
	if z.raw.end >= len(z.s) {
		z.eof = true
		return 0
	}
	c := z.s[z.raw.end]
	z.raw.end++
	return c
}

// skipWhiteSpace skips past any white space.
func (z *tokenizer) skipWhiteSpace() {
	if z.eof {
		return
	}
	for {
		c := z.readByte()
		if z.eof {
			return
		}
		switch c {
		case ' ', '\n', '\r', '\t', '\f':
			// No-op.
		default:
			z.raw.end--
			return
		}
	}
}

// readRawOrRCDATA reads until the next "</foo>", where "foo" is z.rawTag.
func (z *tokenizer) readRawOrRCDATA() {
	if z.rawTag == "script" {
		z.readScript()
		z.rawTag = ""
		return
	}
loop:
	for {
		c := z.readByte()
		if z.eof {
			break loop
		}
		if c != '<' {
			continue loop
		}
		c = z.readByte()
		if z.eof {
			break loop
		}
		if c != '/' {
			z.raw.end--
			continue loop
		}
		if z.readRawEndTag() || z.eof {
			break loop
		}
	}
	z.data.end = z.raw.end
	z.rawTag = ""
}

// readRawEndTag attempts to read a tag like "</foo>", where "foo" is
// z.rawTag. If it succeeds, it backs up the input position to reconsume
// the tag and returns true. The opening "</" has already been consumed.
func (z *tokenizer) readRawEndTag() bool {
	for i := 0; i < len(z.rawTag); i++ {
		c := z.readByte()
		if z.eof {
			return false
		}
		if c != z.rawTag[i] && c != z.rawTag[i]-('a'-'A') {
			z.raw.end--
			return false
		}
	}
	c := z.readByte()
	if z.eof {
		return false
	}
	switch c {
	case ' ', '\n', '\r', '\t', '\f', '/', '>':
		// The 3 is 2 for the leading "</" plus 1 for the trailing character c.
		z.raw.end -= 3 + len(z.rawTag)
		return true
	}
	z.raw.end--
	return false
}

// readScript reads until the next </script> tag, following the byzantine
// rules for escaping/hiding the closing tag.
func (z *tokenizer) readScript() {
	defer func() {
		z.data.end = z.raw.end
	}()
	var c byte

scriptData:
	c = z.readByte()
	if z.eof {
		return
	}
	if c == '<' {
		goto scriptDataLessThanSign
	}
	goto scriptData

scriptDataLessThanSign:
	c = z.readByte()
	if z.eof {
		return
	}
	switch c {
	case '/':
		goto scriptDataEndTagOpen
	case '!':
		goto scriptDataEscapeStart
	}
	z.raw.end--
	goto scriptData

scriptDataEndTagOpen:
	if z.readRawEndTag() || z.eof {
		return
	}
	goto scriptData

scriptDataEscapeStart:
	c = z.readByte()
	if z.eof {
		return
	}
	if c == '-' {
		goto scriptDataEscapeStartDash
	}
	z.raw.end--
	goto scriptData

scriptDataEscapeStartDash:
	c = z.readByte()
	if z.eof {
		return
	}
	if c == '-' {
		goto scriptDataEscapedDashDash
	}
	z.raw.end--
	goto scriptData

scriptDataEscaped:
	c = z.readByte()
	if z.eof {
		return
	}
	switch c {
	case '-':
		goto scriptDataEscapedDash
	case '<':
		goto scriptDataEscapedLessThanSign
	}
	goto scriptDataEscaped

scriptDataEscapedDash:
	c = z.readByte()
	if z.eof {
		return
	}
	switch c {
	case '-':
		goto scriptDataEscapedDashDash
	case '<':
		goto scriptDataEscapedLessThanSign
	}
	goto scriptDataEscaped

scriptDataEscapedDashDash:
	c = z.readByte()
	if z.eof {
		return
	}
	switch c {
	case '-':
		goto scriptDataEscapedDashDash
	case '<':
		goto scriptDataEscapedLessThanSign
	case '>':
		goto scriptData
	}
	goto scriptDataEscaped

scriptDataEscapedLessThanSign:
	c = z.readByte()
	if z.eof {
		return
	}
	if c == '/' {
		goto scriptDataEscapedEndTagOpen
	}
	if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' {
		goto scriptDataDoubleEscapeStart
	}
	z.raw.end--
	goto scriptData

scriptDataEscapedEndTagOpen:
	if z.readRawEndTag() || z.eof {
		return
	}
	goto scriptDataEscaped

scriptDataDoubleEscapeStart:
	z.raw.end--
	for i := 0; i < len("script"); i++ {
		c = z.readByte()
		if z.eof {
			return
		}
		if c != "script"[i] && c != "SCRIPT"[i] {
			z.raw.end--
			goto scriptDataEscaped
		}
	}
	c = z.readByte()
	if z.eof {
		return
	}
	switch c {
	case ' ', '\n', '\r', '\t', '\f', '/', '>':
		goto scriptDataDoubleEscaped
	}
	z.raw.end--
	goto scriptDataEscaped

scriptDataDoubleEscaped:
	c = z.readByte()
	if z.eof {
		return
	}
	switch c {
	case '-':
		goto scriptDataDoubleEscapedDash
	case '<':
		goto scriptDataDoubleEscapedLessThanSign
	}
	goto scriptDataDoubleEscaped

scriptDataDoubleEscapedDash:
	c = z.readByte()
	if z.eof {
		return
	}
	switch c {
	case '-':
		goto scriptDataDoubleEscapedDashDash
	case '<':
		goto scriptDataDoubleEscapedLessThanSign
	}
	goto scriptDataDoubleEscaped

scriptDataDoubleEscapedDashDash:
	c = z.readByte()
	if z.eof {
		return
	}
	switch c {
	case '-':
		goto scriptDataDoubleEscapedDashDash
	case '<':
		goto scriptDataDoubleEscapedLessThanSign
	case '>':
		goto scriptData
	}
	goto scriptDataDoubleEscaped

scriptDataDoubleEscapedLessThanSign:
	c = z.readByte()
	if z.eof {
		return
	}
	if c == '/' {
		goto scriptDataDoubleEscapeEnd
	}
	z.raw.end--
	goto scriptDataDoubleEscaped

scriptDataDoubleEscapeEnd:
	if z.readRawEndTag() {
		z.raw.end += len("</script>")
		goto scriptDataEscaped
	}
	if z.eof {
		return
	}
	goto scriptDataDoubleEscaped
}

// readComment reads the next comment token starting with "<!--". The
// opening "<!--" has already been consumed.
func (z *tokenizer) readComment() {
	var dashCount int
	beginning := true
	for {
		c := z.readByte()
		if z.eof {
			return
		}
		switch c {
		case '-':
			dashCount++
			continue
		case '>':
			if dashCount >= 2 || beginning {
				return
			}
		case '!':
			if dashCount >= 2 {
				c = z.readByte()
				if z.eof {
					return
				} else if c == '>' {
					return
				} else if c == '-' {
					dashCount = 1
					beginning = false
					continue
				}
			}
		}
		dashCount = 0
		beginning = false
	}
}

// readUntilCloseAngle reads until the next ">".
func (z *tokenizer) readUntilCloseAngle() {
	for {
		c := z.readByte()
		if z.eof {
			return
		}
		if c == '>' {
			return
		}
	}
}

// readMarkupDeclaration reads the next token starting with "<!". It might
// be a "<!--comment-->", a "<!DOCTYPE foo>" or "<!a bogus comment". The
// opening "<!" has already been consumed.
func (z *tokenizer) readMarkupDeclaration() tokenType {
	z.data.start = z.raw.end
	var c [2]byte
	for i := 0; i < 2; i++ {
		c[i] = z.readByte()
		if z.eof {
			// bogus comment
			return commentToken
		}
	}
	if c[0] == '-' && c[1] == '-' {
		z.readComment()
		return commentToken
	}
	z.raw.end -= 2
	if z.readDoctype() {
		return doctypeToken
	}
	// It's a bogus comment.
	z.readUntilCloseAngle()
	return commentToken
}

// readDoctype attempts to read a doctype declaration and returns true if
// successful. The opening "<!" has already been consumed.
func (z *tokenizer) readDoctype() bool {
	const s = "DOCTYPE"
	for i := 0; i < len(s); i++ {
		c := z.readByte()
		if z.eof {
			// Back up to read the fragment of "DOCTYPE" again, reset
			// the error to signal the end on the next call.
			z.raw.end = z.data.start
			z.eof = false
			return false
		}
		if c != s[i] && c != s[i]+('a'-'A') {
			// Back up to read the fragment of "DOCTYPE" again.
			z.raw.end = z.data.start
			return false
		}
	}
	if z.skipWhiteSpace(); z.eof {
		return true
	}
	z.readUntilCloseAngle()
	return true
}

// startTagIn returns whether the start tag in s[z.data.start:z.data.end]
// case-insensitively matches any element of ss.
func (z *tokenizer) startTagIn(ss ...string) bool {
loop:
	for _, s := range ss {
		if z.data.end-z.data.start != len(s) {
			continue loop
		}
		for i := 0; i < len(s); i++ {
			c := z.s[z.data.start+i]
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			if c != s[i] {
				continue loop
			}
		}
		return true
	}
	return false
}

// readStartTag reads the next start tag token. The opening "<a" has
// already been consumed, where 'a' means anything in [A-Za-z].
func (z *tokenizer) readStartTag() tokenType {
	z.readTag(true)
	if z.eof {
		return errorToken
	}
	// Several tags flag the tokenizer's next token as raw.
	c, raw := z.s[z.data.start], false
	if 'A' <= c && c <= 'Z' {
		c += 'a' - 'A'
	}
	switch c {
	case 'i':
		raw = z.startTagIn("iframe")
	case 'n':
		raw = z.startTagIn("noembed", "noframes", "noscript")
	case 'p':
		raw = z.startTagIn("plaintext")
	case 's':
		raw = z.startTagIn("script", "style")
	case 't':
		raw = z.startTagIn("textarea", "title")
	case 'x':
		raw = z.startTagIn("xmp")
	}
	if raw {
		z.rawTag = strings.ToLower(z.s[z.data.start:z.data.end])
	}
	// Look for a self-closing token (e.g. <br/>), but not <p a=/>: the
	// last non-bracket character must not end the last attribute's value.
	nAttrs := len(z.attr)
	if !z.eof && z.s[z.raw.end-2] == '/' && (nAttrs == 0 || z.raw.end-2 != z.attr[nAttrs-1][1].end-1) {
		return selfClosingTagToken
	}
	return startTagToken
}

// readTag reads the next tag token and its attributes. If saveAttr, those
// attributes are saved in z.attr, otherwise z.attr is set to an empty
// slice. The opening "<a" or "</a" has already been consumed, where 'a'
// means anything in [A-Za-z].
func (z *tokenizer) readTag(saveAttr bool) {
	z.attr = z.attr[:0]
	clear(z.attrNames)
	// Read the tag name and attribute key/value pairs.
	z.readTagName()
	if z.skipWhiteSpace(); z.eof {
		return
	}
	for {
		c := z.readByte()
		if z.eof || c == '>' {
			break
		}
		z.raw.end--
		z.readTagAttrKey()
		z.readTagAttrVal()
		// Save pendingAttr if saveAttr and that attribute has a non-empty
		// key, and the key hasn't been seen before.
		if saveAttr && z.pendingAttr[0].start != z.pendingAttr[0].end {
			key := lowerASCII(z.s[z.pendingAttr[0].start:z.pendingAttr[0].end])
			if !z.attrNames[key] {
				z.attr = append(z.attr, z.pendingAttr)
				if z.attrNames == nil {
					z.attrNames = make(map[string]bool)
				}
				z.attrNames[key] = true
			}
		}
		if z.skipWhiteSpace(); z.eof {
			break
		}
	}
}

// readTagName sets z.data to the "div" in "<div k=v>". The first byte of
// the tag name (the "d" in "<div") has already been consumed.
func (z *tokenizer) readTagName() {
	z.data.start = z.raw.end - 1
	for {
		c := z.readByte()
		if z.eof {
			z.data.end = z.raw.end
			return
		}
		switch c {
		case ' ', '\n', '\r', '\t', '\f':
			z.data.end = z.raw.end - 1
			return
		case '/', '>':
			z.raw.end--
			z.data.end = z.raw.end
			return
		}
	}
}

// readTagAttrKey sets z.pendingAttr[0] to the "k" in "<div k=v>".
func (z *tokenizer) readTagAttrKey() {
	z.pendingAttr[0].start = z.raw.end
	for {
		c := z.readByte()
		if z.eof {
			z.pendingAttr[0].end = z.raw.end
			return
		}
		switch c {
		case '=':
			if z.pendingAttr[0].start+1 == z.raw.end {
				// WHATWG 13.2.5.32: an equals sign before the attribute
				// name begins is a character of the name.
				continue
			}
			fallthrough
		case ' ', '\n', '\r', '\t', '\f', '/', '>':
			// WHATWG 13.2.5.33: reconsume the character in the after
			// attribute name state.
			z.raw.end--
			z.pendingAttr[0].end = z.raw.end
			return
		}
	}
}

// readTagAttrVal sets z.pendingAttr[1] to the "v" in "<div k=v>".
func (z *tokenizer) readTagAttrVal() {
	z.pendingAttr[1].start = z.raw.end
	z.pendingAttr[1].end = z.raw.end
	if z.skipWhiteSpace(); z.eof {
		return
	}
	c := z.readByte()
	if z.eof {
		return
	}
	if c == '/' {
		// WHATWG 13.2.5.34: switch to the self-closing start tag state.
		return
	}
	if c != '=' {
		z.raw.end--
		return
	}
	if z.skipWhiteSpace(); z.eof {
		return
	}
	quote := z.readByte()
	if z.eof {
		return
	}
	switch quote {
	case '>':
		z.raw.end--
		return

	case '\'', '"':
		z.pendingAttr[1].start = z.raw.end
		for {
			c := z.readByte()
			if z.eof {
				z.pendingAttr[1].end = z.raw.end
				return
			}
			if c == quote {
				z.pendingAttr[1].end = z.raw.end - 1
				return
			}
		}

	default:
		z.pendingAttr[1].start = z.raw.end - 1
		for {
			c := z.readByte()
			if z.eof {
				z.pendingAttr[1].end = z.raw.end
				return
			}
			switch c {
			case ' ', '\n', '\r', '\t', '\f':
				z.pendingAttr[1].end = z.raw.end - 1
				return
			case '>':
				z.raw.end--
				z.pendingAttr[1].end = z.raw.end
				return
			}
		}
	}
}

// next scans the next token and returns its type.
func (z *tokenizer) next() tokenType {
	z.raw.start = z.raw.end
	z.data.start = z.raw.end
	z.data.end = z.raw.end
	if z.eof {
		z.tt = errorToken
		return z.tt
	}
	if z.rawTag != "" {
		if z.rawTag == "plaintext" {
			// Read everything up to the end.
			z.raw.end = len(z.s)
			z.eof = true
			z.data.end = z.raw.end
		} else {
			z.readRawOrRCDATA()
		}
		if z.data.end > z.data.start {
			z.tt = textToken
			return z.tt
		}
	}

loop:
	for {
		c := z.readByte()
		if z.eof {
			break loop
		}
		if c != '<' {
			continue loop
		}

		// Check if the '<' we have just read is part of a tag, comment
		// or doctype. If not, it's part of the accumulated text token.
		c = z.readByte()
		if z.eof {
			break loop
		}
		var tt tokenType
		switch {
		case 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z':
			tt = startTagToken
		case c == '/':
			tt = endTagToken
		case c == '!' || c == '?':
			// commentToken stands for "<!--actual comments-->",
			// "<!DOCTYPE declarations>" and "<?xml processing instructions?>".
			tt = commentToken
		default:
			// Reconsume the current character.
			z.raw.end--
			continue
		}

		// Text accumulated before the tag is a token of its own.
		if x := z.raw.end - len("<a"); z.raw.start < x {
			z.raw.end = x
			z.data.end = x
			z.tt = textToken
			return z.tt
		}
		switch tt {
		case startTagToken:
			z.tt = z.readStartTag()
			return z.tt
		case endTagToken:
			c = z.readByte()
			if z.eof {
				break loop
			}
			if c == '>' {
				// "</>" does not generate a token at all: the original
				// reports an empty comment, "</>", so that its Raw has it.
				z.tt = commentToken
				return z.tt
			}
			if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' {
				z.readTag(false)
				if z.eof {
					z.tt = errorToken
				} else {
					z.tt = endTagToken
				}
				return z.tt
			}
			z.raw.end--
			z.readUntilCloseAngle()
			z.tt = commentToken
			return z.tt
		case commentToken:
			if c == '!' {
				z.tt = z.readMarkupDeclaration()
				return z.tt
			}
			z.raw.end--
			z.readUntilCloseAngle()
			z.tt = commentToken
			return z.tt
		}
	}
	if z.raw.start < z.raw.end {
		z.data.end = z.raw.end
		z.tt = textToken
		return z.tt
	}
	z.tt = errorToken
	return z.tt
}

// rawText is the unmodified text of the current token.
func (z *tokenizer) rawText() string {
	return z.s[z.raw.start:z.raw.end]
}

// tagName returns the lower-cased name of a tag token (the `img` out of
// `<IMG SRC="foo">`), NUL bytes replaced by U+FFFD, and whether the tag
// has attributes. Like the original, it returns the name only once.
func (z *tokenizer) tagName() (name string, hasAttr bool) {
	if z.data.start < z.data.end {
		switch z.tt {
		case startTagToken, endTagToken, selfClosingTagToken:
			s := z.s[z.data.start:z.data.end]
			z.data.start = z.raw.end
			z.data.end = z.raw.end
			return lowerASCII(replaceNUL(s)), len(z.attr) > 0
		}
	}
	return "", false
}

// attrKey and attrVal return the lower-cased key and the unescaped value of
// the current start tag's attribute i, as the original's TagAttr does.
func (z *tokenizer) attrKey(i int) string {
	x := z.attr[i][0]
	return lowerASCII(replaceNUL(z.s[x.start:x.end]))
}

func (z *tokenizer) attrVal(i int) string {
	x := z.attr[i][1]
	return unescapeAttr(convertNewlines(replaceNUL(z.s[x.start:x.end])))
}

// replaceNUL replaces NUL bytes with U+FFFD.
func replaceNUL(s string) string {
	if strings.IndexByte(s, 0) < 0 {
		return s
	}
	return strings.ReplaceAll(s, "\x00", "\ufffd")
}

// lowerASCII lower-cases the A-Z bytes of s.
func lowerASCII(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; 'A' <= c && c <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if c := b[j]; 'A' <= c && c <= 'Z' {
					b[j] = c + 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}

// convertNewlines converts "\r" and "\r\n" in s to "\n".
func convertNewlines(s string) string {
	if strings.IndexByte(s, '\r') < 0 {
		return s
	}
	s = strings.ReplaceAll(s, "\r\n", "\n")
	return strings.ReplaceAll(s, "\r", "\n")
}
