package tghtml

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/gotd/td/telegram/message/entity"
	gotdhtml "github.com/gotd/td/telegram/message/html"
	"github.com/gotd/td/tg"
	"golang.org/x/net/html"
)

// gotdCases are the inputs of gotd's own tests of telegram/message/html
// (v0.162.0: parser_test.go, tdlib_test.go, unescape_test.go,
// html_example_test.go), the failing ones included.
var gotdCases = []string{
	"<b>bold</b>",
	"<strong>bold</strong>",
	"<i>italic</i>",
	"<em>italic</em>",
	"<u>underline</u>",
	"<ins>underline</ins>",
	"<s>strikethrough</s>",
	"<strike>strikethrough</strike>",
	"<del>strikethrough</del>",
	"<code>code</code>",
	"<pre>abc</pre>",
	"<a href=\"http://www.example.com/\">inline URL</a>",
	"<a href=\"tg://user?id=123456789\">inline mention of a user</a>",
	"<pre><code class=\"language-python\">python code</code></pre>",
	"<b>&lt;</b>",
	"<span class=\"tg-spoiler\">spoiler</span>",
	"<tg-emoji emoji-id=\"5368324170671202286\">👍</tg-emoji>",
	"<blockquote expandable>quote</blockquote>",
	"<blockquote>quote</blockquote>",
	"&#57311;",
	"&#xDFDF;",
	"&#xDFDF",
	"🏟 🏟&lt;<abacaba",
	"🏟 🏟&lt;<abac aba>",
	"🏟 🏟&lt;<abac>",
	"🏟 🏟&lt;<i   =aba>",
	"🏟 🏟&lt;<i    aba>",
	"🏟 🏟&lt;<i    aba  =  ",
	"🏟 🏟&lt;<i    aba  =  190azAz-.,",
	"🏟 🏟&lt;<i    aba  =  \"&lt;&gt;&quot;>",
	"🏟 🏟&lt;<i    aba  =  \\'&lt;&gt;&quot;>",
	"🏟 🏟&lt;</",
	"🏟 🏟&lt;<b></b></",
	"🏟 🏟&lt;<i>a</i   ",
	"🏟 🏟&lt;<i>a</em   >",
	"Строка\n<i>Строка текста курсивом</i>\n\nОбычный текст с <a href=\"https://google.com\">Ссылкой</a> внутри, и\nещё одна ссылка - <a href=\"https://go.dev\">Здесь</a>.\n\nЕщё одна строка.\n",
	"Line\n<i>Italic line of text</i>\n\nNormal line of text with <a href=\"https://google.com\">Link</a> inside, and\nanother link now - <a href=\"https://go.dev\">Here</a>.\n\nOne more line.\n",
	"",
	"➡️ ➡️",
	"&lt;&gt;&amp;&quot;&laquo;&raquo;&#12345678;",
	"➡️ ➡️<i>➡️ ➡️</i>",
	"➡️ ➡️<em>➡️ ➡️</em>",
	"➡️ ➡️<b>➡️ ➡️</b>",
	"➡️ ➡️<strong>➡️ ➡️</strong>",
	"➡️ ➡️<u>➡️ ➡️</u>",
	"➡️ ➡️<ins>➡️ ➡️</ins>",
	"➡️ ➡️<s>➡️ ➡️</s>",
	"➡️ ➡️<strike>➡️ ➡️</strike>",
	"➡️ ➡️<del>➡️ ➡️</del>",
	"➡️ ➡️<i>➡️ ➡️</i><b>➡️ ➡️</b>",
	"🏟 🏟<i>🏟 &lt🏟</i>",
	"🏟 🏟<i>🏟 &gt;<b aba   =   caba>&lt🏟</b></i>",
	"🏟 🏟&lt;<i    aba  =  190azAz-.   >a</i>",
	"🏟 🏟&lt;<i    aba  =  190azAz-.>a</i>",
	"🏟 🏟&lt;<i    aba  =  \"&lt;&gt;&quot;\">a</i>",
	"🏟 🏟&lt;<i    aba  =  '&lt;&gt;&quot;'>a</i>",
	"🏟 🏟&lt;<i    aba  =  '&lt;&gt;&quot;'>a</>",
	"🏟 🏟&lt;<i>🏟 🏟&lt;</>",
	"🏟 🏟&lt;<i>a</    >",
	"🏟 🏟&lt;<i>a</i   >",
	"🏟 🏟&lt;<b></b>",
	"<i>\t</i>",
	"<i>\r</i>",
	"<i>\n</i>",
	"➡️ ➡️<span class = \"tg-spoiler\">➡️ ➡️</span><b>➡️ ➡️</b>",
	"🏟 🏟<span class=\"tg-spoiler\">🏟 &lt🏟</span>",
	"🏟 🏟<span class=\"tg-spoiler\">🏟 &gt;<b aba   =   caba>&lt🏟</b></span>",
	"➡️ ➡️<tg-spoiler>➡️ ➡️</tg-spoiler><b>➡️ ➡️</b>",
	"🏟 🏟<tg-spoiler>🏟 &lt🏟</tg-spoiler>",
	"🏟 🏟<tg-spoiler>🏟 &gt;<b aba   =   caba>&lt🏟</b></tg-spoiler>",
	"<a href=telegram.org>\t</a>",
	"<a href=telegram.org>\r</a>",
	"<a href=telegram.org>\n</a>",
	"<code><i><b> </b></i></code><i><b><code> </code></b></i>",
	"<i><b> </b> <code> </code></i>",
	"<a href=telegram.org> </a>",
	"<a href  =\"telegram.org\"   > </a>",
	"<a   href=  'telegram.org'   > </a>",
	"<a   href=  'telegram.org?&lt;'   > </a>",
	"<a>telegram.org </a>",
	"<a>telegram.org</a>",
	"<a>https://telegram.org/asdsa?asdasdwe#12e3we</a>",
	"🏟 🏟&lt;<pre  >🏟 🏟&lt;</>",
	"🏟 🏟&lt;<code >🏟 🏟&lt;</>",
	"🏟 🏟&lt;<pre><code>🏟 🏟&lt;</code></>",
	"🏟 🏟&lt;<pre><code class=\"language-\">🏟 🏟&lt;</code></>",
	"🏟 🏟&lt;<pre><code class=\"language-fift\">🏟 🏟&lt;</></>",
	"🏟 🏟&lt;<code class=\"language-fift\"><pre>🏟 🏟&lt;</></>",
	"🏟 🏟&lt;<pre><code class=\"language-fift\">🏟 🏟&lt;</> </>",
	"🏟 🏟&lt;<pre> <code class=\"language-fift\">🏟 🏟&lt;</></>",
	"&",
	"&#",
	"&#127987",
	"&#127987;",
	"&#x1F3f3",
	"&#x1F3f3;",
	"&lt;",
	"&lt",
	"&gt;",
	"&gt",
	"&amp;",
	"&amp",
	"&quot;",
	"&quot",
	"<b>bold</b>, <strong>bold</strong>\n<i>italic</i>, <em>italic</em>\n<u>underline</u>, <ins>underline</ins>\n<s>strikethrough</s>, <strike>strikethrough</strike>, <del>strikethrough</del>\n<span class=\"tg-spoiler\">spoiler</span>, <tg-spoiler>spoiler</tg-spoiler>\n<b>bold <i>italic bold <s>italic bold strikethrough <span class=\"tg-spoiler\">italic bold strikethrough spoiler</span></s> <u>underline italic bold</u></i> bold</b>\n<a href=\"http://www.example.com/\">inline URL</a>\n<a href=\"tg://user?id=123456789\">inline mention of a user</a>\n<tg-emoji emoji-id=\"5368324170671202286\">👍</tg-emoji>\n<code>inline fixed-width code</code>\n<pre>pre-formatted fixed-width code block</pre>\n<pre><code class=\"language-python\">pre-formatted fixed-width code block written in the Python programming language</code></pre>\n<blockquote>Block quotation started\\nBlock quotation continued\\nThe last line of the block quotation</blockquote>\n<blockquote expandable>Expandable block quotation started\\nExpandable block quotation continued\\nExpandable block quotation continued\\nHidden by default part of the block quotation started\\nExpandable block quotation continued\\nThe last line of the block quotation</blockquote>",
}

