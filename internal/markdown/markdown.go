// Package markdown parses the Markdown dialect Telegram clients use for
// formatted messages (as in Telethon's parse_mode='md') into plain text and
// entities with UTF-16 offsets:
//
//	**bold**  __italic__  ~~strike~~  ||spoiler||  `code`
//	```lang
//	pre
//	```
//	[text](https://example.org)  [name](tg://user?id=123)
//
// A backslash makes the next character literal. A delimiter without its
// pair stays in the text as typed. Different delimiters may nest or
// overlap, as Telegram's entities may. Code and pre contents are literal.
//
// It exists because gotd's markdown parser is built on goldmark, whose
// package initialisation costs every tglua start about 6 ms.
package markdown

import (
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/tglua/tglua/internal/split"
)

// Kind is an entity kind.
type Kind int

// Entity kinds, named after their TL constructors.
const (
	Bold Kind = iota
	Italic
	Strike
	Spoiler
	Code
	Pre
	TextURL
	MentionName // a tg://user?id=N link
)

// Entity is one formatted range of the text, in UTF-16 code units.
type Entity struct {
	Kind   Kind
	Offset int
	Length int
	URL    string // TextURL
	Lang   string // Pre
	UserID int64  // MentionName
}

// token is a piece of the input: text, or a delimiter.
type token struct {
	kind    tokKind
	text    string // tokText: the literal text; delimiters: what was typed
	delim   Kind   // tokToggle
	url     string // tokLinkEnd
	lang    string // tokBlock
	matched bool
}

type tokKind int

const (
	tokText      tokKind = iota
	tokToggle            // ** __ ~~ ||
	tokBlock             // `code` or ```pre```: text is the literal content
	tokLinkStart         // [
	tokLinkEnd           // ](url)
)

var toggles = []struct {
	s    string
	kind Kind
}{{"**", Bold}, {"__", Italic}, {"~~", Strike}, {"||", Spoiler}}

// Parse returns the plain text of s and its entities, sorted by offset.
func Parse(s string) (string, []Entity) {
	toks := tokenize(s)
	match(toks)
	return emit(toks)
}

func tokenize(s string) []token {
	var (
		toks []token
		text strings.Builder
	)
	flush := func() {
		if text.Len() > 0 {
			toks = append(toks, token{kind: tokText, text: text.String()})
			text.Reset()
		}
	}
	for i := 0; i < len(s); {
		rest := s[i:]
		if rest[0] == '\\' && len(rest) > 1 {
			_, n := utf8.DecodeRuneInString(rest[1:])
			text.WriteString(rest[1 : 1+n])
			i += 1 + n
			continue
		}
		if strings.HasPrefix(rest, "```") {
			if end := strings.Index(rest[3:], "```"); end >= 0 {
				body := rest[3 : 3+end]
				lang := ""
				if nl := strings.IndexByte(body, '\n'); nl >= 0 && !strings.ContainsAny(body[:nl], " \t") {
					lang, body = body[:nl], body[nl+1:]
				}
				flush()
				toks = append(toks, token{kind: tokBlock, delim: Pre, text: body, lang: lang})
				i += 6 + end
				continue
			}
		}
		if rest[0] == '`' {
			if end := strings.IndexByte(rest[1:], '`'); end > 0 {
				flush()
				toks = append(toks, token{kind: tokBlock, delim: Code, text: rest[1 : 1+end]})
				i += 2 + end
				continue
			}
		}
		if t, ok := toggleAt(rest); ok {
			flush()
			toks = append(toks, t)
			i += 2
			continue
		}
		if rest[0] == '[' {
			flush()
			toks = append(toks, token{kind: tokLinkStart, text: "["})
			i++
			continue
		}
		if strings.HasPrefix(rest, "](") {
			if end := strings.IndexByte(rest[2:], ')'); end >= 0 {
				flush()
				toks = append(toks, token{kind: tokLinkEnd, text: rest[:3+end], url: rest[2 : 2+end]})
				i += 3 + end
				continue
			}
		}
		_, n := utf8.DecodeRuneInString(rest)
		text.WriteString(rest[:n])
		i += n
	}
	flush()
	return toks
}

func toggleAt(s string) (token, bool) {
	for _, t := range toggles {
		if strings.HasPrefix(s, t.s) {
			return token{kind: tokToggle, text: t.s, delim: t.kind}, true
		}
	}
	return token{}, false
}

// match pairs each toggle with the next of its kind, and each link start
// with the next link end; what is left unpaired stays literal.
func match(toks []token) {
	open := map[Kind]int{}
	var links []int
	for i := range toks {
		t := &toks[i]
		switch t.kind {
		case tokToggle:
			if j, ok := open[t.delim]; ok {
				toks[j].matched, t.matched = true, true
				delete(open, t.delim)
			} else {
				open[t.delim] = i
			}
		case tokLinkStart:
			links = append(links, i)
		case tokLinkEnd:
			if n := len(links); n > 0 {
				toks[links[n-1]].matched, t.matched = true, true
				links = links[:n-1]
			}
		}
	}
}

func emit(toks []token) (string, []Entity) {
	var (
		out   strings.Builder
		pos   int // UTF-16 units written
		ents  []Entity
		open  = map[Kind]int{}
		links []int
	)
	write := func(s string) {
		out.WriteString(s)
		pos += split.UTF16Len(s)
	}
	for _, t := range toks {
		switch {
		case t.kind == tokText:
			write(t.text)
		case t.kind == tokBlock:
			start := pos
			write(t.text)
			if pos > start {
				ents = append(ents, Entity{Kind: t.delim, Offset: start, Length: pos - start, Lang: t.lang})
			}
		case !t.matched:
			write(t.text)
		case t.kind == tokToggle:
			if start, ok := open[t.delim]; ok {
				delete(open, t.delim)
				if pos > start {
					ents = append(ents, Entity{Kind: t.delim, Offset: start, Length: pos - start})
				}
			} else {
				open[t.delim] = pos
			}
		case t.kind == tokLinkStart:
			links = append(links, pos)
		case t.kind == tokLinkEnd:
			start := links[len(links)-1]
			links = links[:len(links)-1]
			if pos > start {
				ents = append(ents, link(start, pos-start, t.url))
			}
		}
	}
	sortEntities(ents)
	return out.String(), ents
}

// link is a text URL, or a mention for tg://user?id=N.
func link(offset, length int, raw string) Entity {
	if u, err := url.Parse(raw); err == nil && u.Scheme == "tg" && u.Host == "user" {
		if id, err := strconv.ParseInt(u.Query().Get("id"), 10, 64); err == nil {
			return Entity{Kind: MentionName, Offset: offset, Length: length, UserID: id}
		}
	}
	return Entity{Kind: TextURL, Offset: offset, Length: length, URL: raw}
}

func sortEntities(ents []Entity) {
	// Insertion sort: entities are few and mostly in order already.
	for i := 1; i < len(ents); i++ {
		for j := i; j > 0 && ents[j].Offset < ents[j-1].Offset; j-- {
			ents[j], ents[j-1] = ents[j-1], ents[j]
		}
	}
}
