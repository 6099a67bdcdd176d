// Package tghtml parses Telegram's HTML subset (the Bot API's "HTML
// style": <b>, <strong>, <i>, <em>, <u>, <ins>, <s>, <strike>, <del>,
// <code>, <pre> with <code class="language-x">, <a href> including
// tg://user?id=N mentions, <tg-spoiler> and <span class="tg-spoiler">,
// <tg-emoji emoji-id>, <blockquote> with expandable, <tg-time>) into
// plain text and entities on gotd's entity.Builder.
//
// It gives the same text, entities and errors as gotd's
// telegram/message/html for every input (a differential fuzz test holds it
// to that), quirks included, without its dependency on golang.org/x/net/html:
// that package's initialisation (its entity map and atom tables) would run
// at every start of a program that links it, HTML used or not. The part of
// x/net/html's tokenizer that gotd relies on is ported here (token.go), and
// its table of named character references, which attribute values use, is
// generated as static data (entities_table.go).
//
// gotd's parser is MIT-licensed (Copyright (c) 2020 Aleksandr Razumov);
// x/net/html's tokenizer is under Go's BSD-style licence.
package tghtml

import (
	"strconv"
	"strings"

	"github.com/go-faster/errors"
	"github.com/gotd/td/telegram/message/entity"
	"github.com/gotd/td/tg"
)

// Options are the options of Parse: gotd's html.Options without
// DisableTelegramEscape (text is always unescaped the Bot API's way).
type Options struct {
	// UserResolver resolves the user of a tg://user?id=N link. May be nil:
	// then a mention gets a tg.InputUser with only the ID, which is fine
	// for bots, but not for users. Its errors are not returned: the
	// mention is dropped, as gotd does.
	UserResolver entity.UserResolver
}

// Parse parses text as Telegram's HTML and adds its text and entities to
// b, exactly as gotd's html.HTML does with the same options. Unsupported
// tags are ignored; an unmatched end tag is an error.
func Parse(text string, b *entity.Builder, opts Options) error {
	if opts.UserResolver == nil {
		opts.UserResolver = func(id int64) (tg.InputUserClass, error) {
			return &tg.InputUser{UserID: id}, nil
		}
	}
	p := parser{
		z:       tokenizer{s: text},
		builder: b,
		opts:    opts,
	}
	if err := p.parse(); err != nil {
		return errors.Wrap(err, "parse")
	}
	b.ShrinkPreCode()
	return nil
}

// stackElem is an open tag.
type stackElem struct {
	token  entity.Token
	tag    string
	attr   string
	format entity.Formatter
}

// attribute is an attribute of the last start tag that had any.
type attribute struct {
	key, val string
}

type parser struct {
	z       tokenizer
	builder *entity.Builder
	stack   []stackElem
	// attrs are the attributes of the last start tag that had any: like
	// gotd's map, they are only replaced by the next tag with attributes,
	// so <a href="x">1</a><a>2</a> links both. Where a key repeats (after
	// NUL replacement), the last one counts.
	attrs   []attribute
	opts    Options
	scratch []byte
}

// fillAttrs replaces p.attrs with the current tag's attributes.
func (p *parser) fillAttrs() {
	p.attrs = p.attrs[:0]
	for i := range p.z.attr {
		p.attrs = append(p.attrs, attribute{key: p.z.attrKey(i), val: p.z.attrVal(i)})
	}
}

// attr returns the value of attribute key ("" if none) and whether there
// is one.
func (p *parser) attr(key string) (string, bool) {
	for i := len(p.attrs) - 1; i >= 0; i-- {
		if p.attrs[i].key == key {
			return p.attrs[i].val, true
		}
	}
	return "", false
}

func (p *parser) attrValue(key string) string {
	v, _ := p.attr(key)
	return v
}

const (
	pre        = "pre"
	code       = "code"
	em         = "em"
	ins        = "ins"
	strike     = "strike"
	del        = "del"
	strong     = "strong"
	spanTag    = "span"
	tgSpoiler  = "tg-spoiler"
	tgEmoji    = "tg-emoji"
	blockquote = "blockquote"
	tgTime     = "tg-time"
)