// quirkCases are inputs for what gotd and x/net/html's tokenizer do at
// the edges: each is compared with gotd like the rest.
var quirkCases = []string{
	// Case, aliases, unknown and unclosed tags.
	"<B>bold</b>", "<STRONG>x</STRONG>", "<foo>x</foo>", "<b>x", "<b><i>x</b></i>",
	"x</b>", "<b>x</i>", "<b>x</B >", "<b>x</b foo=bar>", "<b>x</b/>", "<b/>x", "<b />x</b>",
	"<br>x", "<b\x00>x</b\x00>", "<b<i>x</b<i>", "<b\tclass=x>y</b>",
	// Empty and bogus end tags close the last tag.
	"<b>x</>", "<b>x</ b>", "<b>x</1>", "<b>x</ b", "</>", "</ x>", "a</", "a<", "a<!", "a<?",
	// Comments, doctypes, processing instructions, CDATA.
	"a<!--c-->b", "a<!-->b", "a<!--->b", "a<!--x--!>b", "a<!--x--!-y-->b", "a<!--x", "a<!-",
	"a<!DOCTYPE html>b", "a<!doctype", "a<!DOCTY", "a<!x>b", "a<?xml?>b", "a<![CDATA[x]]>b",
	"<b>a<!-- </b> -->b</b>",
	// Raw text after script, style, textarea, title, xmp, iframe, no*, plaintext.
	"<script>a<b>c</b></script>", "<SCRIPT>x</Script >y", "<script>a<!--<script>x</script>-->b</script>c",
	"<script>a<!-- b --> </script>", "<script>x", "<script/>x</script>", "<style><b>x</b></style>",
	"<textarea>&lt;<b></textarea>", "<title>a&amp;</title>", "<xmp><i>x</i></xmp>", "<iframe>x</iframe>",
	"<noembed>x</noembed>", "<noframes>x</noframes>", "<noscript>x</noscript>", "<plaintext><b>x</b>",
	"<b><script>x</script></b>", "<script>x</scriptx></script>",
	// Attributes: quoting, case, repeats, bare values, '=' and '/' in odd places.
	`<a href=http://x.org>l</a>`, `<a HREF='http://x.org'>l</a>`, `<a href = "x.org" >l</a>`,
	`<a href="x.org" href="y.org">l</a>`, `<a href="x.org" HREF="y.org">l</a>`, `<a =href="x.org">l</a>`,
	`<a href>l</a>`, `<a href="">l.org</a>`, `<a href=/x.org>l</a>`, `<a href=x.org/>l</a>`, `<a href="x.org"/>l</a>`,
	`<a href="x.org`, `<a href=x.org`, `<a href= >x.org</a>`, "<a href=\"a\r\nb.org\">l</a>", "<a href=\"a\x00.org\">l</a>",
	// Attributes stay from the last start tag that had any.
	`<a href="x.org">1</a><a>2</a>`, `<span class="tg-spoiler">1</span><span>2</span>`,
	`<tg-emoji emoji-id="5">1</tg-emoji><tg-emoji>2</tg-emoji>`, `<blockquote expandable>1</blockquote><blockquote>2</blockquote>`,
	`<code class="language-go">1</code><pre><code>2</code></pre>`, `<i x=1>1</i><a>x.org</a>`,
	// Entities in attributes: the whole HTML5 table, legacy names, '='.
	`<a href="x.org/&copy;">l</a>`, `<a href="x.org/&copy">l</a>`, `<a href="x.org/&copy=1">l</a>`,
	`<a href="x.org/&copy;=1">l</a>`, `<a href="x.org/&copyx">l</a>`, `<a href="x.org/&NotEqualTilde;">l</a>`,
	`<a href="x.org/&#128;&#0;&#xD800;&#1114112;&#x;&#;">l</a>`, `<pre><code class="language-&lt;c&gt;">x</code></pre>`,
	`<tg-emoji emoji-id="&#49;&#50;">x</tg-emoji>`, `<tg-emoji emoji-id="&plus;7">x</tg-emoji>`,
	// Entities in text: only the Bot API's.
	"&lt&gt&amp&quot", "&copy;&nbsp;&#9;x&#9", "&#x41;&#X41;&#65;&#0;&#1114111;&#1114112;", "&#99999999999999;x",
	"&#55296;x", "&;", "&", "&&amp;&", "&am<b>p;</b>", "&#<i>65</i>", "a&lt<b>x</b>&gt",
	// Links and mentions.
	`<a href="tg://user?id=3">m</a>`, `<a href="tg://user?id=4">m</a>`, `<a href="tg://user?id=x">m</a>`,
	`<a>tg://user?id=6</a>`, `<a href="tg://user?id=9">m</a><a>tg://user?id=5</a>`, `<a href="ftp://x.org">l</a>`,
	`<a href="http://[::1]/">l</a>`, `<a href="::1">l</a>`, `<a href="x_y.org">l</a>`, `<a href="x y">l</a>`,
	`<a href="%zz">l</a>`, `<a href="http://x.org/?a=<b>">l</a>`,
	// Pre, code and languages.
	"<pre><code class=\"language-go\">x</code></pre>", "<code class=\"language-go\"><pre>x</pre></code>",
	"<pre><code class=\"go\">x</code></pre>", "<pre><code>x</code><code>y</code></pre>", "<code><code>x</code></code>",
	"<pre></pre><code></code>x", "<pre> <code class=\"language-py\">x</code> </pre>",
	// tg-time, tg-emoji, spoilers, quotes.
	`<tg-time unix="1700000000" format="wDT">t</tg-time>`, `<tg-time unix="1700000000" format="zz">t</tg-time>`,
	`<tg-time unix="x">t</tg-time>`, `<tg-time unix="1700000000">t</tg-time>`, `<tg-emoji emoji-id="x">e</tg-emoji>`,
	`<span class="tg-spoiler x">s</span>`, `<tg-spoiler>s</tg-spoiler>`, `<blockquote EXPANDABLE="no">q</blockquote>`,
	// Whitespace and lengths.
	"  <b> x </b>  ", "\n<b>x</b>\n", "<b></b>", "<b>😀</b>x", "\xe2\x80<b>\x99</b>", "<b>\xff</b>",
}

// resolver returns a resolver that records the IDs it is asked for and
// fails for multiples of 3.
func resolver(calls *[]int64) entity.UserResolver {
	return func(id int64) (tg.InputUserClass, error) {
		*calls = append(*calls, id)
		if id%3 == 0 {
			return nil, fmt.Errorf("user %d: unknown", id)
		}
		return &tg.InputUser{UserID: id, AccessHash: id * 7}, nil
	}
}

// result is what a parser made of an input.
type result struct {
	Text     string
	Entities []tg.MessageEntityClass
	RawText  string
	RawEnts  []tg.MessageEntityClass
	Err      string
	Calls    []int64
	Default  string // text and entities with the default resolver
}

type parseFunc func(text string, b *entity.Builder, r entity.UserResolver) error

func parseGotd(text string, b *entity.Builder, r entity.UserResolver) error {
	return gotdhtml.HTML(strings.NewReader(text), b, gotdhtml.Options{UserResolver: r})
}

func parseOurs(text string, b *entity.Builder, r entity.UserResolver) error {
	return Parse(text, b, Options{UserResolver: r})
}

func run(parse parseFunc, text string) result {
	var res result
	var b entity.Builder
	if err := parse(text, &b, resolver(&res.Calls)); err != nil {
		res.Err = err.Error()
	}
	res.Text, res.Entities = b.Complete()
	var raw entity.Builder
	_ = parse(text, &raw, resolver(new([]int64)))
	res.RawText, res.RawEnts = raw.Raw()
	var def entity.Builder
	err := parse(text, &def, nil)
	msg, ents := def.Complete()
	res.Default = fmt.Sprintf("%q %v %v", msg, ents, err)
	if len(res.Entities) == 0 {
		res.Entities = nil
	}
	if len(res.RawEnts) == 0 {
		res.RawEnts = nil
	}
	return res
}