func (p *parser) startTag() {
	var e stackElem
	tn, hasAttr := p.z.tagName()
	e.tag = tn
	if hasAttr {
		p.fillAttrs()
	}

	e.token = p.builder.Token()
	// See the Bot API's "HTML style".
	switch e.tag {
	case "b", strong:
		e.format = entity.Bold()
	case "i", em:
		e.format = entity.Italic()
	case "u", ins:
		e.format = entity.Underline()
	case "s", strike, del:
		e.format = entity.Strike()
	case "a":
		e.attr = p.attrValue("href")
		if e.attr == "" {
			break
		}

		f, err := getURLFormatter(e.attr, p.opts.UserResolver)
		if err != nil {
			f = nil
		}
		e.format = f
	case code:
		const langPrefix = "language-"

		e.format = entity.Code()
		e.attr = strings.TrimPrefix(p.attrValue("class"), langPrefix)
		if len(p.stack) < 1 {
			break
		}

		// "Use nested <pre> and <code> tags, to define programming
		// language for <pre> entity."
		last := &p.stack[len(p.stack)-1]
		if last.tag != pre {
			break
		}

		if lang := e.attr; lang != "" {
			last.format = entity.Pre(lang)
		}
	case pre:
		e.format = entity.Pre("")
		if len(p.stack) < 1 {
			break
		}

		last := &p.stack[len(p.stack)-1]
		if last.tag != code {
			break
		}

		if lang := last.attr; lang != "" {
			e.format = entity.Pre(lang)
		}
	case spanTag:
		if p.attrValue("class") == "tg-spoiler" {
			e.format = entity.Spoiler()
		}
	case tgSpoiler:
		e.format = entity.Spoiler()
	case tgEmoji:
		if id, err := strconv.ParseInt(p.attrValue("emoji-id"), 10, 64); err == nil {
			e.format = entity.CustomEmoji(id)
		}
	case blockquote:
		_, collapsed := p.attr("expandable")
		e.format = entity.Blockquote(collapsed)
	case tgTime:
		if unix, err := strconv.Atoi(p.attrValue("unix")); err == nil {
			if d, err := entity.FormattedDateFormat(p.attrValue("format"), unix); err == nil {
				e.format = d
			} else {
				e.format = entity.FormattedDate(false, false, false, false, false, false, unix)
			}
		}
	}

	p.stack = append(p.stack, e)
}

func (p *parser) endTag(checkName bool) error {
	tn, _ := p.z.tagName()

	if len(p.stack) == 0 {
		return errors.Errorf("unexpected end tag %q", tn)
	}
	s := p.stack[len(p.stack)-1]
	p.stack = p.stack[:len(p.stack)-1]
	if checkName && s.tag != tn {
		return errors.Errorf("expected tag %q, got %q", s.tag, tn)
	}

	// Compute UTF-16 length of entity.
	length := s.token.UTF16Length(p.builder)

	switch s.tag {
	case "a":
		// TDLib tries to parse link from <a> body, so we should too.
		if s.attr == "" {
			msg := s.token.Text(p.builder)
			if f, err := getURLFormatter(msg, p.opts.UserResolver); err == nil {
				s.format = f
			}
		}
	case code:
		l, ok := p.builder.LastEntity()
		if !ok {
			break
		}
		last, ok := l.(*tg.MessageEntityPre)
		if !ok {
			break
		}
		// Do not add Code entity, if last entity is Pre with same offset.
		if last.GetOffset() == s.token.UTF16Offset() && last.GetLength() == length {
			return nil
		}
	}
	// Do not add empty entities.
	if length == 0 || s.format == nil {
		return nil
	}

	s.token.Apply(p.builder, s.format)
	return nil
}

// text writes a text token, unescaped.
func (p *parser) text(raw string) {
	if strings.IndexByte(raw, '&') < 0 {
		_, _ = p.builder.WriteString(raw)
		return
	}
	p.scratch = append(p.scratch[:0], raw...)
	_, _ = p.builder.Write(telegramUnescape(p.scratch))
}

func (p *parser) parse() error {
	for {
		switch p.z.next() {
		case errorToken:
			// The end of the input: no other error is possible.
			return nil
		case textToken:
			p.text(p.z.rawText())
		case startTagToken:
			p.startTag()
		case endTagToken:
			if err := p.endTag(true); err != nil {
				return err
			}
		case commentToken:
			// The tokenizer reports "</>" and "</ x>" as comments: both
			// close the last tag, whatever it is.
			raw := p.z.rawText()
			if len(raw) >= 3 && raw[:2] == "</" && raw[len(raw)-1] == '>' {
				if err := p.endTag(false); err != nil {
					return err
				}
			}
		}
	}
}