// diff reports how our result for text differs from gotd's, or "".
func diff(text string) string {
	want, got := run(parseGotd, text), run(parseOurs, text)
	if reflect.DeepEqual(want, got) {
		return ""
	}
	return fmt.Sprintf("input %q:\n got %+v\nwant %+v", text, got, want)
}

func TestMatchesGotd(t *testing.T) {
	cases := append(append([]string(nil), gotdCases...), quirkCases...)
	// Longer than x/net/html's 4,096-byte buffer, references across its end.
	for _, n := range []int{4090, 4093, 4095, 4096, 8190} {
		pad := strings.Repeat("x", n)
		cases = append(cases, pad+"&amp;<b>&#x1F600;</b>", pad+`<a href="&copy;.org">l</a>`,
			pad+"<script>"+pad+"</script>", strings.Repeat("&lt;<b>"+pad[:n%97]+"</b>&gt", n/50))
	}
	for _, text := range cases {
		if d := diff(text); d != "" {
			t.Error(d)
		}
	}
	t.Logf("%d cases (%d of gotd's tests)", len(cases), len(gotdCases))
}

func FuzzMatchesGotd(f *testing.F) {
	for _, text := range gotdCases {
		f.Add(text)
	}
	for _, text := range quirkCases {
		f.Add(text)
	}
	f.Fuzz(func(t *testing.T, text string) {
		if d := diff(text); d != "" {
			t.Fatal(d)
		}
	})
}

// xnetAttr is the value x/net/html's tokenizer gives the attribute of <a v=...>.
func xnetAttr(t *testing.T, tag string) string {
	t.Helper()
	z := html.NewTokenizer(strings.NewReader(tag))
	if tt := z.Next(); tt != html.StartTagToken {
		t.Fatalf("%q: %v", tag, tt)
	}
	_, val, _ := z.TagAttr()
	return string(val)
}

// TestEntityTable checks every named reference, and names near them, in
// attribute values against x/net/html's tokenizer.
func TestEntityTable(t *testing.T) {
	for i := range entityCount {
		name := entityName(i)
		if i > 0 && entityName(i-1) >= name {
			t.Fatalf("table not sorted at %q", name)
		}
		for _, v := range []string{"&" + name, "&" + name + "=", "&" + name + "x", "&" + name + ";", "a&" + name + "&" + name + "b",
			"&" + strings.TrimSuffix(name, ";"), "&" + name[:len(name)-1]} {
			z := tokenizer{s: `<a v="` + v + `">`}
			if z.next() != startTagToken {
				t.Fatalf("%q: not a start tag", v)
			}
			if got, want := z.attrVal(0), xnetAttr(t, `<a v="`+v+`">`); got != want {
				t.Errorf("%q: got %q, want %q", v, got, want)
			}
		}
	}
	if _, ok := lookupEntity("zzzz;"); ok {
		t.Error("zzzz; found")
	}
	if _, ok := lookupEntity(""); ok {
		t.Error("empty name found")
	}
}

// TestParseErrors checks error messages: gotd's, wrapped the same way.
func TestParseErrors(t *testing.T) {
	for text, want := range map[string]string{
		"</b>":     `parse: unexpected end tag "b"`,
		"<b>x</i>": `parse: expected tag "b", got "i"`,
		"x</>":     `parse: unexpected end tag ""`,
	} {
		if err := Parse(text, &entity.Builder{}, Options{}); err == nil || err.Error() != want {
			t.Errorf("%q: got %v, want %s", text, err, want)
		}
	}
}

func BenchmarkParse(b *testing.B) {
	text := gotdCases[len(gotdCases)-1]
	b.ReportAllocs()
	for b.Loop() {
		var eb entity.Builder
		if err := Parse(text, &eb, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseGotd(b *testing.B) {
	text := gotdCases[len(gotdCases)-1]
	b.ReportAllocs()
	for b.Loop() {
		var eb entity.Builder
		if err := gotdhtml.HTML(strings.NewReader(text), &eb, gotdhtml.Options{}); err != nil {
			b.Fatal(err)
		}
	}
}
